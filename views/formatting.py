"""Locale-aware formatting of dates, times, numbers and hours for the templates."""
from flask_babel import format_date, format_datetime, format_decimal, get_domain


def hours(value):
    """Hours with the right plural form: "1 hodina", "2 hodiny", "5 hodin", "1,5 hodiny"."""
    number = format_decimal(value, format="#,##0.##")
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
