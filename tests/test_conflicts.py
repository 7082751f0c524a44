"""Conflict-of-interest declarations: declaring, withdrawing, the administrators' list,
who sees what, and how the rules of case records enforce a declaration on the case pages."""
import datetime
import re

import pytest

from models import (
    AuditEntry,
    Case,
    CaseStatus,
    ConflictDeclaration,
    ConflictKind,
    KeyWorkerAssignment,
    MemberRole,
    TeamMember,
)

from .conftest import HX
from .factories import make_case, make_member, make_person, make_user
from .helpers import field_error, text


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


def declare(user, person, kind=ConflictKind.FAMILY, note=""):
    return ConflictDeclaration.create(user=user, person=person, kind=kind, note=note)


def options(html):
    """The (value, label) pairs of the person select."""
    select = re.search(r'<select[^>]*id="person"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no person select on the page"
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


def flashes(html, category):
    return [m.strip() for m in re.findall(rf'<p class="flash flash--{category}">(.*?)</p>', html, re.S)]


# --- Declaring ------------------------------------------------------------------------------


def test_search_offers_visible_people_as_you_type(client, auth):
    """Does typing a name offer matching people the staff member may see, as a fragment?"""
    auth.as_role("staff")
    dvorak = make_person("Jan", "Dvořák", date_of_birth=datetime.date(1980, 5, 4))
    make_person("Eva", "Malá")
    response = client.get("/conflicts/people?q=dvorak", headers=HX)
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html and 'id="person-choices"' not in html and 'id="person"' in html
    values = [value for value, _label in options(html)]
    assert values == ["", str(dvorak.id)]
    assert "Jan Dvořák, born" in html


def test_search_without_javascript_reloads_the_page(client, auth):
    """Does the plain GET form show the whole page with the matches in the select?"""
    auth.as_role("staff")
    person = make_person("Jan", "Dvořák")
    html = text(client.get("/conflicts/?q=DVOŘ"))
    assert "<html" in html and html.count('id="q"') == 1
    assert (str(person.id), "Jan Dvořák") in options(html)


def test_search_hides_people_of_other_staffs_families(client, auth):
    """Is a member of a family the staff member does not work with left out of the search?"""
    auth.as_role("staff")
    other = make_case(key_worker=make_user("staff"))
    hidden = make_person("Jan", "Skrytý")
    make_member(other, hidden, MemberRole.CAREGIVER)
    html = text(client.get("/conflicts/people?q=skryty", headers=HX))
    assert options(html) == [("", "Choose the person")]
    assert "Nobody you may see matches" in html


def test_declare_records_declaration_and_audit(client, auth):
    """Is a declaration stored for the signed-in user, audited, and listed as theirs?"""
    staff = auth.as_role("staff")
    person = make_person("Jan", "Dvořák")
    response = client.post(
        "/conflicts/", data={"person": person.id, "kind": "property", "note": "We co-own a flat."}
    )
    assert response.status_code == 303
    declaration = ConflictDeclaration.get()
    assert (declaration.user_id, declaration.person_id, declaration.kind) == (staff.id, person.id, "property")
    assert declaration.note == "We co-own a flat."
    entry = AuditEntry.get(AuditEntry.table == "conflict_declaration")
    assert entry.action == "create" and entry.actor_id == staff.id and entry.record_id == declaration.id
    html = text(client.get("/conflicts/"))
    assert "Your declaration about Jan Dvořák has been recorded." in html
    assert "Property relationship" in html and "We co-own a flat." in html


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("family", "Family relationship"),
        ("personal", "Close personal relationship"),
        ("working", "Working relationship"),
        ("property", "Property relationship"),
    ],
)
def test_kinds_are_labelled(client, auth, kind, label):
    """Is each kind of relationship offered and shown with its name?"""
    auth.as_role("staff")
    html = text(client.get("/conflicts/"))
    assert f'value="{kind}"' in html and label in html


