"""Opora: the application factory.

``create_app`` wires the configuration, the database, sign-in, CSRF protection,
localisation, the blueprints, security headers and the error pages together.
"""
import os
import time
from functools import cached_property
from types import SimpleNamespace

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask_babel import Babel, Domain, get_translations
from flask_babel import gettext as _
from flask.globals import _cv_app
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import pass_eval_context
from markupsafe import Markup
from htmx_flask import Htmx
from htmx_flask.requests import HtmxAwareRequest
from werkzeug.exceptions import HTTPException

from config import load_config
from models import Organisation, User, db
from models.base import Prepared
from views.template_translation import TranslatedTemplates

csrf = CSRFProtect()
login_manager = LoginManager()


class _RequestTranslations(Domain):
    """Flask-Babel's message domain, with the request's translations found once per request.

    Flask-Babel resolves the locale and looks the catalog up on every ``gettext`` and every
    lazy string (the menu, form labels); a page makes dozens. The result is kept where
    Flask-Babel itself keeps request state (``babel_translations``, which its ``refresh``
    and ``force_locale`` clear and restore), so a language switch or a message in another
    language within the request still gets the right catalog. Flask-Babel is pinned in
    requirements.lock (its request state is private; see :func:`_babel_state`).
    """

    def get_translations(self):
        ctx = _babel_state()
        translations = getattr(ctx, "babel_translations", None) if ctx is not None else None
        if translations is None:
            translations = super().get_translations()
            if ctx is not None:
                ctx.babel_translations = translations
        return translations


def _babel_state():
    """Flask-Babel's per-request state (the app context's ``g._flask_babel``), found
    without going through ``g``'s proxy.

    Flask-Babel looks its state up for every message, every lazy string and every date it
    formats, each time through three lookups of the ``g`` proxy; a page makes a few
    hundred. This is the same function reading the context variable behind ``g`` once.
    It replaces ``flask_babel._get_current_context`` (see :func:`_init_babel`), which
    Flask-Babel calls by its module-level name; both are pinned in requirements.lock.
    """
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return None
    state = app_ctx.g.__dict__.get("_flask_babel")
    if state is None:
        state = app_ctx.g._flask_babel = SimpleNamespace()
    return state


babel = Babel()
babel.domain_instance = _RequestTranslations()

#: WTForms' own messages ("Not a valid date value.") per locale, for the life of the process.
_WTFORMS_CATALOGS = {}


class _Request(HtmxAwareRequest):
    """htmx-flask's request, with WTForms' message catalog taken from a process-wide cache.

    Flask-WTF loads and parses WTForms' catalog from disk on the first form of every
    request (about a millisecond) and keeps it in ``request.wtforms_translations``; it
    loads only when that attribute is missing, so supplying it here makes every request
    after the first in a locale reuse the parsed catalog. Flask-WTF is pinned in
    requirements.lock.
    """

    @cached_property
    def wtforms_translations(self):
        from babel.support import Translations
        from flask_babel import get_locale
        from wtforms.i18n import messages_path

        locale = str(get_locale())
        catalog = _WTFORMS_CATALOGS.get(locale)
        if catalog is None:
            catalog = _WTFORMS_CATALOGS[locale] = Translations.load(messages_path(), [locale], domain="wtforms")
        return catalog
htmx = Htmx()

# No inline script and no outside origin. htmx is configured (meta htmx-config) not to
# inject its inline indicator styles and not to evaluate code, so it works under this policy.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def create_app(config=None):
    """Build the Flask application; ``config`` overrides settings (used by tests)."""
    app = Flask(__name__, instance_relative_config=True)
    # Before anything creates the template environment (app.jinja_env).
    app.jinja_environment = TranslatedTemplates
    app.config.update(load_config(app.root_path, config))
    if not app.config.get("TESTING"):
        os.makedirs(os.path.dirname(os.path.abspath(app.config["DATABASE"])), exist_ok=True)

    db.init(app.config["DATABASE"])
    _init_db_hooks(app)
    if app.config["BENCHMARK_MODE"]:
        _init_benchmark(app)
    htmx.init_app(app)
    app.request_class = _Request  # after htmx-flask, whose request class it extends
    csrf.init_app(app)
    from views.forms import install_fast_html_params, install_remembered_csrf

    install_fast_html_params()
    install_remembered_csrf(app)
    _init_login(app)

    from views.prefs import get_locale, text_size

    _init_babel(app, get_locale)

    import views

    views.register_blueprints(app)
    from views import permissions

    permissions.init_app(app, login_manager)
    _init_session_rules(app)
    _init_templates(app, get_locale, text_size)
    _init_headers(app)
    _init_errors(app)

    import cli

    cli.init_app(app)
    return app


def _init_babel(app, get_locale):
    import flask_babel

    babel.init_app(app, locale_selector=get_locale, timezone_selector=_timezone)
    flask_babel._get_current_context = _babel_state


def _init_db_hooks(app):
    """A connection for each request, given back to the pool when the request ends
    (models.base.Database: the connections stay open, a transaction left open is rolled back)."""

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()


def _init_benchmark(app):
    """Benchmark mode (``OPORA_BENCHMARK=1``): the no-op page and an ``X-Query-Count`` header.

    bench/run.py measures against the no-op page and reports the statements each page runs.
    Outside benchmark mode neither exists and the database runs uncounted.
    """
    from models.base import count_queries, query_counter
    from views import bench

    count_queries(db)
    app.register_blueprint(bench.bp)

    def _reset_query_count():
        query_counter.count = 0

    # Before every other hook, so that loading the signed-in user is counted too.
    app.before_request_funcs.setdefault(None, []).insert(0, _reset_query_count)

    # Registered before the other after-request hooks, so it runs after them (Flask runs
    # them in reverse order) and counts what they query.
    @app.after_request
    def _query_count_header(response):
        response.headers["X-Query-Count"] = str(query_counter.count)
        return response


