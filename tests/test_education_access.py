"""Who may open and change what in the education area: every URL of the blueprint (plain
and htmx) × every kind of account × the account's own family and a foreign one.

Expected: events, lists and the attendance sheet are for staff and administrators; the
education figures for administrators; a caregiver's hours, plan, external training,
statement and registrations follow the family rules of tests/test_access_matrix.py (the
key worker and team edit their own family, readers read, unrelated staff get 404);
caregivers use only /education/my pages, for themselves, and get 404 for another
family's registration. A refused request changes nothing.
"""
import datetime

import pytest
from flask import Flask

from models import AuditEntry, Member, MemberRole, Notification, Person
from models.education import (
    EducationPlan,
    EducationSettings,
    ExternalTraining,
    Registration,
    TrainingEvent,
)

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
from .helpers import text
from .test_access_matrix import ROLES, World

NOW = datetime.datetime.now().replace(second=0, microsecond=0)
STAFF_ROLES = {"admin", "key_worker", "team_member", "reader", "unrelated_staff"}
CAREGIVERS = {"caregiver", "other_caregiver"}
OWNER = {OWN: "caregiver", FOREIGN: "other_caregiver"}


class EducationWorld(World):
    """The two families of the access matrix, with trainings, registrations and hours."""

    def __init__(self):
        super().__init__()
        self.past = TrainingEvent.create(title="Past training", starts_at=NOW - datetime.timedelta(days=3),
                                         ends_at=NOW - datetime.timedelta(days=3) + datetime.timedelta(hours=3),
                                         duration_minutes=180, capacity=10, place="Brno")
        self.future = TrainingEvent.create(title="Future training", starts_at=NOW + datetime.timedelta(days=5),
                                           ends_at=NOW + datetime.timedelta(days=5, hours=3),
                                           duration_minutes=180, capacity=10, place="Brno")
        self.open = TrainingEvent.create(title="Open training", starts_at=NOW + datetime.timedelta(days=8),
                                         ends_at=NOW + datetime.timedelta(days=8, hours=2),
                                         duration_minutes=120, capacity=10, place="Brno")
        self.caregivers, self.past_regs, self.future_regs, self.external = {}, {}, {}, {}
        for target in (OWN, FOREIGN):
            case = self.cases[target]
            person = (Person.select().join(Member)
                      .where((Member.case == case) & (Member.role == MemberRole.CAREGIVER) & Person.account.is_null(False))
                      .get())
            self.caregivers[target] = person
            self.past_regs[target] = Registration.create(event=self.past, person=person, case=case)
            self.future_regs[target] = Registration.create(event=self.future, person=person, case=case)
            self.external[target] = ExternalTraining.create(person=person, case=case, provider="NRP", topic="Trauma",
                                                            date=datetime.date.today(), minutes=120)
        EducationSettings.current()

    def url(self, template, target):
        return template.format(
            person=self.caregivers[target].id,
            external=self.external[target].id,
            past=self.past_regs[target].id,
            future=self.future_regs[target].id,
            event=self.future.id,
            open=self.open.id,
        )


def fingerprint():
    """Everything an education request could change, with the audit trail and notifications."""
    return (
        list(TrainingEvent.select(TrainingEvent.id, TrainingEvent.title, TrainingEvent.version).tuples()),
        list(Registration.select(Registration.id, Registration.status, Registration.attendance,
                                 Registration.attended_minutes, Registration.version).tuples()),
        list(ExternalTraining.select(ExternalTraining.id).tuples()),
        list(EducationPlan.select(EducationPlan.id, EducationPlan.topics, EducationPlan.version).tuples()),
        list(EducationSettings.select(EducationSettings.standard_minutes, EducationSettings.version).tuples()),
        AuditEntry.select().count(),
        Notification.select().count(),
    )


def _event(world, target):
    start = NOW + datetime.timedelta(days=20)
    return {"title": "New training", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "duration": "2",
            "place": "Praha", "capacity": "5", "event_format": "group", "language": "cs",
            "version": str(world.future.version)}


def _plan(world, target):
    return {"topics": "Attachment", "version": "0"}


def _external(world, target):
    return {"provider": "NRP", "topic": "School", "date": datetime.date.today().isoformat(), "hours": "1.5"}


def _attendance(world, target):
    reg = world.past_regs[target]
    return {f"r{reg.id}-attendance": "attended", f"r{reg.id}-hours": "2", f"r{reg.id}-version": str(reg.version)}


def _settings(world, target):
    return {"standard_hours": "30", "version": "1"}


def _sign_up(world, target):
    return {"person": str(world.caregivers[target].id)}


