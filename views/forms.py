"""Form pieces shared by every area: the password policy and common field validators."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError
from wtforms.widgets.core import clean_key
from wtforms.widgets.core import html_params as WTFORMS_HTML_PARAMS  # noqa: F401 (WTForms' own, for the tests)
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


def _html_params(**kwargs):
    """WTForms' ``html_params`` (the attributes of every input, label and select), giving
    the same text about five times faster.

    WTForms builds each attribute through ``Markup.format``, which goes through Python's
    string formatter with an escaping hook: about 10 µs per attribute, a tenth of a
    millisecond per field. Here each name and value is escaped once and joined. The rules
    are WTForms' own: sorted names, ``clean_key`` for ``class_``/``data_``/``aria_``,
    ``True`` as a bare attribute, ``False`` left out, a double quote in a value that is
    already markup written as ``&quot;``.
    """
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            # str(): a plain replace (Markup's would escape its arguments again).
            quoted = str(escape(value)).replace('"', "&quot;")
            params.append(f'{key}="{quoted}"')
    return Markup(" ".join(params))


def install_fast_html_params():
    """Put :func:`_html_params` where WTForms looks its ``html_params`` up: the module
    function the widgets and labels call, and the copies Input and Button keep as a
    static method. WTForms is pinned in requirements.lock; tests/test_forms_html.py checks
    the output against WTForms' own function."""
    import wtforms.widgets
    import wtforms.widgets.core as core

    core.html_params = wtforms.widgets.html_params = _html_params
    core.Input.html_params = core.Button.html_params = staticmethod(_html_params)
