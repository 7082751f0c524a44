"""The machinery of the access matrices (tests/test_access_matrix.py and the plan, education
and contact matrices built on it): endpoints, the parametrised cases, the fixtures of a
database with two families built once per module, signing in, requesting, and the answer to
a refused request. Each matrix keeps its own world, payloads, endpoints and expected outcomes.
"""
import contextlib
import re

import pytest

from app import create_app
from models import db

from .conftest import HX, copy_database
from .helpers import location_path, text

OWN, FOREIGN = "own", "foreign"


def nothing(world, target):
    return {}


class Endpoint:
    """One URL of a matrix: ``kind`` is what the module's expected() decides by; ``data`` the
    payload of a POST (a function of the world and the target); ``fragment`` an htmx answer
    that must not be a whole page; ``writes`` False for a POST that changes nothing even when
    permitted."""

    def __init__(self, name, method, template, kind, htmx=False, data=nothing, ok=None, fragment=False,
                 writes=True):
        self.name, self.method, self.template, self.kind = name, method, template, kind
        self.htmx, self.data, self.fragment, self.writes = htmx, data, fragment, writes
        # A permitted request: a page (200), a redirect after a write (303), or for htmx
        # writes the refreshed fragment (200).
        self.ok = ok or (200 if method == "GET" or (htmx and fragment) else 303)

    def __repr__(self):
        return f"{self.method} {self.template}{' (htmx)' if self.htmx else ''}"


def both(name, method, template, kind, data=nothing, ok=None, htmx_ok=None, fragment=True, writes=True):
    """The plain and the htmx variant of one endpoint (the htmx one answers ``htmx_ok``, or
    else ``ok``; only it can be a ``fragment``)."""
    return [
        Endpoint(name, method, template, kind, data=data, ok=ok, writes=writes),
        Endpoint(name + "-hx", method, template, kind, htmx=True, data=data, ok=htmx_ok or ok, fragment=fragment,
                 writes=writes),
    ]


def matrix_cases(endpoints, roles, targets=lambda endpoint: (OWN, FOREIGN)):
    """Every endpoint × every role × its targets (by default the own and the foreign family)."""
    return [
        pytest.param(endpoint, role, target, id=f"{endpoint.name}-{role}-{target}")
        for endpoint in endpoints
        for role in roles
        for target in targets(endpoint)
    ]


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


def fixtures(build_world, name, context=None):
    """The ``template_db``, ``app`` and ``world`` fixtures of a matrix module, to assign at its
    top level: ``build_world()`` runs once per module on a migrated database (inside
    ``context(app)`` if given, e.g. ``Flask.app_context``), and each test gets a copy of it."""

    @pytest.fixture(scope="module", name="template_db")
    def template_db(tmp_path_factory, migrated_database):
        """The migrated database with the two families, built once; each test gets a copy."""
        path = str(tmp_path_factory.mktemp(name) / "template.sqlite3")
        copy_database(migrated_database, path)
        application = create_app({"TESTING": True, "DATABASE": path})
        with context(application) if context else contextlib.nullcontext():
            world = build_world()
        db.close()
        return path, world

    @pytest.fixture(name="app")
    def app(tmp_path, template_db):
        """conftest's ``app``, on a copy of the template database with the two families."""
        database = str(tmp_path / "test.sqlite3")
        copy_database(template_db[0], database)
        application = create_app({
            "TESTING": True,
            "DATABASE": database,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": None,
        })
        db.connect(reuse_if_open=True)
        yield application
        if not db.is_closed():
            db.close()

    @pytest.fixture(name="world")
    def world(app, template_db):
        return template_db[1]

    return template_db, app, world


def sign_in(auth, world, role):
    if role != "anonymous":
        response = auth.login(world.users[role])
        assert response.status_code == 303, role


def request(client, world, endpoint, target):
    """Open ``endpoint`` for the ``target`` family; returns the URL and the response."""
    url = world.url(endpoint.template, target)
    headers = HX if endpoint.htmx else {}
    data = endpoint.data(world, target) if endpoint.method == "POST" else None
    return url, client.open(url, method=endpoint.method, headers=headers, data=data)


def assert_sent_to_sign_in(response, htmx):
    """Is the visitor sent to the sign-in page (a redirect, or for htmx 204 with HX-Redirect)?"""
    assert response.status_code in ((204,) if htmx else (302, 303))
    assert location_path(response) == "/auth/login"


def assert_refused(response, endpoint, outcome, url, hidden=(), htmx_fragment=True):
    """The answer to a refused request: the sign-in page for "sign-in", else the status
    ``outcome`` naming none of ``hidden`` and, for htmx (if ``htmx_fragment``), an error
    fragment rather than a page inside the page."""
    if outcome == "sign-in":
        assert_sent_to_sign_in(response, endpoint.htmx)
        return
    assert response.status_code == outcome, (url, response.status_code)
    body = text(response)
    for name in hidden:
        assert name not in body
    if endpoint.htmx and htmx_fragment:
        assert "<html" not in body


def endpoint_routes(endpoints):
    """(method, rule) of each endpoint, written as blueprint_routes writes them: ids (and
    literal numbers) as <id>, without the query string."""
    return {(e.method, re.sub(r"\{\w+\}|\d+", "<id>", e.template.split("?")[0])) for e in endpoints}


def blueprint_routes(app, blueprints, exclude=()):
    """(method, rule) of every URL rule of ``blueprints`` but the ``exclude``d endpoints, each
    variable part written <id>."""
    return {
        (method, re.sub(r"<[^>]+>", "<id>", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in blueprints and rule.endpoint not in exclude
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
