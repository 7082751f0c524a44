"""Who may open and change which family: every case-bearing URL (and its htmx variant)
× every kind of account × the account's own family and a foreign one.

Expected: administrators everything; the key worker and team members read and edit their
own family; staff with reading rights to all cases read everything and get 403 on edits;
staff unrelated to a family get 404 (its existence is not revealed) and do not see it in
their list; caregivers get 403 on every /cases and /people URL; anonymous visitors are sent
to the sign-in page (HX-Redirect for htmx). A refused request changes nothing.
"""
import datetime
import re

import pytest

from models import (
    AuditEntry,
    Case,
    ExcludedPerson,
    KeyWorkerAssignment,
    Member,
    MemberRole,
    Person,
    TeamMember,
)

from .access import (
    FOREIGN,
    OWN,
    Endpoint,
    accept_language,  # noqa: F401 (a fixture)
    assert_refused,
    assert_sent_to_sign_in,
    blueprint_routes,
    both,
    endpoint_routes,
    fixtures,
    matrix_cases,
    request,
    sign_in,
)
from .conftest import HX
from .factories import make_case, make_member, make_person, make_user, removal_data
from .helpers import text

READ, EDIT = "read", "edit"
ROLES = [
    "admin",
    "key_worker",
    "team_member",
    "reader",  # staff with reading rights to all cases
    "unrelated_staff",
    "caregiver",  # caregiver of the own family
    "other_caregiver",  # caregiver of the foreign family
    "anonymous",
]


class World:
    """Two families: the own one (of ``key_worker`` and ``team_member``) and a foreign one."""

    def __init__(self):
        self.users = {
            "admin": make_user("admin", full_name="Alena Správcová"),
            "key_worker": make_user("staff", full_name="Jana Nováková"),
            "team_member": make_user("staff", full_name="Tomáš Veselý"),
            "reader": make_user("staff", full_name="Iva Čtenářová", can_read_all_cases=True),
            "unrelated_staff": make_user("staff", full_name="Karel Cizí"),
            "caregiver": make_user("caregiver", full_name="Petr Dvořák"),
            "other_caregiver": make_user("caregiver", full_name="Anna Kowalska"),
        }
        # Someone to hand a case over to or add to a team, on no case at all.
        self.spare = make_user("staff", full_name="Eva Volná")
        self.cases, self.children, self.relatives, self.teams = {}, {}, {}, {}
        foreign_worker, foreign_team = make_user("staff"), make_user("staff")
        for target, worker, team, account, name in (
            (OWN, self.users["key_worker"], self.users["team_member"], self.users["caregiver"], "Dvořákovi"),
            (FOREIGN, foreign_worker, foreign_team, self.users["other_caregiver"], "Kowalscy"),
        ):
            case = make_case(key_worker=worker, team=[team], name=name)
            make_member(case, make_person(account=account))
            make_member(case)
            child = make_member(case, role=MemberRole.CHILD)
            relative = make_member(case, role=MemberRole.RELATIVE, child=child, relation="aunt",
                                   person=make_person(date_of_birth=datetime.date(1960, 1, 1)))
            self.cases[target] = case
            self.children[target] = child
            self.relatives[target] = relative
            self.teams[target] = TeamMember.get(TeamMember.case == case)
            relative.person  # loaded now, while the template database is open

    def url(self, template, target):
        return template.format(
            case=self.cases[target].id,
            child=self.children[target].id,
            member=self.relatives[target].id,
            person=self.relatives[target].person_id,
            team=self.teams[target].id,
        )


def fingerprint():
    """Everything a case-bearing request could change, including the audit trail."""
    return (
        list(Case.select(Case.id, Case.name, Case.key_worker, Case.version, Case.status).tuples()),
        list(Member.select(Member.id, Member.case, Member.person, Member.role, Member.relation,
                           Member.restriction_text, Member.version).tuples()),
        list(Person.select(Person.id, Person.first_name, Person.phone, Person.version).tuples()),
        list(TeamMember.select(TeamMember.id, TeamMember.case, TeamMember.user).tuples()),
        list(KeyWorkerAssignment.select(KeyWorkerAssignment.id, KeyWorkerAssignment.ended_on).tuples()),
        list(ExcludedPerson.select(ExcludedPerson.id).tuples()),
        AuditEntry.select().count(),
    )


