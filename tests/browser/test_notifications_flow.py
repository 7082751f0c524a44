"""In the browser, with htmx and CSRF on: a caregiver changes their contact details (the
form swaps itself), the key worker's badge counts the notification and drops when it is
marked read, and the key worker invites a second caregiver (the link shown in the row)."""
import re

from playwright.sync_api import expect

from models import MemberRole
from tests.factories import PASSWORD, make_member, make_person
from tests.families import make_family


def sign_in_en(page, email):
    page.goto("/auth/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_contact_change_notification_and_invite(app, page_factory, assert_no_axe_violations):
    family = make_family(tag="A")
    partner = make_person("Karel", "CarerA", email="karel.a@example.org")
    make_member(family.case, partner, MemberRole.CAREGIVER)

    # The caregiver changes their phone: the form opens and answers in place, no page load.
    carer = page_factory("en-GB")
    sign_in_en(carer, family.user.email)
    expect(carer.get_by_role("heading", name="Family A")).to_be_visible()
    assert_no_axe_violations(carer)
    carer.get_by_role("link", name="Change my contact details").click()
    carer.get_by_label("Phone").fill("+420 731 222 333")
    assert_no_axe_violations(carer)
    carer.get_by_role("button", name="Save my contact details").click()
    expect(carer.locator("#contact-details [role=status]")).to_contain_text("Your contact details have been saved.")
    expect(carer.locator("main")).to_have_count(1)
    expect(carer.locator("#contact-details dd").first).to_have_text("+420 731 222 333")
    # An invalid e-mail: the error beside the field, which gets the focus.
    carer.get_by_role("link", name="Change my contact details").click()
    carer.get_by_label("E-mail").fill("not an e-mail")
    carer.get_by_role("button", name="Save my contact details").click()
    expect(carer.get_by_label("E-mail")).to_have_attribute("aria-invalid", "true")
    expect(carer.get_by_label("E-mail")).to_be_focused()

    # The key worker sees one unread notification in the header, marks it read: the row
    # and the badge change without a page load.
    worker = page_factory("en-GB")
    sign_in_en(worker, family.key_worker.email)
    badge = worker.locator("#notification-badge")
    expect(badge).to_contain_text("1 unread")
    worker.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(worker.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    expect(worker.locator(".notification--unread")).to_have_count(1)
    assert_no_axe_violations(worker)
    worker.get_by_role("button", name=re.compile("^Mark as read")).click()
    expect(worker.locator(".notification--unread")).to_have_count(0)
    expect(badge).not_to_contain_text("unread")

    # Opening it goes to the case, where the key worker invites the second caregiver.
    worker.get_by_role("link", name=re.compile("Jana CarerA")).click()
    expect(worker.get_by_role("heading", level=1, name="Family A")).to_be_visible()
    worker.get_by_role("button", name="Invite to the portal – Karel CarerA").click()
    secret = worker.locator("code.secret")
    expect(secret).to_contain_text("/auth/set-password/")
    expect(worker.locator("main")).to_have_count(1)
    expect(worker.get_by_role("button", name=re.compile("^Invite to the portal"))).to_have_count(0)