ENDPOINTS = [
    # Staff pages without a family.
    *both("events", "GET", "/education/events", "staff"),
    *both("event-new-form", "GET", "/education/events/new", "staff"),
    *both("event-new", "POST", "/education/events/new", "staff", data=_event, htmx_ok=303),
    *both("event", "GET", "/education/events/{event}", "staff"),
    *both("event-edit-form", "GET", "/education/events/{event}/edit", "staff"),
    *both("event-edit", "POST", "/education/events/{event}/edit", "staff", data=_event, htmx_ok=303),
    *both("register-form", "GET", "/education/events/{event}/register", "staff"),
    *both("sheet", "GET", "/education/events/{event}/sheet", "staff"),
    *both("at-risk", "GET", "/education/at-risk", "staff"),
    *both("settings-form", "GET", "/education/settings", "admin"),
    *both("settings", "POST", "/education/settings", "admin", data=_settings, htmx_ok=303),
    # A caregiver's hours: the family rules.
    *both("person", "GET", "/education/people/{person}", "read"),
    *both("statement", "GET", "/education/people/{person}/statement", "read"),
    *both("plan", "POST", "/education/people/{person}/plan", "edit", data=_plan),
    *both("external-add", "POST", "/education/people/{person}/external", "edit", data=_external),
    *both("external-delete", "POST", "/education/people/{person}/external/{external}/delete", "edit"),
    *both("attendance", "POST", "/education/registrations/{past}/attendance", "edit", data=_attendance),
    *both("cancel", "POST", "/education/registrations/{future}/cancel", "edit"),
    # Caregivers' own pages.
    *both("my", "GET", "/education/my", "mine"),
    *both("my-events", "GET", "/education/my/events", "mine"),
    *both("my-statement", "GET", "/education/my/statement", "mine"),
    # Signing up someone else is bad input: refused with a message (422), nobody registered.
    *both("my-register", "POST", "/education/my/events/{open}/register", "mine_self", data=_sign_up, htmx_ok=204),
    *both("my-cancel", "POST", "/education/my/registrations/{future}/cancel", "mine_obj", htmx_ok=204),
]


def expected(role, target, kind):
    """"ok", 403, 404 or "sign-in"."""
    if role == "anonymous":
        return "sign-in"
    if kind == "staff":
        return "ok" if role in STAFF_ROLES else 403
    if kind == "admin":
        return "ok" if role == "admin" else 403
    if kind == "mine":
        return "ok" if role in CAREGIVERS else 403
    if kind == "mine_self":
        if role not in CAREGIVERS:
            return 403
        return "ok" if OWNER[target] == role else 422
    if kind == "mine_obj":
        if role not in CAREGIVERS:
            return 403
        return "ok" if OWNER[target] == role else 404
    # Family rules (read / edit).
    if role in CAREGIVERS:
        return 403
    if role == "admin":
        return "ok"
    if role in ("key_worker", "team_member"):
        return "ok" if target == OWN else 404
    if role == "reader":
        return "ok" if kind == "read" else 403
    return 404


template_db, app, world = fixtures(EducationWorld, "education-access", context=Flask.app_context)

CASES = matrix_cases(ENDPOINTS, ROLES)


@pytest.mark.parametrize(("endpoint", "role", "target"), CASES)
def test_education_url_access_matches_matrix(client, auth, world, endpoint, role, target):
    """Does each account get exactly what the access model allows, and nothing else happen?"""
    sign_in(auth, world, role)
    before = fingerprint()
    url, response = request(client, world, endpoint, target)
    outcome = expected(role, target, endpoint.kind)
    body = text(response)
    if outcome == "ok":
        assert response.status_code == endpoint.ok, (url, response.status_code, body[:400])
        if endpoint.method == "POST":
            assert fingerprint() != before, "a permitted write changed nothing"
        if endpoint.kind in ("read",) and endpoint.method == "GET":
            assert world.caregivers[target].full_name in body
        if endpoint.kind == "mine" and endpoint.method == "GET":
            # A caregiver's page never names the other family's caregiver.
            other = FOREIGN if role == "caregiver" else OWN
            assert world.caregivers[other].full_name not in body
        return
    assert fingerprint() == before
    assert_refused(response, endpoint, outcome, url, hidden=(world.caregivers[target].last_name,))


def test_matrix_covers_every_education_url(app):
    """Does the matrix list every URL rule and method of the education blueprint?"""
    covered = endpoint_routes(ENDPOINTS)
    covered |= {("POST", "/education/events/<id>/register")}  # tested below
    assert blueprint_routes(app, ("education",)) == covered


@pytest.mark.parametrize("role", sorted(STAFF_ROLES | CAREGIVERS))
def test_staff_registering_a_caregiver_only_for_editable_families(client, auth, world, role):
    """Can only staff who edit a family register its caregiver (for the own family: admin, key worker, team)?"""
    sign_in(auth, world, role)
    for target in (OWN, FOREIGN):
        before = fingerprint()
        person = world.caregivers[target]
        response = client.post(f"/education/events/{world.open.id}/register", data={"person": str(person.id)})
        allowed = role == "admin" or (role in ("key_worker", "team_member") and target == OWN)
        if allowed:
            assert response.status_code == 303, (role, target)
            assert fingerprint() != before
        else:
            assert response.status_code in (403, 422), (role, target, response.status_code)
            assert fingerprint() == before


def test_event_page_hides_registrations_of_other_families(client, auth, world):
    """Does the key worker see their family's registration but only a count of the other family's?"""
    sign_in(auth, world, "key_worker")
    html = text(client.get(f"/education/events/{world.future.id}"))
    assert world.caregivers[OWN].full_name in html
    assert world.caregivers[FOREIGN].full_name not in html
    assert "1 more registration from families outside your caseload" in html


def test_caregiver_home_shows_only_own_hours(client, auth, world):
    """Does "My family" show the caregiver's own training, never the other family's?"""
    sign_in(auth, world, "caregiver")
    html = text(client.get("/my"))
    assert "Future training" in html
    assert world.caregivers[FOREIGN].full_name not in html
