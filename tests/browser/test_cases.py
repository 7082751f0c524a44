"""End-to-end: a staff member keeps a family's records, in Czech and in Polish.

Signs in, opens a new case, adds two caregivers and a child inline (htmx, without leaving
the case page), adds the child's relative, finds the family by typing in the search box
and opens it; axe-core checks the case list, case page, new-case form, person page and
history page.

Elements are found by id or name (the translations are being completed in parallel), and
the data is created in the app context before the browser opens a page: the live server
runs the same app on the same database file.
"""
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from models import Case, Member, MemberRole, Person
from tests.factories import PASSWORD, make_case, make_organisation, make_user


@dataclass
class Family:
    """What the staff member enters in one country."""

    locale: str
    lang: str
    country: str
    staff: str
    case_type: str
    name: str
    search: str  # typed into the search box: part of the name without diacritics
    decoy: str  # another family of the same staff member, not matching the search
    caregivers: tuple
    child: tuple
    relative: tuple  # (first, last, born, relation)


FAMILIES = [
    Family(
        locale="cs-CZ", lang="cs", country="cz", staff="Jana Dvořáková", case_type="cz_foster",
        name="Novákovi", search="novakov", decoy="Svobodovi",
        caregivers=(("Petr", "Novák", "1979-04-12"), ("Lenka", "Nováková", "1981-09-03")),
        child=("Tomáš", "Horák", "2014-06-20"),
        relative=("Věra", "Horáková", "1960-11-11", "babička"),
    ),
    Family(
        locale="pl-PL", lang="pl", country="pl", staff="Katarzyna Nowak", case_type="pl_assistant",
        name="Rodzina Wiśniewskich", search="wisniewsk", decoy="Rodzina Mazurów",
        caregivers=(("Ewa", "Wiśniewska", "1990-02-02"), ("Jan", "Wiśniewski", "1988-05-05")),
        child=("Szymon", "Zieliński", "2017-03-03"),
        relative=("Marta", "Zielińska", "1962-06-06", "babcia"),
    ),
]


def sign_in(page, email):
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff$"))


def add_member(page, role, first, last, born, child=None, relation=None, placed_on=None):
    """Fill the inline add-member form on the case page and wait for the new row."""
    members = page.locator("#members")
    form = members.locator("#member-add form")
    if not form.count():
        members.locator("#member-add a").click()  # htmx swaps the form in and focuses it
        expect(form.locator("#role")).to_be_focused()
    form.locator("#role").select_option(role)
    if child:
        form.locator("#child").select_option(label=child)
    if relation:
        form.locator("#relation").fill(relation)
    form.locator("#first_name").fill(first)
    form.locator("#last_name").fill(last)
    form.locator("#date_of_birth").fill(born)
    if placed_on:
        form.locator("#placed_on").fill(placed_on)
    form.locator("button.button--primary").click()
    expect(page.locator("#members .member__name", has_text=f"{first} {last}")).to_be_visible()


