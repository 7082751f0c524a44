"""Who may do what. Every access rule of the portal lives in this module.

Deny by default: :func:`init_app` makes every endpoint require a signed-in, active
account unless the view is marked :func:`public`. Role checks are the decorators below;
object-level checks are the scoped loaders later modules add here.
"""
from functools import wraps

from flask import abort, request, url_for
from flask_login import current_user

from models import Role


def public(view):
    """Mark a view as reachable without signing in (sign-in page, language switch …)."""
    view.is_public = True
    return view


def role_required(*roles):
    """Allow the decorated view only to accounts with one of ``roles`` (else 403)."""
    allowed = {Role(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_role(*allowed):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def has_role(*roles):
    """True when the signed-in account has one of ``roles``."""
    return current_user.is_authenticated and current_user.role_enum in {Role(r) for r in roles}


def blueprint_requires(bp, *roles):
    """Restrict every view of blueprint ``bp`` to ``roles``."""

    @bp.before_request
    def _check_role():
        if not has_role(*roles):
            abort(403)


def init_app(app, login_manager):
    """Install the deny-by-default check and the unauthorised response."""

    @app.before_request
    def _require_sign_in():
        if request.endpoint is None:
            return None  # 404 follows
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False) or request.endpoint == "static":
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @login_manager.unauthorized_handler
    def _unauthorised():
        from .auth.routes import safe_next
        from .htmx import hx_redirect

        target = url_for("auth.login", next=safe_next(request.full_path.rstrip("?")))
        # An htmx request must not get the sign-in page swapped into a fragment: tell
        # htmx to load the sign-in page as a whole page instead.
        return hx_redirect(target)


def home_endpoint(user):
    """The endpoint of the home page for ``user``'s role."""
    return {
        Role.ADMIN: "home.staff",
        Role.STAFF: "home.staff",
        Role.CAREGIVER: "home.caregiver",
    }[user.role_enum]
