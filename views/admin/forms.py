"""Forms of the administration area."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from models.jurisdiction import COUNTRY_CHOICES, TIMEZONES

from ..forms import VersionedForm

ROLE_CHOICES = (
    ("staff", _l("Staff member")),
    ("caregiver", _l("Caregiver")),
    ("admin", _l("Administrator")),
)
LANGUAGE_CHOICES = (("cs", "Čeština"), ("pl", "Polski"), ("en", "English"))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class UserCreateForm(FlaskForm):
    """A new account; its password is set by a one-time link or a temporary password."""

    full_name = StringField(
        _l("Full name"), filters=[_strip], validators=[DataRequired(), Length(max=200)]
    )
    email = EmailField(
        _l("E-mail"),
        filters=[_strip],
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


class UserEditForm(FlaskForm):
    """An account's name and, for staff, the phone number caregivers see."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()/. -]*$", message=_l("Use only digits, spaces and + ( ) / . -")),
        ],
        description=_l("Shown to the families this staff member is key worker of."),
        render_kw={"autocomplete": "off", "inputmode": "tel"},
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
