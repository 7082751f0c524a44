"""End-to-end: training hours in Czech and in Polish.

Staff create a training through the form, a caregiver signs up (asking for babysitting),
the training takes place (moved into the past in the database), staff record attendance
inline, and the caregiver's progress bar moves. axe-core checks every education page on
the way. Elements are found by id, name or URL, not by translated text.
"""
import datetime
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from models.education import EducationSettings, Registration, TrainingEvent
from tests.factories import PASSWORD, make_organisation, make_user
from tests.families import make_family


@dataclass
class Setting:
    locale: str
    lang: str
    country: str
    staff: str
    title: str
    target_minutes: int | None  # the organisation's own target (Polish organisations set one)
    required: int  # minutes the caregiver needs


SETTINGS = [
    Setting("cs-CZ", "cs", "cz", "Jana Nováková", "Vazba a trauma u dětí v pěstounské péči", None, 24 * 60),
    Setting("pl-PL", "pl", "pl", "Katarzyna Nowak", "Więź i trauma u dzieci w pieczy zastępczej", 10 * 60, 10 * 60),
]


def sign_in(page, email, landing):
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(landing))


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.locale for s in SETTINGS])
def test_training_sign_up_attendance_and_progress(app, page_factory, assert_no_axe_violations, setting):
    """Staff create a training, a caregiver signs up, attendance moves the caregiver's progress bar."""
    make_organisation(country=setting.country, default_language=setting.lang)
    if setting.target_minutes:
        EducationSettings.update(standard_minutes=setting.target_minutes).execute()  # the one row
    staff = make_user("staff", full_name=setting.staff)
    family = make_family(key_worker=staff, agreement_date=datetime.date.today() - datetime.timedelta(days=60))

    # Staff: the training list from the menu, then the new-training form.
    page = page_factory(setting.locale)
    sign_in(page, staff.email, r"/staff$")
    page.locator('.main-nav a[href="/education/events"]').click()
    expect(page).to_have_url(re.compile(r"/education/events$"))
    expect(page.locator("html")).to_have_attribute("lang", setting.lang)
    assert_no_axe_violations(page)
    page.locator('main a[href="/education/events/new"]').click()
    expect(page).to_have_url(re.compile(r"/education/events/new$"))
    assert_no_axe_violations(page)

    start = (datetime.datetime.now() + datetime.timedelta(days=14)).replace(hour=9, minute=0, second=0, microsecond=0)
    page.locator("#title").fill(setting.title)
    page.locator("#topic").fill("Attachment")
    page.locator("#starts_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#ends_at").fill((start + datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#duration").fill("0")  # refused, then corrected
    page.locator("#place").fill("Pardubice, Lipová 12")
    page.locator("#capacity").fill("12")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#duration-error")).to_be_visible()
    expect(page.locator("#title")).to_have_value(setting.title)
    assert_no_axe_violations(page)
    page.locator("#duration").fill("3.5")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/education/events/\d+$"))
    event = TrainingEvent.get(TrainingEvent.title == setting.title)
    assert event.duration_minutes == 210
    assert_no_axe_violations(page)
    # The registration form loads in place (htmx) and is accessible too.
    page.locator(f'#registrations a[href="/education/events/{event.id}/register"]').click()
    expect(page.locator("#registrations select#person")).to_be_visible()
    assert_no_axe_violations(page)

    # Caregiver: the progress bar at zero, the list of trainings, signing up.
    carer = page_factory(setting.locale)
    sign_in(carer, family.user.email, r"/my$")
    bar = carer.locator("#education progress")
    expect(bar).to_have_attribute("value", "0")
    expect(bar).to_have_attribute("max", str(setting.required))
    assert_no_axe_violations(carer)
    carer.locator('#education a[href="/education/my/events"]').click()
    expect(carer).to_have_url(re.compile(r"/education/my/events$"))
    assert_no_axe_violations(carer)
    card = carer.locator(f"#event-{event.id}")
    card.locator(f"#babysitting-{event.id}").check()
    card.locator(f"#babysitting_note-{event.id}").fill("Tomáš 9–13")
    card.locator("button.button--primary").click()
    expect(carer.locator(".flash--success")).to_be_visible()
    expect(carer.locator(f'#event-{event.id} form[action$="/cancel"]')).to_be_visible()
    registration = Registration.get(Registration.event == event)
    assert registration.person_id == family.caregiver.id and registration.babysitting
    carer.goto("/education/my")
    assert_no_axe_violations(carer)

    # The training takes place.
    TrainingEvent.update(starts_at=datetime.datetime.now() - datetime.timedelta(hours=5),
                         ends_at=datetime.datetime.now() - datetime.timedelta(hours=1)).where(
        TrainingEvent.id == event.id).execute()

    # Staff record attendance inline: only the registrations section is replaced.
    page.goto(f"/education/events/{event.id}")
    row = page.locator(f"#registration-{registration.id}")
    expect(row).to_contain_text("Tomáš 9–13")
    page.evaluate("window.__sameDocument = true")
    row.locator(f'input[name="r{registration.id}-attendance"][value="attended"]').check()
    row.locator(f"#r{registration.id}-hours").fill("3")
    row.locator("button[type=submit]").click()
    expect(page.locator(f"#registration-{registration.id} .edu-saved")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    assert Registration.get_by_id(registration.id).attended_minutes == 180
    assert_no_axe_violations(page)

    # The other staff pages of the area.
    page.locator(f'#registration-{registration.id} a[href="/education/people/{family.caregiver.id}"]').click()
    expect(page).to_have_url(re.compile(rf"/education/people/{family.caregiver.id}$"))
    expect(page.locator("#education-records progress")).to_have_attribute("value", "180")
    assert_no_axe_violations(page)
    for url in (f"/education/people/{family.caregiver.id}/statement", f"/education/events/{event.id}/sheet",
                "/education/at-risk", "/education/events?when=past", f"/cases/{family.case.id}"):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_no_axe_violations(page)

    # The caregiver's progress bar has moved.
    carer.goto("/my")
    expect(carer.locator("#education progress")).to_have_attribute("value", "180")
    carer.goto("/education/my/statement")
    expect(carer.locator("main")).to_contain_text(setting.title)
    assert_no_axe_violations(carer)


def test_admin_education_figures_page_is_accessible(app, page_factory, assert_no_axe_violations):
    """Is the administrators' page of education figures accessible, and does a save apply?"""
    make_organisation(country="pl", default_language="pl")
    admin = make_user("admin")
    page = page_factory("pl-PL")
    sign_in(page, admin.email, r"/staff$")
    page.goto("/education/settings")
    assert_no_axe_violations(page)
    page.locator("#standard_hours").fill("12")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash--success")).to_be_visible()
    assert EducationSettings.current().standard_minutes == 12 * 60
