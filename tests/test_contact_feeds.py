"""Private iCalendar feeds: parsed back with the icalendar library, in the organisation's
time zone across daylight saving, caregivers without visitors' details, tokens refused."""
import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from models.contacts import ContactStatus

from .contact_factories import local, make_contact, make_room
from .factories import make_organisation
from .families import make_family
from .helpers import text


@pytest.fixture
def accept_language():
    return "en"


def new_address(client):
    html = text(client.post("/contacts/calendar-feed"))
    match = re.search(r'id="feed-address" value="([^"]+)"', html)
    assert match, html[:2000]
    return match.group(1).replace("http://localhost", "")


def parse(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.data)


def events(cal):
    return [c for c in cal.walk("VEVENT")]


@pytest.fixture
def family(app):
    family = make_family(tag="I")
    family.room = make_room("Blue room", address="Main St 1")
    return family


def sunday_series_over_dst(family, workers):
    """Contacts at 10:00 Prague on the Sundays around the last Sunday of October next year."""
    year = datetime.date.today().year + 1
    last = max(datetime.date(year, 10, d) for d in range(25, 32) if datetime.date(year, 10, d).weekday() == 6)
    contacts = []
    for day in (last - datetime.timedelta(days=7), last + datetime.timedelta(days=7)):
        contacts.append(make_contact(
            family.case, local(day, 10), local(day, 11), room=family.room, workers=workers,
            children=[family.child_member], visitors=[family.relative.memberships[0]], arrive_before=15))
    return contacts


def test_staff_feed_is_valid_ical_in_org_timezone(client, auth, family):
    sunday_series_over_dst(family, [family.key_worker])
    auth.login(family.key_worker)
    address = new_address(client)
    auth.logout()  # calendar apps do not sign in
    cal = parse(client.get(address))
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Prague"]
    found = sorted(events(cal), key=lambda e: e.decoded("dtstart"))
    assert len(found) == 2
    for event in found:
        start = event.decoded("dtstart")
        assert start.tzinfo is not None and str(event["DTSTART"].params["TZID"]) == "Europe/Prague"
        # Staff see the whole booking: the visitors arrive 15 minutes before the child.
        assert (start.hour, start.minute) == (9, 45)
        assert "Marie RelativeI" in str(event["DESCRIPTION"])
        assert "Blue room" in str(event["LOCATION"])
    # Summer time before the change, winter time after it: the same wall-clock time.
    offsets = [e.decoded("dtstart").utcoffset() for e in found]
    assert offsets == [datetime.timedelta(hours=2), datetime.timedelta(hours=1)]


def test_caregiver_feed_has_no_visitor_details(client, auth, family):
    contacts = sunday_series_over_dst(family, [family.key_worker])
    contacts[1].status = ContactStatus.CANCELLED
    contacts[1].save()
    auth.login(family.user)
    address = new_address(client)
    body = text(client.get(address))
    for secret in ("Marie", "RelativeI", family.secrets["relative_phone"], family.secrets["relative_address"],
                   family.secrets["relative_email"], family.secrets["case_notes"]):
        assert secret not in body
    found = sorted(events(Calendar.from_ical(body)), key=lambda e: e.decoded("dtstart"))
    assert [str(e["STATUS"]) for e in found] == ["TENTATIVE", "CANCELLED"]
    assert (found[0].decoded("dtstart").hour, found[0].decoded("dtstart").minute) == (10, 0)  # the child's time
    assert "Tomáš" in str(found[0]["SUMMARY"]) and "Klára WorkerI" in str(found[0]["DESCRIPTION"])


def test_feed_lists_only_the_owners_contacts(client, auth, family):
    other = make_family(tag="J")
    make_contact(other.case, local(datetime.date.today() + datetime.timedelta(days=3), 10),
                 local(datetime.date.today() + datetime.timedelta(days=3), 11), workers=[other.key_worker],
                 place="Park", children=[other.child_member])
    mine = make_contact(family.case, local(datetime.date.today() + datetime.timedelta(days=3), 13),
                        local(datetime.date.today() + datetime.timedelta(days=3), 14), workers=[family.key_worker],
                        place="Library", children=[family.child_member])
    auth.login(family.user)
    cal = parse(client.get(new_address(client)))
    assert [str(e["UID"]) for e in events(cal)] == [f"contact-{mine.id}@opora"]


def test_old_unknown_and_deactivated_tokens_are_refused(client, auth, family):
    auth.login(family.key_worker)
    first = new_address(client)
    second = new_address(client)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert client.get("/contacts/feed/not-a-token.ics").status_code == 404
    # Another account's page never shows someone else's address; its own works only for it.
    auth.logout()
    auth.login(family.user)
    caregiver = new_address(client)
    assert caregiver != second
    family.key_worker.active = False
    family.key_worker.save()
    assert client.get(second).status_code == 404
    assert client.get(caregiver).status_code == 200


def test_feed_page_shows_the_address_once(client, auth, family):
    auth.login(family.key_worker)
    assert 'id="feed-address"' not in text(client.get("/contacts/calendar-feed"))
    new_address(client)
    page = text(client.get("/contacts/calendar-feed"))
    assert 'id="feed-address"' not in page and "not shown again" in page


def test_feed_in_warsaw_time(client, auth, family):
    make_organisation(timezone="Europe/Warsaw", country="pl")
    day = datetime.date.today() + datetime.timedelta(days=5)
    start = datetime.datetime.combine(day, datetime.time(16)).replace(tzinfo=ZoneInfo("Europe/Warsaw"))
    utc = start.astimezone(datetime.UTC).replace(tzinfo=None)
    make_contact(family.case, utc, utc + datetime.timedelta(hours=1), workers=[family.key_worker], place="Dom")
    auth.login(family.key_worker)
    cal = parse(client.get(new_address(client)))
    event = events(cal)[0]
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Warsaw"
    assert event.decoded("dtstart").hour == 16
