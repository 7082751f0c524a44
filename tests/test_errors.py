"""Error pages: localised, inside the layout, and never a stack trace."""
import pytest

from app import create_app
from cli.database import upgrade
from models import db
from views.permissions import public

from .conftest import HX
from .factories import make_user
from .helpers import html_lang, po_translation, text

SECRET_DETAIL = "database password is hunter2"


def _boom():
    raise RuntimeError(SECRET_DETAIL)


@pytest.fixture
def production_like_app(tmp_path):
    """An app that handles errors as production does, with a route that fails."""
    application = create_app(
        {
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": False,
            "DATABASE": str(tmp_path / "errors.sqlite3"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    application.add_url_rule("/boom", "boom", public(_boom))
    upgrade()
    yield application
    if not db.is_closed():
        db.close()


def _error_response(client, code, lang, auth=None):
    """A request that ends with ``code``."""
    headers = {"Accept-Language": lang}
    if code == 400:
        return client.post("/prefs/language", data={"lang": "xx"}, headers=headers)
    if code == 403:
        auth.login(make_user(role="caregiver"))
        return client.get("/staff", headers=headers)
    if code == 404:
        return client.get("/no/such/page", headers=headers)
    if code == 405:
        return client.get("/auth/logout", headers=headers)
    if code == 422:
        return client.post("/auth/login", data={}, headers=headers)
    raise AssertionError(code)


TITLES = {
    400: "Bad request",
    403: "Access denied",
    404: "Page not found",
    405: "Method not allowed",
    500: "Something went wrong",
}


@pytest.mark.parametrize("code", [400, 403, 404, 405])
@pytest.mark.parametrize("lang", ["en", "cs", "pl"])
def test_error_page_localised_in_layout(client, auth, code, lang):
    """Is each error page in the visitor's language and inside the site layout?"""
    response = _error_response(client, code, lang, auth)
    html = text(response)
    assert response.status_code == code
    assert html_lang(html) == lang
    expected = TITLES[code] if lang == "en" else po_translation(lang, TITLES[code])
    assert f"<h1>{expected}</h1>" in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html


def test_405_lists_allowed_methods(client):
    """Does a 405 still tell which methods are allowed (the Allow header)?"""
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "POST" in response.headers.get("Allow", "")


def test_422_sign_in_form_not_error_page(client):
    """Does an invalid sign-in form come back as the form (422), not an error page?"""
    response = _error_response(client, 422, "en")
    assert response.status_code == 422
    assert 'id="login-form"' in text(response)


def test_404_htmx_gets_fragment(client):
    """Does an htmx request for a missing page get only the error fragment?"""
    response = client.get("/no/such/page", headers={**HX, "Accept-Language": "en"})
    assert response.status_code == 404
    assert "<html" not in text(response)
    assert "Page not found" in text(response)


@pytest.mark.parametrize("lang", ["en", "cs", "pl"])
def test_500_localised_without_traceback(production_like_app, lang):
    """Does an unexpected error give a localised 500 page that reveals nothing inside?"""
    response = production_like_app.test_client().get("/boom", headers={"Accept-Language": lang})
    html = text(response)
    assert response.status_code == 500
    assert html_lang(html) == lang
    expected = TITLES[500] if lang == "en" else po_translation(lang, TITLES[500])
    assert f"<h1>{expected}</h1>" in html
    assert 'class="site-header"' in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html
    assert SECRET_DETAIL not in html


def test_500_logged(production_like_app, caplog):
    """Is the unexpected error written to the log for the operators?"""
    production_like_app.test_client().get("/boom")
    assert any(SECRET_DETAIL in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_500_htmx_gets_fragment(production_like_app):
    """Does an htmx request that fails get the error fragment only?"""
    response = production_like_app.test_client().get("/boom", headers={**HX, "Accept-Language": "en"})
    assert response.status_code == 500
    assert "<html" not in text(response)
    assert "Something went wrong" in text(response)


def test_exception_propagates_in_tests(app, client):
    """In a TESTING app, does an exception reach the test instead of becoming a 500 page?"""
    app.add_url_rule("/boom", "boom", public(_boom))
    with pytest.raises(RuntimeError, match="hunter2"):
        client.get("/boom")
