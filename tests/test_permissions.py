"""Deny by default, role checks and the htmx answer to an anonymous request."""
import re

import pytest

from app import create_app

from .conftest import HX
from .helpers import location_next, location_path, text

#: Endpoints reachable without signing in, and what an anonymous request may get there
#: when the test fills path arguments with 1 / "x" and posts an empty form.
PUBLIC = {
    "auth.login": {"GET": {200}, "POST": {422}},
    "auth.set_password": {"GET": {404}, "POST": {404}},  # "x" is not a valid token
    "prefs.language": {"POST": {400}},  # no language given
    "prefs.text_size_switch": {"POST": {400}},  # no change given
    "contacts.feed": {"GET": {404}},  # calendar feed: "x" is not a valid token
    "static": {"GET": {404}},  # there is no file "x"
}

_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>")


def _fill(rule):
    """The rule's URL with 1 for numeric arguments and "x" for every other one."""
    return _ARGUMENT.sub(lambda m: "1" if m.group(1) in ("int", "float") else "x", rule)


def _routes(application):
    """(endpoint, method, url) for every URL rule and method of ``application``."""
    return sorted(
        (rule.endpoint, method, _fill(rule.rule))
        for rule in application.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


# Parametrising needs the routes at collection time, so they are read from an app built
# for the purpose; test_route_list_matches_app checks it against the app under test.
ROUTES = _routes(create_app({"TESTING": True, "DATABASE": ":memory:"}))


def test_route_list_matches_app(app):
    """Is every URL rule of the app under test covered by the deny-by-default test?"""
    assert _routes(app) == ROUTES
    assert {endpoint for endpoint, _m, _u in ROUTES} >= set(PUBLIC)


@pytest.mark.parametrize(("endpoint", "method", "url"), ROUTES, ids=[f"{m} {u}" for _e, m, u in ROUTES])
def test_anonymous_request_denied_by_default(client, endpoint, method, url):
    """Is every URL, apart from the few public ones, closed to anonymous visitors?"""
    response = client.open(url, method=method)
    if endpoint in PUBLIC:
        assert response.status_code in PUBLIC[endpoint][method], (endpoint, response.status_code)
        return
    assert response.status_code in (302, 303), (endpoint, response.status_code)
    assert location_path(response) == "/auth/login"
    assert location_next(response) == url


def test_only_intended_views_are_public(app):
    """Are the views marked public exactly the sign-in page, password links and switches?"""
    marked = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, "is_public", False)
    }
    assert marked == set(PUBLIC) - {"static"}


def test_anonymous_htmx_request_gets_hx_redirect(client):
    """Does an anonymous htmx request get HX-Redirect to sign-in instead of a login form?"""
    response = client.get("/staff", headers=HX)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/auth/login")
    assert location_next(response) == "/staff"
    assert "Location" not in response.headers
    assert "<form" not in text(response)


def test_anonymous_htmx_post_gets_hx_redirect(client):
    """Does an anonymous htmx POST get HX-Redirect as well?"""
    response = client.post("/admin/users/new", headers=HX, data={"full_name": "X"})
    assert response.status_code == 204
    assert location_path(response) == "/auth/login"


ADMIN_ROUTES = [(method, url) for endpoint, method, url in ROUTES if endpoint.startswith("admin.")]


def test_admin_area_has_routes():
    """Does the admin area exist, so the role test below is not vacuous?"""
    assert len(ADMIN_ROUTES) >= 4


@pytest.mark.parametrize("role", ["staff", "caregiver"])
def test_admin_area_forbidden_to_other_roles(client, auth, role):
    """Do staff and caregivers get 403 on every page and action under /admin?"""
    auth.as_role(role)
    for method, url in ADMIN_ROUTES:
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url, response.status_code)


def test_admin_area_open_to_admin(client, auth):
    """Can an administrator open the admin pages?"""
    auth.as_role("admin")
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/organisation").status_code == 200


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("caregiver", "/staff", 403),
        ("caregiver", "/my", 200),
        ("staff", "/my", 403),
        ("staff", "/staff", 200),
        ("admin", "/staff", 200),
        ("admin", "/my", 403),
    ],
)
def test_role_homes_restricted(client, auth, role, url, status):
    """Is each home page open only to its roles?"""
    auth.as_role(role)
    assert client.get(url).status_code == status


def test_forbidden_page_is_localised_error_page(client, auth):
    """Is a 403 shown as the error page in the layout, not a bare message?"""
    auth.as_role("caregiver")
    response = client.get("/staff", headers={"Accept-Language": "en"})
    html = text(response)
    assert response.status_code == 403
    assert "Access denied" in html
    assert 'class="site-header"' in html


def test_forbidden_htmx_gets_fragment(client, auth):
    """Does a forbidden htmx request get the error fragment, not a whole page?"""
    auth.as_role("staff")
    response = client.get("/admin/users", headers={**HX, "Accept-Language": "en"})
    assert response.status_code == 403
    assert "<html" not in text(response)
    assert "Access denied" in text(response)