#: The user of every signed-in request, compiled once (models.base.Prepared).
_USER_BY_ID = Prepared(lambda user_id: User.select().where(User.id == user_id).limit(1), "user_id")


def _init_login(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(identity):
        # The identity carries the session token: a changed password or a deactivation
        # ends every other session of the account.
        user_id, _sep, token = (identity or "").partition(":")
        if not user_id.isdigit():
            return None
        user = _USER_BY_ID.first(user_id=int(user_id))
        if user is None or not user.active or user.session_token != token:
            return None
        return user


def _timezone():
    """Times are stored in UTC and shown in the organisation's time zone."""
    try:
        return Organisation.current().timezone
    except Exception:
        return "Europe/Prague"


#: How often the idle clock of a session moves on: a session may end up to this much
#: earlier than the idle limit says.
SEEN_RESOLUTION_S = 60


def _init_session_rules(app):
    """Idle timeout and the forced change of a temporary password."""

    @app.before_request
    def _session_rules():
        user = current_user._get_current_object()
        if not user.is_authenticated:
            return None
        # Seconds since the epoch: utcnow() is naive, and .timestamp() would read it as
        # local time (shifted by the zone offset, and jumping at daylight-saving changes).
        now = time.time()
        idle = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        seen = session.get("seen")
        if seen is not None and now - seen > idle:
            logout_user()
            session.pop("seen", None)
            return login_manager.unauthorized()
        if seen is None or now - seen >= SEEN_RESOLUTION_S:
            # Once a minute at most: writing the session means signing and sending the
            # cookie again, which every request would otherwise pay for.
            session["seen"] = now
        allowed = {"account.password", "auth.logout", "static", "prefs.language", "prefs.text_size_switch"}
        if user.must_change_password and request.endpoint not in allowed:
            return redirect(url_for("account.password"))
        return None


def _bound_gettext(translations):
    """Template gettext callables bound to one translations object, behaving as Jinja's
    new-style ones (``install_gettext_callables(..., newstyle=True)``): the translation
    marked safe where the template autoescapes, ``%(name)s`` placeholders filled from
    keyword arguments (``ngettext`` also gets ``num``).

    Jinja's own wrappers take the whole template context (``pass_context``). Called in a
    loop or block that sets a variable (``{% set %}``), that makes Jinja copy the context
    (every variable and global) for each call, about 10 µs each and hundreds a page. These
    need only the evaluation context (``pass_eval_context``), which Jinja hands over as it
    is. tests/test_i18n.py compares them with Jinja's wrappers.
    """
    ugettext, ungettext = translations.ugettext, translations.ungettext

    @pass_eval_context
    def gettext(eval_ctx, string, **variables):
        rv = ugettext(string)
        if eval_ctx.autoescape:
            rv = Markup(rv)
        # Always a format string, as in Jinja's (so "%%" is "%" with or without values).
        return rv % variables

    @pass_eval_context
    def ngettext(eval_ctx, singular, plural, num, **variables):
        variables.setdefault("num", num)
        rv = ungettext(singular, plural, num)
        if eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def _init_templates(app, get_locale, text_size):
    from views import formatting, layout

    formatting.init_app(app)
    layout.init_app(app)

    @app.context_processor
    def _layout_context():
        return {
            # The page's translations, looked up once per render instead of once per string
            # (Flask-Babel's template callables resolve the locale on every call).
            **_bound_gettext(get_translations()),
            "current_locale": str(get_locale()),
            "text_size": text_size(),
            "LANGUAGE_NAMES": {"cs": "Čeština", "pl": "Polski", "en": "English"},
        }


#: Set on every response unless the view set its own.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def _init_headers(app):
    @app.after_request
    def _security_headers(response):
        headers = response.headers
        # One pass over the response's headers rather than one per header set (werkzeug's
        # setdefault and the parsed Vary set each search the list again).
        present = {name.lower() for name in headers.keys()}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        # Pages and fragments share URLs: caches must key on the htmx header.
        vary = headers.get("Vary")
        if not vary:
            headers["Vary"] = "HX-Request"
        elif "hx-request" not in {item.strip().lower() for item in vary.split(",")}:
            headers["Vary"] = f"{vary}, HX-Request"
        if request.endpoint != "static":
            # Every page is confidential: never stored by the browser or a proxy.
            headers["Cache-Control"] = "no-store"
        elif request.args.get("v") and response.status_code == 200:
            # Static URLs carry a content hash (views.layout.static_url): cache for a year.
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def _init_errors(app):
    """Localised error pages in the layout; no stack trace outside debug mode."""

    def render_error(code, message=None):
        from views.htmx import is_partial

        template = "errors/error_fragment.html" if is_partial() else "errors/error.html"
        return render_template(template, code=code, message=message), code

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return render_error(
            400, _("The form has expired or did not come from this site. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def _http_error(error):
        if error.code in (400, 403, 404, 405, 409, 413, 422, 429):
            body, code = render_error(error.code)
            # Keep the headers the error carries, such as Allow on a 405.
            headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
            return body, code, headers
        return error

    @app.errorhandler(Exception)
    def _server_error(error):
        if isinstance(error, HTTPException):
            return _http_error(error)
        # Flask's own rule: propagate when asked to, and by default in debug and testing,
        # so a test sees the exception rather than an error page.
        propagate = current_app.config.get("PROPAGATE_EXCEPTIONS")
        if propagate is None:
            propagate = current_app.debug or current_app.testing
        if propagate:
            raise error
        current_app.logger.exception("Unhandled error")
        return render_error(500)
