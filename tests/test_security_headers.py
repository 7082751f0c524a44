"""Security headers on every response, pages, fragments, redirects and errors alike."""
import re

import pytest

from .conftest import HX
from .helpers import text


def _directives(csp):
    """The Content-Security-Policy as {directive: [sources]}."""
    result = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            result[words[0]] = words[1:]
    return result


def _assert_headers(response):
    headers = response.headers
    csp = _directives(headers["Content-Security-Policy"])
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src == ["'self'"], script_src
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    for directive, sources in csp.items():
        for source in sources:
            # Only this site (and data: images): no outside origin, no wildcard.
            assert source.startswith("'") or source == "data:", (directive, source)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.vary


@pytest.mark.parametrize(
    ("method", "url", "headers", "status"),
    [
        ("GET", "/auth/login", {}, 200),
        ("GET", "/auth/login", HX, 200),
        ("GET", "/staff", {}, 303),
        ("GET", "/staff", HX, 204),
        ("GET", "/no/such/page", {}, 404),
        ("GET", "/auth/logout", {}, 405),
        ("POST", "/prefs/language", {}, 400),
        ("POST", "/auth/login", {}, 422),
        ("GET", "/static/css/app.css", {}, 200),
    ],
)
def test_security_headers_on_anonymous_responses(client, method, url, headers, status):
    """Does every kind of response carry the security headers and Vary: HX-Request?"""
    response = client.open(url, method=method, headers=headers)
    assert response.status_code == status
    _assert_headers(response)


@pytest.mark.parametrize("url", ["/staff", "/admin/users", "/admin/organisation", "/account/password"])
def test_security_headers_on_signed_in_pages(client, auth, url):
    """Do signed-in pages carry the headers and forbid caching?"""
    auth.as_role("admin")
    response = client.get(url)
    assert response.status_code == 200
    _assert_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(client, auth):
    """Does the layout work under the policy: no inline script, handler or style?"""
    auth.as_role("admin")
    for url in ("/auth/login", "/staff", "/admin/users", "/admin/organisation"):
        html = text(client.get(url))
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, (url, tag)
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert "<style" not in html and " style=" not in html, url


def test_static_files_may_be_cached(client):
    """Are static files not marked no-store (their URLs carry a content hash)?"""
    response = client.get("/static/css/app.css")
    assert response.headers.get("Cache-Control") != "no-store"


def test_headers_a_view_sets_are_kept_and_none_is_doubled():
    """A view's own policy and Vary stay as it set them (in any letter case); the layout's
    headers are added once each, and HX-Request joins the view's Vary only if missing."""
    from flask import Flask, Response

    from app import SECURITY_HEADERS, _init_headers

    app = Flask(__name__)
    _init_headers(app)

    @app.route("/own")
    def own():
        return Response("x", headers={"content-security-policy": "default-src 'none'", "Vary": "Accept-Language"})

    @app.route("/has-vary")
    def has_vary():
        return Response("x", headers={"Vary": "Accept, hx-request"})

    client = app.test_client()
    own = client.get("/own")
    assert own.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert own.headers.getlist("Vary") == ["Accept-Language, HX-Request"]
    for name, value in SECURITY_HEADERS[1:]:
        assert own.headers.getlist(name) == [value]
    assert client.get("/has-vary").headers.getlist("Vary") == ["Accept, hx-request"]
