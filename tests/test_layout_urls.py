"""views.layout.template_url_for: the templates' url_for writes exactly what Flask's url_for
writes, for every rule of the application, and goes to Flask wherever it cannot."""
import pytest
from flask import render_template_string, url_for
from werkzeug.routing import BuildError

from views.layout import template_url_for


def _int_values(rule, seed):
    """Whole numbers for each of the rule's arguments (None if one is not a number)."""
    values = {}
    for i, name in enumerate(sorted(rule.arguments)):
        if type(rule._converters[name]).__name__ != "IntegerConverter":
            return None
        values[name] = seed * 7 + i
    return values


@pytest.mark.parametrize("script_name", ["", "/opora"])
def test_every_rule_is_written_as_flask_writes_it(app, script_name):
    """For each endpoint with whole-number arguments: the same URL as Flask's, for several
    values, with a query-string value added, under a mount point or none; and the shape is
    really used for the common rules."""
    checked = 0
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": script_name}):
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            for seed in (0, 1, 12, 123456):
                values = _int_values(rule, seed)
                if values is None:
                    continue
                assert template_url_for(rule.endpoint, **values) == url_for(rule.endpoint, **values), rule
                extra = dict(values, page=seed + 2)
                assert template_url_for(rule.endpoint, **extra) == url_for(rule.endpoint, **extra), rule
                checked += 1
        shapes = app.extensions["opora_url_shapes"]
        mount = f"{script_name}/"
        assert shapes[("cases.detail", ("case_id",), mount, "")] is not None
        assert shapes[("cases.member_edit", ("case_id", "member_id"), mount, "")] is not None
        assert shapes[("home.index", (), mount, "")] is not None
    assert checked > 100


def test_calls_it_cannot_write_go_to_flask(app):
    """Anchors, text values, negative numbers, booleans, unknown endpoints and endpoints
    with several rules or defaults give Flask's answer (or its error)."""
    with app.test_request_context("/"):
        for endpoint, values in [
            ("cases.detail", {"case_id": 5, "_anchor": "members"}),
            ("cases.index", {"q": "Nováková & syn"}),
            ("cases.index", {"page": True}),
            ("cases.index", {}),
            ("static", {"filename": "css/app.css"}),
        ]:
            assert template_url_for(endpoint, **values) == url_for(endpoint, **values)
        with pytest.raises(BuildError):
            template_url_for("no.such_endpoint", case_id=1)
        with pytest.raises(BuildError):
            template_url_for("cases.detail", other=1)
        # Several rules or defaults for one endpoint: werkzeug picks by the values.
        for rule in app.url_map.iter_rules():
            rules = app.url_map._rules_by_endpoint[rule.endpoint]
            if len(rules) > 1 or rule.defaults:
                values = _int_values(rule, 1)
                if values is not None:
                    assert template_url_for(rule.endpoint, **values) == url_for(rule.endpoint, **values)


def test_templates_use_it(app):
    """Is it the url_for the templates call?"""
    with app.test_request_context("/"):
        assert render_template_string("{{ url_for('cases.detail', case_id=42) }}") == "/cases/42"
        assert app.jinja_env.globals["url_for"] is template_url_for
