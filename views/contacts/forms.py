"""Forms and labels of the contacts area."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from models.contacts import ContactStatus, EndedEarlyReason, OrderIssuer, Party, RepeatPattern

from ..forms import VersionedForm

STATUS_LABELS = {
    ContactStatus.PLANNED: _l("Planned"),
    ContactStatus.CONFIRMED: _l("Confirmed"),
    ContactStatus.CANCELLATION_REQUESTED: _l("Cancellation requested"),
    ContactStatus.HELD: _l("Held"),
    ContactStatus.CANCELLED: _l("Cancelled"),
    ContactStatus.NO_SHOW: _l("No-show"),
    ContactStatus.ENDED_EARLY: _l("Ended early"),
}
PARTY_LABELS = {
    Party.CAREGIVER: _l("the caregiver"),
    Party.VISITOR: _l("the visitor"),
    Party.ORGANISATION: _l("the organisation"),
}
# Who cancelled / did not come, as a choice in a form.
PARTY_CHOICES = [
    (Party.CAREGIVER.value, _l("Caregiver")),
    (Party.VISITOR.value, _l("Visitor")),
    (Party.ORGANISATION.value, _l("Organisation")),
]
#: The parties by name (nominative), for "no-show: visitor".
PARTY_NAMES = dict(PARTY_CHOICES)
ENDED_EARLY_LABELS = {
    EndedEarlyReason.INTOXICATION: _l("Under the influence of alcohol or drugs"),
    EndedEarlyReason.AGGRESSION: _l("Verbal or physical aggression"),
    EndedEarlyReason.CHILD_DISTRESS: _l("The child's distress"),
    EndedEarlyReason.OTHER: _l("Other reason"),
}
ISSUER_LABELS = {
    OrderIssuer.COURT: _l("Court"),
    OrderIssuer.OSPOD: _l("Child-protection authority (OSPOD)"),
    OrderIssuer.AGREEMENT: _l("Agreed with the family"),
}
REPEAT_LABELS = {
    "": _l("Does not repeat"),
    RepeatPattern.WEEKLY: _l("Every week"),
    RepeatPattern.FORTNIGHTLY: _l("Every two weeks"),
    RepeatPattern.MONTHLY_NTH: _l("Monthly on the same weekday (e.g. the 2nd Tuesday)"),
}
KIND_LABELS = {
    "child": _l("Child"),
    "visitor": _l("Visitor"),
    "caregiver": _l("Caregiver"),
    "worker": _l("Supervising worker"),
}


def _checkboxes(label, **kwargs):
    """A multiple choice drawn as checkboxes; choices are checked by the view itself, so the
    messages are ours (``validate_choice=False``)."""
    return SelectMultipleField(label, coerce=int, widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput(), validate_choice=False,
                               validators=[Optional()], **kwargs)


class ContactForm(VersionedForm):
    """A contact (or the first of a series): who, where, when, why, and the preparation."""

    children = _checkboxes(_l("Children"))
    visitors = _checkboxes(_l("Visitors (the children's relatives and close persons)"))
    caregivers = _checkboxes(_l("Caregivers bringing the child"))
    workers = _checkboxes(_l("Supervising workers"))
    room = SelectField(_l("Room"), coerce=int, validate_choice=False)
    place = StringField(_l("Place, when not in one of our rooms"), validators=[Optional(), Length(max=300)])
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter a date."))])
    start_time = TimeField(_l("Child arrives"), validators=[InputRequired(message=_l("Enter a time."))])
    end_time = TimeField(_l("Child leaves"), validators=[InputRequired(message=_l("Enter a time."))])
    arrive_before = IntegerField(_l("Visitors arrive this many minutes before the child"), default=0,
                                 validators=[Optional(), NumberRange(min=0, max=120)])
    leave_after = IntegerField(_l("Visitors leave this many minutes after the child"), default=0,
                               validators=[Optional(), NumberRange(min=0, max=120)])
    order = SelectField(_l("The order it follows"), coerce=int, validate_choice=False)
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=2000)])
    prep_child = TextAreaField(_l("Preparation of the child"), validators=[Optional(), Length(max=5000)])
    prep_caregivers = TextAreaField(_l("Preparation notes for the caregivers (the caregivers see them)"),
                                    validators=[Optional(), Length(max=5000)])
    prep_visitors = TextAreaField(_l("Preparation of the visitors"), validators=[Optional(), Length(max=5000)])
    repeat = SelectField(_l("Repeat"), choices=list(REPEAT_LABELS.items()), validators=[Optional()])
    repeat_until = DateField(_l("Repeat until"), validators=[Optional()])
    repeat_count = IntegerField(_l("Or this many contacts"), validators=[Optional(), NumberRange(min=2, max=104)])
    scope = RadioField(_l("Apply the change to"), choices=[("one", _l("This contact only")),
                                                          ("following", _l("This and the following contacts of the series"))],
                       default="one")


class CancelForm(FlaskForm):
    party = SelectField(_l("Cancelled by"), choices=PARTY_CHOICES, validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class NoShowForm(FlaskForm):
    party = SelectField(_l("Who did not come"), choices=PARTY_CHOICES, validators=[DataRequired()])


class EndedEarlyForm(FlaskForm):
    reason = SelectField(_l("Why it ended early"), choices=[(k.value, v) for k, v in ENDED_EARLY_LABELS.items()],
                         validators=[DataRequired()])
    note = TextAreaField(_l("What happened"), validators=[Optional(), Length(max=5000)])


class OutcomeForm(VersionedForm):
    """The record after a contact took place."""

    actual_minutes = IntegerField(_l("Real duration (minutes)"),
                                  validators=[InputRequired(message=_l("Enter the real duration.")),
                                              NumberRange(min=1, max=720)])
    attended = _checkboxes(_l("Who came"))
    child_reactions = TextAreaField(_l("The child's reactions"), validators=[Optional(), Length(max=5000)])
    child_view = TextAreaField(_l("The child's own view"), validators=[Optional(), Length(max=5000)])
    incidents = TextAreaField(_l("Incidents"), validators=[Optional(), Length(max=5000)])
    summary = TextAreaField(_l("Short summary"), validators=[Optional(), Length(max=3000)])
    summary_shared = BooleanField(_l("Share the summary with the caregivers"))


class CannotComeForm(FlaskForm):
    reason = TextAreaField(_l("Why you cannot come"), validators=[DataRequired(), Length(max=2000)])


class OrderForm(FlaskForm):
    child = SelectField(_l("Child"), coerce=int, validate_choice=False)
    issuer = SelectField(_l("Ordered by"), choices=[(k.value, v) for k, v in ISSUER_LABELS.items()])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=200)])
    per_month = IntegerField(_l("Contacts a month"), validators=[InputRequired(message=_l("Enter a number.")),
                                                                  NumberRange(min=0, max=31)])
    note = TextAreaField(_l("Who may or may not be present, other conditions"), validators=[Optional(), Length(max=2000)])


class RoomForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    capacity = IntegerField(_l("Capacity (persons)"), default=6,
                            validators=[InputRequired(message=_l("Enter a number.")), NumberRange(min=1, max=100)])
    buffer_minutes = IntegerField(_l("Free time between bookings (minutes)"), default=15,
                                  validators=[InputRequired(message=_l("Enter a number.")), NumberRange(min=0, max=240)])
    active = BooleanField(_l("In use"), default=True)


class SettingsForm(VersionedForm):
    day_start = TimeField(_l("Working hours from"), validators=[InputRequired(message=_l("Enter a time."))])
    day_end = TimeField(_l("Working hours until"), validators=[InputRequired(message=_l("Enter a time."))])
    working_days = SelectMultipleField(
        _l("Working days"), choices=[("1", _l("Monday")), ("2", _l("Tuesday")), ("3", _l("Wednesday")),
                                     ("4", _l("Thursday")), ("5", _l("Friday")), ("6", _l("Saturday")),
                                     ("7", _l("Sunday"))],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(), validators=[Optional()])
    default_buffer_minutes = IntegerField(_l("Default free time between bookings of a new room (minutes)"),
                                          validators=[InputRequired(message=_l("Enter a number.")),
                                                      NumberRange(min=0, max=240)])
    max_hours = IntegerField(_l("Longest contact (hours)"),
                             validators=[InputRequired(message=_l("Enter a number.")), NumberRange(min=1, max=24)])
