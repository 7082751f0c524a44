"""Shared fixtures: an app on a fresh migrated database, a client and a sign-in helper."""
import re

import pytest

from app import create_app
from cli.database import upgrade
from models import db

from .factories import PASSWORD, make_user

HX = {"HX-Request": "true"}


@pytest.fixture
def app_config():
    """Config overrides for one test module (browser tests switch CSRF on)."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    """A test app on a new SQLite file, migrated exactly as production is."""
    config = {
        "TESTING": True,
        "DATABASE": str(tmp_path / "test.sqlite3"),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(app_config)
    application = create_app(config)
    upgrade()
    with application.app_context():
        db.connect(reuse_if_open=True)
        yield application
        if not db.is_closed():
            db.close()


@pytest.fixture
def client(app):
    return app.test_client()


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
