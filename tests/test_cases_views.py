"""Case records through the web: creating and editing a family, its members (inline with
htmx and without JavaScript), possible duplicates, a child's contact restrictions, the
case list, concurrent edits, and the number of SQL queries each page runs."""
import datetime
import json
import logging
import re
from html import unescape

import pytest

from models import (
    AuditEntry,
    Case,
    CaseStatus,
    CaseType,
    ExcludedPerson,
    KeyWorkerAssignment,
    Member,
    MemberRole,
    Person,
    TeamMember,
)

from .conftest import HX
from .factories import make_case, make_member, make_organisation, make_person, make_user, removal_data
from .helpers import field_error, hidden_fields, input_value, location_path, text

TODAY = datetime.date.today()
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


@pytest.fixture
def staff(auth):
    """A signed-in staff member."""
    return auth.as_role("staff", full_name="Jana Nováková")


def case_form(**changes):
    """A valid Czech case form (agreement signed in 2024, old rules), with ``changes``."""
    data = {
        "name": "Dvořákovi",
        "case_type": CaseType.CZ_FOSTER,
        "status": CaseStatus.ACTIVE,
        "opened_on": "2024-03-01",
        "closed_on": "",
        "monitoring_until": "",
        "agreement_date": "2024-03-01",
        "new_rules": "0",
        "mediated": "1",
        "consent_date": "",
        "referral_approved_on": "",
        "notes": "",
    }
    data.update(changes)
    return data


def edit_form(case, **changes):
    """The edit form of ``case`` as loaded (its stored values and version), with ``changes``."""
    data = case_form(
        name=case.name,
        case_type=case.case_type,
        status=case.status,
        opened_on=case.opened_on.isoformat(),
        agreement_date=case.agreement_date.isoformat() if case.agreement_date else "",
        new_rules="1" if case.new_rules else "0",
        version=str(case.version),
    )
    data.update(changes)
    return data


def member_form(**changes):
    data = {
        "role": MemberRole.CAREGIVER,
        "child": "0",
        "relation": "",
        "first_name": "Petr",
        "last_name": "Dvořák",
        "date_of_birth": "1979-04-12",
        "placed_on": "",
        "phone": "",
        "email": "",
        "address": "",
        "staff_notes": "",
    }
    data.update(changes)
    return data


def person_form(person, **changes):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "staff_notes": person.staff_notes,
        "relation": "",
        "placed_on": "",
    }
    data.update(changes)
    return data


def loaded_version(response):
    """The version a form was loaded at (its hidden field)."""
    assert response.status_code == 200, response.status_code
    value = input_value(text(response), "version")
    assert value is not None, "the form carries no version"
    return value


def listed_case_ids(html):
    """Ids of the cases in the result table, in order."""
    return [int(i) for i in re.findall(r'<td><a href="/cases/(\d+)">', html)]


def triggers(response):
    raw = response.headers.get("HX-Trigger")
    return json.loads(raw) if raw else {}


# --- Creating a case ----------------------------------------------------------------------------


def test_create_form_prefills_staff_as_key_worker(client, staff):
    """Does the new-case form offer the Czech case type and propose the staff member?"""
    response = client.get("/cases/new")
    html = text(response)
    assert response.status_code == 200
    assert 'value="cz_foster"' in html and 'value="pl_assistant"' not in html
    assert re.search(rf'<option selected value="{staff.id}">|<option value="{staff.id}" selected>', html)


def test_create_form_polish_profile_offers_polish_types(client, auth):
    """Does a Polish organisation get the assistant and coordinator case types only?"""
    make_organisation(country="pl")
    auth.as_role("staff")
    html = text(client.get("/cases/new"))
    assert 'value="pl_assistant"' in html and 'value="pl_foster"' in html
    assert 'value="cz_foster"' not in html


def test_create_czech_case_saved_with_key_worker(client, staff):
    """Does a valid Czech case get saved with its key worker, hand-over and audit entry?"""
    response = client.post("/cases/new", data=case_form(key_worker=staff.id, notes="Visits every 2 months"))
    case = Case.get(Case.name == "Dvořákovi")
    assert response.status_code == 303
    assert location_path(response) == f"/cases/{case.id}"
    assert (case.case_type, case.status, case.agreement_date, case.new_rules) == (
        "cz_foster", "active", datetime.date(2024, 3, 1), False)
    assert case.key_worker_id == staff.id and case.notes == "Visits every 2 months"
    assert [(a.user_id, a.ended_on) for a in case.key_worker_history] == [(staff.id, None)]
    assert AuditEntry.get((AuditEntry.action == "create") & (AuditEntry.table == "family_case")).case_id == case.id


def test_create_czech_case_without_agreement_date_refused(client, staff):
    """Is a Czech case without the date of its agreement refused, the error by the field?"""
    response = client.post("/cases/new", data=case_form(key_worker=staff.id, agreement_date=""))
    html = text(response)
    assert response.status_code == 422
    assert field_error(html, "agreement_date") == "Enter the date the agreement was signed."
    assert input_value(html, "name") == "Dvořákovi"
    assert Case.select().count() == 0


def test_create_czech_case_2025_agreement_with_old_rules_refused(client, staff):
    """Can an agreement signed in 2025 not claim the rules before 2025?"""
    response = client.post(
        "/cases/new", data=case_form(key_worker=staff.id, agreement_date="2025-02-01", new_rules="0")
    )
    assert response.status_code == 422
    assert field_error(text(response), "new_rules") == "An agreement signed from 1 January 2025 follows the new rules."
    assert Case.select().count() == 0


def test_create_czech_case_2025_agreement_new_rules_accepted(client, staff):
    """Is an agreement of 2025 under the new rules accepted and stored as such?"""
    response = client.post(
        "/cases/new",
        data=case_form(key_worker=staff.id, agreement_date="2025-02-01", opened_on="2025-02-01", new_rules="1"),
    )
    assert response.status_code == 303
    assert Case.get().new_rules is True


def test_create_polish_assistant_case_without_consent_refused(client, auth):
    """Does a Polish family-assistance case need the date of the family's consent?"""
    make_organisation(country="pl")
    staff = auth.as_role("staff")
    data = case_form(key_worker=staff.id, case_type=CaseType.PL_ASSISTANT, agreement_date="", name="Rodzina Nowaków")
    response = client.post("/cases/new", data=data)
    html = text(response)
    assert response.status_code == 422
    assert unescape(field_error(html, "consent_date")) == "Enter the date of the family's consent."
    assert input_value(html, "name") == "Rodzina Nowaków"
    assert Case.select().count() == 0


def test_create_polish_assistant_case_with_consent_saved(client, auth):
    """Is a Polish assistance case with consent saved without any agreement date?"""
    make_organisation(country="pl")
    staff = auth.as_role("staff")
    data = case_form(key_worker=staff.id, case_type=CaseType.PL_ASSISTANT, agreement_date="", consent_date="2025-01-08")
    response = client.post("/cases/new", data=data)
    case = Case.get()
    assert response.status_code == 303
    assert (case.case_type, case.consent_date, case.agreement_date) == ("pl_assistant", datetime.date(2025, 1, 8), None)


def test_create_case_type_of_other_country_refused(client, staff):
    """Is a Polish case type refused in a Czech organisation?"""
    data = case_form(key_worker=staff.id, case_type=CaseType.PL_ASSISTANT, consent_date="2025-01-08")
    response = client.post("/cases/new", data=data)
    assert response.status_code == 422
    assert field_error(text(response), "case_type")
    assert Case.select().count() == 0


