"""Locale-aware formatting of dates, times, numbers and hours for the templates."""
import datetime
from functools import lru_cache

from babel import Locale, dates
from babel.numbers import parse_pattern
from flask_babel import (format_date, format_datetime, format_decimal, get_babel, get_domain, get_locale,
                         get_timezone)

#: Up to two decimals, grouped thousands; parsed once (Babel parses a pattern string on
#: every call, and lists show hours in every row).
_HOURS_PATTERN = parse_pattern("#,##0.##")


def hours(value):
    """Hours with the right plural form: "1 hodina", "2 hodiny", "5 hodin", "1,5 hodiny"."""
    # Lists repeat a few durations many times: the text depends only on the language and
    # the value (the catalogs do not change while the server runs).
    return _hours_text(str(get_locale()), value)


@lru_cache(maxsize=2048)
def _hours_text(_locale, value):
    """:func:`hours` for the request's language ``_locale`` (the cache key)."""
    number = format_decimal(value, format=_HOURS_PATTERN)
    # Whole numbers choose the plural by their count; fractions take the form the
    # grammar uses for fractions (in Czech and Polish the same as for 2–4: "1,5 hodiny",
    # "1,5 godziny"), which ngettext gives for the count 2.
    count = int(value) if float(value).is_integer() else 2
    # Flask-Babel's ngettext always formats %(num)s with the count itself, so the form is
    # chosen here and filled with the formatted number ("1,5", not "2").
    translations = get_domain().get_translations()
    return translations.ungettext("%(num)s hour", "%(num)s hours", count) % {"num": number}


@lru_cache(maxsize=256)
def _date_pattern(locale_id, fmt):
    """The parsed pattern of a date format in a language, and its locale: a named format
    ("medium") or a pattern of its own ("LLLL yyyy")."""
    locale = Locale.parse(locale_id)
    return dates.parse_pattern(locale.date_formats[fmt] if fmt in _NAMED_FORMATS else fmt), locale


def date(value, fmt="medium"):
    """A date in the request's language ("22. 11. 2026", "22 lis 2026"); "" for none.

    What Flask-Babel's format_date does (with its default named formats, which app.py
    keeps), with the pattern of each language and format parsed once: lists show a date
    in every row. A datetime goes to Flask-Babel, which first moves it into the user's
    time zone.
    """
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        return format_date(value, fmt)
    return _date_text(get_locale(), fmt, value)


@lru_cache(maxsize=4096)
def _date_text(locale, fmt, value):
    """:func:`date` of a ``datetime.date`` in ``locale`` (a Babel Locale: hashed by its
    parts, cheaper than writing its name); lists repeat the same dates many times."""
    pattern, parsed = _date_pattern(str(locale), fmt)
    return pattern.apply(value, parsed)


_NAMED_FORMATS = ("short", "medium", "long", "full")


@lru_cache(maxsize=64)
def _datetime_patterns(locale_id, fmt):
    """How a language writes a named date-and-time format: the pattern joining the two,
    the parsed time and date patterns, the locale, and whether the time pattern shows the
    zone (then the text depends on more than the wall-clock time)."""
    locale = Locale.parse(locale_id)
    joined = dates.get_datetime_format(fmt, locale=locale).replace("'", "")
    time_pattern = dates.parse_pattern(locale.time_formats[fmt])
    zoned = any(char in time_pattern.pattern for char in "zZvVOXx")
    return joined, time_pattern, dates.parse_pattern(locale.date_formats[fmt]), locale, zoned


@lru_cache(maxsize=4096)
def _clock_text(locale_id, fmt, clock):
    """A wall-clock time (``datetime.time``) in a zone-less time pattern."""
    _joined, time_pattern, _date, locale, _zoned = _datetime_patterns(locale_id, fmt)
    return time_pattern.apply(clock, locale)


@lru_cache(maxsize=4096)
def _day_text(locale_id, fmt, day):
    _joined, _time, date_pattern, locale, _zoned = _datetime_patterns(locale_id, fmt)
    return date_pattern.apply(day, locale)


def shows_zone(fmt="short"):
    """Whether the request's language writes a time in the named format ``fmt`` with its
    time zone (then its text depends on more than the wall-clock time)."""
    return fmt not in _NAMED_FORMATS or _datetime_patterns(str(get_locale()), fmt)[4]


def clock_text(clock, fmt="short"):
    """A wall-clock time (a ``datetime.time``, no zone conversion) in the request's
    language, as Babel's format_time writes it; texts remembered per language and time."""
    if clock is None:
        return ""
    locale_id = str(get_locale())
    if fmt not in _NAMED_FORMATS or _datetime_patterns(locale_id, fmt)[4]:
        return dates.format_time(clock, fmt, locale=get_locale())
    return _clock_text(locale_id, fmt, clock)


def datetime_text(value, fmt="short"):
    """A moment in the user's time zone and language ("22.11.26 14:05"); "" for none.

    Flask-Babel's format_datetime step by step (Babel writes a named format as the time
    and the date put into the language's joining pattern), with the patterns of each
    language looked up once and the texts remembered per language, zone and moment: the
    history and the contact list show a time on every row, and the same rows are opened
    again and again. Formats configured otherwise, and custom patterns, go to Flask-Babel.
    """
    if not value:
        return ""
    if fmt not in _NAMED_FORMATS or get_babel().instance.date_formats[f"datetime.{fmt}"] is not None:
        return format_datetime(value, fmt)
    return _datetime_text(get_locale(), get_timezone(), fmt, value)


@lru_cache(maxsize=4096)
def _datetime_text(locale, zone, fmt, value):
    """:func:`datetime_text` of ``value`` in ``locale`` and ``zone`` (both hashable, and
    what the text depends on besides the format and the moment)."""
    locale_id = str(locale)
    joined, time_pattern, _date, parsed, zoned = _datetime_patterns(locale_id, fmt)
    local = (value if value.tzinfo else value.replace(tzinfo=datetime.UTC)).astimezone(zone)
    if hasattr(zone, "normalize"):  # pytz, as Babel does
        local = zone.normalize(local)
    day = local.date()
    if zoned:
        clock = time_pattern.apply(local.timetz(), parsed, reference_date=day)
    else:
        clock = _clock_text(locale_id, fmt, local.time())
    return joined.replace("{0}", clock).replace("{1}", _day_text(locale_id, fmt, day))


def init_app(app):
    """Register the template filters."""
    app.add_template_filter(date, "date")
    app.add_template_filter(datetime_text, "datetime")
    app.add_template_filter(lambda n: format_decimal(n), "number")
    app.add_template_filter(hours, "hours")
