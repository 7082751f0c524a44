"""The texts of notifications, one per kind, rendered in the reader's language.

A notification stores only its ``kind`` and ``params`` (see :class:`models.Notification`);
the text is looked up here when it is shown, so every reader sees it in their own
language, whatever the language of the person whose action caused it. Later features
add their kinds to :data:`MESSAGES`; each message names its parameters ``%(name)s``.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: kind → message with %(param)s placeholders, filled from the notification's params.
MESSAGES = {
    # params: name (the caregiver), case (the family's name)
    "contact_details_changed": _l("%(name)s (%(case)s) has changed their contact details."),
}


class _Params(dict):
    """Parameters for a message; a missing one shows as a dash instead of failing."""

    def __missing__(self, key):
        return "—"


def render_message(notification):
    """The text of ``notification`` in the current (the reader's) language."""
    message = MESSAGES.get(notification.kind)
    if message is None:
        return _("You have a new notification.")
    try:
        return str(message) % _Params(notification.data)
    except (TypeError, ValueError):
        # A placeholder of the wrong type (e.g. %(num)d with text) must not break the list.
        return str(message)
