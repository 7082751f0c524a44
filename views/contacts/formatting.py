"""Contact times as the pages show them, formatted once per distinct value of a page.

A week or a list shows hundreds of times but only a few distinct clock times and days.
Babel's formatting is the slow part, so each formatter remembers what it formatted for
one render (never across requests: the locale and the time zone belong to the request).
The output is exactly Flask-Babel's: a miss calls the same function the templates used.
"""
import datetime

from flask_babel import format_time, get_timezone

from models import contact_rules as rules

from ..formatting import clock_text, date, shows_zone

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
    zoned = []  # whether the short time pattern shows the zone (then Flask-Babel writes it)

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
            if not zoned:
                zoned.append(shows_zone("short"))
            # The wall-clock time is what a zone-less pattern shows of the moment.
            text = seen[key] = format_time(utc, "short") if zoned[0] else clock_text(local.time())
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
            text = seen[day] = date(day, "full")
        return text

    return fmt


def as_datetime(value):
    """A stored time (ISO text, as peewee writes a datetime; what Prepared.rows returns) as
    a datetime; None stays."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(value)
