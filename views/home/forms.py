"""Forms of the home pages."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import Email, Length, Optional

from ..forms import VersionedForm


class ContactDetailsForm(VersionedForm):
    """A caregiver's own phone, e-mail and address (their person record)."""

    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)], render_kw={"autocomplete": "tel"})
    email = EmailField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
        description=_l("This does not change the e-mail address you sign in with."),
        render_kw={"autocomplete": "email"},
    )
    address = TextAreaField(
        _l("Address"), validators=[Optional(), Length(max=500)], render_kw={"autocomplete": "street-address"}
    )
