"""Contact times as the pages show them, formatted once per distinct value of a page.

A week or a list shows hundreds of times but only a few distinct clock times and days.
Babel's formatting is the slow part, so each formatter remembers what it formatted for
one render (never across requests: the locale and the time zone belong to the request).
The output is exactly Flask-Babel's: a miss calls the same function the templates used.
"""
import datetime

from babel import dates
from flask_babel import format_date, format_datetime, format_time, get_babel, get_locale, get_timezone

from models import contact_rules as rules

_UTC = datetime.UTC


def clock_formatter(fixed=None):
    """``fmt(utc)`` = ``flask_babel.format_time(utc, "short")`` ("" for no time).

    Remembered per local wall-clock time and UTC offset (what a short time pattern
    shows), so contacts at 10:00 on different days are formatted once. ``fixed``: the
    offset of Flask-Babel's time zone throughout the times to format, if known to be one
    (:func:`fixed_offset`); it spares converting each time.
    """
    seen = {}
    zone = []  # looked up on first use: most renders format no time

    def fmt(utc):
        if not utc:
            return ""
        if fixed is not None:
            local = utc + fixed
            key = (local.hour, local.minute, local.second, local.microsecond, fixed)
        else:
            if not zone:
                zone.append(get_timezone())
            local = utc.replace(tzinfo=_UTC).astimezone(zone[0])
            key = (local.hour, local.minute, local.second, local.microsecond, local.utcoffset())
        text = seen.get(key)
        if text is None:
            text = seen[key] = format_time(utc, "short")
        return text

    return fmt


#: No time zone changes its offset twice within this long, so checking at this step finds
#: any change.
_OFFSET_STEP = datetime.timedelta(hours=6)


def fixed_offset(zone, first, last):
    """The UTC offset of ``zone`` if it stays the same from ``first`` to ``last`` (naive UTC
    times), else None (a change to or from summer time in between)."""
    offset = None
    moment = first
    while True:
        current = moment.replace(tzinfo=_UTC).astimezone(zone).utcoffset()
        if offset is None:
            offset = current
        elif current != offset:
            return None
        if moment >= last:
            return offset
        moment = min(moment + _OFFSET_STEP, last)


def datetime_formatter():
    """``fmt(utc)`` = ``flask_babel.format_datetime(utc, "short")`` (the ``datetime``
    filter; "" for no time).

    Babel writes a short date and time as its locale's pattern with the short date and
    the short time put in; each is remembered, per day and per wall-clock time.
    """
    state = {}

    def setup():
        state["zone"] = get_timezone()
        if get_babel().instance.date_formats["datetime.short"] is not None:
            state["pattern"] = None  # configured otherwise: format each time as Flask-Babel does
            return
        locale = get_locale()
        state["locale"] = locale
        state["pattern"] = dates.get_datetime_format("short", locale=locale).replace("'", "")
        state["days"], state["times"] = {}, {}

    def fmt(utc):
        if not utc:
            return ""
        if not state:
            setup()
        pattern = state["pattern"]
        if pattern is None:
            return format_datetime(utc, "short")
        local = utc.replace(tzinfo=_UTC).astimezone(state["zone"])
        if hasattr(state["zone"], "normalize"):  # pytz, as Babel does
            local = state["zone"].normalize(local)
        key = (local.hour, local.minute, local.second, local.microsecond, local.utcoffset())
        clock = state["times"].get(key)
        if clock is None:
            clock = state["times"][key] = dates.format_time(local, "short", tzinfo=None, locale=state["locale"])
        day = local.date()
        date = state["days"].get(day)
        if date is None:
            date = state["days"][day] = dates.format_date(local, "short", locale=state["locale"])
        return pattern.replace("{0}", clock).replace("{1}", date)

    return fmt


def day_formatter():
    """``fmt(utc)``: the organisation's local date of a stored UTC time, in full
    ("Tuesday 17 November 2026"); "" for no time. Remembered per date."""
    seen = {}
    zone = []

    def fmt(utc):
        if not utc:
            return ""
        if not zone:
            zone.append(rules.org_zone())
        day = rules.to_local(utc, zone[0]).date()
        text = seen.get(day)
        if text is None:
            text = seen[day] = format_date(day, "full")
        return text

    return fmt


def as_datetime(value):
    """A stored time (ISO text, as peewee writes a datetime; what Prepared.rows returns) as
    a datetime; None stays."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(value)