@pytest.mark.parametrize("family", FAMILIES, ids=[f.locale for f in FAMILIES])
def test_record_family_inline_then_find_it_by_search(app, page_factory, assert_no_axe_violations, family):
    """Can a staff member open a case, add its members inline and find it again, accessibly?"""
    make_organisation(country=family.country, default_language=family.lang)
    staff = make_user("staff", full_name=family.staff)
    decoy = make_case(key_worker=staff, name=family.decoy)

    page = page_factory(family.locale)
    sign_in(page, staff.email)
    expect(page.locator("html")).to_have_attribute("lang", family.lang)

    # The list, then the new-case form.
    page.goto("/cases/")
    expect(page.locator(f'#case-results a[href="/cases/{decoy.id}"]')).to_be_visible()
    assert_no_axe_violations(page)
    page.locator('main a[href="/cases/new"]').click()
    expect(page).to_have_url(re.compile(r"/cases/new$"))
    expect(page.locator("#key_worker")).to_have_value(str(staff.id))  # proposed: the user
    assert_no_axe_violations(page)

    page.locator("#name").fill(family.name)
    page.locator("#case_type").select_option(family.case_type)
    page.locator("#opened_on").fill("2025-02-01")
    if family.country == "cz":
        page.locator("#agreement_date").fill("2025-02-01")
        page.locator('input[name="new_rules"][value="1"]').check()
    else:
        page.locator("#consent_date").fill("2025-01-20")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("h1")).to_have_text(family.name)
    case = Case.get(Case.name == family.name)
    assert case.key_worker_id == staff.id and case.case_type == family.case_type

    # Members are added in place: the page is not reloaded (the marker survives).
    page.evaluate("window.__sameDocument = true")
    for first, last, born in family.caregivers:
        add_member(page, "caregiver", first, last, born)
    child_first, child_last, child_born = family.child
    add_member(page, "child", child_first, child_last, child_born, placed_on="2020-09-01")
    rel_first, rel_last, rel_born, relation = family.relative
    add_member(page, "relative", rel_first, rel_last, rel_born,
               child=f"{child_first} {child_last}", relation=relation)
    assert page.evaluate("window.__sameDocument") is True
    expect(page).to_have_url(re.compile(rf"/cases/{case.id}$"))
    relative_row = page.locator("#members .member", has_text=f"{rel_first} {rel_last}")
    expect(relative_row).to_contain_text(relation)
    expect(relative_row).to_contain_text(f"{child_first} {child_last}")
    assert_no_axe_violations(page)

    members = {(m.person.full_name, m.role) for m in Member.select().where(Member.case == case)}
    assert members == {
        *((f"{first} {last}", MemberRole.CAREGIVER) for first, last, _born in family.caregivers),
        (f"{child_first} {child_last}", MemberRole.CHILD),
        (f"{rel_first} {rel_last}", MemberRole.RELATIVE),
    }
    relative = Member.get((Member.case == case) & (Member.role == MemberRole.RELATIVE))
    assert relative.child.person.first_name == child_first

    # The relative's own page.
    relative_row.locator("a.member__name").click()
    expect(page).to_have_url(re.compile(rf"/people/{relative.person_id}$"))
    expect(page.locator("h1")).to_have_text(f"{rel_first} {rel_last}")
    expect(page.locator(f'main a[href="/cases/{case.id}"]')).to_be_visible()
    assert_no_axe_violations(page)

    # Find the family by typing (htmx as you type: only the results change).
    page.goto("/cases/")
    results = page.locator("#case-results")
    expect(results.locator(f'a[href="/cases/{decoy.id}"]')).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    page.locator("#q").press_sequentially(family.search, delay=40)
    expect(results.locator(f'a[href="/cases/{decoy.id}"]')).to_have_count(0)
    expect(results.locator(f'a[href="/cases/{case.id}"]')).to_have_text(family.name)
    expect(page).to_have_url(re.compile(rf"q={family.search}"))
    assert page.evaluate("window.__sameDocument") is True
    assert_no_axe_violations(page)

    # A member's name finds the family too.
    page.locator("#q").fill(child_last.lower())
    expect(results.locator(f'a[href="/cases/{case.id}"]')).to_be_visible()
    page.locator("#q").fill(family.search)
    results.locator(f'a[href="/cases/{case.id}"]').click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.id}$"))
    expect(page.locator("h1")).to_have_text(family.name)

    # Its history lists what was done.
    page.goto(f"/cases/{case.id}/history")
    expect(page.locator("#history-entries")).to_contain_text(f"{rel_first} {rel_last}")
    expect(page.locator("#history-entries")).not_to_contain_text(family.decoy)
    assert_no_axe_violations(page)
    assert Person.select().where(Person.first_name == rel_first).count() == 1


@pytest.mark.parametrize("family", FAMILIES, ids=[f.locale for f in FAMILIES])
def test_edit_member_inline_replaces_only_its_row(app, page_factory, assert_no_axe_violations, family):
    """Does the inline edit replace only the member's row, and a person's edit land on their page?"""
    from tests.factories import make_member, make_person

    make_organisation(country=family.country, default_language=family.lang)
    staff = make_user("staff", full_name=family.staff)
    case = make_case(key_worker=staff, name=family.name)
    first, last, born = family.caregivers[0]
    member = make_member(case, make_person(first, last))
    other = make_member(case, make_person(*family.caregivers[1][:2]))

    page = page_factory(family.locale)
    sign_in(page, staff.email)
    page.goto(f"/cases/{case.id}")
    page.evaluate("window.__sameDocument = true")

    # The row turns into a form in place ...
    page.locator(f'#member-{member.id} a[href$="/members/{member.id}/edit"]').click()
    row = page.locator(f"#member-{member.id}")
    edit_form = row.locator(f'form[action$="/members/{member.id}/edit"]')
    expect(edit_form).to_be_visible()
    expect(page.locator("section#members")).to_have_count(1)
    assert_no_axe_violations(page)
    edit_form.locator('input[name$="phone"]').fill("+420 601 234 567")
    edit_form.locator("button.button--primary").click()

    # ... and back into a row; the rest of the page is untouched.
    expect(page.locator(f'form[action$="/members/{member.id}/edit"]')).to_have_count(0)
    expect(page.locator(f"#member-{member.id}")).to_contain_text("+420 601 234 567")
    expect(page.locator("section#members")).to_have_count(1)
    expect(page.locator(f"#member-{other.id}")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True
    assert Person.get_by_id(member.person_id).phone == "+420 601 234 567"

    # The person's own edit form returns to the person's page, as one page.
    page.goto(f"/people/{member.person_id}/edit")
    assert_no_axe_violations(page)
    page.locator("#address").fill("Lipová 12")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/people/{member.person_id}$"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(f"{first} {last}")
    expect(page.locator("#person-form")).to_have_count(0)
    assert Person.get_by_id(member.person_id).address == "Lipová 12"
