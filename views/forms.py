"""Form pieces shared by every area: the password policy and common field validators."""
from flask import abort, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf as _flask_wtf_generate_csrf  # signs; remembered_csrf remembers
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

#: Signed CSRF tokens already made: (secret, field name, the session's raw token) → token.
_SIGNED_TOKENS = {}
#: Beyond this many the memory is cleared (a token is signed again when next asked for).
SIGNED_TOKENS_KEPT = 10_000


def remembered_csrf(secret_key=None, token_key=None):
    """Flask-WTF's ``generate_csrf``, signing each session's token once per process.

    Flask-WTF signs the session's raw token again on every request (a serializer, a key
    derivation and an HMAC: most of the layout's form costs). With no time limit on
    tokens (``WTF_CSRF_TIME_LIMIT = None``, config.py) the signed token it gave before is
    exactly as valid, so it is given again; it changes with the session's raw token and
    with the secret. With a time limit configured, every request signs as Flask-WTF does.
    """
    config = current_app.config
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return _flask_wtf_generate_csrf(secret_key, token_key)
    field = token_key or config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    request_state = g._get_current_object()
    signed = request_state.__dict__.get(field)
    if signed:
        return signed
    secret = secret_key or config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
    raw = session.get(field)
    signed = _SIGNED_TOKENS.get((secret, field, raw)) if raw else None
    if signed is None:
        signed = _flask_wtf_generate_csrf(secret_key, token_key)
        if len(_SIGNED_TOKENS) >= SIGNED_TOKENS_KEPT:
            _SIGNED_TOKENS.clear()
        _SIGNED_TOKENS[(secret, field, session[field])] = signed
    else:
        setattr(request_state, field, signed)
    return signed


def install_remembered_csrf(app):
    """Use :func:`remembered_csrf` wherever Flask-WTF makes a token: its forms and its
    template context processor call the module's ``generate_csrf`` by name, and the
    template global is set here (Flask-WTF is pinned in requirements.lock)."""
    import flask_wtf.csrf

    flask_wtf.csrf.generate_csrf = remembered_csrf
    app.jinja_env.globals["csrf_token"] = remembered_csrf


def posted_version():
    """The ``version`` a one-click form (a status change, a removal) was drawn with; 400
    without one, since every such form on our pages carries it."""
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)