def test_create_case_closure_before_start_refused(client, staff):
    """Is a closing date before the start refused beside the field, the input kept?"""
    data = case_form(key_worker=staff.id, status=CaseStatus.CLOSED, closed_on="2024-01-15")
    response = client.post("/cases/new", data=data)
    html = text(response)
    assert response.status_code == 422
    assert field_error(html, "closed_on") == "The closing date cannot be before the start."
    assert input_value(html, "closed_on") == "2024-01-15"
    assert input_value(html, "opened_on") == "2024-03-01"
    assert Case.select().count() == 0


def test_create_closed_case_without_closing_date_refused(client, staff):
    """Does a closed case need the date the work ended?"""
    response = client.post("/cases/new", data=case_form(key_worker=staff.id, status=CaseStatus.CLOSED))
    assert response.status_code == 422
    assert field_error(text(response), "closed_on") == "Enter the date the work ended."
    assert Case.select().count() == 0


def test_create_case_monitoring_without_end_date_refused(client, staff):
    """Does a case in monitoring need the date monitoring ends?"""
    data = case_form(key_worker=staff.id, status=CaseStatus.MONITORING, closed_on="2025-06-30")
    response = client.post("/cases/new", data=data)
    html = text(response)
    assert response.status_code == 422
    assert field_error(html, "monitoring_until") == "Enter the date monitoring ends."
    assert input_value(html, "closed_on") == "2025-06-30"
    assert Case.select().count() == 0


def test_create_case_start_in_future_refused(client, staff):
    """Is a start of work in the future refused?"""
    response = client.post("/cases/new", data=case_form(key_worker=staff.id, opened_on=TOMORROW.isoformat()))
    assert response.status_code == 422
    assert field_error(text(response), "opened_on") == "The date cannot be in the future."


def test_create_case_overlong_name_refused(client, staff):
    """Is a family name over 200 characters refused (and 200 accepted)?"""
    response = client.post("/cases/new", data=case_form(key_worker=staff.id, name="N" * 201))
    assert response.status_code == 422
    assert field_error(text(response), "name")
    assert Case.select().count() == 0
    assert client.post("/cases/new", data=case_form(key_worker=staff.id, name="N" * 200)).status_code == 303


def test_create_case_polish_limit_refused_for_staff(client, auth):
    """Does the form refuse a 16th Polish family for a key worker and say why?"""
    make_organisation(country="pl")
    staff = auth.as_role("staff")
    for _ in range(15):
        make_case(key_worker=staff)
    data = case_form(key_worker=staff.id, case_type=CaseType.PL_ASSISTANT, consent_date="2025-01-08", name="Rodzina 16")
    response = client.post("/cases/new", data=data)
    assert response.status_code == 422
    assert "at most 15" in text(response)
    assert not Case.select().where(Case.name == "Rodzina 16").exists()


def test_create_case_polish_limit_admin_override_accepted(client, auth):
    """May an administrator open a 16th family for a key worker with a recorded reason?"""
    make_organisation(country="pl")
    auth.as_role("admin")
    worker = make_user("staff")
    for _ in range(15):
        make_case(key_worker=worker)
    data = case_form(key_worker=worker.id, case_type=CaseType.PL_ASSISTANT, consent_date="2025-01-08",
                     name="Rodzina 16", override_reason="Colleague on sick leave")
    response = client.post("/cases/new", data=data)
    assert response.status_code == 303
    case = Case.get(Case.name == "Rodzina 16")
    assert case.key_worker_id == worker.id
    assert KeyWorkerAssignment.get(KeyWorkerAssignment.case == case).override_reason == "Colleague on sick leave"


# --- Editing a case ----------------------------------------------------------------------------


def test_edit_case_saved_and_version_increased(client, staff):
    """Does a valid edit save the new values and move the version on?"""
    case = make_case(key_worker=staff, name="Dvořákovi")
    response = client.post(f"/cases/{case.id}/edit", data=edit_form(case, name="Dvořákovi-Horákovi", notes="New"))
    stored = Case.get_by_id(case.id)
    assert response.status_code == 303 and location_path(response) == f"/cases/{case.id}"
    assert (stored.name, stored.notes, stored.version) == ("Dvořákovi-Horákovi", "New", case.version + 1)


def test_edit_case_close_keeps_dates(client, staff):
    """Can a case be closed with a closing date after its start?"""
    case = make_case(key_worker=staff)
    response = client.post(f"/cases/{case.id}/edit",
                           data=edit_form(case, status=CaseStatus.CLOSED, closed_on="2025-06-30"))
    stored = Case.get_by_id(case.id)
    assert response.status_code == 303
    assert (stored.status, stored.closed_on) == ("closed", datetime.date(2025, 6, 30))


def test_edit_case_closure_before_start_keeps_input(client, staff):
    """Is an impossible closing date refused in the edit form with the user's input kept?"""
    case = make_case(key_worker=staff, name="Dvořákovi")
    data = edit_form(case, name="Typed name", status=CaseStatus.CLOSED, closed_on="2020-01-01")
    response = client.post(f"/cases/{case.id}/edit", data=data)
    html = text(response)
    assert response.status_code == 422
    assert field_error(html, "closed_on") == "The closing date cannot be before the start."
    assert input_value(html, "name") == "Typed name"
    stored = Case.get_by_id(case.id)
    assert (stored.name, stored.status, stored.version) == ("Dvořákovi", "active", case.version)


def test_edit_case_rename_found_by_search(client, staff):
    """Is a renamed case found by its new name in the list (the search key follows)?"""
    case = make_case(key_worker=staff, name="Nováková")
    assert client.post(f"/cases/{case.id}/edit", data=edit_form(case, name="Dvořákovi")).status_code == 303
    assert listed_case_ids(text(client.get("/cases/?q=dvorakovi"))) == [case.id]
    assert listed_case_ids(text(client.get("/cases/?q=novakova"))) == []


# --- Concurrent edits --------------------------------------------------------------------------


def test_edit_case_concurrent_second_save_refused(client, staff):
    """Of two edit forms loaded at the same version, does the second save get 409 and keep the first?"""
    case = make_case(key_worker=staff, name="Dvořákovi")
    first_version = loaded_version(client.get(f"/cases/{case.id}/edit"))
    second_version = loaded_version(client.get(f"/cases/{case.id}/edit"))
    assert first_version == second_version == str(case.version)

    first = client.post(f"/cases/{case.id}/edit", data=edit_form(case, name="Saved first", version=first_version))
    second = client.post(f"/cases/{case.id}/edit",
                         data=edit_form(case, name="Saved second", notes="Mine", version=second_version))
    html = text(second)
    assert first.status_code == 303
    assert second.status_code == 409
    assert "Someone else saved" in html
    assert "Family name: Saved first" in html  # the stored values are shown
    assert input_value(html, "name") == "Saved second"  # and the user's input is kept
    assert input_value(html, "version") == str(case.version + 1)  # a re-save may replace them
    stored = Case.get_by_id(case.id)
    assert (stored.name, stored.notes, stored.version) == ("Saved first", "", case.version + 1)
    updates = AuditEntry.select().where((AuditEntry.action == "update") & (AuditEntry.case_id == case.id))
    assert [e.change_dict["name"][1] for e in updates] == ["Saved first"]


def test_edit_case_resave_after_conflict_accepted(client, staff):
    """After the refusal, does saving again from the shown form replace the stored values?"""
    case = make_case(key_worker=staff)
    client.post(f"/cases/{case.id}/edit", data=edit_form(case, name="First"))
    conflict = client.post(f"/cases/{case.id}/edit", data=edit_form(case, name="Second"))
    assert conflict.status_code == 409
    retry = client.post(f"/cases/{case.id}/edit",
                        data=edit_form(case, name="Second", version=input_value(text(conflict), "version")))
    assert retry.status_code == 303
    assert Case.get_by_id(case.id).name == "Second"


