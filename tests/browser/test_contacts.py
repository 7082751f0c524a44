"""End-to-end: assisted contacts in Czech and in Polish.

A staff member schedules a contact from the family's page, sees a live conflict message
while filling the form (the room is booked), moves the time until the checks are clear,
saves, confirms, marks it held and records its outcome. A caregiver says "we cannot come"
and the staff member sees it and confirms the cancellation. axe-core checks every new page.

Elements are found by id, name or value (the texts are translated in parallel); the data is
created before the browser opens a page (the live server shares the database file).
"""
import datetime
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from models import MemberRole
from models.contacts import Contact, ContactStatus
from tests.contact_factories import make_contact, make_room
from tests.factories import PASSWORD, make_case, make_member, make_organisation, make_person, make_user


@dataclass
class Setting:
    locale: str
    lang: str
    country: str
    timezone: str
    staff: str
    family: str
    room: str
    caregiver: tuple
    child: tuple
    relative: tuple


SETTINGS = [
    Setting("cs-CZ", "cs", "cz", "Europe/Prague", "Jana Nováková", "Dvořákovi", "Modrá místnost",
            ("Petr", "Dvořák"), ("Tomáš", "Horák"), ("Věra", "Horáková")),
    Setting("pl-PL", "pl", "pl", "Europe/Warsaw", "Katarzyna Nowak", "Rodzina Kowalskich", "Pokój niebieski",
            ("Anna", "Kowalska"), ("Julia", "Zielińska"), ("Marta", "Zielińska")),
]


def sign_in(page, email, home):
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(home))


def build(setting):
    """Organisation, staff, a family with caregiver (with an account), child and relative,
    a room, and a day next week on which another family has the room 10:00–11:00."""
    make_organisation(country=setting.country, default_language=setting.lang, timezone=setting.timezone)
    staff = make_user("staff", full_name=setting.staff)
    account = make_user("caregiver", full_name=" ".join(setting.caregiver))
    case = make_case(key_worker=staff, name=setting.family)
    caregiver = make_member(case, make_person(*setting.caregiver, account=account), MemberRole.CAREGIVER)
    child = make_member(case, make_person(*setting.child), MemberRole.CHILD)
    relative = make_member(case, make_person(*setting.relative), MemberRole.RELATIVE, child=child, relation="—")
    room = make_room(setting.room, buffer_minutes=15, address="Lipová 12")
    today = datetime.date.today()
    day = today + datetime.timedelta(days=(1 - today.weekday()) % 7 + 7)  # a Tuesday next week or later
    from models.contact_rules import org_zone, to_utc

    zone = org_zone()
    other = make_case(name="Other family")
    make_contact(other, to_utc(datetime.datetime.combine(day, datetime.time(10)), zone),
                 to_utc(datetime.datetime.combine(day, datetime.time(11)), zone), room=room)
    return staff, account, case, caregiver, child, relative, room, day