def test_declare_without_person_or_kind_refused(client, auth):
    """Are a missing person and a missing kind refused with errors beside the fields?"""
    auth.as_role("staff")
    response = client.post("/conflicts/", data={"person": "", "note": "x"})
    html = text(response)
    assert response.status_code == 422
    assert field_error(html, "person") == "Choose the person from the search results."
    assert field_error(html, "kind") == "Choose the kind of relationship."
    assert ConflictDeclaration.select().count() == 0


def test_declare_about_invisible_person_refused(client, auth):
    """Is a person the staff member may not see refused, even with a forged id?"""
    auth.as_role("staff")
    other = make_case(key_worker=make_user("staff"))
    hidden = make_person("Jan", "Skrytý")
    make_member(other, hidden, MemberRole.CAREGIVER)
    response = client.post("/conflicts/", data={"person": hidden.id, "kind": "family"})
    assert response.status_code == 422
    assert field_error(text(response), "person") == "Choose the person from the search results."
    assert ConflictDeclaration.select().count() == 0


def test_declare_same_relationship_twice_refused(client, auth):
    """Is the same kind of relationship with the same person refused a second time?"""
    staff = auth.as_role("staff")
    person = make_person("Jan", "Dvořák")
    declare(staff, person, ConflictKind.WORKING)
    response = client.post("/conflicts/", data={"person": person.id, "kind": "working"})
    assert response.status_code == 422
    assert "already declared this relationship with Jan Dvořák" in field_error(text(response), "kind")
    # The chosen person stays selected in the form shown again.
    assert (str(person.id), "Jan Dvořák") in options(text(response))
    assert client.post("/conflicts/", data={"person": person.id, "kind": "family"}).status_code == 303


def test_declare_about_member_of_own_cases_warns_and_records(client, auth):
    """Does declaring about a member of the declarer's own open families record the fact and
    name those families (key worker and team), leaving closed families out?"""
    staff = auth.as_role("staff")
    person = make_person("Jan", "Dvořák")
    own = make_case(key_worker=staff, name="Novák family")
    team = make_case(key_worker=make_user("staff"), team=[staff], name="Svoboda family")
    closed = make_case(key_worker=staff, name="Old family", status=CaseStatus.CLOSED,
                       closed_on=datetime.date(2024, 12, 1))
    unrelated = make_case(key_worker=staff, name="Other family")
    for case in (own, team, closed):
        make_member(case, person, MemberRole.RELATIVE)
    response = client.post("/conflicts/", data={"person": person.id, "kind": "family"}, follow_redirects=True)
    html = text(response)
    assert ConflictDeclaration.select().count() == 1
    [warning] = flashes(html, "warning")
    assert "Jan Dvořák is a member of 2 families you work with: Novák family, Svoboda family." in warning
    assert "ask an administrator to hand them over" in warning
    assert "Old family" not in warning and unrelated.name not in warning
    # The list keeps pointing at the families to hand over.
    assert "You still work with these 2 families:" in html
    assert f'/cases/{own.id}"' in html and f'/cases/{team.id}"' in html


def test_declare_about_unrelated_person_does_not_warn(client, auth):
    """Is there no warning when the person is in none of the declarer's families?"""
    auth.as_role("staff")
    person = make_person("Jan", "Dvořák")
    html = text(client.post("/conflicts/", data={"person": person.id, "kind": "family"}, follow_redirects=True))
    assert flashes(html, "warning") == []


# --- Withdrawing and who sees what ----------------------------------------------------------


def test_withdraw_own_declaration_deletes_and_audits(client, auth):
    """Does withdrawing delete the declaration and leave an audit entry of it?"""
    staff = auth.as_role("staff")
    declaration = declare(staff, make_person("Jan", "Dvořák"), note="cousin")
    response = client.post(f"/conflicts/{declaration.id}/withdraw")
    assert response.status_code == 303
    assert ConflictDeclaration.select().count() == 0
    entry = AuditEntry.get((AuditEntry.table == "conflict_declaration") & (AuditEntry.action == "delete"))
    assert entry.record_id == declaration.id and entry.actor_id == staff.id
    assert entry.change_dict["note"] == ["cousin", None]


