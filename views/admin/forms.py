"""Forms of the administration area."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from models.jurisdiction import COUNTRY_CHOICES, TIMEZONES

from ..forms import VersionedForm

ROLE_CHOICES = (
    ("staff", _l("Staff member")),
    ("caregiver", _l("Caregiver")),
    ("admin", _l("Administrator")),
)
LANGUAGE_CHOICES = (("cs", "Čeština"), ("pl", "Polski"), ("en", "English"))


class UserCreateForm(FlaskForm):
    """A new account; its password is set by a one-time link or a temporary password."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254), Email(message=_l("Enter a valid e-mail address."), check_deliverability=False)],
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    password_mode = RadioField(
        _l("First password"),
        choices=(
            ("link", _l("One-time link to set a password")),
            ("temporary", _l("Temporary password, shown once")),
        ),
        default="link",
        validators=[DataRequired()],
    )


class PasswordResetForm(FlaskForm):
    """How to give a user a new password."""

    password_mode = UserCreateForm.password_mode


class OrganisationForm(VersionedForm):
    """The organisation profile: name, rules in force, language and time zone."""

    name = StringField(_l("Name of the organisation"), validators=[DataRequired(), Length(max=200)])
    country = SelectField(_l("Country profile (rules in force)"), choices=COUNTRY_CHOICES)
    default_language = SelectField(_l("Default language"), choices=LANGUAGE_CHOICES)
    timezone = SelectField(_l("Time zone"), choices=[(tz, tz) for tz in TIMEZONES])
