"""Forms of the case-records area."""
import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from models import CaseStatus, CaseType, MemberRole

from ..forms import VersionedForm

CASE_TYPE_LABELS = {
    CaseType.CZ_FOSTER: _l("Foster family (foster-care agreement)"),
    CaseType.PL_ASSISTANT: _l("Family with a family assistant"),
    CaseType.PL_FOSTER: _l("Foster family with a coordinator"),
}
STATUS_LABELS = {
    CaseStatus.ACTIVE: _l("Active"),
    CaseStatus.MONITORING: _l("Monitoring after closure"),
    CaseStatus.CLOSED: _l("Closed"),
}
ROLE_LABELS = {
    MemberRole.CAREGIVER: _l("Caregiver"),
    MemberRole.CHILD: _l("Child placed in the family"),
    MemberRole.BIRTH_PARENT: _l("Birth parent"),
    MemberRole.RELATIVE: _l("Relative or close person"),
    MemberRole.HOUSEHOLD: _l("Other member of the household"),
}


def not_in_future(form, field):
    """A date that has not happened yet is refused (births, signatures, decisions)."""
    if field.data and field.data > datetime.date.today():
        raise ValidationError(_l("The date cannot be in the future."))


class ConditionalRules:
    """Runs the ``validate_<name>`` methods of empty fields too.

    ``Optional()`` stops an empty field's validation before its ``validate_<name>`` method
    is reached, so a rule such as "required for a Czech case" would never fire on its own.
    """

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            check = getattr(self, f"validate_{field.name}", None)
            if check is None or field.errors or field.data not in (None, ""):
                continue
            try:
                check(field)
            except ValidationError as exc:
                field.errors.append(exc.args[0] if exc.args else "")
                valid = False
        return valid


class CaseForm(ConditionalRules, VersionedForm):
    """A case's details; which fields apply depends on its type."""

    name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=200)],
                       description=_l("For example: Novák family"))
    case_type = SelectField(_l("Type of case"), validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=[(s.value, label) for s, label in STATUS_LABELS.items()])
    opened_on = DateField(_l("Work started on"), validators=[DataRequired(), not_in_future])
    closed_on = DateField(_l("Closed on"), validators=[Optional(), not_in_future])
    monitoring_until = DateField(_l("Monitoring until"), validators=[Optional()])
    agreement_date = DateField(_l("Date of the foster-care agreement"), validators=[Optional(), not_in_future])
    new_rules = RadioField(
        _l("Rules of the agreement"),
        choices=[("1", _l("Rules from 1 January 2025")), ("0", _l("Rules before 2025 (agreement signed earlier)"))],
        default="1",
    )
    mediated = RadioField(
        _l("Type of care"),
        choices=[("1", _l("Mediated foster care")), ("0", _l("Non-mediated care (typically kinship)"))],
        default="1",
    )
    consent_date = DateField(_l("Date of the family's consent"), validators=[Optional(), not_in_future])
    referral_approved_on = DateField(_l("Referral approved by the director on"), validators=[Optional(), not_in_future])
    notes = TextAreaField(_l("Notes for staff"), validators=[Optional(), Length(max=5000)])

    def validate_closed_on(self, field):
        if self.status.data in (CaseStatus.CLOSED, CaseStatus.MONITORING) and not field.data:
            raise ValidationError(_l("Enter the date the work ended."))
        if field.data and self.opened_on.data and field.data < self.opened_on.data:
            raise ValidationError(_l("The closing date cannot be before the start."))

    def validate_monitoring_until(self, field):
        if self.status.data == CaseStatus.MONITORING and not field.data:
            raise ValidationError(_l("Enter the date monitoring ends."))
        if field.data and self.closed_on.data and field.data < self.closed_on.data:
            raise ValidationError(_l("Monitoring cannot end before the case was closed."))

    def validate_agreement_date(self, field):
        if self.case_type.data == CaseType.CZ_FOSTER and not field.data:
            raise ValidationError(_l("Enter the date the agreement was signed."))

    def validate_new_rules(self, field):
        agreement = self.agreement_date.data
        if (
            self.case_type.data == CaseType.CZ_FOSTER
            and agreement
            and agreement >= datetime.date(2025, 1, 1)
            and field.data == "0"
        ):
            raise ValidationError(_l("An agreement signed from 1 January 2025 follows the new rules."))

    def validate_consent_date(self, field):
        if self.case_type.data == CaseType.PL_ASSISTANT and not field.data:
            raise ValidationError(_l("Enter the date of the family's consent."))


