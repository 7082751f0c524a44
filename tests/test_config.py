"""Configuration: the production secret key and the session cookie flags."""
import pytest

from app import create_app
from cli.database import upgrade
from config import DEV_SECRET_KEY, ConfigError, load_config
from models import db

from .factories import make_user

REAL_KEY = "9f2c" * 16


@pytest.fixture
def clean_env(monkeypatch):
    """No OPORA_* settings from the machine running the tests."""
    for name in ("OPORA_ENV", "OPORA_SECRET_KEY", "OPORA_SECURE_COOKIES", "OPORA_IDLE_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_without_secret_key_refused(clean_env, tmp_path):
    """Does production refuse to start without a secret key?"""
    clean_env.setenv("OPORA_ENV", "production")
    with pytest.raises(ConfigError, match="OPORA_SECRET_KEY"):
        load_config(str(tmp_path))


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, ""])
def test_production_with_dev_or_empty_key_refused(clean_env, tmp_path, key):
    """Does production refuse the published development key and an empty one?"""
    clean_env.setenv("OPORA_ENV", "production")
    clean_env.setenv("OPORA_SECRET_KEY", key)
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))


def test_production_create_app_refused_without_key(clean_env, tmp_path):
    """Does the app factory itself refuse to build a production app without a key?"""
    clean_env.setenv("OPORA_ENV", "production")
    with pytest.raises(ConfigError):
        create_app({"DATABASE": str(tmp_path / "p.sqlite3")})


def test_production_config_secure_cookies(clean_env, tmp_path):
    """With a real key, does production mark cookies Secure, HttpOnly and SameSite=Lax?"""
    clean_env.setenv("OPORA_ENV", "production")
    clean_env.setenv("OPORA_SECRET_KEY", REAL_KEY)
    config = load_config(str(tmp_path))
    assert config["SECRET_KEY"] == REAL_KEY
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_config_defaults(clean_env, tmp_path):
    """Does development run with the dev key and without Secure cookies (plain http)?"""
    config = load_config(str(tmp_path))
    assert config["SECRET_KEY"] == DEV_SECRET_KEY
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 30 * 60


def test_idle_minutes_from_environment(clean_env, tmp_path):
    """Is the idle timeout read from OPORA_IDLE_MINUTES?"""
    clean_env.setenv("OPORA_IDLE_MINUTES", "5")
    assert load_config(str(tmp_path))["PERMANENT_SESSION_LIFETIME"].total_seconds() == 300


def _session_cookie(response):
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[0]


def test_session_cookie_httponly_samesite(client, auth):
    """Is the session cookie set at sign-in HttpOnly and SameSite=Lax?"""
    user = make_user()
    cookie = _session_cookie(auth.login(user))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development over plain http


def test_production_session_cookie_secure(clean_env, tmp_path):
    """Does a production app send its session cookie with Secure?"""
    clean_env.setenv("OPORA_ENV", "production")
    clean_env.setenv("OPORA_SECRET_KEY", REAL_KEY)
    application = create_app({"TESTING": True, "DATABASE": str(tmp_path / "prod.sqlite3")})
    upgrade()
    try:
        client = application.test_client()
        # The sign-in page puts a CSRF token in the session, so the cookie is set.
        cookie = _session_cookie(client.get("/auth/login"))
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
    finally:
        if not db.is_closed():
            db.close()
