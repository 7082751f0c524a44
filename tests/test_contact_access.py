"""Who may open and change which contact: every URL of the contacts blueprint (and its htmx
variant) × every kind of account × the own family and a foreign one.

Staff pages follow the case rule (tests/test_access_matrix.py ``expected``): admins all,
key worker and team their own family, readers read but do not change, unrelated staff get
404, caregivers 403, anonymous visitors the sign-in page. The caregivers' pages are the
reverse: only the caregiver of the family, 404 for another family's contact, 403 for staff.
"""
import datetime
from functools import partial

import pytest

from models import AuditEntry, Notification
from models.contacts import CalendarFeed, Contact, ContactOrder, ContactParticipant, ContactStatus, Room

from .access import (
    FOREIGN,
    OWN,
    accept_language,  # noqa: F401 (a fixture)
    assert_refused,
    blueprint_routes,
    both,
    endpoint_routes,
    fixtures,
    matrix_cases,
    request,
    sign_in,
)
from .contact_factories import local, make_contact, make_room
from .helpers import text
from .test_access_matrix import EDIT, READ, ROLES, World, expected

DAY = datetime.date.today() + datetime.timedelta(days=10)
CAREGIVER_PAGE = "caregiver"  # kind of the caregivers' own pages
SIGNED_IN = "signed_in"  # any signed-in account (the feed page)
STAFF_ONLY = "staff_only"  # any staff or admin, no family involved
ADMIN_ONLY = "admin_only"


class ContactWorld(World):
    """The two families of the access matrix, each with a planned and a held contact."""

    def __init__(self):
        super().__init__()
        self.room = make_room("Blue")
        self.planned, self.held = {}, {}
        for target, worker in ((OWN, self.users["key_worker"]), (FOREIGN, self.cases[FOREIGN].key_worker)):
            case, child, relative = self.cases[target], self.children[target], self.relatives[target]
            hour = 9 if target == OWN else 14
            self.planned[target] = make_contact(case, local(DAY, hour), local(DAY, hour + 1), room=self.room,
                                                workers=[worker], children=[child], visitors=[relative])
            past = DAY - datetime.timedelta(days=30)
            self.held[target] = make_contact(case, local(past, hour), local(past, hour + 1), place="Park",
                                             workers=[worker], children=[child], status=ContactStatus.HELD)

    def url(self, template, target):
        return template.format(case=self.cases[target].id, contact=self.planned[target].id,
                               held=self.held[target].id, room=self.room.id)


def _contact_form(world, target, **extra):
    data = {"children": [str(world.children[target].id)], "visitors": [str(world.relatives[target].id)],
            "workers": [str(world.users["key_worker"].id)], "room": "0", "place": "Library",
            "day": (DAY + datetime.timedelta(days=1)).isoformat(), "start_time": "10:00", "end_time": "11:00",
            "order": "0", "action": "save"}
    data.update(extra)
    return data


def _edit(world, target):
    return _contact_form(world, target, day=DAY.isoformat(), version=str(world.planned[target].version))


def _order(world, target):
    return {"child": str(world.children[target].id), "issuer": "court", "reference": "1 P 1/2026", "per_month": "2"}


def _status(world, target):
    return {"action": "confirm"}


def _outcome(world, target):
    return {"actual_minutes": "45", "summary": "Calm", "version": str(world.held[target].version)}


def _cannot(world, target):
    return {"reason": "We are ill"}


def _room(world, target):
    return {"name": "Green", "capacity": "4", "buffer_minutes": "10", "active": "y"}


def _settings(world, target):
    return {"day_start": "08:00", "day_end": "17:00", "working_days": ["1", "2", "3"],
            "default_buffer_minutes": "15", "max_hours": "10"}


#: Here an htmx answer is a fragment only where marked; an htmx write otherwise redirects (303).
_both = partial(both, fragment=False)


ENDPOINTS = [
    *_both("detail", "GET", "/contacts/{contact}", READ),
    *_both("status", "POST", "/contacts/{contact}/status", EDIT, _status, htmx_ok=200, fragment=True),
    *_both("edit-form", "GET", "/contacts/{contact}/edit", EDIT),
    *_both("edit", "POST", "/contacts/{contact}/edit", EDIT, _edit),
    *_both("outcome-form", "GET", "/contacts/{held}/outcome", EDIT),
    *_both("outcome", "POST", "/contacts/{held}/outcome", EDIT, _outcome),
    *_both("new-form", "GET", "/contacts/new?case={case}", EDIT),
    *_both("new", "POST", "/contacts/new?case={case}", EDIT, _contact_form),
    *_both("check", "POST", "/contacts/check?case={case}", EDIT, _contact_form, ok=200, fragment=True),
    *_both("check-edit", "POST", "/contacts/check?case={case}&contact={contact}", EDIT, _edit, ok=200,
           fragment=True),
    *_both("orders", "GET", "/contacts/orders/{case}", READ),
    *_both("order-add", "POST", "/contacts/orders/{case}", EDIT, _order),
    *_both("my", "GET", "/contacts/my", CAREGIVER_PAGE),
    *_both("cannot-form", "GET", "/contacts/my/{contact}/cannot-come", CAREGIVER_PAGE),
    *_both("cannot", "POST", "/contacts/my/{contact}/cannot-come", CAREGIVER_PAGE, _cannot),
    *_both("list", "GET", "/contacts/", STAFF_ONLY, fragment=True),
    *_both("week", "GET", "/contacts/week", STAFF_ONLY, fragment=True),
    *_both("picker", "GET", "/contacts/new", STAFF_ONLY),
    *_both("rooms", "GET", "/contacts/rooms", STAFF_ONLY),
    *_both("room-add", "POST", "/contacts/rooms", ADMIN_ONLY, _room),
    *_both("room-edit-form", "GET", "/contacts/rooms/{room}/edit", ADMIN_ONLY),
    *_both("room-edit", "POST", "/contacts/rooms/{room}/edit", ADMIN_ONLY, _room),
    *_both("settings", "POST", "/contacts/settings", ADMIN_ONLY, _settings),
    *_both("feed-page", "GET", "/contacts/calendar-feed", SIGNED_IN),
    *_both("feed-new", "POST", "/contacts/calendar-feed", SIGNED_IN, ok=200),
]
#: The own caregiver's pages that are not about one family's contact (both "targets" alike).
ROLE_ONLY = {STAFF_ONLY, ADMIN_ONLY, SIGNED_IN}