def test_edit_case_without_version_refused(client, staff):
    """Is a save that does not say which version it was based on refused, not applied blindly?"""
    case = make_case(key_worker=staff, name="Kept")
    data = edit_form(case, name="Blind")
    del data["version"]
    response = client.post(f"/cases/{case.id}/edit", data=data)
    assert response.status_code == 409
    assert Case.get_by_id(case.id).name == "Kept"


def test_edit_person_concurrent_second_save_refused(client, staff):
    """Does the person form refuse the second of two concurrent saves with 409?"""
    case = make_case(key_worker=staff)
    person = make_person("Petr", "Dvořák", phone="111")
    make_member(case, person)
    v1 = loaded_version(client.get(f"/people/{person.id}/edit"))
    v2 = loaded_version(client.get(f"/people/{person.id}/edit"))
    first = client.post(f"/people/{person.id}/edit", data={**person_form(person, phone="222"), "version": v1})
    second = client.post(f"/people/{person.id}/edit", data={**person_form(person, phone="333"), "version": v2})
    html = text(second)
    assert first.status_code == 303 and location_path(first) == f"/people/{person.id}"
    assert second.status_code == 409
    assert "Someone else saved" in html and "222" in html
    assert input_value(html, "phone") == "333"
    assert Person.get_by_id(person.id).phone == "222"


def test_edit_member_concurrent_second_save_refused(client, staff):
    """Does the inline member form refuse the second of two concurrent saves with 409?"""
    case = make_case(key_worker=staff)
    member = make_member(case, make_person("Lenka", "Dvořáková", email="lenka@example.org"))
    url = f"/cases/{case.id}/members/{member.id}/edit"
    v1 = loaded_version(client.get(url, headers=HX))
    v2 = loaded_version(client.get(url, headers=HX))
    first = client.post(url, headers=HX, data={**person_form(member.person, email="first@example.org"), "version": v1})
    second = client.post(url, headers=HX, data={**person_form(member.person, email="second@example.org"), "version": v2})
    html = text(second)
    assert first.status_code == 200
    assert second.status_code == 409
    assert "<html" not in html
    assert "Someone else saved" in html and "first@example.org" in html
    assert input_value(html, "email") == "second@example.org"
    assert Person.get_by_id(member.person_id).email == "first@example.org"


def test_restrictions_concurrent_second_save_refused(client, staff):
    """Are a child's restrictions protected against a stale save as well?"""
    case = make_case(key_worker=staff)
    child = make_member(case, role=MemberRole.CHILD)
    url = f"/cases/{case.id}/members/{child.id}/restrictions"
    v1, v2 = loaded_version(client.get(url)), loaded_version(client.get(url))
    assert client.post(url, data={"restriction_text": "First order", "version": v1}).status_code == 303
    second = client.post(url, data={"restriction_text": "Second order", "version": v2})
    assert second.status_code == 409
    assert "Someone else saved" in text(second) and "First order" in text(second)
    assert Member.get_by_id(child.id).restriction_text == "First order"


# --- Members ----------------------------------------------------------------------------------


def test_add_member_htmx_returns_members_fragment(client, staff):
    """Does an inline add answer with the members section only and a membersChanged event?"""
    case = make_case(key_worker=staff)
    response = client.post(f"/cases/{case.id}/members", headers=HX, data=member_form())
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="members"' in html and "Petr Dvořák" in html
    assert "membersChanged" in triggers(response)
    member = Member.get(Member.case == case)
    assert (member.role, member.person.full_name, member.person.date_of_birth) == (
        "caregiver", "Petr Dvořák", datetime.date(1979, 4, 12))


def test_add_member_plain_post_redirects_to_case(client, staff):
    """Does the same form without JavaScript redirect back to the case page (303)?"""
    case = make_case(key_worker=staff)
    response = client.post(f"/cases/{case.id}/members", data=member_form(first_name="Lenka", last_name="Dvořáková"))
    assert response.status_code == 303
    assert location_path(response) == f"/cases/{case.id}"
    assert Member.get(Member.case == case).person.full_name == "Lenka Dvořáková"
    assert "Lenka Dvořáková" in text(client.get(f"/cases/{case.id}"))


def test_add_member_writes_audit_entries(client, staff):
    """Are the new person and their membership both written to the case's audit trail?"""
    case = make_case(key_worker=staff)
    client.post(f"/cases/{case.id}/members", headers=HX, data=member_form())
    entries = {(e.table, e.action) for e in AuditEntry.select().where(AuditEntry.case_id == case.id)}
    assert {("person", "create"), ("member", "create")} <= entries


def test_add_relative_linked_to_child(client, staff):
    """Is a relative stored with the child they are related to and how?"""
    case = make_case(key_worker=staff)
    child = make_member(case, make_person("Tomáš", "Horák"), role=MemberRole.CHILD)
    data = member_form(role=MemberRole.RELATIVE, child=str(child.id), relation="grandmother",
                       first_name="Věra", last_name="Horáková", date_of_birth="1960-11-11")
    response = client.post(f"/cases/{case.id}/members", headers=HX, data=data)
    assert response.status_code == 200
    assert "of Tomáš Horák" in text(response)
    relative = Member.get(Member.role == MemberRole.RELATIVE)
    assert (relative.child_id, relative.relation) == (child.id, "grandmother")


def test_add_relative_without_relation_refused(client, staff):
    """Must a relative say how they are related to the child?"""
    case = make_case(key_worker=staff)
    child = make_member(case, role=MemberRole.CHILD)
    data = member_form(role=MemberRole.RELATIVE, child=str(child.id), first_name="Věra", last_name="Horáková")
    response = client.post(f"/cases/{case.id}/members", headers=HX, data=data)
    assert response.status_code == 422
    assert field_error(text(response), "relation") == "Say how the person is related to the child."
    assert not Person.select().where(Person.first_name == "Věra").exists()


def test_add_relative_without_child_refused(client, staff):
    """Must a relative be tied to one of the family's children when there are any?"""
    case = make_case(key_worker=staff)
    make_member(case, role=MemberRole.CHILD)
    data = member_form(role=MemberRole.RELATIVE, relation="aunt", first_name="Věra")
    response = client.post(f"/cases/{case.id}/members", headers=HX, data=data)
    assert response.status_code == 422
    assert field_error(text(response), "child") == "Choose the child."
    assert not Person.select().where(Person.first_name == "Věra").exists()


def test_add_relative_child_of_other_case_refused(client, staff):
    """Can a relative not be tied to a child of another family?"""
    case = make_case(key_worker=staff)
    make_member(case, role=MemberRole.CHILD)
    foreign_child = make_member(make_case(key_worker=staff), role=MemberRole.CHILD)
    data = member_form(role=MemberRole.RELATIVE, child=str(foreign_child.id), relation="aunt")
    response = client.post(f"/cases/{case.id}/members", headers=HX, data=data)
    assert response.status_code == 422
    assert not Member.select().where(Member.role == MemberRole.RELATIVE).exists()


def test_add_third_caregiver_refused_in_view(client, staff):
    """Is a third caregiver refused with the rule's message beside the role?"""
    case = make_case(key_worker=staff)
    make_member(case)
    make_member(case)
    response = client.post(f"/cases/{case.id}/members", headers=HX, data=member_form())
    assert response.status_code == 422
    assert field_error(text(response), "role") == "A family has at most two caregivers."
    assert Member.select().where(Member.case == case).count() == 2
    assert not Person.select().where(Person.first_name == "Petr").exists()


