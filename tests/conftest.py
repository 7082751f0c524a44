"""Shared fixtures: an app on a fresh migrated database, a client and a sign-in helper."""
import re
import sqlite3

import pytest

from app import create_app
from cli.database import upgrade
from models import db

from .factories import PASSWORD, make_user

HX = {"HX-Request": "true"}


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Argon2id with minimal cost in tests (each hash takes ~1 ms instead of ~100 ms).

    Same algorithm and code path; only the work factors differ, so the suite stays fast.
    """
    from argon2 import PasswordHasher

    import models.users as users

    saved = users._hasher, users._DUMMY_HASH
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    users._DUMMY_HASH = users._hasher.hash("dummy password for unknown e-mails")
    yield
    users._hasher, users._DUMMY_HASH = saved


@pytest.fixture
def app_config():
    """Config overrides for one test module (browser tests switch CSRF on)."""
    return {}


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database file migrated once per test session; each test gets a copy of it."""
    path = str(tmp_path_factory.mktemp("template") / "migrated.sqlite3")
    db.init(path)
    upgrade()
    return path


def copy_database(source, target):
    """Copy an SQLite database with SQLite's backup API (pages still in the WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture
def app(tmp_path, app_config, migrated_database):
    """A test app on a new SQLite file, migrated exactly as production is."""
    database = str(tmp_path / "test.sqlite3")
    copy_database(migrated_database, database)
    config = {
        "TESTING": True,
        "DATABASE": database,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(app_config)
    application = create_app(config)
    upgrade()  # nothing left to apply on the copy; kept for an overridden DATABASE
    db.connect(reuse_if_open=True)  # the test's own connection (factories, assertions)
    # No app context stays pushed during the test: a request would reuse it, and so share
    # ``g`` (the signed-in user, the locale, the cached organisation) with every other
    # request of the test. Tests that need a context push their own.
    yield application
    if not db.is_closed():
        db.close()


@pytest.fixture
def accept_language():
    """The Accept-Language the ``client`` sends (None: none; a module may override it)."""
    return None


@pytest.fixture
def client(app, accept_language):
    test_client = app.test_client()
    if accept_language:
        test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return test_client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Sign in and out through the real sign-in form."""

    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password=PASSWORD, **kwargs):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post("/auth/login", data={"email": email, "password": password}, **kwargs)

    def as_role(self, role, **fields):
        """Create a user with ``role``, sign in as them, and return the user."""
        user = make_user(role=role, **fields)
        response = self.login(user)
        assert response.status_code == 303, response.data[:500]
        return user

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


def csrf_token_from(html):
    """The CSRF token embedded in a rendered page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)