# --- Payloads of the POST endpoints (valid, so a permitted request succeeds) -----------------


def _case_edit(world, target):
    case = world.cases[target]
    return {
        "name": case.name + " (renamed)", "case_type": case.case_type, "status": case.status,
        "opened_on": case.opened_on.isoformat(), "agreement_date": case.agreement_date.isoformat(),
        "new_rules": "0", "mediated": "1", "version": str(case.version),
    }


def _member_add(world, target):
    return {"role": MemberRole.HOUSEHOLD, "child": "0", "first_name": "Added", "last_name": "Member"}


def _person_fields(person, **changes):
    data = {"first_name": person.first_name, "last_name": person.last_name,
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
            "phone": "+420 600 000 000", "email": "", "address": "", "staff_notes": "",
            "version": str(person.version)}
    data.update(changes)
    return data


def _member_edit(world, target):
    return _person_fields(world.relatives[target].person, relation="aunt")


def _member_removal(world, target):
    return removal_data(world.relatives[target])


def _restrictions(world, target):
    return {"restriction_text": "Supervised contact only", "version": str(world.children[target].version)}


def _key_worker(world, target):
    return {"key_worker": str(world.spare.id)}


def _team_add(world, target):
    return {"user": str(world.spare.id)}


def _person_edit(world, target):
    return _person_fields(world.relatives[target].person)


ENDPOINTS = [
    *both("case", "GET", "/cases/{case}", READ, fragment=False),
    *both("history", "GET", "/cases/{case}/history", READ),
    Endpoint("case-edit-form", "GET", "/cases/{case}/edit", EDIT),
    Endpoint("case-edit", "POST", "/cases/{case}/edit", EDIT, data=_case_edit),
    *both("member-add-form", "GET", "/cases/{case}/members/new", EDIT),
    *both("member-add", "POST", "/cases/{case}/members", EDIT, data=_member_add),
    *both("member-edit-form", "GET", "/cases/{case}/members/{member}/edit", EDIT),
    *both("member-edit", "POST", "/cases/{case}/members/{member}/edit", EDIT, data=_member_edit),
    *both("member-remove", "POST", "/cases/{case}/members/{member}/remove", EDIT, data=_member_removal),
    Endpoint("restrictions", "GET", "/cases/{case}/members/{child}/restrictions", READ),
    Endpoint("restrictions-save", "POST", "/cases/{case}/members/{child}/restrictions", EDIT, data=_restrictions),
    # A hand-over reloads the whole case page: 303, or for htmx 204 with HX-Redirect.
    *both("key-worker", "POST", "/cases/{case}/key-worker", EDIT, data=_key_worker, htmx_ok=204),
    *both("team-manage", "GET", "/cases/{case}/team", EDIT),
    *both("team-add", "POST", "/cases/{case}/team", EDIT, data=_team_add),
    *both("team-remove", "POST", "/cases/{case}/team/{team}/remove", EDIT),
    *both("person", "GET", "/people/{person}", READ, fragment=False),
    *both("person-edit-form", "GET", "/people/{person}/edit", EDIT, fragment=False),
    # A saved person goes to the person's page: 303, or for htmx 204 with HX-Redirect.
    *both("person-edit", "POST", "/people/{person}/edit", EDIT, data=_person_edit, htmx_ok=204),
]


def expected(role, target, kind):
    """"ok", 403, 404 or "sign-in" for ``role`` on the ``target`` family."""
    if role == "anonymous":
        return "sign-in"
    if role in ("caregiver", "other_caregiver"):
        return 403
    if role == "admin":
        return "ok"
    if role in ("key_worker", "team_member"):
        return "ok" if target == OWN else 404
    if role == "reader":
        return "ok" if kind == READ else 403
    if role == "unrelated_staff":
        return 404
    raise AssertionError(role)


template_db, app, world = fixtures(World, "access-matrix")

CASES = matrix_cases(ENDPOINTS, ROLES)


