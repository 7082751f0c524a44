"""Sign-in, sign-out and one-time password links."""
import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from models import LoginFailure, PasswordToken, User, db, utcnow
from models import audit
from models.users import normalise_email, verify_unknown

from ..htmx import render
from ..permissions import home_endpoint, public
from .forms import LoginForm, SetPasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(target):
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    # Only a plain absolute path: no scheme, no host, and not "//host" or "/\host".
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target


def _throttle_keys(email):
    return [f"email:{normalise_email(email)}", f"ip:{request.remote_addr or '-'}"]


def _wait_message(seconds):
    return ngettext(
        "Too many failed attempts. Please wait %(num)d second and try again.",
        "Too many failed attempts. Please wait %(num)d seconds and try again.",
        seconds,
    )


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form and sign a user in."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    error = None
    status = 200
    if form.validate_on_submit():
        keys = _throttle_keys(form.email.data)
        wait = LoginFailure.wait_for(keys)
        if wait:
            error = _wait_message(wait)
            status = 429
        else:
            user = User.by_email(form.email.data)
            if user is None:
                verify_unknown(form.password.data)
            # The password is checked before the active flag, so that a deactivated account
            # takes as long to refuse as any other, and timing reveals nothing.
            if user is not None and user.check_password(form.password.data) and user.active:
                with db.atomic():
                    LoginFailure.clear([keys[0]])
                    user.last_login_at = utcnow()
                    user.save(only=[User.last_login_at, User.updated_at])
                    audit.record(user, "sign-in", user, summary=user.email)
                _start_session(user)
                target = safe_next(form.next.data) or url_for(home_endpoint(user))
                return redirect(target, 303)
            with db.atomic():
                LoginFailure.record(keys)
            # One message for an unknown e-mail, a wrong password and a deactivated
            # account, so the form never tells which accounts exist.
            error = _("The e-mail or password is not correct.")
            status = 200
    elif request.method == "POST":
        status = 422
    return render("auth/login.html", form=form, error=error, status=status)


def _start_session(user):
    """Sign ``user`` in with a fresh session (nothing from before sign-in carries over)."""
    keep = {k: session[k] for k in ("lang", "text_size") if k in session}
    session.clear()
    session.update(keep)
    session.permanent = True
    login_user(user)
    session["seen"] = time.time()


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST only, so a link elsewhere cannot sign anyone out)."""
    logout_user()
    session.clear()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token):
    """Choose a password with a one-time link from an invitation or a reset."""
    row = PasswordToken.find_valid(token)
    if row is None:
        abort(404)
    form = SetPasswordForm()
    form.account_email = row.user.email
    if form.validate_on_submit():
        with db.atomic():
            user = row.user
            user.set_password(form.new_password.data)
            user.save()
            row.used_at = utcnow()
            row.save()
            audit.record(user, "update", user, summary="password set from one-time link")
        logout_user()
        session.clear()
        flash(_("Your password is set. You can sign in now."), "success")
        return redirect(url_for("auth.login"), 303)
    status = 422 if request.method == "POST" else 200
    return render("auth/set_password.html", form=form, account=row.user, status=status)
