"""The remembering formatters of the contacts pages (views/contacts/formatting.py) write
exactly what Flask-Babel writes, in each language, across the changes to and from
summer time, and the URL builder keeps the application's prefix."""
import datetime

import pytest
from flask_babel import format_date, format_datetime, format_time, force_locale, get_timezone

from models import contact_rules as rules
from views.contacts.formatting import (
    clock_formatter,
    day_formatter,
    fixed_offset,
)
from views.formatting import datetime_text
from views.layout import id_url

# Around the end of summer time in 2026 (25 October, 01:00 UTC) and the start of it in 2027
# (28 March, 01:00 UTC), every 20 minutes, plus some times of no special kind.
_TIMES = [datetime.datetime(2026, 10, 24, 18) + datetime.timedelta(minutes=20 * i) for i in range(50)] + \
    [datetime.datetime(2027, 3, 27, 20) + datetime.timedelta(minutes=20 * i) for i in range(40)] + \
    [datetime.datetime(2026, 11, 17, 9, 30), datetime.datetime(2026, 12, 31, 23, 59, 59),
     datetime.datetime(2026, 7, 1, 0, 0, 0, 500)]


@pytest.mark.parametrize("language", ["cs", "pl", "en"])
def test_formatters_write_what_flask_babel_writes(app, language):
    with app.test_request_context("/"), force_locale(language):
        clock, moment, day = clock_formatter(), datetime_text, day_formatter()
        zone = rules.org_zone()
        for utc in _TIMES + _TIMES:  # the second round from what they remember
            assert clock(utc) == format_time(utc, "short")
            assert moment(utc) == format_datetime(utc, "short")
            assert day(utc) == format_date(rules.to_local(utc, zone).date(), "full")
        assert clock(None) == moment(None) == day(None) == ""


@pytest.mark.parametrize("language", ["cs", "pl"])
def test_clock_with_a_fixed_offset_only_where_the_offset_is_fixed(app, language):
    with app.test_request_context("/"), force_locale(language):
        zone = get_timezone()
        autumn = (datetime.datetime(2026, 10, 19), datetime.datetime(2026, 10, 26))
        assert fixed_offset(zone, *autumn) is None  # summer time ends on the 25th
        assert fixed_offset(zone, datetime.datetime(2026, 10, 25, 0, 59), datetime.datetime(2026, 10, 25, 1)) is None
        before = [t for t in _TIMES if t < datetime.datetime(2026, 10, 25, 1)]
        offset = fixed_offset(zone, before[0], before[-1])
        assert offset == datetime.timedelta(hours=2)
        clock = clock_formatter(offset)
        assert [clock(t) for t in before] == [format_time(t, "short") for t in before]
        winter = (datetime.datetime(2026, 11, 16), datetime.datetime(2026, 11, 23))
        assert fixed_offset(zone, *winter) == datetime.timedelta(hours=1)
        assert fixed_offset(zone, winter[0], winter[0]) == datetime.timedelta(hours=1)


def test_id_url_keeps_the_prefix_and_the_tail(app):
    """Does one URL built per page give each row's URL as url_for would, under a prefix?"""
    from flask import url_for

    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/opora"}):
        detail = id_url("contacts.detail", "contact_id")
        assert detail(17) == "/opora/contacts/17" == url_for("contacts.detail", contact_id=17)
        cannot_come = id_url("contacts.cannot_come", "contact_id")
        assert cannot_come(5) == url_for("contacts.cannot_come", contact_id=5)
        assert cannot_come(5).endswith("/5/cannot-come")
