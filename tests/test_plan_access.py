"""Who may open and change which family's care plan: every URL of the plans blueprint (and
its htmx variant) × every kind of account × the account's own family and a foreign one.

Staff pages follow the case rules (tests/test_access_matrix.py): admins everything, key
worker and team their own family, read-all staff read but not edit, unrelated staff 404,
caregivers 403. The caregiver's pages are the reverse: a caregiver reaches only their own
family's approved plan (another family answers 404), staff get 403. Anonymous visitors are
sent to sign in. A refused request changes nothing, and its answer names nothing of the
family. Ids of another family's goals, actions, needs, reviews and versions answer 404.
"""
import datetime

import pytest
from flask import Flask

from models import AuditEntry, Notification
from models import plan_rules
from models.plans import (
    CarePlan,
    PlanAcknowledgement,
    PlanAction,
    PlanArea,
    PlanGoal,
    PlanNeed,
    PlanReview,
    PlanVersion,
)

from models.base import versions_stamp

from .access import (
    FOREIGN,
    OWN,
    Endpoint,
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
from .conftest import HX
from .helpers import location_path, text
from .plan_factories import make_action, make_goal, make_need, make_plan
from .test_access_matrix import ROLES, World

READ, EDIT, FAMILY = "read", "edit", "family"
TODAY = datetime.date.today()


class PlanWorld(World):
    """The two families of the case matrix, each with an approved plan and a new draft."""

    def __init__(self):
        super().__init__()
        self.plans, self.goals, self.actions, self.needs, self.reviews = {}, {}, {}, {}, {}
        for target, case in self.cases.items():
            plan = make_plan(case, starts_on=TODAY - datetime.timedelta(days=60),
                             staff_notes=f"Plan staff note {case.name}")
            goal = make_goal(plan, f"Goal of {case.name}")
            make_goal(plan, f"Second goal of {case.name}")
            action = make_action(goal, f"Action of {case.name}", deadline=TODAY + datetime.timedelta(days=30))
            make_action(goal, f"Second action of {case.name}", deadline=TODAY + datetime.timedelta(days=40))
            need = make_need(plan, f"Need of {case.name}")
            review = PlanReview.create(plan=plan, reviewed_on=TODAY - datetime.timedelta(days=10),
                                       participants="all", next_review_on=TODAY + datetime.timedelta(days=170))
            plan_rules.approve(plan, case.key_worker, case)
            self.plans[target], self.goals[target], self.actions[target] = plan, goal, action
            self.needs[target], self.reviews[target] = need, review
        plan_rules.areas()  # seeded from the profile, as the first plan page would

    def url(self, template, target):
        return template.format(
            case=self.cases[target].id,
            goal=self.goals[target].id,
            action=self.actions[target].id,
            need=self.needs[target].id,
            review=self.reviews[target].id,
        )


def fingerprint():
    """Everything a plan request could change, including the audit trail and notifications."""
    return (
        list(CarePlan.select(CarePlan.id, CarePlan.version, CarePlan.external_reference).tuples()),
        list(PlanGoal.select(PlanGoal.id, PlanGoal.version, PlanGoal.position, PlanGoal.title).tuples()),
        list(PlanAction.select(PlanAction.id, PlanAction.version, PlanAction.position, PlanAction.status).tuples()),
        list(PlanNeed.select(PlanNeed.id, PlanNeed.version).tuples()),
        list(PlanVersion.select(PlanVersion.id).tuples()),
        list(PlanReview.select(PlanReview.id).tuples()),
        list(PlanAcknowledgement.select(PlanAcknowledgement.id).tuples()),
        list(PlanArea.select(PlanArea.id, PlanArea.version).tuples()),
        AuditEntry.select().count(),
        Notification.select().count(),
    )


# --- Payloads (valid, so a permitted request succeeds) ------------------------------------


def _details(world, target):
    plan = world.plans[target]
    return {"starts_on": plan.starts_on.isoformat(), "external_reference": "OSPOD 7/2026", "version": str(plan.version)}


def _need(world, target):
    return {"area": "0", "kind": "risk", "description": "New risk", "version": str(world.needs[target].version)}


def _goal(world, target):
    return {"title": "New goal title", "area": "0", "version": str(world.goals[target].version)}


def _action(world, target):
    case = world.cases[target]
    return {"description": "New action", "responsible": f"user-{case.key_worker_id}",
            "deadline": (TODAY + datetime.timedelta(days=20)).isoformat(), "expected_effect": "Effect",
            "status": "planned", "version": str(world.actions[target].version)}


def _status(world, target):
    return {"status": "done", "version": str(world.actions[target].version)}


def _down(world, target):
    return {"direction": "down"}


def _need_removal(world, target):
    return {"version": str(world.needs[target].version)}


def _goal_removal(world, target):
    goal = world.goals[target]
    return {"version": str(goal.version), "actions": versions_stamp(PlanAction.select().where(PlanAction.goal == goal))}


def _action_removal(world, target):
    return {"version": str(world.actions[target].version)}


def _review(world, target):
    goals = PlanGoal.select().where(PlanGoal.plan == world.plans[target])
    data = {"reviewed_on": TODAY.isoformat(), "participants": "Everyone",
            "next_review_on": (TODAY + datetime.timedelta(days=180)).isoformat()}
    data.update({f"outcome_{g.id}": "partly" for g in goals})
    return data


def _ack(world, target):
    return {"response": "agree", "number": "1"}


ENDPOINTS = [
    *both("plan", "GET", "/plans/{case}", READ, fragment=False),
    # The plan exists already: starting it again only opens it (303, or 204 + HX-Redirect).
    *both("start", "POST", "/plans/{case}/start", EDIT, htmx_ok=204, writes=False),
    *both("details-form", "GET", "/plans/{case}/details", EDIT),
    *both("details", "POST", "/plans/{case}/details", EDIT, data=_details),
    # The add forms, built on request (the plan page links to them; htmx swaps them in).
    *both("need-new-form", "GET", "/plans/{case}/needs/new", EDIT),
    *both("goal-new-form", "GET", "/plans/{case}/goals/new", EDIT),
    *both("action-new-form", "GET", "/plans/{case}/goals/{goal}/actions/new", EDIT),
    *both("need-add", "POST", "/plans/{case}/needs", EDIT, data=_need),
    *both("need-edit-form", "GET", "/plans/{case}/needs/{need}/edit", EDIT),
    *both("need-edit", "POST", "/plans/{case}/needs/{need}/edit", EDIT, data=_need),
    *both("need-delete", "POST", "/plans/{case}/needs/{need}/delete", EDIT, data=_need_removal),
    *both("goal-add", "POST", "/plans/{case}/goals", EDIT, data=_goal),
    *both("goal-edit-form", "GET", "/plans/{case}/goals/{goal}/edit", EDIT),
    *both("goal-edit", "POST", "/plans/{case}/goals/{goal}/edit", EDIT, data=_goal),
    *both("goal-move", "POST", "/plans/{case}/goals/{goal}/move", EDIT, data=_down),
    *both("goal-delete", "POST", "/plans/{case}/goals/{goal}/delete", EDIT, data=_goal_removal),
    *both("action-add", "POST", "/plans/{case}/goals/{goal}/actions", EDIT, data=_action),
    *both("action-edit-form", "GET", "/plans/{case}/actions/{action}/edit", EDIT),
    *both("action-edit", "POST", "/plans/{case}/actions/{action}/edit", EDIT, data=_action),
    *both("action-status", "POST", "/plans/{case}/actions/{action}/status", EDIT, data=_status),
    *both("action-move", "POST", "/plans/{case}/actions/{action}/move", EDIT, data=_down),
    *both("action-delete", "POST", "/plans/{case}/actions/{action}/delete", EDIT, data=_action_removal),
    # Approval reloads the whole page: 303, or 204 with HX-Redirect.
    *both("approve", "POST", "/plans/{case}/approve", EDIT, htmx_ok=204),
    *both("review-form", "GET", "/plans/{case}/reviews/new", EDIT, fragment=False),
    Endpoint("review-add", "POST", "/plans/{case}/reviews/new", EDIT, data=_review),
    *both("review", "GET", "/plans/{case}/reviews/{review}", READ, fragment=False),
    *both("version", "GET", "/plans/{case}/versions/1", READ, fragment=False),
    *both("print", "GET", "/plans/{case}/versions/1/print", READ, fragment=False),
    *both("compare", "GET", "/plans/{case}/compare?a=1&b=draft", READ),
    *both("family", "GET", "/plans/{case}/family", FAMILY, fragment=False),
    *both("acknowledge", "POST", "/plans/{case}/family/acknowledge", FAMILY, data=_ack),
]


#: What a permitted GET shows of the target family ({name}: the family's name).
SHOWS = {
    "plan": "Goal of {name}", "version": "Goal of {name}", "print": "Goal of {name}", "family": "Goal of {name}",
    "review-form": "Goal of {name}", "goal-edit-form": "Goal of {name}", "action-edit-form": "Action of {name}",
    "need-edit-form": "Need of {name}", "details-form": "Plan staff note {name}",
    "action-new-form": "Goal of {name}",
}


def expected(role, target, kind):
    """"ok", 403, 404 or "sign-in" for ``role`` on the ``target`` family."""
    if role == "anonymous":
        return "sign-in"
    if kind == FAMILY:
        if role == "caregiver":
            return "ok" if target == OWN else 404
        if role == "other_caregiver":
            return "ok" if target == FOREIGN else 404
        return 403
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


template_db, app, world = fixtures(PlanWorld, "plan-access", context=Flask.test_request_context)

CASES = matrix_cases(ENDPOINTS, ROLES)


@pytest.mark.parametrize(("endpoint", "role", "target"), CASES)
def test_plan_url_access_matches_matrix(client, auth, world, endpoint, role, target):
    """Does each account get exactly what the access model allows, and nothing else happen?"""
    sign_in(auth, world, role)
    before = fingerprint()
    url, response = request(client, world, endpoint, target)
    outcome = expected(role, target, endpoint.kind)
    body = text(response)
    case_name = world.cases[target].name

    if outcome == "ok":
        assert response.status_code == endpoint.ok, (url, response.status_code, body[:500])
        if endpoint.method == "POST" and endpoint.writes:
            assert fingerprint() != before, "a permitted write changed nothing"
        if endpoint.fragment and response.status_code == 200:
            assert "<html" not in body
        marker = SHOWS.get(endpoint.name.removesuffix("-hx"))
        if marker:
            # The page is about the target family's plan, not another one.
            assert marker.format(name=case_name) in body, (url, body[:300])
        if endpoint.kind == FAMILY:
            # The caregiver never sees staff notes; the other family never appears.
            assert f"Plan staff note {case_name}" not in body
            other = world.cases[FOREIGN if target == OWN else OWN].name
            assert other not in body
        return

    assert fingerprint() == before
    assert_refused(response, endpoint, outcome, url, hidden=(case_name, f"Goal of {case_name}"))


def test_matrix_covers_every_plan_url(app):
    """Does the matrix list every URL rule and method of the plans blueprint?"""
    covered = endpoint_routes(ENDPOINTS)
    covered |= {("GET", "/plans/areas"), ("POST", "/plans/areas"), ("POST", "/plans/areas/<id>")}  # below
    assert blueprint_routes(app, ("plans",)) == covered


def test_matrix_has_allowed_and_refused_for_every_endpoint():
    """Is every endpoint both allowed and refused somewhere (no vacuous row)?"""
    for endpoint in ENDPOINTS:
        outcomes = {expected(role, target, endpoint.kind) for role in ROLES for target in (OWN, FOREIGN)}
        assert {"ok", 403, 404, "sign-in"} <= outcomes, endpoint


# --- Ids of another family in this family's URL ------------------------------------------------

CROSS = [
    ("GET", "/plans/{own}/needs/{need}/edit"),
    ("POST", "/plans/{own}/needs/{need}/edit"),
    ("POST", "/plans/{own}/needs/{need}/delete"),
    ("GET", "/plans/{own}/goals/{goal}/edit"),
    ("POST", "/plans/{own}/goals/{goal}/edit"),
    ("POST", "/plans/{own}/goals/{goal}/move"),
    ("POST", "/plans/{own}/goals/{goal}/delete"),
    ("POST", "/plans/{own}/goals/{goal}/actions"),
    ("GET", "/plans/{own}/goals/{goal}/actions/new"),
    ("GET", "/plans/{own}/actions/{action}/edit"),
    ("POST", "/plans/{own}/actions/{action}/edit"),
    ("POST", "/plans/{own}/actions/{action}/status"),
    ("POST", "/plans/{own}/actions/{action}/move"),
    ("POST", "/plans/{own}/actions/{action}/delete"),
    ("GET", "/plans/{own}/reviews/{review}"),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(("method", "template"), CROSS)
def test_item_of_other_family_in_url_not_found(client, auth, world, method, template, htmx):
    """Is a goal, action, need or review id of another family used in this family's URL 404?"""
    sign_in(auth, world, "admin")
    url = template.format(own=world.cases[OWN].id, need=world.needs[FOREIGN].id, goal=world.goals[FOREIGN].id,
                          action=world.actions[FOREIGN].id, review=world.reviews[FOREIGN].id)
    data = {**_action(world, FOREIGN), **_goal(world, FOREIGN), **_need(world, FOREIGN), **_status(world, FOREIGN),
            **_down(world, FOREIGN)} if method == "POST" else None
    before = fingerprint()
    response = client.open(url, method=method, headers=HX if htmx else {}, data=data)
    assert response.status_code == 404, (url, response.status_code)
    assert fingerprint() == before
    assert f"Goal of {world.cases[FOREIGN].name}" not in text(response)


def test_same_urls_with_own_ids_work(client, auth, world):
    """Do the same URLs with the family's own ids work (so the 404 above is about scoping)?"""
    sign_in(auth, world, "admin")
    own = world.cases[OWN].id
    assert client.get(f"/plans/{own}/goals/{world.goals[OWN].id}/edit").status_code == 200
    assert client.get(f"/plans/{own}/actions/{world.actions[OWN].id}/edit").status_code == 200
    assert client.get(f"/plans/{own}/reviews/{world.reviews[OWN].id}").status_code == 200


# --- Areas (administrators only) ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_areas_only_for_administrators(client, auth, world, role):
    """Is the areas page (and its writes) open to administrators only?"""
    sign_in(auth, world, role)
    area = PlanArea.select().first()
    before = fingerprint()
    pages = [client.get("/plans/areas"), client.post("/plans/areas", data={"name": "Added area"}),
             client.post(f"/plans/areas/{area.id}", data={"name": "Renamed", "active": "y", "version": str(area.version)})]
    if role == "admin":
        assert [p.status_code for p in pages] == [200, 303, 303]
        assert fingerprint() != before
        return
    assert fingerprint() == before
    for response in pages:
        if role == "anonymous":
            assert location_path(response) == "/auth/login"
        else:
            assert response.status_code == 403


# --- What a caregiver can see -----------------------------------------------------------------


def test_caregiver_family_page_never_shows_draft_or_staff_notes(client, auth, world):
    """After a draft change, does the caregiver still see only the approved version?"""
    make_goal(world.plans[OWN], "Unapproved draft goal")
    sign_in(auth, world, "caregiver")
    html = text(client.get(f"/plans/{world.cases[OWN].id}/family"))
    assert f"Goal of {world.cases[OWN].name}" in html
    assert "Unapproved draft goal" not in html
    assert f"Plan staff note {world.cases[OWN].name}" not in html
    home = text(client.get("/my"))
    assert f'/plans/{world.cases[OWN].id}/family' in home and f'/plans/{world.cases[FOREIGN].id}' not in home
