"""Forms of the conflict-of-interest area."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SearchField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from models import ConflictKind

#: How each kind of relationship is named in the interface.
CONFLICT_KIND_LABELS = {
    ConflictKind.FAMILY: _l("Family relationship"),
    ConflictKind.PERSONAL: _l("Close personal relationship"),
    ConflictKind.WORKING: _l("Working relationship"),
    ConflictKind.PROPERTY: _l("Property relationship"),
}


def optional_int(value):
    """Coerce a select's value: "" (nothing chosen) is None, anything else an int."""
    if value in (None, ""):
        return None
    return int(value)


class PersonSearchForm(FlaskForm):
    """Find the person to declare a relationship with (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Find the person by name"),
        validators=[Optional(), Length(max=100)],
        render_kw={"autocomplete": "off"},
    )


class ConflictForm(FlaskForm):
    """A staff member's declaration of a relationship with a person."""

    person = SelectField(
        _l("Person"),
        coerce=optional_int,
        validate_choice=False,  # checked against the people the user may see, in the view
        validators=[DataRequired(message=_l("Choose the person from the search results."))],
    )
    kind = RadioField(
        _l("Relationship"),
        choices=[(kind.value, label) for kind, label in CONFLICT_KIND_LABELS.items()],
        validate_choice=False,  # validate_kind gives one clear message
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Briefly, what the relationship is. Visible to administrators."),
    )
    # The search the person choices came from, kept when the form is shown again.
    query = HiddenField()

    def validate_kind(self, field):
        if field.data not in set(ConflictKind):
            raise ValidationError(_l("Choose the kind of relationship."))


class ConflictFilterForm(FlaskForm):
    """Filters of the administrators' list of every declaration (GET)."""

    class Meta:
        csrf = False

    user = SelectField(_l("Staff member"), coerce=optional_int, validators=[Optional()])
    at_stake = BooleanField(_l("Only declarations about members of the declarer's current families"))