def test_add_member_birth_in_future_refused(client, staff):
    """Is a date of birth in the future refused beside the field, with the input kept?"""
    case = make_case(key_worker=staff)
    response = client.post(f"/cases/{case.id}/members", headers=HX,
                           data=member_form(first_name="Ema", date_of_birth=TOMORROW.isoformat()))
    html = text(response)
    assert response.status_code == 422
    assert "<html" not in html
    assert field_error(html, "date_of_birth") == "The date cannot be in the future."
    assert input_value(html, "first_name") == "Ema"
    assert input_value(html, "date_of_birth") == TOMORROW.isoformat()
    assert Person.select().count() == 0


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_add_member_overlong_name_refused(client, staff, field):
    """Is a first or last name over 100 characters refused (and 100 accepted)?"""
    case = make_case(key_worker=staff)
    response = client.post(f"/cases/{case.id}/members", headers=HX, data=member_form(**{field: "x" * 101}))
    assert response.status_code == 422
    assert field_error(text(response), field)
    assert Person.select().count() == 0
    ok = client.post(f"/cases/{case.id}/members", headers=HX, data=member_form(**{field: "x" * 100}))
    assert ok.status_code == 200 and Person.select().count() == 1


def test_edit_person_overlong_name_refused(client, staff):
    """Is an overlong name refused on the person form too, the record unchanged?"""
    case = make_case(key_worker=staff)
    person = make_person("Petr", "Dvořák")
    make_member(case, person)
    response = client.post(f"/people/{person.id}/edit",
                           data={**person_form(person, last_name="y" * 101), "version": person.version})
    assert response.status_code == 422
    assert field_error(text(response), "last_name")
    assert Person.get_by_id(person.id).last_name == "Dvořák"


# --- Possible duplicates ----------------------------------------------------------------------


@pytest.fixture
def namesake(staff):
    """Jana Nováková, born 1980-05-04, a caregiver in another family of the same staff member."""
    person = make_person("Jana", "Nováková", date_of_birth=datetime.date(1980, 5, 4))
    make_member(make_case(key_worker=staff, name="Novákovi"), person)
    return person


def add_jana(client, case, **extra):
    data = member_form(**{"role": MemberRole.RELATIVE, "first_name": "Jana", "last_name": "Novakova",
                          "date_of_birth": "1980-05-04", "relation": "aunt", **extra})
    return client.post(f"/cases/{case.id}/members", headers=HX, data=data)


def test_add_member_duplicate_offered(client, staff, namesake):
    """Is a person with the same name (without accents) and birth date offered instead?"""
    case = make_case(key_worker=staff)
    response = add_jana(client, case)
    html = text(response)
    assert response.status_code == 200
    assert "already in the records" in html
    assert f'name="existing_person" value="{namesake.id}"' in html
    assert 'name="confirm_new" value="y"' in html
    assert input_value(html, "first_name") == "Jana"  # the typed values stay in the form
    assert Person.select().count() == 1
    assert not Member.select().where(Member.case == case).exists()


def test_add_member_duplicate_offered_despite_stray_spaces(client, staff, namesake):
    """Is the namesake offered when the name was typed with spaces around it?"""
    case = make_case(key_worker=staff)
    response = add_jana(client, case, first_name=" Jana ", last_name="Novakova ")
    assert f'name="existing_person" value="{namesake.id}"' in text(response)
    assert not Member.select().where(Member.case == case).exists()


def test_add_member_existing_person_links_same_record(client, staff, namesake):
    """Does choosing the offered person link the same record to the family?"""
    case = make_case(key_worker=staff)
    response = add_jana(client, case, existing_person=str(namesake.id))
    assert response.status_code == 200
    member = Member.get(Member.case == case)
    assert member.person_id == namesake.id and member.relation == "aunt"
    assert Person.select().count() == 1
    assert Member.select().where(Member.person == namesake).count() == 2  # both families


def test_add_member_confirm_new_creates_second_record(client, staff, namesake):
    """Does "a different person" create a second record with the typed name?"""
    case = make_case(key_worker=staff)
    response = add_jana(client, case, confirm_new="y")
    assert response.status_code == 200
    member = Member.get(Member.case == case)
    assert member.person_id != namesake.id
    assert (member.person.first_name, member.person.last_name) == ("Jana", "Novakova")
    assert Person.select().count() == 2


def test_add_member_duplicate_from_foreign_case_not_offered(client, auth):
    """Is a namesake from a family the staff member cannot see kept out of the offer?"""
    other = make_user("staff")
    hidden = make_person("Jana", "Nováková", date_of_birth=datetime.date(1980, 5, 4))
    make_member(make_case(key_worker=other, name="Secret family"), hidden)
    staff = auth.as_role("staff")
    case = make_case(key_worker=staff)
    response = add_jana(client, case)
    html = text(response)
    assert response.status_code == 200
    assert "already in the records" not in html
    assert f'name="existing_person" value="{hidden.id}"' not in html
    assert Member.get(Member.case == case).person_id != hidden.id


def test_add_member_existing_person_from_foreign_case_refused(client, auth):
    """Is linking a person of an invisible family by id refused with 404?"""
    hidden = make_person("Jana", "Nováková")
    make_member(make_case(key_worker=make_user("staff")), hidden)
    staff = auth.as_role("staff")
    case = make_case(key_worker=staff)
    response = add_jana(client, case, existing_person=str(hidden.id))
    assert response.status_code == 404
    assert not Member.select().where(Member.case == case).exists()


def test_add_member_unattached_person_offered_to_any_staff(client, staff):
    """Is a person in no family yet offered, so they are linked instead of entered twice?"""
    loose = make_person("Jana", "Nováková", date_of_birth=datetime.date(1980, 5, 4))
    case = make_case(key_worker=staff)
    assert f'name="existing_person" value="{loose.id}"' in text(add_jana(client, case))


# --- Inline edit of a member -------------------------------------------------------------------


def test_edit_member_get_htmx_returns_form_fragment(client, staff):
    """Does the inline edit answer htmx with the member's form in place of the row?"""
    case = make_case(key_worker=staff)
    member = make_member(case, make_person("Lenka", "Dvořáková", phone="+420 777 111 223"))
    response = client.get(f"/cases/{case.id}/members/{member.id}/edit", headers=HX)
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="member-{member.id}"' in html
    assert input_value(html, "first_name") == "Lenka"
    assert input_value(html, "phone") == "+420 777 111 223"


def test_inline_member_form_ids_do_not_clash_with_the_add_form(client, staff):
    """With both the add form and an inline edit form swapped into the case page, is every
    id still unique?

    The add-member form has the same fields; duplicate ids would tie the labels (and screen
    readers) to the wrong inputs."""
    case = make_case(key_worker=staff)
    member = make_member(case, make_person("Lenka", "Dvořáková"))
    page_ids = re.findall(r'\bid="([^"]+)"', text(client.get(f"/cases/{case.id}")))

    def fragment_ids(url):
        fragment = text(client.get(url, headers=HX))
        return re.findall(r'\bid="([^"]+)"', fragment.split('<div id="flash-area"')[0])

    add_ids = fragment_ids(f"/cases/{case.id}/members/new")
    edit_ids = fragment_ids(f"/cases/{case.id}/members/{member.id}/edit")
    assert "first_name" in add_ids
    assert len(edit_ids) == len(set(edit_ids)) and len(add_ids) == len(set(add_ids))
    # Each fragment replaces one element of the page (the add link, the member's row).
    swapped = (set(page_ids) - {"member-add", f"member-{member.id}"}, set(add_ids), set(edit_ids))
    assert swapped[0] & swapped[1] == set() and swapped[0] & swapped[2] == set() and swapped[1] & swapped[2] == set()
    assert f'for="member-{member.id}-first_name"' in text(client.get(f"/cases/{case.id}/members/{member.id}/edit", headers=HX))