def outcome_for(role, target, endpoint):
    if role == "anonymous":
        return "sign-in"
    caregiver = role in ("caregiver", "other_caregiver")
    if endpoint.kind == CAREGIVER_PAGE:
        if not caregiver:
            return 403
        if endpoint.name.startswith("my"):
            return "ok"
        own = OWN if role == "caregiver" else FOREIGN
        return "ok" if target == own else 404
    if endpoint.kind == SIGNED_IN:
        return "ok"
    if endpoint.kind == STAFF_ONLY:
        return 403 if caregiver else "ok"
    if endpoint.kind == ADMIN_ONLY:
        return "ok" if role == "admin" else 403
    return expected(role, target, endpoint.kind)


def fingerprint():
    return (
        list(Contact.select(Contact.id, Contact.status, Contact.starts_at, Contact.version, Contact.summary).tuples()),
        list(ContactParticipant.select(ContactParticipant.id, ContactParticipant.contact).tuples()),
        list(ContactOrder.select(ContactOrder.id).tuples()),
        list(Room.select(Room.id, Room.name).tuples()),
        list(CalendarFeed.select(CalendarFeed.id, CalendarFeed.token_hash).tuples()),
        Notification.select().count(),
        AuditEntry.select().count(),
    )


template_db, app, world = fixtures(ContactWorld, "contact-access")

CASES = matrix_cases(
    ENDPOINTS, ROLES,
    targets=lambda endpoint: (OWN,) if endpoint.kind in ROLE_ONLY or endpoint.name.startswith("my") else (OWN, FOREIGN),
)


@pytest.mark.parametrize(("endpoint", "role", "target"), CASES)
def test_contact_url_access(client, auth, world, endpoint, role, target):
    """Does each account get exactly what the access model allows, and nothing else happen?"""
    sign_in(auth, world, role)
    before = fingerprint()
    url, response = request(client, world, endpoint, target)
    outcome = outcome_for(role, target, endpoint)
    body = text(response)
    if outcome == "ok":
        assert response.status_code == endpoint.ok, (url, response.status_code, body[:1500])
        if endpoint.method == "POST" and endpoint.name not in ("check", "check-edit") \
                and not endpoint.name.startswith("check"):
            assert fingerprint() != before, "a permitted write changed nothing"
        if endpoint.fragment and endpoint.htmx and response.status_code == 200:
            assert "<html" not in body
        return
    # A refused request changes nothing, not even the audit trail.
    assert fingerprint() == before
    assert_refused(response, endpoint, outcome, url,
                   hidden=(world.cases[target].name, world.relatives[target].person.last_name), htmx_fragment=False)


def test_access_list_covers_every_contacts_url(app):
    """Is every URL rule and method of the contacts blueprint in the matrix (the public
    feed is tested with its token below and in test_contact_feeds.py)?"""
    covered = endpoint_routes(ENDPOINTS)
    covered.add(("GET", "/contacts/feed/<id>.ics"))
    assert blueprint_routes(app, ("contacts",)) == covered


@pytest.mark.parametrize("role", ["key_worker", "unrelated_staff", "reader"])
def test_lists_and_week_never_name_foreign_families(client, auth, world, role):
    sign_in(auth, world, role)
    foreign = world.cases[FOREIGN].name
    for url in ("/contacts/?from=", f"/contacts/week?start={DAY.isoformat()}",
                f"/contacts/week?start={DAY.isoformat()}&by=worker"):
        html = text(client.get(url))
        if role == "reader":
            continue  # reading rights to every case: may see it
        assert foreign not in html, url
        assert world.relatives[FOREIGN].person.last_name not in html


def test_caregiver_never_sees_visitors_or_other_families(client, auth, world):
    sign_in(auth, world, "caregiver")
    for url in ("/contacts/my", "/my", f"/contacts/my/{world.planned[OWN].id}/cannot-come"):
        html = text(client.get(url))
        if url == "/my":  # "My family" lists the members by name; the contacts section must not
            html = html[html.index('id="family-contacts"'):]
            html = html[:html.index("</section>")]
            assert "Blue" in html  # the panel shows the upcoming contact
        assert world.relatives[OWN].person.last_name not in html, url
        assert world.relatives[OWN].person.first_name not in html, url
        assert world.cases[FOREIGN].name not in html


def test_feed_token_of_another_account_shows_only_theirs(client, auth, world):
    """A token works for its owner's calendar only; guessing or reusing an old one fails."""
    from models import contact_rules

    with client.application.app_context():
        own = contact_rules.new_feed_token(world.users["caregiver"])
        other = contact_rules.new_feed_token(world.users["other_caregiver"])
    own_body, other_body = text(client.get(f"/contacts/feed/{own}.ics")), text(client.get(f"/contacts/feed/{other}.ics"))
    assert f"contact-{world.planned[OWN].id}@opora" in own_body
    assert f"contact-{world.planned[FOREIGN].id}@opora" not in own_body
    assert f"contact-{world.planned[FOREIGN].id}@opora" in other_body
    assert client.get(f"/contacts/feed/{own[:-2]}.ics").status_code == 404
