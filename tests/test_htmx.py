"""The htmx helper: fragments for partial requests, whole pages otherwise, events."""
import json

from flask import make_response

from views.htmx import hx_redirect, is_partial, with_trigger

from .conftest import HX
from .helpers import text


def test_partial_request_gets_block_only(client, auth):
    """Does an htmx request to a view with a block get only that block?"""
    auth.as_role("admin")
    response = client.get("/admin/users", headers=HX)
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="user-list"' in html
    assert 'id="create-user-form"' not in html  # another block of the same page


def test_boosted_request_gets_full_page(client, auth):
    """Does a boosted navigation (HX-Boosted) get the whole page?"""
    auth.as_role("admin")
    response = client.get("/admin/users", headers={**HX, "HX-Boosted": "true"})
    html = text(response)
    assert "<html" in html
    assert 'id="user-list"' in html and 'id="create-user-form"' in html


def test_history_restore_gets_full_page(client, auth):
    """Does a history-restore request get the whole page?"""
    auth.as_role("admin")
    response = client.get("/admin/users", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in text(response)


def test_plain_request_gets_full_page(client, auth):
    """Does a normal browser request get the whole page?"""
    auth.as_role("admin")
    assert "<html" in text(client.get("/admin/users"))


def test_partial_and_full_responses_vary_on_hx_request(client, auth):
    """Do both variants say they vary on HX-Request, so caches keep them apart?"""
    auth.as_role("admin")
    assert "HX-Request" in client.get("/admin/users", headers=HX).vary
    assert "HX-Request" in client.get("/admin/users").vary


def test_is_partial_header_combinations(app):
    """Is a request partial only with HX-Request and neither boost nor history restore?"""
    cases = [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "false"}, False),
        ({"HX-Request": "true", "HX-Boosted": "true"}, False),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
    ]
    for headers, expected in cases:
        with app.test_request_context(headers=headers):
            assert is_partial() is expected, headers


def test_with_trigger_sets_event(app):
    """Does with_trigger add an HX-Trigger event?"""
    with app.test_request_context():
        response = with_trigger(make_response(""), "familiesChanged")
        assert json.loads(response.headers["HX-Trigger"]) == {"familiesChanged": None}


def test_with_trigger_merges_events(app):
    """Are events added to a response that already has some kept together?"""
    with app.test_request_context():
        response = with_trigger(make_response(""), "first")
        with_trigger(response, {"second": {"id": 7}})
        assert json.loads(response.headers["HX-Trigger"]) == {"first": None, "second": {"id": 7}}


def test_with_trigger_merges_plain_event_name(app):
    """Is an existing plain (non-JSON) HX-Trigger value kept as an event?"""
    with app.test_request_context():
        response = make_response("")
        response.headers["HX-Trigger"] = "legacyEvent"
        with_trigger(response, "newEvent")
        assert json.loads(response.headers["HX-Trigger"]) == {"legacyEvent": None, "newEvent": None}


def test_hx_redirect_for_htmx_and_plain(app):
    """Does hx_redirect answer htmx with HX-Redirect and a browser with 303?"""
    with app.test_request_context(headers=HX):
        response = hx_redirect("/staff")
        assert response.status_code == 204
        assert response.headers["HX-Redirect"] == "/staff"
        assert "Location" not in response.headers
    with app.test_request_context():
        response = hx_redirect("/staff")
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff"
