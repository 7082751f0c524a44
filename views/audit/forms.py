"""The filters of the audit log."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import Optional, ValidationError

from ..conflicts.forms import optional_int


class AuditFilterForm(FlaskForm):
    """Who, what, which kind of record, which family and when (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    actor = SelectField(_l("Who"), coerce=optional_int, validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])
    table = SelectField(_l("Kind of record"), validators=[Optional()])
    case = IntegerField(_l("Family (case number)"), validators=[Optional()],
                        render_kw={"inputmode": "numeric", "min": 1})
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def validate_case(self, field):
        if field.data is not None and field.data < 1:
            raise ValidationError(_l("Enter the number of a family (1 or more)."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date cannot be before the start date."))