def changed(locator, value):
    """Fill a field and leave it, so the form's change event (and the live checks) fire."""
    locator.fill(value)
    locator.dispatch_event("change")


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.locale for s in SETTINGS])
def test_schedule_with_live_conflict_confirm_and_record_outcome(app, page_factory, assert_no_axe_violations,
                                                                setting):
    staff, _account, case, _caregiver, _child, relative, room, day = build(setting)
    page = page_factory(setting.locale)
    sign_in(page, staff.email, r"/staff$")
    expect(page.locator("#today-contacts")).to_be_visible()

    page.goto(f"/cases/{case.id}")
    expect(page.locator("#contacts")).to_be_visible()
    page.locator("#schedule-contact").click()
    expect(page).to_have_url(re.compile(rf"/contacts/new\?case={case.id}$"))
    expect(page.locator("html")).to_have_attribute("lang", setting.lang)
    assert_no_axe_violations(page)

    page.locator(f'input[name="visitors"][value="{relative.id}"]').check()
    page.locator("#room").select_option(str(room.id))
    changed(page.locator("#day"), day.isoformat())
    changed(page.locator("#start_time"), "10:30")
    changed(page.locator("#end_time"), "11:30")
    checks = page.locator("#contact-checks")
    # The room is booked by another family: a refusal with its reason, without their name.
    expect(checks.locator(".check--error")).to_contain_text(setting.room)
    expect(checks).not_to_contain_text("Other family")
    assert_no_axe_violations(page)
    # The visitors arrive 15 minutes early: 11:00 + 15 minutes buffer is still too close.
    changed(page.locator("#start_time"), "11:10")
    changed(page.locator("#end_time"), "12:10")
    changed(page.locator("#arrive_before"), "15")
    expect(checks.locator(".check--error")).to_contain_text(setting.room)
    changed(page.locator("#start_time"), "11:30")
    changed(page.locator("#end_time"), "12:30")
    expect(checks.locator(".check--ok")).to_be_visible()
    expect(checks.locator(".check--error")).to_have_count(0)

    page.locator("#schedule-button").click()
    expect(page).to_have_url(re.compile(r"/contacts/\d+$"))
    contact = Contact.get(Contact.case == case)
    assert contact.visitors_arrive_before == 15 and contact.room_id == room.id
    assert_no_axe_violations(page)

    page.locator("#confirm-contact").click()
    expect(page.locator("#lifecycle .contact-status--confirmed")).to_be_visible()
    assert Contact.get_by_id(contact.id).status == ContactStatus.CONFIRMED

    # Time passes: the contact took place.
    past = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0) - datetime.timedelta(hours=3)
    Contact.update(starts_at=past, ends_at=past + datetime.timedelta(hours=1), span_start=past,
                   span_end=past + datetime.timedelta(hours=1)).where(Contact.id == contact.id).execute()
    page.reload()
    page.locator("#held-contact").click()
    expect(page.locator("#lifecycle .contact-status--held")).to_be_visible()
    page.locator("#record-outcome").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact.id}/outcome$"))
    assert_no_axe_violations(page)
    page.locator("#actual_minutes").fill("55")
    page.locator("#child_view").fill("Chce babičku vidět znovu." if setting.lang == "cs" else "Chce znowu się spotkać.")
    page.locator("#summary").fill("Klidné setkání." if setting.lang == "cs" else "Spokojne spotkanie.")
    page.locator("#summary_shared").check()
    page.locator("#save-outcome").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact.id}$"))
    stored = Contact.get_by_id(contact.id)
    assert stored.actual_minutes == 55 and stored.summary_shared
    assert_no_axe_violations(page)

    # The other contacts pages.
    for url in (f"/contacts/week?start={day.isoformat()}", f"/contacts/week?start={day.isoformat()}&by=worker",
                "/contacts/?from=", "/contacts/rooms", "/contacts/calendar-feed", f"/contacts/orders/{case.id}",
                "/contacts/new"):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_no_axe_violations(page)
    # Moving between weeks swaps only the calendar (htmx), and the URL follows.
    page.goto(f"/contacts/week?start={day.isoformat()}")
    page.evaluate("window.__sameDocument = true")
    page.locator(".week-nav a").first.click()
    previous = day - datetime.timedelta(days=7 + day.weekday())
    expect(page).to_have_url(re.compile(rf"start={previous.isoformat()}"))
    assert page.evaluate("window.__sameDocument") is True


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.locale for s in SETTINGS])
def test_caregiver_cannot_come_and_staff_see_it(app, page_factory, assert_no_axe_violations, setting):
    staff, account, case, caregiver, child, relative, room, day = build(setting)
    from models.contact_rules import org_zone, to_utc

    zone = org_zone()
    contact = make_contact(case, to_utc(datetime.datetime.combine(day, datetime.time(14)), zone),
                           to_utc(datetime.datetime.combine(day, datetime.time(15)), zone), room=room,
                           workers=[staff], children=[child], visitors=[relative], caregivers=[caregiver])

    page = page_factory(setting.locale)
    sign_in(page, account.email, r"/my$")
    panel = page.locator("#family-contacts")
    expect(panel).to_contain_text(setting.room)
    expect(panel).not_to_contain_text(setting.relative[0])
    assert_no_axe_violations(page)
    panel.locator('a[href="/contacts/my"]').click()
    expect(page).to_have_url(re.compile(r"/contacts/my$"))
    expect(page.locator("main")).not_to_contain_text(" ".join(setting.relative))
    assert_no_axe_violations(page)
    page.locator(f'a[href="/contacts/my/{contact.id}/cannot-come"]').click()
    assert_no_axe_violations(page)
    page.locator("#send-cannot-come").click()  # no reason: refused, stays
    expect(page.locator("#reason-error")).to_be_visible()
    page.locator("#reason").fill("Tomáš má horečku." if setting.lang == "cs" else "Julia ma gorączkę.")
    page.locator("#send-cannot-come").click()
    expect(page).to_have_url(re.compile(r"/contacts/my$"))
    expect(page.locator(f"#contact-{contact.id} .notice")).to_be_visible()
    assert Contact.get_by_id(contact.id).status == ContactStatus.CANCELLATION_REQUESTED

    staff_page = page_factory(setting.locale)
    sign_in(staff_page, staff.email, r"/staff$")
    expect(staff_page.locator(".notifications-link .badge")).to_be_visible()
    staff_page.goto(f"/contacts/{contact.id}")
    notice = staff_page.locator("#lifecycle .notice")
    expect(notice).to_contain_text("horečku" if setting.lang == "cs" else "gorączkę")
    assert_no_axe_violations(staff_page)
    notice.locator('button[value="confirm_cancellation"]').click()
    expect(staff_page.locator("#lifecycle .contact-status--cancelled")).to_be_visible()
    stored = Contact.get_by_id(contact.id)
    assert (stored.status, stored.cancelled_by) == ("cancelled", "caregiver")


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.locale for s in SETTINGS])
def test_admin_rooms_and_settings(app, page_factory, assert_no_axe_violations, setting):
    """An administrator adds a room, edits it and changes the working hours, accessibly."""
    make_organisation(country=setting.country, default_language=setting.lang, timezone=setting.timezone)
    admin = make_user("admin")
    page = page_factory(setting.locale)
    sign_in(page, admin.email, r"/staff$")
    page.goto("/contacts/rooms")
    assert_no_axe_violations(page)
    page.locator("#name").fill(setting.room)
    page.locator("#capacity").fill("5")
    page.locator("#buffer_minutes").fill("20")
    page.locator('form[action="/contacts/rooms"] button[type=submit]').click()
    expect(page.locator("main table")).to_contain_text(setting.room)
    page.locator("main table a").first.click()
    expect(page).to_have_url(re.compile(r"/contacts/rooms/\d+/edit$"))
    assert_no_axe_violations(page)
    page.locator("#buffer_minutes").fill("25")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/contacts/rooms$"))
    expect(page.locator("main table")).to_contain_text("25")
    page.locator("#day_end").fill("17:00")
    page.locator('form[action="/contacts/settings"] button[type=submit]').click()
    expect(page.locator("main .hint").first).to_contain_text("17:00")