def test_the_case_page_links_to_the_add_form_and_builds_it_only_on_request(client, staff):
    """Does the case page carry a plain link to the add form (no form), which opens a whole
    page without JavaScript and only the form for htmx, with the role field focused?"""
    case = make_case(key_worker=staff)
    make_member(case, make_person("Ema", "Horáková"), role=MemberRole.CHILD)
    page = text(client.get(f"/cases/{case.id}"))
    assert f'href="/cases/{case.id}/members/new"' in page
    assert 'name="first_name"' not in page
    plain = client.get(f"/cases/{case.id}/members/new")
    assert plain.status_code == 200
    assert "<html" in text(plain) and f'action="/cases/{case.id}/members"' in text(plain)
    assert "Ema Horáková" in text(plain)  # the child can be chosen for a relative
    # On its own page there is no members section to swap: a plain (boosted) post.
    assert 'hx-target="#members"' not in text(plain)
    fragment = text(client.get(f"/cases/{case.id}/members/new", headers=HX))
    assert "<html" not in fragment and 'id="member-add"' in fragment
    assert 'hx-target="#members"' in fragment
    assert re.search(r'<select[^>]*autofocus[^>]*id="role"|<select[^>]*id="role"[^>]*autofocus', fragment)


def test_a_refused_add_comes_back_with_the_form_open_and_the_input_kept(client, staff):
    """Does an add with a missing name return the form in the members section, with the
    error beside the field and what was typed kept?"""
    case = make_case(key_worker=staff)
    response = client.post(f"/cases/{case.id}/members", headers=HX,
                           data={"role": "caregiver", "first_name": "", "last_name": "Novák"})
    assert response.status_code == 422
    html = text(response)
    assert 'id="members"' in html and 'id="member-add"' in html
    assert input_value(html, "last_name") == "Novák"
    assert field_error(html, "first_name")


def test_edit_member_get_plain_returns_page(client, staff):
    """Does the same link without JavaScript open a whole page with the form?"""
    case = make_case(key_worker=staff)
    member = make_member(case)
    response = client.get(f"/cases/{case.id}/members/{member.id}/edit")
    assert response.status_code == 200
    assert "<html" in text(response) and f'id="member-{member.id}"' in text(response)


def test_edit_member_post_htmx_saves_and_refreshes(client, staff):
    """Does an inline save update the person and the child's placement and refresh the list?"""
    case = make_case(key_worker=staff)
    child = make_member(case, make_person("Ema", "Horáková"), role=MemberRole.CHILD)
    data = {**person_form(child.person, first_name="Emma", placed_on="2020-09-01"), "version": "1"}
    response = client.post(f"/cases/{case.id}/members/{child.id}/edit", headers=HX, data=data)
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html and 'id="members"' in html and "Emma Horáková" in html
    assert "membersChanged" in triggers(response)
    stored = Member.get_by_id(child.id)
    assert (stored.person.first_name, stored.person.version, stored.placed_on) == (
        "Emma", 2, datetime.date(2020, 9, 1))


def test_edit_member_post_plain_redirects(client, staff):
    """Does the inline form without JavaScript save and redirect (303)?"""
    case = make_case(key_worker=staff)
    member = make_member(case, make_person("Petr", "Dvořák"))
    data = {**person_form(member.person, phone="+420 601 000 000"), "version": "1"}
    response = client.post(f"/cases/{case.id}/members/{member.id}/edit", data=data)
    assert response.status_code == 303 and location_path(response) == f"/cases/{case.id}"
    assert Person.get_by_id(member.person_id).phone == "+420 601 000 000"


def test_edit_member_invalid_email_refused_in_place(client, staff):
    """Does an invalid e-mail come back as the inline form with the error, nothing saved?"""
    case = make_case(key_worker=staff)
    member = make_member(case, make_person(email="ok@example.org"))
    data = {**person_form(member.person, email="not an address"), "version": "1"}
    response = client.post(f"/cases/{case.id}/members/{member.id}/edit", headers=HX, data=data)
    assert response.status_code == 422
    assert field_error(text(response), "email") == "Enter a valid e-mail address."
    assert Person.get_by_id(member.person_id).email == "ok@example.org"


# --- Removing members ---------------------------------------------------------------------------


def test_remove_member_htmx_refreshes_members(client, staff):
    """Does removing a member answer with the members section, the person record kept?"""
    case = make_case(key_worker=staff)
    make_member(case)
    child = make_member(case, make_person("Ema", "Horáková"), role=MemberRole.CHILD)
    response = client.post(f"/cases/{case.id}/members/{child.id}/remove", data=removal_data(child), headers=HX)
    assert response.status_code == 200
    assert "<html" not in text(response) and "Ema Horáková" not in text(response)
    assert "membersChanged" in triggers(response)
    assert Member.get_or_none(Member.id == child.id) is None
    assert Person.get_or_none(Person.id == child.person_id) is not None


def test_remove_last_caregiver_refused_in_view(client, staff):
    """Is removing the only caregiver of an active family refused, with the reason shown?"""
    case = make_case(key_worker=staff)
    only = make_member(case)
    response = client.post(f"/cases/{case.id}/members/{only.id}/remove", data=removal_data(only), headers=HX)
    assert response.status_code == 422
    assert "An active family must keep at least one caregiver." in text(response)
    plain = client.post(f"/cases/{case.id}/members/{only.id}/remove", data=removal_data(only))
    assert plain.status_code == 303
    assert Member.get_or_none(Member.id == only.id) is not None
    assert "An active family must keep at least one caregiver." in text(client.get(f"/cases/{case.id}"))


def test_remove_last_caregiver_of_closed_case_allowed(client, staff):
    """May the last caregiver be removed from a closed family?"""
    case = make_case(key_worker=staff, status=CaseStatus.CLOSED, closed_on=datetime.date(2025, 1, 1))
    only = make_member(case)
    assert client.post(f"/cases/{case.id}/members/{only.id}/remove", data=removal_data(only)).status_code == 303
    assert Member.get_or_none(Member.id == only.id) is None


def _member_removal_form(client, case, member):
    """The hidden fields of ``member``'s removal form as the case page draws it."""
    return hidden_fields(text(client.get(f"/cases/{case.id}")), f"/cases/{case.id}/members/{member.id}/remove")


def test_member_removal_with_the_pages_form_values(client, staff):
    """Does the removal form as the case page draws it remove a child with their relative?"""
    case = make_case(key_worker=staff)
    make_member(case)
    child = make_member(case, role=MemberRole.CHILD)
    granny = make_member(case, role=MemberRole.RELATIVE, child=child, relation="grandmother")
    data = _member_removal_form(client, case, child)
    assert data["relatives"] == f"{granny.id}:1"
    assert client.post(f"/cases/{case.id}/members/{child.id}/remove", data=data, headers=HX).status_code == 200
    assert Member.get_or_none(Member.id == child.id) is None and Member.get_or_none(Member.id == granny.id) is None


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "page"])
def test_member_removal_refused_when_changed_meanwhile(client, staff, htmx):
    """Is removing a child whom a colleague changed after the page was drawn (their
    contact restrictions) refused, the child kept with the change and the reason shown?"""
    case = make_case(key_worker=staff)
    make_member(case)
    child = make_member(case, make_person("Ema", "Horáková"), role=MemberRole.CHILD)
    data = _member_removal_form(client, case, child)
    child.restriction_text = "Supervised contact only"
    assert child.save_if_version(child.version)
    response = client.post(f"/cases/{case.id}/members/{child.id}/remove", data=data, headers=HX if htmx else {})
    if htmx:
        assert response.status_code == 409
        html = text(response)
    else:
        assert response.status_code == 303 and response.headers["Location"].endswith("#members")
        html = text(client.get(response.headers["Location"]))
    assert "Someone else changed Ema Horáková or their relatives in the family meanwhile" in html
    assert "Supervised contact only" in html
    assert Member.get_by_id(child.id).restriction_text == "Supervised contact only"
    assert not AuditEntry.select().where(AuditEntry.action == "delete").exists()


