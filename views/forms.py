"""Form pieces shared by every area: the password policy and common field validators."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

#: Shortest password accepted.
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
# The 30,000 most common passwords of the zxcvbn project's leaked-password corpus.
_COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def password_is_common(password):
    """True for a password found among the most common ones (case-insensitive)."""
    lowered = password.lower()
    return lowered in _COMMON_PASSWORDS or len(set(lowered)) <= 2


class PasswordPolicy:
    """Validator: long enough, and not one of the very common passwords."""

    def __call__(self, form, field):
        password = field.data or ""
        if len(password) < PASSWORD_MIN_LENGTH:
            raise ValidationError(
                _l("Use at least %(num)d characters.", num=PASSWORD_MIN_LENGTH)
            )
        if password_is_common(password):
            raise ValidationError(_l("This password is too common. Choose another one."))
        email = getattr(getattr(form, "email", None), "data", None) or getattr(
            form, "account_email", None
        )
        if email and password.lower() in {email.lower(), email.split("@")[0].lower()}:
            raise ValidationError(_l("The password must not be your e-mail address."))


def new_password_fields():
    """A new password and its confirmation, with the policy applied."""
    return (
        PasswordField(
            _l("New password"),
            validators=[
                DataRequired(),
                Length(max=PASSWORD_MAX_LENGTH),
                PasswordPolicy(),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            _l("New password again"),
            validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords do not match."))],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class VersionedForm(FlaskForm):
    """A form for a record edited by several people: carries the version it was loaded at."""

    version = HiddenField()

    def expected_version(self):
        """The version the record had when this form was loaded (None if missing)."""
        # Only what the request sent counts: a form built with ``obj=`` would otherwise
        # take the stored version when the field is missing, and save blindly.
        if not self.version.raw_data:
            return None
        try:
            return int(self.version.raw_data[0])
        except (TypeError, ValueError):
            return None

    def copy_to(self, obj, names):
        """Copy the named fields' data onto ``obj`` (never the version field)."""
        copy_fields(self, obj, names)


def copy_fields(form, obj, names):
    """Copy the data of the named form fields onto ``obj``; text is trimmed."""
    fields = getattr(getattr(obj, "_meta", None), "fields", {})
    for name in names:
        value = form[name].data
        if isinstance(value, str):
            value = value.strip()
        elif value is None and name in fields and not fields[name].null:
            value = ""  # an empty optional text field is stored as "", not NULL
        setattr(obj, name, value)