class NewCaseForm(CaseForm):
    """A new case also names its key worker."""

    key_worker = SelectField(_l("Key worker"), coerce=int, validators=[DataRequired()])
    override_reason = TextAreaField(
        _l("Reason for exceeding the caseload limit (administrators only)"),
        validators=[Optional(), Length(max=1000)],
    )


class KeyWorkerForm(FlaskForm):
    """Hand a case over to another key worker."""

    key_worker = SelectField(_l("New key worker"), coerce=int, validators=[DataRequired()])
    override_reason = TextAreaField(
        _l("Reason for exceeding the caseload limit (administrators only)"),
        validators=[Optional(), Length(max=1000)],
    )


class TeamForm(FlaskForm):
    """Add a staff member to the case's team."""

    user = SelectField(_l("Staff member"), coerce=int, validators=[DataRequired()])


class PersonFields:
    """The fields of a person record, shared by the member and person forms."""

    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)],
                             render_kw={"autocomplete": "off"})
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)],
                            render_kw={"autocomplete": "off"})
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional(), not_in_future])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254), Email(message=_l("Enter a valid e-mail address."), check_deliverability=False)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])


class PersonForm(PersonFields, VersionedForm):
    """Edit a person's record (staff)."""

    staff_notes = TextAreaField(_l("Notes for staff"), validators=[Optional(), Length(max=5000)])


class MemberForm(ConditionalRules, PersonFields, FlaskForm):
    """Add a person to a family in a role; a possible duplicate is offered first."""

    role = SelectField(_l("Role in the family"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    relation = StringField(_l("Relation to the child"), validators=[Optional(), Length(max=100)],
                           description=_l("For example: grandmother, aunt, godfather"))
    child = SelectField(_l("Child"), coerce=int, validators=[Optional()])
    placed_on = DateField(_l("Placed in the family on"), validators=[Optional(), not_in_future])
    staff_notes = TextAreaField(_l("Notes for staff"), validators=[Optional(), Length(max=5000)])
    existing_person = IntegerField(validators=[Optional()], widget=HiddenField.widget)
    confirm_new = BooleanField(_l("This is a different person: create a new record"))

    def validate_relation(self, field):
        if self.role.data == MemberRole.RELATIVE and not (field.data or "").strip():
            raise ValidationError(_l("Say how the person is related to the child."))

    def validate_child(self, field):
        if self.role.data in (MemberRole.RELATIVE, MemberRole.BIRTH_PARENT) and len(self.child.choices) > 1 and not field.data:
            raise ValidationError(_l("Choose the child."))


class MemberEditForm(PersonFields, VersionedForm):
    """Edit a member inline: the person's details and the member's relation."""

    relation = StringField(_l("Relation to the child"), validators=[Optional(), Length(max=100)])
    placed_on = DateField(_l("Placed in the family on"), validators=[Optional(), not_in_future])
    staff_notes = TextAreaField(_l("Notes for staff"), validators=[Optional(), Length(max=5000)])


class RestrictionForm(VersionedForm):
    """Contact restrictions of a child ordered by a court or the OSPOD."""

    restriction_source = StringField(_l("Ordered by (court or OSPOD, reference)"), validators=[Optional(), Length(max=200)])
    restriction_text = TextAreaField(_l("Restrictions"), validators=[Optional(), Length(max=5000)])
    excluded = SelectMultipleField(
        _l("Persons who may not be present at contacts"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
    )
