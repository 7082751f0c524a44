"""End-to-end: a caregiver sees only their own family, in Czech and in Polish; and axe-core
finds no violations on the staff and admin pages of case records (caseload, conflicts of
interest, audit log, notifications, account editing)."""
import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_organisation, make_user
from tests.families import make_family


def sign_in(page, email, home):
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(home + "$"))


@pytest.mark.parametrize(
    ("locale", "country", "lang", "title", "welcome", "change", "phone"),
    [("cs-CZ", "cz", "cs", "Moje rodina", "Vítejte", "Změnit kontaktní údaje", "Telefon"),
     ("pl-PL", "pl", "pl", "Moja rodzina", "Witamy", "Zmień dane kontaktowe", "Telefon")],
)
def test_caregiver_sees_only_their_family(app, page_factory, assert_no_axe_violations, locale, country, lang, title,
                                          welcome, change, phone):
    """Does a caregiver see their own family and key worker, and nothing of another family
    or of what is meant for staff only?"""
    make_organisation(country=country)
    mine = make_family(tag="A")
    other = make_family(tag="B")
    page = page_factory(locale)
    sign_in(page, mine.user.email, "/my")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page).to_have_title(re.compile(title))
    expect(page.get_by_role("heading", level=1)).to_contain_text(welcome)
    body = page.locator("main")
    expect(body).to_contain_text("Family A")
    expect(body).to_contain_text(mine.key_worker.full_name)
    html = page.content()
    assert "Family B" not in html
    for secret in [*mine.secrets.values(), *other.secrets.values()]:
        assert secret not in html, secret
    assert_no_axe_violations(page)
    # Their own contact details are shown as text; the form opens in place, filled in.
    details = page.locator("#contact-details")
    expect(details).to_contain_text(mine.caregiver.email)
    page.get_by_role("link", name=change).click()
    expect(page.get_by_label(phone, exact=True)).to_have_value(mine.caregiver.phone)
    expect(page).to_have_url(re.compile("/my$"))  # swapped in, not a new page
    assert_no_axe_violations(page)
    # The staff pages stay closed to a caregiver, whatever the URL.
    response = page.goto(f"/cases/{mine.case.id}")
    assert response.status == 403
    response = page.goto(f"/cases/{other.case.id}")
    assert response.status == 403


@pytest.mark.parametrize("locale", ["cs-CZ", "pl-PL"])
def test_staff_and_admin_pages_have_no_axe_violations(app, page_factory, assert_no_axe_violations, locale):
    """Do the caseload, conflicts, notifications, audit and account pages pass axe-core?"""
    make_organisation(country="cz" if locale == "cs-CZ" else "pl")
    family = make_family(tag="A")
    admin = make_user("admin", full_name="Alena Správcová")
    staff_page = page_factory(locale)
    sign_in(staff_page, family.key_worker.email, "/staff")
    for url in ["/staff", "/caseload/", "/conflicts/", "/notifications/", f"/cases/{family.case.id}/history"]:
        staff_page.goto(url)
        expect(staff_page.locator("main h1")).to_be_visible()
        assert_no_axe_violations(staff_page)
    admin_page = page_factory(locale)
    sign_in(admin_page, admin.email, "/staff")
    for url in ["/caseload/all", "/conflicts/all", "/audit/", "/admin/users", f"/admin/users/{family.key_worker.id}/edit",
                "/admin/organisation"]:
        admin_page.goto(url)
        expect(admin_page.locator("main h1")).to_be_visible()
        assert_no_axe_violations(admin_page)
