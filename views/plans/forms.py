"""Forms of the care-plan area. Rules that need the plan (deadline before its start, the
expected effect the Polish profile requires) are checked by ``models.plan_rules`` in the
views and shown beside the field like any other error."""
import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from models.plans import AckResponse, ActionStatus, GoalOutcome, NeedKind

from ..cases.forms import ConditionalRules
from ..forms import VersionedForm

STATUS_LABELS = {
    ActionStatus.PLANNED: _l("Planned"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
    ActionStatus.NOT_ACHIEVED: _l("Not achieved"),
    ActionStatus.CANCELLED: _l("Cancelled"),
}
OUTCOME_LABELS = {
    GoalOutcome.ACHIEVED: _l("Achieved"),
    GoalOutcome.PARTLY: _l("Partly achieved"),
    GoalOutcome.NOT_ACHIEVED: _l("Not achieved"),
    GoalOutcome.NOT_RELEVANT: _l("No longer relevant"),
}
NEED_KIND_LABELS = {NeedKind.NEED: _l("Need"), NeedKind.RISK: _l("Risk")}
ACK_LABELS = {
    AckResponse.AGREE: _l("I have read the plan and agree"),
    AckResponse.DISCUSS: _l("I have read it and want to discuss it"),
}

TEXT_MAX = 5000


def not_in_future(form, field):
    if field.data and field.data > datetime.date.today():
        raise ValidationError(_l("The date cannot be in the future."))


class PlanDetailsForm(VersionedForm):
    """The plan's texts, its start and the external plan it follows."""

    starts_on = DateField(_l("The plan applies from"), validators=[DataRequired(message=_l("Enter the date the plan starts."))])
    summary = TextAreaField(_l("What we agreed with the family"), validators=[Optional(), Length(max=TEXT_MAX)])
    child_view = TextAreaField(_l("The child's own view"), validators=[Optional(), Length(max=TEXT_MAX)])
    external_body = StringField(_l("Issued by"), validators=[Optional(), Length(max=200)])
    external_date = DateField(_l("Date of the external plan"), validators=[Optional(), not_in_future])
    external_reference = StringField(_l("Reference"), validators=[Optional(), Length(max=100)])
    staff_notes = TextAreaField(_l("Notes for staff"), validators=[Optional(), Length(max=TEXT_MAX)],
                                description=_l("Never shown to the family and not part of an approved version."))


class NeedForm(VersionedForm):
    """A need or a risk in an area."""

    area = SelectField(_l("Area"), coerce=int, validators=[Optional()])
    kind = RadioField(_l("Kind"), choices=[(k.value, label) for k, label in NEED_KIND_LABELS.items()],
                      default=NeedKind.NEED.value)
    description = TextAreaField(_l("Description"), validators=[
        DataRequired(message=_l("Describe the need or the risk.")), Length(max=TEXT_MAX)])


class GoalForm(VersionedForm):
    """A goal of the plan."""

    title = TextAreaField(_l("Goal"), validators=[DataRequired(message=_l("Describe the goal.")), Length(max=2000)])
    client_proposed = BooleanField(_l("Proposed by the family or the child"))
    area = SelectField(_l("Area"), coerce=int, validators=[Optional()])


class ActionForm(ConditionalRules, VersionedForm):
    """An action under a goal. Description, deadline and expected effect are checked by
    ``plan_rules.action_errors`` (they depend on the plan and the country profile)."""

    description = TextAreaField(_l("What will be done"), validators=[Optional(), Length(max=2000)])
    responsible = SelectField(_l("Who is responsible"), validators=[InputRequired()])
    responsible_name = StringField(_l("Name of the outside partner"), validators=[Optional(), Length(max=200)])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    expected_effect = TextAreaField(_l("Expected effect"), validators=[Optional(), Length(max=2000)])
    status = SelectField(_l("Status"), choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
                         default=ActionStatus.PLANNED.value)
    progress_note = TextAreaField(_l("Progress note"), validators=[Optional(), Length(max=TEXT_MAX)],
                                  description=_l("Dated today when it changes. The family sees it in an approved version."))

    def validate_responsible_name(self, field):
        if self.responsible.data == "partner" and not (field.data or "").strip():
            raise ValidationError(_l("Enter the name of the outside partner."))


class ReviewForm(FlaskForm):
    """A periodic review; the per-goal outcome fields are added by :func:`review_form_class`."""

    reviewed_on = DateField(_l("Date of the review"), validators=[DataRequired(message=_l("Enter the date of the review."))])
    participants = TextAreaField(_l("Who took part"), validators=[
        DataRequired(message=_l("Say who took part in the review.")), Length(max=2000)])
    child_view = TextAreaField(_l("The child's own view"), validators=[Optional(), Length(max=TEXT_MAX)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=TEXT_MAX)])
    next_review_on = DateField(_l("Next review on"), validators=[DataRequired(message=_l("Enter the date of the next review."))])

    def validate_next_review_on(self, field):
        if field.data and self.reviewed_on.data and field.data <= self.reviewed_on.data:
            raise ValidationError(_l("The next review must come after this one."))


def review_form_class(goals):
    """A review form with an outcome and a comment for each of ``goals``."""

    class Form(ReviewForm):
        pass

    for goal in goals:
        setattr(Form, f"outcome_{goal.id}", RadioField(
            _l("Outcome"), choices=[(o.value, label) for o, label in OUTCOME_LABELS.items()],
            validators=[InputRequired(message=_l("Choose the outcome of this goal."))]))
        setattr(Form, f"comment_{goal.id}", TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)]))
    return Form


class AcknowledgeForm(FlaskForm):
    """A caregiver's answer to the approved plan."""

    response = RadioField(_l("Your answer"), choices=[(r.value, label) for r, label in ACK_LABELS.items()],
                          validators=[InputRequired(message=_l("Choose one of the answers."))])
    comment = TextAreaField(_l("What would you like to discuss? (optional)"), validators=[Optional(), Length(max=2000)])


class AreaForm(VersionedForm):
    """An area of needs (administrators)."""

    name = StringField(_l("Name of the area"), validators=[DataRequired(message=_l("Enter the name of the area.")),
                                                           Length(max=200)])
    active = BooleanField(_l("Offered in plans"), default=True)


class NewAreaForm(FlaskForm):
    name = StringField(_l("Name of the area"), validators=[DataRequired(message=_l("Enter the name of the area.")),
                                                           Length(max=200)])