@pytest.mark.parametrize(("endpoint", "role", "target"), CASES)
def test_case_url_access_matches_matrix(client, auth, world, endpoint, role, target):
    """Does each account get exactly what the access model allows, and nothing else happen?"""
    sign_in(auth, world, role)
    before = fingerprint()
    url, response = request(client, world, endpoint, target)
    outcome = expected(role, target, endpoint.kind)
    body = text(response)

    if outcome == "ok":
        assert response.status_code == endpoint.ok, (url, response.status_code, body[:300])
        if endpoint.method == "POST":
            assert fingerprint() != before, "a permitted write changed nothing"
        if endpoint.fragment and response.status_code == 200:
            assert "<html" not in body
        if endpoint.method == "GET" and endpoint.name.startswith(("case", "person")) and "edit" not in endpoint.name:
            # The page is about the target, not something else.
            name = world.cases[target].name if endpoint.name.startswith("case") else \
                world.relatives[target].person.full_name
            assert name in body
        return

    # Refused: nothing written, not even an audit entry of a view.
    assert fingerprint() == before
    # The error tells nothing about the family.
    assert_refused(response, endpoint, outcome, url,
                   hidden=(world.cases[target].name, world.relatives[target].person.last_name))
    if outcome == "sign-in" and endpoint.htmx:
        assert "Location" not in response.headers


#: Case URLs whose access is tested with their own feature.
NOT_HERE = {"cases.member_invite"}  # inviting a caregiver: tests/test_invite.py


def test_matrix_covers_every_case_and_person_url(app):
    """Does the matrix list every URL rule and method of the cases and people areas?"""
    covered = endpoint_routes(ENDPOINTS)
    covered |= {("GET", "/cases/"), ("GET", "/cases/new"), ("POST", "/cases/new")}  # tested below
    assert blueprint_routes(app, ("cases", "people"), exclude=NOT_HERE) == covered


def test_matrix_has_both_outcomes_for_every_endpoint():
    """Is every endpoint both allowed and refused somewhere in the matrix (no vacuous row)?"""
    for endpoint in ENDPOINTS:
        outcomes = {expected(role, target, endpoint.kind) for role in ROLES for target in (OWN, FOREIGN)}
        assert {"ok", 403, 404, "sign-in"} <= outcomes, endpoint


# --- The case list and the new-case form --------------------------------------------------------

LISTED = {
    "admin": {OWN, FOREIGN},
    "key_worker": {OWN},
    "team_member": {OWN},
    "reader": {OWN, FOREIGN},
    "unrelated_staff": set(),
}


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("role", ROLES)
def test_case_list_shows_only_visible_cases(client, auth, world, role, htmx):
    """Does the list show each account exactly the families it may open?"""
    sign_in(auth, world, role)
    response = client.get("/cases/", headers=HX if htmx else {})
    html = text(response)
    if role == "anonymous":
        assert_sent_to_sign_in(response, htmx)
        return
    if role in ("caregiver", "other_caregiver"):
        assert response.status_code == 403
        assert "Dvořákovi" not in html and "Kowalscy" not in html
        return
    assert response.status_code == 200
    listed = {int(i) for i in re.findall(r'<td><a href="/cases/(\d+)">', html)}
    assert listed == {world.cases[t].id for t in LISTED[role]}


@pytest.mark.parametrize("role", ["key_worker", "unrelated_staff"])
def test_case_list_search_does_not_reveal_foreign_case(client, auth, world, role):
    """Does searching for a foreign family's name or member find nothing?"""
    sign_in(auth, world, role)
    foreign_member = world.relatives[FOREIGN].person.last_name
    for q in ("Kowalscy", foreign_member):
        html = text(client.get("/cases/", query_string={"q": q}))
        assert "0 families found" in html, q
        assert f'href="/cases/{world.cases[FOREIGN].id}"' not in html


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("key_worker", 200), ("reader", 200), ("unrelated_staff", 200),
     ("caregiver", 403), ("other_caregiver", 403)],
)
def test_new_case_form_access(client, auth, world, role, status):
    """Is the new-case form open to staff and admins, and closed to caregivers?"""
    sign_in(auth, world, role)
    assert client.get("/cases/new").status_code == status


