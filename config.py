"""Configuration read from ``OPORA_*`` environment variables.

Every setting has a safe development default except the secret key in production: a
production instance refuses to start without one (see :func:`load_config`).
"""
import os
from datetime import timedelta

#: The development secret. Known to everyone who reads this file, so production refuses it.
DEV_SECRET_KEY = "dev-only-not-secret"

#: Languages the portal speaks; English is the source language of the catalogs.
LANGUAGES = ("cs", "pl", "en")


class ConfigError(RuntimeError):
    """Raised when the configuration is not fit to run."""


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(root_path, overrides=None):
    """Return the configuration mapping for an app rooted at ``root_path``.

    ``overrides`` (used by tests) wins over the environment.
    """
    env = os.environ.get("OPORA_ENV", "development")
    production = env == "production"
    instance = os.path.join(root_path, "instance")
    config = {
        "OPORA_ENV": env,
        "SECRET_KEY": os.environ.get("OPORA_SECRET_KEY", DEV_SECRET_KEY),
        "DATABASE": os.environ.get("OPORA_DATABASE", os.path.join(instance, "opora.sqlite3")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("OPORA_SECURE_COOKIES", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": _env_bool("OPORA_SECURE_COOKIES", production),
        # Signed-in sessions end after this much inactivity. The session's clock ("seen")
        # moves on at most once a minute (app._init_session_rules), and the cookie is
        # written again only then, not signed anew on every request.
        "PERMANENT_SESSION_LIFETIME": timedelta(
            minutes=int(os.environ.get("OPORA_IDLE_MINUTES", "30"))
        ),
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "BABEL_DEFAULT_LOCALE": os.environ.get("OPORA_DEFAULT_LANGUAGE", "cs"),
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": LANGUAGES,
        "DEMO_PASSWORD": os.environ.get("OPORA_DEMO_PASSWORD", "opora-demo-2026"),
        "BENCHMARK_MODE": _env_bool("OPORA_BENCHMARK", False),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    }
    config.update(overrides or {})
    if config["OPORA_ENV"] == "production" and config["SECRET_KEY"] in ("", DEV_SECRET_KEY):
        raise ConfigError(
            "OPORA_SECRET_KEY must be set to a long random value in production "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    return config