def test_withdraw_someone_elses_declaration_not_found(client, auth):
    """Can a staff member (or an admin) not withdraw another person's declaration?"""
    declaration = declare(make_user("staff"), make_person())
    auth.as_role("staff")
    assert client.post(f"/conflicts/{declaration.id}/withdraw").status_code == 404
    auth.logout()
    auth.as_role("admin")
    assert client.post(f"/conflicts/{declaration.id}/withdraw").status_code == 404
    assert ConflictDeclaration.select().count() == 1


def test_staff_sees_only_own_declarations(client, auth):
    """Does a staff member's list leave out a colleague's declarations?"""
    declare(make_user("staff"), make_person("Colleague's", "Cousin"))
    staff = auth.as_role("staff")
    declare(staff, make_person("My", "Neighbour"))
    html = text(client.get("/conflicts/"))
    assert "My Neighbour" in html and "Cousin" not in html


def test_admin_list_is_admin_only(client, auth):
    """Is the list of every declaration refused to staff members?"""
    auth.as_role("staff")
    assert client.get("/conflicts/all").status_code == 403


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/conflicts/"),
        ("post", "/conflicts/"),
        ("get", "/conflicts/people?q=a"),
        ("get", "/conflicts/all"),
        ("post", "/conflicts/1/withdraw"),
    ],
)
def test_caregiver_refused_everywhere(client, auth, method, url):
    """Are caregivers refused on every page of the area?"""
    declare(make_user("staff"), make_person())
    auth.as_role("caregiver")
    assert getattr(client, method)(url).status_code == 403


def test_admin_list_shows_everyone_filtered_by_staff(client, auth):
    """Does the admin list show every declaration, and only one staff member's when filtered?"""
    anna, boris = make_user("staff", full_name="Anna Ant"), make_user("staff", full_name="Boris Bear")
    declare(anna, make_person("Petr", "First"))
    declare(boris, make_person("Pavel", "Second"), ConflictKind.PROPERTY)
    auth.as_role("admin")
    html = text(client.get("/conflicts/all"))
    assert "Petr First" in html and "Pavel Second" in html and "2 declarations" in html
    html = text(client.get(f"/conflicts/all?user={boris.id}"))
    assert "Pavel Second" in html and "Petr First" not in html and "Property relationship" in html
    fragment = text(client.get(f"/conflicts/all?user={anna.id}", headers=HX))
    assert "<html" not in fragment and 'id="declaration-results"' not in fragment
    assert "Petr First" in fragment and "Pavel Second" not in fragment


def test_admin_list_unknown_staff_filter_refused(client, auth):
    """Is an unknown staff member in the filter refused (422) with the error beside it?"""
    declare(make_user("staff"), make_person("Petr", "First"))
    auth.as_role("admin")
    response = client.get("/conflicts/all?user=9999")
    assert response.status_code == 422
    assert field_error(text(response), "user")
    assert "Petr First" in text(response)


def test_admin_list_marks_and_filters_families_to_hand_over(client, auth):
    """Does the admin list name the families to hand over, and filter to those declarations?"""
    worker = make_user("staff", full_name="Anna Ant")
    person = make_person("Petr", "Related")
    case = make_case(key_worker=worker, name="Novák family")
    make_member(case, person, MemberRole.CHILD)
    declare(worker, person)
    declare(worker, make_person("Pavel", "Unrelated"))
    auth.as_role("admin")
    html = text(client.get("/conflicts/all"))
    assert f'/cases/{case.id}#team">Novák family</a>' in html
    html = text(client.get("/conflicts/all?at_stake=y"))
    assert "Petr Related" in html and "Pavel Unrelated" not in html


def test_admin_list_paginated(client, auth):
    """Is the admin list split into pages of 50?"""
    worker = make_user("staff")
    for n in range(55):
        declare(worker, make_person(f"P{n:02d}", "Person"))
    auth.as_role("admin")
    first = text(client.get("/conflicts/all"))
    second = text(client.get("/conflicts/all?page=2"))
    assert first.count("<tr>") - 1 == 50 and second.count("<tr>") - 1 == 5
    assert "Page 1 of 2" in first and "Page 2 of 2" in second