@pytest.mark.parametrize("role", ["caregiver", "other_caregiver"])
def test_new_case_post_by_caregiver_refused(client, auth, world, role):
    """Can a caregiver not create a case by posting the form directly?"""
    sign_in(auth, world, role)
    before = fingerprint()
    response = client.post("/cases/new", data={"name": "Mine", "case_type": "cz_foster", "status": "active",
                                               "opened_on": "2024-01-01", "agreement_date": "2024-01-01",
                                               "key_worker": str(world.users["key_worker"].id)})
    assert response.status_code == 403
    assert fingerprint() == before


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("path", ["/cases/", "/cases/new"])
def test_new_case_and_list_anonymous_sent_to_sign_in(client, world, path, htmx):
    """Are the list and the new-case form closed to anonymous visitors?"""
    response = client.get(path, headers=HX if htmx else {})
    assert_sent_to_sign_in(response, htmx)


# --- Ids of another family in this family's URL ----------------------------------------------

CROSS = [
    ("GET", "/cases/{own}/members/{member}/edit"),
    ("POST", "/cases/{own}/members/{member}/edit"),
    ("POST", "/cases/{own}/members/{member}/remove"),
    ("GET", "/cases/{own}/members/{child}/restrictions"),
    ("POST", "/cases/{own}/members/{child}/restrictions"),
    ("POST", "/cases/{own}/team/{team}/remove"),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(("method", "template"), CROSS)
@pytest.mark.parametrize("role", ["admin", "key_worker"])
def test_member_of_other_case_in_url_not_found(client, auth, world, role, method, template, htmx):
    """Is a member (or team) id of another family used in this family's URL answered 404?"""
    sign_in(auth, world, role)
    url = template.format(
        own=world.cases[OWN].id,
        member=world.relatives[FOREIGN].id,
        child=world.children[FOREIGN].id,
        team=world.teams[FOREIGN].id,
    )
    data = {**_member_edit(world, FOREIGN), **_restrictions(world, FOREIGN)} if method == "POST" else None
    before = fingerprint()
    response = client.open(url, method=method, headers=HX if htmx else {}, data=data)
    assert response.status_code == 404, (url, response.status_code)
    assert fingerprint() == before
    assert world.relatives[FOREIGN].person.last_name not in text(response)


def test_member_of_own_case_with_same_ids_found(client, auth, world):
    """Does the same URL with the family's own member work (so the 404 above is about scoping)?"""
    sign_in(auth, world, "key_worker")
    own = world.cases[OWN].id
    assert client.get(f"/cases/{own}/members/{world.relatives[OWN].id}/edit").status_code == 200
    assert client.get(f"/cases/{own}/members/{world.children[OWN].id}/restrictions").status_code == 200


def test_unknown_case_not_found_like_foreign_case(client, auth, world):
    """Does a case that does not exist answer exactly like a foreign one (no existence leak)?"""
    sign_in(auth, world, "unrelated_staff")
    foreign_id = world.cases[FOREIGN].id
    missing = client.get("/cases/99999")
    foreign = client.get(f"/cases/{foreign_id}")
    assert missing.status_code == foreign.status_code == 404
    # The pages differ only by the address itself (the language switch returns to it).
    assert text(missing).replace("/cases/99999", "/cases/ID") == text(foreign).replace(f"/cases/{foreign_id}", "/cases/ID")


# --- People outside the families -------------------------------------------------------------


def test_person_in_no_family_open_to_any_staff(client, auth, world):
    """Is a person not yet in any family visible to unrelated staff (to avoid duplicates)?"""
    loose = make_person("Marie", "Volná")
    sign_in(auth, world, "unrelated_staff")
    response = client.get(f"/people/{loose.id}")
    assert response.status_code == 200 and "Marie Volná" in text(response)


def test_person_in_own_and_foreign_family_visible_once_related(client, auth, world):
    """Is a person in both families visible to the key worker, listing only the own family?"""
    shared = world.relatives[FOREIGN].person
    make_member(world.cases[OWN], shared, role=MemberRole.HOUSEHOLD)
    sign_in(auth, world, "key_worker")
    html = text(client.get(f"/people/{shared.id}"))
    assert "Dvořákovi" in html and "Kowalscy" not in html


def test_person_page_of_foreign_family_member_not_found_for_unrelated_staff(client, auth, world):
    """Is a person who is only in a foreign family answered 404 to unrelated staff?"""
    sign_in(auth, world, "unrelated_staff")
    for target in (OWN, FOREIGN):
        person = world.relatives[target].person
        assert client.get(f"/people/{person.id}").status_code == 404
        assert client.get(f"/people/{person.id}/edit").status_code == 404
