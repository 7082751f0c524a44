"""Locale-aware formatting of dates, times, numbers and hours for the templates."""
from functools import lru_cache

from babel.numbers import parse_pattern
from flask_babel import format_date, format_datetime, format_decimal, get_domain, get_locale

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


def init_app(app):
    """Register the template filters."""
    app.add_template_filter(lambda d, fmt="medium": format_date(d, fmt) if d else "", "date")
    app.add_template_filter(
        lambda d, fmt="short": format_datetime(d, fmt) if d else "", "datetime"
    )
    app.add_template_filter(lambda n: format_decimal(n), "number")
    app.add_template_filter(hours, "hours")
