"""The audit trail of case records: creations, changes (old → new), deletions and every
opening of a case or person page are recorded; a case's history shows its own entries
only; entries cannot be changed or deleted through the model."""
import datetime

import pytest

from models import AuditEntry, Case, ExcludedPerson, Member, MemberRole, Person, TeamMember

from .conftest import HX
from .factories import make_case, make_member, make_organisation, make_person, make_user, removal_data
from .helpers import text


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


@pytest.fixture
def staff(auth):
    return auth.as_role("staff", full_name="Jana Nováková")


def entries(**where):
    """Audit entries matching the given column values, oldest first."""
    query = AuditEntry.select().order_by(AuditEntry.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return list(query)


def edit_data(case, **changes):
    data = {
        "name": case.name, "case_type": case.case_type, "status": case.status,
        "opened_on": case.opened_on.isoformat(), "closed_on": "", "monitoring_until": "",
        "agreement_date": case.agreement_date.isoformat(), "new_rules": "1" if case.new_rules else "0",
        "mediated": "1" if case.mediated else "0", "notes": case.notes, "version": str(case.version),
    }
    data.update(changes)
    return data


# --- Creation ----------------------------------------------------------------------------------


def test_create_case_writes_create_entry(client, staff):
    """Is a new case recorded with its actor, its id and the values it was created with?"""
    client.post("/cases/new", data={
        "name": "Dvořákovi", "case_type": "cz_foster", "status": "active", "opened_on": "2024-03-01",
        "agreement_date": "2024-03-01", "new_rules": "0", "mediated": "1", "key_worker": staff.id,
    })
    case = Case.get(Case.name == "Dvořákovi")
    [entry] = entries(action="create", table="family_case")
    assert (entry.actor_id, entry.record_id, entry.case_id) == (staff.id, case.id, case.id)
    changes = entry.change_dict
    assert changes["name"] == [None, "Dvořákovi"]
    assert changes["agreement_date"] == [None, "2024-03-01"]
    assert "search_name" not in changes and "version" not in changes


def test_create_case_refused_writes_nothing(client, auth):
    """Does a creation refused by a rule (Polish caseload limit) leave no case and no entry?"""
    make_organisation(country="pl")
    staff = auth.as_role("staff")
    for _ in range(15):
        make_case(key_worker=staff)
    before = AuditEntry.select().count()
    response = client.post("/cases/new", data={
        "name": "Rodzina 16", "case_type": "pl_assistant", "status": "active", "opened_on": "2025-01-10",
        "consent_date": "2025-01-08", "key_worker": staff.id,
    })
    assert response.status_code == 422
    assert not Case.select().where(Case.name == "Rodzina 16").exists()
    assert AuditEntry.select().count() == before


def test_add_member_writes_person_and_member_entries(client, staff):
    """Are the new person and the membership each recorded against the case?"""
    case = make_case(key_worker=staff)
    client.post(f"/cases/{case.id}/members", headers=HX, data={
        "role": "caregiver", "child": "0", "first_name": "Petr", "last_name": "Dvořák"})
    member = Member.get(Member.case == case)
    person_entry = entries(table="person", action="create")[-1]
    member_entry = entries(table="member", action="create")[-1]
    assert (person_entry.record_id, person_entry.case_id, person_entry.actor_id) == (member.person_id, case.id, staff.id)
    assert (member_entry.record_id, member_entry.case_id) == (member.id, case.id)
    assert "Petr Dvořák" in member_entry.summary and "caregiver" in member_entry.summary


# --- Changes: old → new ----------------------------------------------------------------------


def test_edit_case_records_changed_fields_only(client, staff):
    """Does an edit record exactly the fields that changed, each as [old, new]?"""
    case = make_case(key_worker=staff, name="Dvořákovi", notes="")
    response = client.post(f"/cases/{case.id}/edit", data=edit_data(case, name="Horákovi", notes="Two children"))
    assert response.status_code == 303
    [entry] = entries(action="update", table="family_case")
    assert (entry.record_id, entry.case_id, entry.actor_id) == (case.id, case.id, staff.id)
    assert entry.change_dict == {"name": ["Dvořákovi", "Horákovi"], "notes": ["", "Two children"]}


def test_edit_case_records_dates_and_status(client, staff):
    """Are a closure's status and date recorded as readable old → new values?"""
    case = make_case(key_worker=staff)
    client.post(f"/cases/{case.id}/edit", data=edit_data(case, status="closed", closed_on="2025-06-30"))
    [entry] = entries(action="update", table="family_case")
    assert entry.change_dict == {"status": ["active", "closed"], "closed_on": [None, "2025-06-30"]}


def test_edit_case_refused_as_stale_records_nothing(client, staff):
    """Does a refused stale save leave no update entry?"""
    case = make_case(key_worker=staff)
    client.post(f"/cases/{case.id}/edit", data=edit_data(case, name="First"))
    stale = client.post(f"/cases/{case.id}/edit", data=edit_data(case, name="Second"))
    assert stale.status_code == 409
    assert [e.change_dict["name"] for e in entries(action="update", table="family_case")] == [[case.name, "First"]]


def test_edit_person_records_changes(client, staff):
    """Is a person's edit recorded with the changed contact details?"""
    case = make_case(key_worker=staff)
    person = make_person("Petr", "Dvořák", phone="111")
    make_member(case, person)
    client.post(f"/people/{person.id}/edit", data={
        "first_name": "Petr", "last_name": "Dvořák", "phone": "222", "email": "", "address": "",
        "staff_notes": "", "version": "1"})
    [entry] = entries(action="update", table="person")
    assert (entry.record_id, entry.actor_id) == (person.id, staff.id)
    assert entry.change_dict == {"phone": ["111", "222"]}


def test_edit_member_records_changes_against_case(client, staff):
    """Is an inline member edit recorded in the case's history with old → new?"""
    case = make_case(key_worker=staff)
    member = make_member(case, make_person("Lenka", "Dvořáková"))
    client.post(f"/cases/{case.id}/members/{member.id}/edit", headers=HX, data={
        "first_name": "Lenka", "last_name": "Horáková", "version": "1"})
    [entry] = entries(action="update", table="person")
    assert (entry.record_id, entry.case_id) == (member.person_id, case.id)
    assert entry.change_dict == {"last_name": ["Dvořáková", "Horáková"]}


def test_restrictions_change_records_old_and_new(client, staff):
    """Are a child's restrictions recorded with the text and the excluded persons before and after?"""
    case = make_case(key_worker=staff)
    child = make_member(case, role=MemberRole.CHILD)
    father = make_member(case, role=MemberRole.BIRTH_PARENT, child=child)
    client.post(f"/cases/{case.id}/members/{child.id}/restrictions", data={
        "restriction_text": "Supervised", "excluded": [str(father.person_id)], "version": "1"})
    [entry] = entries(action="update", table="member")
    assert entry.case_id == case.id and entry.record_id == child.id
    assert entry.change_dict == {"restriction_text": ["", "Supervised"], "excluded": [[], [father.person_id]]}
    assert ExcludedPerson.select().count() == 1


# --- Deletions ----------------------------------------------------------------------------------


def test_remove_member_writes_delete_entry(client, staff):
    """Is removing a member recorded with who it was and in which role?"""
    case = make_case(key_worker=staff)
    make_member(case)
    child = make_member(case, make_person("Ema", "Horáková"), role=MemberRole.CHILD)
    response = client.post(f"/cases/{case.id}/members/{child.id}/remove", data=removal_data(child), headers=HX)
    assert response.status_code == 200
    [entry] = entries(action="delete", table="member")
    assert (entry.record_id, entry.case_id, entry.actor_id) == (child.id, case.id, staff.id)
    assert "Ema Horáková" in entry.summary and "child" in entry.summary


def test_remove_member_refused_writes_no_entry(client, staff):
    """Does a refused removal (the last caregiver) leave no delete entry?"""
    case = make_case(key_worker=staff)
    only = make_member(case)
    client.post(f"/cases/{case.id}/members/{only.id}/remove", data=removal_data(only))
    assert entries(action="delete") == []


def test_remove_child_records_linked_relatives_removed_with_it(client, staff):
    """When a child's removal takes the memberships of their relatives with it, is each recorded?"""
    case = make_case(key_worker=staff)
    make_member(case)
    child = make_member(case, role=MemberRole.CHILD)
    granny = make_member(case, make_person("Věra", "Horáková"), role=MemberRole.RELATIVE, child=child,
                         relation="grandmother")
    assert client.post(f"/cases/{case.id}/members/{child.id}/remove", data=removal_data(child)).status_code == 303
    gone = {m.id for m in (child, granny) if Member.get_or_none(Member.id == m.id) is None}
    recorded = {e.record_id for e in entries(action="delete", table="member", case_id=case.id)}
    assert child.id in gone
    assert gone == recorded
    assert Person.get_or_none(Person.id == granny.person_id) is not None  # the record stays


def test_team_remove_writes_delete_entry(client, staff):
    """Is taking someone off the team recorded?"""
    colleague = make_user("staff", full_name="Tomáš Veselý")
    case = make_case(key_worker=staff, team=[colleague])
    team_member = TeamMember.get(TeamMember.case == case)
    client.post(f"/cases/{case.id}/team/{team_member.id}/remove")
    [entry] = entries(action="delete", table="team_member")
    assert (entry.record_id, entry.case_id) == (team_member.id, case.id)
    assert "Tomáš Veselý" in entry.summary


# --- Every opening of a case or person page -----------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_open_case_page_writes_view_entry_each_time(client, auth, role):
    """Does every opening of a case page write one view entry for that case?"""
    user = auth.as_role(role)
    case = make_case(key_worker=user, name="Dvořákovi")
    for expected in (1, 2):
        assert client.get(f"/cases/{case.id}").status_code == 200
        views = entries(action="view", table="family_case")
        assert len(views) == expected
    assert all((e.actor_id, e.record_id, e.case_id) == (user.id, case.id, case.id) for e in views)


def test_open_case_page_by_reader_writes_view_entry(client, auth):
    """Is reading a case under read-all rights recorded too (need-to-know is checked later)?"""
    reader = auth.as_role("staff", can_read_all_cases=True)
    case = make_case(key_worker=make_user("staff"))
    client.get(f"/cases/{case.id}")
    [entry] = entries(action="view")
    assert (entry.actor_id, entry.case_id) == (reader.id, case.id)


def test_open_person_page_writes_view_entry_each_time(client, staff):
    """Does every opening of a person page write a view entry for that person?"""
    person = make_person("Věra", "Horáková")
    make_member(make_case(key_worker=staff), person, role=MemberRole.RELATIVE)
    client.get(f"/people/{person.id}")
    client.get(f"/people/{person.id}")
    views = entries(action="view", table="person")
    assert [(e.record_id, e.actor_id) for e in views] == [(person.id, staff.id)] * 2
    assert views[0].summary == "Věra Horáková"


def test_refused_case_page_writes_no_view_entry(client, auth):
    """Does a 404 for an unrelated staff member leave no view entry?"""
    case = make_case(key_worker=make_user("staff"))
    auth.as_role("staff")
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert entries(action="view") == []


# --- A case's history -----------------------------------------------------------------------------


def test_history_lists_only_this_cases_entries(client, staff):
    """Does a case's history list its own entries and none of another case's?"""
    mine = make_case(key_worker=staff, name="Dvořákovi")
    other = make_case(key_worker=staff, name="Svobodovi")
    AuditEntry.create(actor=staff, action="update", table="family_case", record_id=mine.id, case_id=mine.id,
                      summary="Marker of mine")
    AuditEntry.create(actor=staff, action="update", table="family_case", record_id=other.id, case_id=other.id,
                      summary="Marker of other")
    client.get(f"/cases/{other.id}")  # a view of the other case
    response = client.get(f"/cases/{mine.id}/history")
    html = text(response)
    assert response.status_code == 200
    assert "Marker of mine" in html
    assert "Marker of other" not in html and "Svobodovi" not in html


def test_history_shows_changes_old_to_new(client, staff):
    """Does the history show a change as field: old → new, with the actor's name?"""
    case = make_case(key_worker=staff, name="Dvořákovi")
    client.post(f"/cases/{case.id}/edit", data=edit_data(case, name="Horákovi"))
    html = text(client.get(f"/cases/{case.id}/history"))
    assert "<code>name</code>: Dvořákovi → Horákovi" in html
    assert "Jana Nováková" in html


def test_history_paginated_newest_first(client, staff):
    """With more entries than a page holds, is the newest on page 1 and the oldest on page 2?"""
    case = make_case(key_worker=staff)
    for n in range(25):
        AuditEntry.create(actor=staff, action="update", table="family_case", record_id=case.id, case_id=case.id,
                          summary=f"Entry {n:02d}", at=datetime.datetime(2025, 1, 1) + datetime.timedelta(days=n))
    first = text(client.get(f"/cases/{case.id}/history"))
    second = text(client.get(f"/cases/{case.id}/history?page=2"))
    assert "Entry 24" in first and "Entry 00" not in first
    assert "Entry 00" in second and "Entry 24" not in second


def test_history_htmx_page_returns_entries_only(client, staff):
    """Does an htmx request for a history page get the entries block only?"""
    case = make_case(key_worker=staff)
    AuditEntry.create(actor=staff, action="create", table="family_case", record_id=case.id, case_id=case.id,
                      summary="Opened")
    response = client.get(f"/cases/{case.id}/history", headers=HX)
    assert response.status_code == 200
    # The content of the entries section (swapped into it), not a second section inside it.
    assert "<html" not in text(response) and 'id="history-entries"' not in text(response)
    assert "Opened" in text(response)


# --- Append-only ------------------------------------------------------------------------------


@pytest.fixture
def entry(app):
    return AuditEntry.create(action="update", table="family_case", record_id=1, case_id=1, summary="Original")


def test_audit_entry_save_existing_raises(entry):
    """Does saving a changed, existing entry raise and leave the row as it was?"""
    entry.summary = "Tampered"
    with pytest.raises(PermissionError):
        entry.save()
    assert AuditEntry.get_by_id(entry.id).summary == "Original"


def test_audit_entry_delete_instance_raises(entry):
    """Does deleting an entry through the model raise and keep the row?"""
    with pytest.raises(PermissionError):
        entry.delete_instance()
    assert AuditEntry.get_or_none(AuditEntry.id == entry.id) is not None


def test_audit_entry_loaded_row_cannot_be_saved(entry):
    """Is a row loaded from the database just as protected as the one just created?"""
    loaded = AuditEntry.get_by_id(entry.id)
    loaded.action = "view"
    with pytest.raises(PermissionError):
        loaded.save(force_insert=False)
    assert AuditEntry.get_by_id(entry.id).action == "update"


def test_audit_entry_new_rows_still_written(app):
    """Is appending still possible (the protection does not block new entries)?"""
    first = AuditEntry.create(action="view", table="person", record_id=1)
    second = AuditEntry(action="view", table="person", record_id=2)
    second.save()
    assert AuditEntry.select().where(AuditEntry.id.in_([first.id, second.id])).count() == 2
