"""Language and text-size switches.

Before sign-in the choice is kept in the (signed) session cookie; once signed in it is
saved on the account, so it follows the user to another device.
"""
from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_login import current_user

from models import Organisation, User
from models.base import db

from ..auth.routes import safe_next
from ..permissions import public

bp = Blueprint("prefs", __name__, url_prefix="/prefs")


def get_locale():
    """The language of this request: the account's choice, the visitor's choice,
    the browser's Accept-Language, then the organisation's default."""
    languages = current_app.config["LANGUAGES"]
    # The user itself rather than the proxy: each use of ``current_user`` looks it up again.
    user = current_user._get_current_object()
    if user is not None and user.is_authenticated and user.language in languages:
        return user.language
    if session.get("lang") in languages:
        return session["lang"]
    best = request.accept_languages.best_match(languages)
    if best:
        return best
    try:
        return Organisation.current().default_language
    except Exception:  # the database may not exist yet (first run)
        return current_app.config["BABEL_DEFAULT_LOCALE"]


def text_size():
    """The text-size step of this request (0 is the default size)."""
    user = current_user._get_current_object()
    if user is not None and user.is_authenticated:
        return user.text_size
    try:
        return int(session.get("text_size", 0))
    except (TypeError, ValueError):
        return 0


def _back():
    """Return to the page the switch was used on (only within this site)."""
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"), 303)


@bp.route("/language", methods=["POST"])
@public
def language():
    """Switch the interface language."""
    lang = request.form.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        with db.atomic():
            User.update(language=lang).where(User.id == current_user.id).execute()
    return _back()


@bp.route("/text-size", methods=["POST"])
@public
def text_size_switch():
    """Make the text larger or smaller by one step (A+ / A−)."""
    step = {"larger": 1, "smaller": -1, "reset": None}.get(request.form.get("change"), "bad")
    if step == "bad":
        abort(400)
    size = 0 if step is None else text_size() + step
    size = max(User.TEXT_SIZE_MIN, min(User.TEXT_SIZE_MAX, size))
    session["text_size"] = size
    if current_user.is_authenticated:
        with db.atomic():
            User.update(text_size=size).where(User.id == current_user.id).execute()
    return _back()