def test_child_removal_refused_when_a_relative_was_added_meanwhile(client, staff):
    """Is a child kept when a relative of theirs joined the family after the page was
    drawn (their membership would go with the child unseen)?"""
    case = make_case(key_worker=staff)
    make_member(case)
    child = make_member(case, role=MemberRole.CHILD)
    data = _member_removal_form(client, case, child)
    aunt = make_member(case, make_person("Olga", "Nováková"), role=MemberRole.RELATIVE, child=child, relation="aunt")
    response = client.post(f"/cases/{case.id}/members/{child.id}/remove", data=data, headers=HX)
    assert response.status_code == 409 and "Olga Nováková" in text(response)
    assert Member.get_or_none(Member.id == aunt.id) is not None and Member.get_or_none(Member.id == child.id)


@pytest.mark.parametrize("data", [{}, {"version": "x"}])
def test_member_removal_without_a_version_is_a_bad_request(client, staff, data):
    """Is a removal posted without the version it was drawn with refused (400)?"""
    case = make_case(key_worker=staff)
    make_member(case)
    child = make_member(case, role=MemberRole.CHILD)
    assert client.post(f"/cases/{case.id}/members/{child.id}/remove", data=data).status_code == 400
    assert Member.get_or_none(Member.id == child.id) is not None


# --- Contact restrictions of a child ------------------------------------------------------------


@pytest.fixture
def family(staff):
    """A family with a caregiver, a child, the child's father and grandmother."""
    case = make_case(key_worker=staff, name="Dvořákovi")
    make_member(case, make_person("Petr", "Dvořák"))
    child = make_member(case, make_person("Tomáš", "Horák"), role=MemberRole.CHILD)
    father = make_member(case, make_person("Roman", "Horák"), role=MemberRole.BIRTH_PARENT, child=child, relation="father")
    granny = make_member(case, make_person("Věra", "Horáková"), role=MemberRole.RELATIVE, child=child, relation="grandmother")
    return case, child, father, granny


def test_restrictions_saved_with_excluded_persons(client, family):
    """Are the order, its source and the excluded persons saved and shown on the case page?"""
    case, child, father, granny = family
    url = f"/cases/{case.id}/members/{child.id}/restrictions"
    form = client.get(url)
    assert "Roman Horák" in text(form) and "Věra Horáková" in text(form)
    response = client.post(url, data={
        "restriction_source": "District court Pardubice, 12 P 34/2023",
        "restriction_text": "Contact with the father only with a worker present.",
        "excluded": [str(father.person_id)],
        "version": loaded_version(form),
    })
    assert response.status_code == 303 and location_path(response) == f"/cases/{case.id}"
    stored = Member.get_by_id(child.id)
    assert stored.restriction_text == "Contact with the father only with a worker present."
    assert stored.restriction_source == "District court Pardubice, 12 P 34/2023"
    assert [e.person_id for e in ExcludedPerson.select().where(ExcludedPerson.child == child)] == [father.person_id]
    page = text(client.get(f"/cases/{case.id}"))
    assert "May not be present: Roman Horák" in page
    assert "Contact with the father only with a worker present." in page
    assert "May not be present: Věra Horáková" not in page


def test_restrictions_cleared_removes_exclusions(client, family):
    """Does saving with nobody ticked clear the excluded persons?"""
    case, child, father, granny = family
    ExcludedPerson.create(child=child, person=father.person)
    url = f"/cases/{case.id}/members/{child.id}/restrictions"
    response = client.post(url, data={"restriction_text": "", "version": loaded_version(client.get(url))})
    assert response.status_code == 303
    assert ExcludedPerson.select().count() == 0
    assert "May not be present" not in text(client.get(f"/cases/{case.id}"))


def test_restrictions_person_outside_family_refused(client, family):
    """Can only the child's family be excluded (not an arbitrary person id)?"""
    case, child, father, granny = family
    stranger = make_person()
    url = f"/cases/{case.id}/members/{child.id}/restrictions"
    response = client.post(url, data={"restriction_text": "X", "excluded": [str(stranger.id)],
                                      "version": loaded_version(client.get(url))})
    assert response.status_code == 422
    assert ExcludedPerson.select().count() == 0
    assert Member.get_by_id(child.id).restriction_text == ""


def test_restrictions_of_non_child_not_found(client, family):
    """Do only children have a restrictions page?"""
    case, child, father, granny = family
    assert client.get(f"/cases/{case.id}/members/{father.id}/restrictions").status_code == 404


# --- Key worker and team ----------------------------------------------------------------------


def test_hand_over_in_view_records_history(client, staff):
    """Does handing the case over end the old assignment and show the new key worker?"""
    case = make_case(key_worker=staff)
    successor = make_user("staff", full_name="Petra Malá")
    response = client.post(f"/cases/{case.id}/key-worker", data={"key_worker": successor.id})
    assert response.status_code == 303
    history = list(KeyWorkerAssignment.select().where(KeyWorkerAssignment.case == case).order_by(KeyWorkerAssignment.id))
    assert [(a.user_id, a.ended_on) for a in history] == [(staff.id, TODAY), (successor.id, None)]
    assert Case.get_by_id(case.id).key_worker_id == successor.id


def test_hand_over_to_team_member_leaves_team(client, auth):
    """Does a team member who becomes key worker leave the team list?"""
    admin = auth.as_role("admin")
    colleague = make_user("staff")
    case = make_case(key_worker=make_user("staff"), team=[colleague])
    response = client.post(f"/cases/{case.id}/key-worker", headers=HX, data={"key_worker": colleague.id})
    # The key worker shows in several sections: htmx reloads the whole case page.
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/cases/{case.id}#team"
    assert not TeamMember.select().where(TeamMember.case == case).exists()


def test_hand_over_polish_limit_refused_in_view(client, auth):
    """Does a hand-over above the Polish limit come back with the reason (422)?"""
    make_organisation(country="pl")
    staff = auth.as_role("staff")
    busy = make_user("staff")
    for _ in range(15):
        make_case(key_worker=busy)
    case = make_case(key_worker=staff)
    response = client.post(f"/cases/{case.id}/key-worker", headers=HX, data={"key_worker": busy.id})
    assert response.status_code == 422
    assert "at most 15" in text(response)
    assert Case.get_by_id(case.id).key_worker_id == staff.id


def test_team_add_and_remove(client, staff):
    """Can a colleague be added to the team and taken off again?"""
    case = make_case(key_worker=staff)
    colleague = make_user("staff", full_name="Tomáš Veselý")
    added = client.post(f"/cases/{case.id}/team", headers=HX, data={"user": colleague.id})
    assert added.status_code == 200 and "Tomáš Veselý" in text(added)
    assert "teamChanged" in triggers(added)
    team_member = TeamMember.get(TeamMember.case == case)
    removed = client.post(f"/cases/{case.id}/team/{team_member.id}/remove")
    assert removed.status_code == 303
    assert not TeamMember.select().where(TeamMember.case == case).exists()


