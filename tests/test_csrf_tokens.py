"""views.forms.remembered_csrf: a session's signed CSRF token is made once per process and
is the token Flask-WTF would accept; it changes with the session and the secret."""
import re

from flask import session
from flask_wtf.csrf import validate_csrf

from views import forms

from .factories import make_user


def _token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_session_keeps_its_token_and_it_validates(app):
    """Do two requests of one session get the same token, one Flask-WTF validates, while
    another session gets its own?"""
    app.config["WTF_CSRF_ENABLED"] = True
    forms._SIGNED_TOKENS.clear()
    first, other = app.test_client(), app.test_client()
    one = _token(first.get("/auth/login").get_data(as_text=True))
    assert _token(first.get("/auth/login").get_data(as_text=True)) == one
    assert len(forms._SIGNED_TOKENS) == 1
    assert _token(other.get("/auth/login").get_data(as_text=True)) != one
    with first.session_transaction() as stored:
        raw = stored["csrf_token"]
    with app.test_request_context():
        session["csrf_token"] = raw
        validate_csrf(one)  # raises if Flask-WTF would refuse it


def test_the_remembered_token_passes_a_real_post(app):
    """Is a form sent with the remembered token accepted (and one without refused)?"""
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user("staff", email="csrf@example.org")
    client = app.test_client()
    client.get("/auth/login")
    token = _token(client.get("/auth/login").get_data(as_text=True))
    refused = client.post("/auth/login", data={"email": user.email, "password": "x"})
    assert refused.status_code == 400
    answer = client.post("/auth/login", data={"email": user.email, "password": "wrong password",
                                              "csrf_token": token})
    assert answer.status_code != 400


def test_a_new_secret_or_a_time_limit_signs_again(app):
    """Is a token remembered per secret, and does a configured time limit leave the signing
    to Flask-WTF on every request (its tokens then carry the time)?"""
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context():
        session["csrf_token"] = "a" * 40
        first = forms.remembered_csrf()
    with app.test_request_context():
        session["csrf_token"] = "a" * 40
        assert forms.remembered_csrf() == first
    with app.test_request_context():  # (within one request the token stays, as in Flask-WTF)
        session["csrf_token"] = "a" * 40
        assert forms.remembered_csrf(secret_key="another secret") != first
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    remembered = dict(forms._SIGNED_TOKENS)
    with app.test_request_context():
        session["csrf_token"] = "b" * 40
        validate_csrf(forms.remembered_csrf())
    assert forms._SIGNED_TOKENS == remembered  # signed by Flask-WTF, nothing remembered