# --- Enforcement on the case pages ------------------------------------------------------------


CONFLICT_MESSAGE = "has declared a conflict of interest with Jan Dvořák, a member of this family, and cannot work on this case."


@pytest.fixture
def conflicted():
    """A family with Jan Dvořák as a member, and a staff member who declared him a cousin."""
    case = make_case(key_worker=make_user("staff"), name="Novák family")
    person = make_person("Jan", "Dvořák")
    make_member(case, person, MemberRole.RELATIVE)
    worker = make_user("staff", full_name="Petra Related")
    declare(worker, person)
    return case, worker, person


def test_key_worker_with_conflict_refused_on_hand_over(client, auth, conflicted):
    """Is a hand-over to a staff member with a declared conflict refused with a clear message?"""
    case, worker, _person = conflicted
    auth.as_role("admin")
    response = client.post(f"/cases/{case.id}/key-worker", data={"key_worker": worker.id})
    assert response.status_code == 422
    assert "Petra Related " + CONFLICT_MESSAGE in text(response)
    assert Case.get_by_id(case.id).key_worker_id != worker.id


def test_key_worker_with_conflict_refused_on_hand_over_htmx(client, auth, conflicted):
    """Is the refusal shown in the team section when the hand-over comes from htmx?"""
    case, worker, _person = conflicted
    auth.as_role("admin")
    response = client.post(f"/cases/{case.id}/key-worker", data={"key_worker": worker.id}, headers=HX)
    assert response.status_code == 422
    assert "<html" not in text(response) and CONFLICT_MESSAGE in text(response)


def test_team_member_with_conflict_refused(client, auth, conflicted):
    """Is a staff member with a declared conflict refused on the family's team?"""
    case, worker, _person = conflicted
    auth.as_role("admin")
    response = client.post(f"/cases/{case.id}/team", data={"user": worker.id})
    assert response.status_code == 422
    assert "Petra Related " + CONFLICT_MESSAGE in text(response)
    assert not TeamMember.select().where(TeamMember.user == worker).exists()


def test_new_case_key_worker_then_declared_member_refused(client, auth, conflicted):
    """A new family has no members yet, so its key worker cannot conflict with one when it is
    opened (POST /cases/new succeeds); the declaration bites when the declared person is
    added: that member is refused with a message naming the key worker."""
    _case, worker, person = conflicted
    auth.as_role("admin")
    response = client.post("/cases/new", data={
        "name": "Dvořák family", "case_type": "cz_foster", "status": "active",
        "opened_on": "2025-02-01", "agreement_date": "2025-02-01", "new_rules": "1", "mediated": "1",
        "key_worker": worker.id,
    })
    assert response.status_code == 303
    case = Case.get(Case.name == "Dvořák family")
    assert case.key_worker_id == worker.id
    response = client.post(f"/cases/{case.id}/members", data={
        "role": "caregiver", "first_name": "Jan", "last_name": "Dvořák", "existing_person": person.id,
    })
    assert response.status_code == 422
    assert "Petra Related, who works on this case, has declared a conflict of interest with Jan Dvořák. Hand the case over first." in text(response)
    assert not case.members.exists()


def test_key_worker_without_conflict_accepted(client, auth, conflicted):
    """Does a declaration about someone else's family member leave other staff unaffected?"""
    case, _worker, _person = conflicted
    other = make_user("staff")
    auth.as_role("admin")
    response = client.post(f"/cases/{case.id}/key-worker", data={"key_worker": other.id})
    assert response.status_code == 303
    assert KeyWorkerAssignment.select().where(KeyWorkerAssignment.user == other).count() == 1


def test_search_term_is_escaped(client, auth):
    """Is the search term shown back as text, never as markup?"""
    auth.as_role("staff")
    html = text(client.get("/conflicts/people?q=<b>x", headers=HX))
    assert "<b>x" not in html and "&lt;b&gt;x" in html