# --- Case list ------------------------------------------------------------------------------


def test_case_list_search_ignores_case_and_diacritics(client, staff):
    """Does typing "novakova" find the Nováková family and not the others?"""
    wanted = make_case(key_worker=staff, name="Nováková")
    make_case(key_worker=staff, name="Svobodovi")
    response = client.get("/cases/?q=NOVAKOVA")
    assert response.status_code == 200
    assert listed_case_ids(text(response)) == [wanted.id]


def test_case_list_search_by_member_name(client, staff):
    """Is a family found by the name of one of its members?"""
    wanted = make_case(key_worker=staff, name="Dvořákovi")
    make_member(wanted, make_person("Tomáš", "Horák"), role=MemberRole.CHILD)
    make_case(key_worker=staff, name="Svobodovi")
    assert listed_case_ids(text(client.get("/cases/?q=horak"))) == [wanted.id]


def test_case_list_search_takes_wildcards_literally(client, staff):
    """Do "%", "_" and "\\" in a search match only themselves, not any text?"""
    plain = make_case(key_worker=staff, name="Svobodovi")
    odd = make_case(key_worker=staff, name="Novák_100%\\B")
    for q in ("%", "_", "\\", "k_1", "0%"):
        assert listed_case_ids(text(client.get("/cases/", query_string={"q": q}))) == [odd.id], q
    assert listed_case_ids(text(client.get("/cases/?q=svob"))) == [plain.id]


def test_case_list_search_member_of_invisible_case_not_listed(client, staff):
    """Does a search by member name still list only the user's own cases?"""
    hidden = make_case(key_worker=make_user("staff"), name="Horákovi")
    make_member(hidden, make_person("Tomáš", "Horák"))
    assert listed_case_ids(text(client.get("/cases/?q=horak"))) == []


def test_case_list_htmx_search_returns_results_only(client, staff):
    """Does an htmx search (typing) get only the results block?"""
    wanted = make_case(key_worker=staff, name="Nováková")
    make_case(key_worker=staff, name="Svobodovi")
    response = client.get("/cases/?q=nov", headers=HX)
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html and 'role="search"' not in html
    # The content of the results section, swapped into it: never a second section inside.
    assert 'id="results-heading"' in html and 'id="case-results"' not in html
    assert listed_case_ids(html) == [wanted.id]


def test_case_list_boosted_navigation_gets_full_page(client, staff):
    """Does a boosted link to the list get the whole page with the search form?"""
    response = client.get("/cases/", headers={**HX, "HX-Boosted": "true"})
    assert "<html" in text(response) and 'role="search"' in text(response)


def test_case_list_filter_status(client, staff):
    """Does the status filter list only cases in that status?"""
    make_case(key_worker=staff, name="Active")
    closed = make_case(key_worker=staff, name="Closed", status=CaseStatus.CLOSED, closed_on=datetime.date(2025, 1, 1))
    assert listed_case_ids(text(client.get("/cases/?status=closed"))) == [closed.id]


def test_case_list_filter_key_worker(client, auth):
    """Does the key-worker filter list only that worker's cases?"""
    auth.as_role("admin")
    jana, petra = make_user("staff"), make_user("staff")
    mine = make_case(key_worker=jana)
    make_case(key_worker=petra)
    assert listed_case_ids(text(client.get(f"/cases/?key_worker={jana.id}"))) == [mine.id]


def test_case_list_filter_type(client, auth):
    """Does the type filter of a Polish organisation tell assistance from foster families?"""
    make_organisation(country="pl")
    staff = auth.as_role("staff")
    make_case(key_worker=staff, case_type=CaseType.PL_ASSISTANT)
    foster = make_case(key_worker=staff, case_type=CaseType.PL_FOSTER)
    html = text(client.get("/cases/?type=pl_foster"))
    assert listed_case_ids(html) == [foster.id]
    assert 'id="type"' in html  # the filter is offered when there is a choice


def test_case_list_sorting(client, staff):
    """Do the sort orders by name and by start date order the list?"""
    b = make_case(key_worker=staff, name="Černí", opened_on=datetime.date(2020, 1, 1))
    a = make_case(key_worker=staff, name="Adámkovi", opened_on=datetime.date(2024, 1, 1))
    c = make_case(key_worker=staff, name="Dvořákovi", opened_on=datetime.date(2022, 1, 1))
    assert listed_case_ids(text(client.get("/cases/?sort=name"))) == [a.id, b.id, c.id]
    assert listed_case_ids(text(client.get("/cases/?sort=-name"))) == [c.id, b.id, a.id]
    assert listed_case_ids(text(client.get("/cases/?sort=opened"))) == [b.id, c.id, a.id]
    assert listed_case_ids(text(client.get("/cases/?sort=-opened"))) == [a.id, c.id, b.id]
    # An unknown sort falls back to the name.
    assert listed_case_ids(text(client.get("/cases/?sort=drop+table"))) == [a.id, b.id, c.id]


def test_case_list_pagination(client, staff):
    """With 30 cases, does page 1 show 25, and page 2 exist with the other 5?"""
    cases = [make_case(key_worker=staff, name=f"Family {n:02d}") for n in range(30)]
    first = text(client.get("/cases/"))
    assert "30 families found" in first
    assert "Page 1 of 2" in first and "page=2" in first
    assert listed_case_ids(first) == [c.id for c in cases[:25]]
    second = client.get("/cases/?page=2")
    assert second.status_code == 200
    assert "Page 2 of 2" in text(second)
    assert listed_case_ids(text(second)) == [c.id for c in cases[25:]]
    # Beyond the last page: the last page.
    assert listed_case_ids(text(client.get("/cases/?page=99"))) == [c.id for c in cases[25:]]


