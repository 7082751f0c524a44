"""The signed-in user's notifications: list, mark read, open, and the unread badge.

Every role has notifications (staff mainly). A user only ever reaches their own: every
lookup is scoped to ``current_user``, so someone else's notification answers 404.
Marking a notification read is the reader's own state, like the language switch, and is
not written to the audit trail.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import DatabaseError

from models import Notification, db, utcnow
from models.base import once_per_request

from ..pagination import paginate
from ..auth.routes import safe_next
from ..htmx import is_partial, render, with_trigger
from .messages import render_message

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

NOTIFICATIONS_PER_PAGE = 25
#: The client event that makes the header badge fetch the count again.
CHANGED_EVENT = "notificationsChanged"


@bp.app_template_global("unread_notifications")
def unread_notifications():
    """The signed-in user's unread count for the header (0 for visitors, no query).

    Called from the layout, so it runs on every page: one indexed COUNT, made only when
    the template asks for it and at most once per request.
    """
    user = current_user._get_current_object()  # once, not through the proxy each time
    if not user or not user.is_authenticated:
        return 0

    def count():
        try:
            return Notification.unread_count(user.id)
        except DatabaseError:
            # The layout of an error page must still render when the database failed.
            return 0

    return once_per_request("unread_notifications", count)


@bp.app_template_global("notification_text")
def notification_text(notification):
    """The message of a notification in the reader's language."""
    return render_message(notification)


def _own(notification_id):
    """The signed-in user's notification, or 404 (another user's is not revealed)."""
    notification = Notification.get_or_none(
        (Notification.id == notification_id) & (Notification.user == current_user.id)
    )
    if notification is None:
        abort(404)
    return notification


def _list_context():
    """One page of the user's notifications, newest first, with the paging numbers."""
    listing = paginate(
        Notification.select()
        .where(Notification.user == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        NOTIFICATIONS_PER_PAGE,
    )
    return {"notifications": listing.rows, "total": listing.total, "page": listing.page, "pages": listing.pages}


@bp.route("/")
def index():
    """The user's notifications, newest first, unread ones highlighted."""
    return render("notifications/notification_list.html", block="list", **_list_context())


@bp.route("/count")
def count():
    """Only the header badge, fetched again when the ``notificationsChanged`` event fires."""
    return render_template("notifications/_badge.html")


@bp.route("/<int:notification_id>/read", methods=["POST"])
def mark_read(notification_id):
    """Mark one notification read; htmx swaps its row, a plain form returns to the list."""
    notification = _own(notification_id)
    with db.atomic():
        notification.mark_read()
    if is_partial():
        response = render("notifications/notification_list.html", block="row", n=notification)
        return with_trigger(response, CHANGED_EVENT)
    return redirect(_back_to_list(), 303)


@bp.route("/read-all", methods=["POST"])
def mark_all_read():
    """Mark every unread notification of the user read."""
    with db.atomic():
        changed = (
            Notification.update(read_at=utcnow(), updated_at=utcnow())
            .where((Notification.user == current_user.id) & Notification.read_at.is_null())
            .execute()
        )
    if is_partial():
        response = render("notifications/notification_list.html", block="list", **_list_context())
        return with_trigger(response, CHANGED_EVENT)
    if changed:
        flash(_("All notifications are marked as read."), "success")
    return redirect(_back_to_list(), 303)


@bp.route("/<int:notification_id>/open", endpoint="open")
def open_link(notification_id):
    """Follow a notification's link and mark it read on the way."""
    notification = _own(notification_id)
    with db.atomic():
        notification.mark_read()
    # Links are made with url_for when the notification is sent; check anyway that it
    # stays on this site.
    target = safe_next(notification.link) or url_for("notifications.index")
    return redirect(target, 303)


def _back_to_list():
    """The list page the plain form was sent from."""
    page = request.args.get("page", type=int)
    return url_for("notifications.index", page=page) if page and page > 1 else url_for("notifications.index")
