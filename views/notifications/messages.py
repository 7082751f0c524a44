"""The texts of notifications, one per kind, rendered in the reader's language.

A notification stores only its ``kind`` and ``params`` (see :class:`models.Notification`);
the text is looked up here when it is shown, so every reader sees it in their own
language, whatever the language of the person whose action caused it. Later features
add their kinds to :data:`MESSAGES`; each message names its parameters ``%(name)s``.
"""
import datetime
import re

from babel.dates import format_date, format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: kind → message with %(param)s placeholders, filled from the notification's params.
MESSAGES = {
    # params: name (the caregiver), case (the family's name)
    "contact_details_changed": _l("%(name)s (%(case)s) has changed their contact details."),
    # Education (views/education): params name, case, event (its title), date (ISO day).
    "training_cancelled_by_caregiver": _l("%(name)s (%(case)s) has cancelled their registration for the training %(event)s on %(date)s."),
    "training_promoted": _l("%(name)s (%(case)s) has moved from the waiting list to a place at the training %(event)s on %(date)s."),
    "training_babysitting_requested": _l("%(name)s (%(case)s) has signed up for the training %(event)s on %(date)s and asks for babysitting."),
    # To the caregiver: params event, date.
    "training_place_freed": _l("A place has freed up: you are now registered for the training %(event)s on %(date)s."),
    # Assisted contacts (views/contacts). params: name (the caregiver), case, when (local
    # "YYYY-MM-DD HH:MM"), reason
    "contact_cannot_come": _l("%(name)s (%(case)s) cannot come to the contact on %(when)s: %(reason)s"),
    # params: when
    "contact_cancellation_confirmed": _l("The contact on %(when)s has been cancelled as you asked."),
    # params: when
    "contact_cancelled": _l("The contact on %(when)s has been cancelled."),
    # params: when (the old time), new (the proposed time)
    "contact_new_time": _l("A new time has been proposed for the contact on %(when)s: %(new)s."),
    # Care plans (views/plans). To the key worker: params name (the caregiver), case, number.
    "plan_ack_agree": _l("%(name)s (%(case)s) has read version %(number)s of the care plan and agrees."),
    "plan_ack_discuss": _l("%(name)s (%(case)s) has read version %(number)s of the care plan and wants to discuss it."),
    # To the caregivers: params case, number.
    "plan_approved": _l("Version %(number)s of your family's care plan (%(case)s) has been approved. Please read it."),
}


class _Params(dict):
    """Parameters for a message; a missing one shows as a dash instead of failing.

    Dates are stored as ISO text ("2026-12-08", or "2026-12-08 16:30" for a local time of
    day in the organisation's zone) and shown in the reader's format ("8. 12. 2026").
    """

    def __missing__(self, key):
        return "—"

    def __getitem__(self, key):
        return _localised(super().__getitem__(key))


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def _localised(value):
    """``value``, with an ISO date or local date and time written the reader's way."""
    if not isinstance(value, str):
        return value
    try:
        if _ISO_DATE.fullmatch(value):
            return format_date(datetime.date.fromisoformat(value), "medium", locale=get_locale())
        if _ISO_LOCAL_TIME.fullmatch(value):
            # Already the organisation's local time: formatted without a zone conversion.
            moment = datetime.datetime.fromisoformat(value)
            return format_datetime(moment, "short", tzinfo=None, locale=get_locale())
    except ValueError:
        pass
    return value


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
