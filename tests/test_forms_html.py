"""views.forms: the faster ``html_params`` installed into WTForms writes exactly what
WTForms' own writes."""
import itertools

import pytest
from markupsafe import Markup
from wtforms import BooleanField, Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

import wtforms.widgets.core as core
from views.forms import WTFORMS_HTML_PARAMS, _html_params, install_fast_html_params

VALUES = ["plain", "", 0, 12, None, True, False, "<b>&\"'</b>", Markup('a "quoted" <i>markup</i>'), "Dvořák ąę"]
KEYS = ["id", "class_", "data_hx_get", "aria_describedby", "for_", "value", "name"]


@pytest.mark.parametrize("keys", list(itertools.combinations(KEYS, 3)))
def test_same_text_as_wtforms(keys):
    """For attribute names of every kind and awkward values, is the text identical?"""
    for values in itertools.product(VALUES[:5], VALUES[5:8], VALUES[7:]):
        kwargs = dict(zip(keys, values))
        ours = _html_params(**kwargs)
        assert ours == WTFORMS_HTML_PARAMS(**kwargs)
        assert isinstance(ours, Markup)


class _Sample(Form):
    name = StringField("Name <required>", validators=[DataRequired(), Length(max=40)])
    notes = TextAreaField("Notes")
    kind = SelectField("Kind", choices=[("a", "A & B"), ("b", 'say "b"')])
    agree = BooleanField("Agree")
    size = RadioField("Size", choices=[("s", "Small"), ("l", "Large")])


def _render(form):
    parts = []
    for field in form:
        parts.append(str(field.label(class_="lbl")))
        parts.append(str(field(data_x="1", aria_describedby='h "1"', required=True, disabled=False)))
    return "".join(parts)


def test_fields_render_as_with_wtforms_own(monkeypatch):
    """Do inputs, text areas, selects, check boxes, radios and labels come out the same?"""
    install_fast_html_params()
    data = {"name": 'Jana "J" <Nováková>', "notes": "a < b", "kind": "b", "agree": True, "size": "l"}
    fast = _render(_Sample(data=data))
    assert 'name="name"' in fast and "<select" in fast and "<textarea" in fast
    monkeypatch.setattr(core, "html_params", WTFORMS_HTML_PARAMS)
    monkeypatch.setattr("wtforms.widgets.html_params", WTFORMS_HTML_PARAMS)
    monkeypatch.setattr(core.Input, "html_params", staticmethod(WTFORMS_HTML_PARAMS))
    monkeypatch.setattr(core.Button, "html_params", staticmethod(WTFORMS_HTML_PARAMS))
    assert _render(_Sample(data=data)) == fast
