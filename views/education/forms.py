"""Forms of the education area. Hours are entered as decimal hours in quarter hours."""
import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from models.education import Attendance, EventFormat

from ..forms import VersionedForm

FORMAT_LABELS = {
    EventFormat.GROUP: _l("Group training"),
    EventFormat.INDIVIDUAL: _l("Individual training"),
}
LANGUAGE_LABELS = {
    "cs": _l("Czech"),
    "pl": _l("Polish"),
    "en": _l("English"),
    "other": _l("Another language"),
}
ATTENDANCE_LABELS = {
    Attendance.ATTENDED: _l("Attended"),
    Attendance.NO_SHOW: _l("Did not come"),
    Attendance.EXCUSED: _l("Excused"),
}
#: Upper bounds that keep typing mistakes out (not rules of law).
MAX_EVENT_HOURS = Decimal(100)
MAX_CAPACITY = 500


def quarter_hours(form, field):
    """More than zero, in quarter hours (0.25, 0.5, 0.75 …)."""
    if field.data is None:
        return
    if field.data <= 0:
        raise ValidationError(_l("Enter more than zero hours."))
    if (field.data * 4) % 1:
        raise ValidationError(_l("Enter the hours in quarter hours (for example 1.5 or 2.25)."))
    if field.data > MAX_EVENT_HOURS:
        raise ValidationError(_l("Enter at most %(num)d hours.", num=int(MAX_EVENT_HOURS)))


def not_in_future(form, field):
    if field.data and field.data > datetime.date.today():
        raise ValidationError(_l("The date cannot be in the future."))


def hours_field(label, required=True, description=None):
    validators = [InputRequired(message=_l("Enter the number of hours.")), quarter_hours] if required else [
        Optional(), quarter_hours]
    return DecimalField(label, places=2, validators=validators, description=description,
                        render_kw={"inputmode": "decimal", "step": "0.25"})


class EventForm(VersionedForm):
    """A training event: what, when, how long it credits, where, who teaches, how many."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    duration = hours_field(_l("Hours credited"), description=_l("Quarter hours are allowed, e.g. 1.5 or 2.25."))
    online = BooleanField(_l("Online"))
    place = StringField(_l("Place or link"), validators=[Length(max=300)])  # no Optional(): validate_place must run
    trainer = StringField(_l("Trainer"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(_l("Places"), validators=[
        InputRequired(message=_l("Enter the number of places.")),
        NumberRange(min=1, max=MAX_CAPACITY, message=_l("Enter between %(min)d and %(max)d places.")),
    ])
    event_format = SelectField(_l("Form"), choices=list(FORMAT_LABELS.items()))
    language = SelectField(_l("Language"), choices=list(LANGUAGE_LABELS.items()))

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The training must end after it starts."))

    def validate_duration(self, field):
        start, end = self.starts_at.data, self.ends_at.data
        if field.data and start and end and end > start and field.data * 3600 > Decimal((end - start).total_seconds()):
            raise ValidationError(_l("The hours credited cannot be longer than the training itself."))

    def validate_place(self, field):
        if not self.online.data and not (field.data or "").strip():
            raise ValidationError(_l("Enter the place, or tick Online."))


class RegisterForm(FlaskForm):
    """Staff register a caregiver of one of their families."""

    person = SelectField(_l("Caregiver"), coerce=int, validators=[DataRequired(message=_l("Choose a caregiver."))])
    waitlist = HiddenField()
    babysitting = BooleanField(_l("Babysitting needed during the training"))
    babysitting_note = StringField(_l("Children and times for babysitting"), validators=[Optional(), Length(max=500)])


class SignUpForm(FlaskForm):
    """A caregiver signs up themselves (``person`` must be their own record)."""

    person = HiddenField()
    waitlist = HiddenField()
    babysitting = BooleanField(_l("I need babysitting during the training"))
    babysitting_note = StringField(_l("Children and times for babysitting"), validators=[Optional(), Length(max=500)])


class AttendanceForm(VersionedForm):
    """Attendance of one registration, inline on the event page."""

    attendance = RadioField(_l("Attendance"), choices=list(ATTENDANCE_LABELS.items()),
                            validators=[InputRequired(message=_l("Choose whether the caregiver attended."))])
    hours = hours_field(_l("Hours attended"), required=False)

    def validate_hours(self, field):
        if self.attendance.data == Attendance.ATTENDED and field.data is None and not field.errors:
            raise ValidationError(_l("Enter the hours attended (more than zero)."))


class ExternalTrainingForm(FlaskForm):
    """Hours completed with another provider."""

    provider = StringField(_l("Provider"), validators=[DataRequired(), Length(max=200)])
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=200)])
    date = DateField(_l("Date"), validators=[DataRequired(), not_in_future])
    hours = hours_field(_l("Hours"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class PlanForm(VersionedForm):
    """The individual education plan of the current period, agreed with the caregiver."""

    topics = TextAreaField(_l("Topics and needs to cover"), validators=[Optional(), Length(max=5000)])
    agreed_on = DateField(_l("Agreed with the caregiver on"), validators=[Optional(), not_in_future])


class SettingsForm(VersionedForm):
    """The organisation's own education figures; empty means "as the country rules say"."""

    standard_hours = hours_field(_l("Hours required per period"), required=False)
    kinship_hours = hours_field(_l("Hours required for non-mediated (kinship) care, rules from 2025"), required=False)
    at_risk_months = IntegerField(_l("Warn when fewer than this many months are left"), validators=[
        Optional(), NumberRange(min=1, max=11, message=_l("Enter between %(min)d and %(max)d months."))])
