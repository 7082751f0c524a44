"""CSRF protection, switched on as in production."""
import pytest

from .conftest import csrf_token_from
from .factories import PASSWORD, make_user
from .helpers import html_lang, location_path, po_translation, text

CSRF_MESSAGE = "The form has expired or did not come from this site. Reload the page and try again."


@pytest.fixture
def app_config():
    """This module runs with CSRF protection on."""
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def accept_language():
    return "en"


def _sign_in(client, user):
    token = csrf_token_from(text(client.get("/auth/login")))
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    return response


def test_login_without_token_refused(client):
    """Is a sign-in POST without a CSRF token refused with the 400 error page?"""
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    html = text(response)
    assert response.status_code == 400
    assert CSRF_MESSAGE in html
    assert 'class="site-header"' in html
    assert location_path(client.get("/staff")) == "/auth/login"


def test_login_with_forged_token_refused(client):
    """Is a made-up CSRF token refused?"""
    user = make_user()
    client.get("/auth/login")
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": "IjEyMyI.forged.token"},
    )
    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)


def test_token_from_other_session_refused(app, client):
    """Is a genuine token taken from someone else's session refused?"""
    user = make_user()
    stolen = csrf_token_from(text(app.test_client().get("/auth/login")))
    client.get("/auth/login")
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": stolen}
    )
    assert response.status_code == 400


def test_login_with_page_token_succeeds(client):
    """Does a sign-in with the token from the page go through?"""
    user = make_user()
    response = _sign_in(client, user)
    assert location_path(response) == "/staff"
    assert client.get("/staff").status_code == 200


def test_header_token_accepted(client):
    """Is the token accepted in the X-CSRFToken header, as htmx sends it?"""
    token = csrf_token_from(text(client.get("/auth/login")))
    response = client.post("/prefs/language", data={"lang": "pl"}, headers={"X-CSRFToken": token})
    assert response.status_code == 303
    with client.session_transaction() as session:
        assert session["lang"] == "pl"


def test_page_carries_token_for_htmx(client):
    """Does every page give htmx the token in hx-headers?"""
    html = text(client.get("/auth/login"))
    token = csrf_token_from(html)
    assert f"hx-headers='{{\"X-CSRFToken\": \"{token}\"}}'" in html


def test_logout_without_token_refused(client):
    """Does a cross-site sign-out attempt fail and leave the user signed in?"""
    _sign_in(client, make_user())
    response = client.post("/auth/logout")
    assert response.status_code == 400
    assert client.get("/staff").status_code == 200


def test_language_switch_without_token_refused(client):
    """Is even a public POST (language switch) protected?"""
    response = client.post("/prefs/language", data={"lang": "pl"})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "lang" not in session


def test_csrf_error_htmx_gets_fragment(client):
    """Does an htmx POST without a token get the error fragment only?"""
    response = client.post("/prefs/language", data={"lang": "pl"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "<html" not in text(response)
    assert CSRF_MESSAGE in text(response)


@pytest.mark.parametrize("lang", ["cs", "pl"])
def test_csrf_error_page_localised(client, lang):
    """Is the CSRF error page shown in the visitor's language?"""
    response = client.post(
        "/auth/login", data={"email": "a@example.org"}, headers={"Accept-Language": lang}
    )
    html = text(response)
    assert response.status_code == 400
    assert html_lang(html) == lang
    assert po_translation(lang, CSRF_MESSAGE) in html
    assert po_translation(lang, "Bad request") in html