def test_case_list_pagination_keeps_filters(client, staff):
    """Do the page links keep the search, so page 2 is page 2 of the same results?"""
    for n in range(27):
        make_case(key_worker=staff, name=f"Novák {n:02d}")
    html = text(client.get("/cases/?q=novak&sort=-name"))
    link = re.search(r'href="(/cases/\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "q=novak" in link and "sort=-name" in link
    assert len(listed_case_ids(text(client.get(link)))) == 2


# --- Person page --------------------------------------------------------------------------------


def test_person_page_lists_only_visible_families(client, staff):
    """Does a person's page list only the families the user may see?"""
    person = make_person("Věra", "Horáková")
    make_member(make_case(key_worker=staff, name="Visible family"), person, role=MemberRole.RELATIVE)
    make_member(make_case(key_worker=make_user("staff"), name="Hidden family"), person, role=MemberRole.RELATIVE)
    html = text(client.get(f"/people/{person.id}"))
    assert "Visible family" in html and "Hidden family" not in html


def test_person_edit_htmx_saves_and_sends_to_person_page(client, staff):
    """Does an htmx save of the person form send the browser to the person's page (HX-Redirect)?"""
    case = make_case(key_worker=staff)
    person = make_person("Petr", "Dvořák")
    make_member(case, person)
    response = client.post(f"/people/{person.id}/edit", headers=HX,
                           data={**person_form(person, phone="+420 601 000 000"), "version": "1"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/people/{person.id}"
    assert Person.get_by_id(person.id).phone == "+420 601 000 000"


def test_edit_member_htmx_save_retargets_members_section(client, staff):
    """Does the inline save, sent from the member's row, tell htmx to replace the whole section?"""
    case = make_case(key_worker=staff)
    member = make_member(case)
    data = {**person_form(member.person, phone="123"), "version": "1"}
    response = client.post(f"/cases/{case.id}/members/{member.id}/edit", headers=HX, data=data)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#members"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert "<html" not in text(response)
    assert 'id="members"' in text(response) and "123" in text(response)


def test_person_edit_saves_and_redirects(client, staff):
    """Does a person edit save the values and go back to the person page?"""
    case = make_case(key_worker=staff)
    person = make_person("Petr", "Dvořák")
    make_member(case, person)
    response = client.post(f"/people/{person.id}/edit",
                           data={**person_form(person, address="Lipová 12"), "version": "1"})
    assert response.status_code == 303
    assert Person.get_by_id(person.id).address == "Lipová 12"


# --- Number of SQL queries (no N+1) --------------------------------------------------------------


class _Statements(logging.Handler):
    """Collects the statements peewee logs (every one it executes) at DEBUG."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []

    def emit(self, record):
        self.statements.append(record.msg)


@pytest.fixture
def count_queries():
    """``count_queries(fn)`` -> the number of SQL statements ``fn()`` runs.

    Read from the "peewee" logger, which sees every statement whatever wraps
    ``db.execute_sql`` (the benchmark mode does, for the rest of a test session).
    """
    logger = logging.getLogger("peewee")

    def count(fn):
        handler, level = _Statements(), logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        try:
            response = fn()
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
        assert response.status_code == 200, response.status_code
        # Never vacuous: a page loads at least the user, the case(s) and their details.
        assert len(handler.statements) >= 3, handler.statements
        return len(handler.statements)

    return count


def build_cases(worker, n):
    """``n`` cases of ``worker``, each with a caregiver, a child and a team member."""
    colleague = make_user("staff")
    for i in range(n):
        case = make_case(key_worker=worker, team=[colleague], name=f"Family {i:03d}")
        make_member(case)
        make_member(case, role=MemberRole.CHILD)


def build_family(case, n, actor):
    """A family with about ``n`` members of every role, restrictions, team, history."""
    children = [make_member(case, role=MemberRole.CHILD, placed_on=datetime.date(2020, 1, 1),
                            restriction_text="Supervised only") for _ in range(max(1, n // 5))]
    make_member(case, make_person(phone="1", email="a@example.org", date_of_birth=datetime.date(1980, 1, 1)))
    make_member(case)
    for i in range(n - len(children) - 2):
        child = children[i % len(children)]
        role = (MemberRole.RELATIVE, MemberRole.BIRTH_PARENT, MemberRole.HOUSEHOLD)[i % 3]
        member = make_member(case, make_person(date_of_birth=datetime.date(1960, 1, 1)), role=role,
                             child=child if role != MemberRole.HOUSEHOLD else None, relation="aunt")
        if role == MemberRole.BIRTH_PARENT:
            ExcludedPerson.create(child=child, person=member.person)
    for i in range(max(1, n // 5)):
        TeamMember.create(case=case, user=make_user("staff"))
        KeyWorkerAssignment.create(case=case, user=actor, started_on=datetime.date(2020, 1, 1),
                                   ended_on=datetime.date(2021, 1, 1), override_reason="cover")
        AuditEntry.create(actor=actor, action="update", table="family_case", record_id=case.id,
                          case_id=case.id, changes=json.dumps({"name": ["a", "b"]}))


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_case_list_query_count_constant(client, auth, count_queries, role):
    """Does the case list run as many queries for 50 cases as for 5?"""
    user = auth.as_role(role)
    build_cases(user, 5)
    small = count_queries(lambda: client.get("/cases/"))
    build_cases(user, 45)
    large = count_queries(lambda: client.get("/cases/"))
    assert large == small


def test_case_list_search_query_count_constant(client, staff, count_queries):
    """Does a search by member name stay at a constant number of queries?"""
    build_cases(staff, 5)
    small = count_queries(lambda: client.get("/cases/?q=person&sort=-opened", headers=HX))
    build_cases(staff, 45)
    large = count_queries(lambda: client.get("/cases/?q=person&sort=-opened", headers=HX))
    assert large == small


def test_case_page_query_count_constant(client, staff, count_queries):
    """Does the case page run as many queries with 50 members as with 5?"""
    small_case, large_case = make_case(key_worker=staff), make_case(key_worker=staff)
    build_family(small_case, 5, staff)
    build_family(large_case, 50, staff)
    assert Member.select().where(Member.case == large_case).count() >= 50
    small = count_queries(lambda: client.get(f"/cases/{small_case.id}"))
    large = count_queries(lambda: client.get(f"/cases/{large_case.id}"))
    assert large == small


def test_members_fragment_query_count_constant(client, staff, count_queries):
    """Does the members fragment after an inline edit stay at a constant number of queries?"""
    counts = []
    for n in (5, 50):
        case = make_case(key_worker=staff)
        build_family(case, n, staff)
        member = Member.select().where((Member.case == case) & (Member.role == MemberRole.CAREGIVER)).first()
        url = f"/cases/{case.id}/members/{member.id}/edit"
        data = {**person_form(member.person), "version": str(member.person.version)}
        counts.append(count_queries(lambda: client.post(url, headers=HX, data=data)))
    assert counts[0] == counts[1]


def test_history_page_query_count_constant(client, staff, count_queries):
    """Does the history page stay constant with more entries?"""
    small_case, large_case = make_case(key_worker=staff), make_case(key_worker=staff)
    build_family(small_case, 5, staff)
    build_family(large_case, 50, staff)
    assert count_queries(lambda: client.get(f"/cases/{small_case.id}/history")) == count_queries(
        lambda: client.get(f"/cases/{large_case.id}/history"))


@pytest.mark.parametrize("on_team", [True, False])
def test_person_page_query_count_constant(client, auth, count_queries, on_team):
    """Does a person's page stay constant when they are in 2 or 20 families?

    The user has reading rights to all cases and is on the team of the last family only
    (or of none), so edit rights cannot be decided by the first family looked at.
    """
    staff = auth.as_role("staff", can_read_all_cases=True)
    counts = []
    for n in (2, 20):
        person = make_person()
        for i in range(n):
            team = [staff] if on_team and i == n - 1 else []
            make_member(make_case(key_worker=make_user("staff"), team=team), person, role=MemberRole.RELATIVE)
        response = client.get(f"/people/{person.id}")
        assert (f'href="/people/{person.id}/edit"' in text(response)) is on_team
        counts.append(count_queries(lambda: client.get(f"/people/{person.id}")))
    assert counts[0] == counts[1]


def test_case_page_names_the_current_key_worker_after_a_handover_and_without_history(client, staff):
    """Does the case overview name the current key worker, whose name comes from the
    handover history when it has their assignment, and from the accounts when it has
    none (records from before the history, or imported)?"""
    from models import KeyWorkerAssignment

    previous = make_user("staff", full_name="Petra Předchozí")
    case = make_case(key_worker=previous, opened_on=datetime.date(2024, 3, 1))
    KeyWorkerAssignment.update(ended_on=datetime.date(2025, 1, 1)).where(KeyWorkerAssignment.case == case).execute()
    KeyWorkerAssignment.create(case=case, user=staff, started_on=datetime.date(2025, 1, 1))
    case.key_worker = staff
    case.save()

    def overview_key_worker():
        html = client.get(f"/cases/{case.id}").get_data(as_text=True)
        overview = html[html.index('id="overview"'):html.index('id="members"')]
        return unescape(re.search(r"<dt>Key worker</dt><dd>([^<]*)</dd>", overview).group(1))

    assert overview_key_worker() == "Jana Nováková"
    KeyWorkerAssignment.delete().where(KeyWorkerAssignment.case == case).execute()
    assert overview_key_worker() == "Jana Nováková"
