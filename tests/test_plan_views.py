"""The care-plan pages: inline editing (htmx and plain forms), bad input kept with localised
errors, refused stale saves, approval and versions, comparison, print, reviews, the
caregiver's read-only plan and acknowledgement, the due items and the admin's areas."""
import datetime
import re

import pytest

from models import AuditEntry, Case, CaseType, Member, MemberRole, Notification
from models.plans import (
    ActionStatus,
    CarePlan,
    PlanAcknowledgement,
    PlanAction,
    PlanArea,
    PlanGoal,
    PlanNeed,
    PlanReview,
    PlanReviewGoal,
    PlanVersion,
)

from .conftest import HX
from .factories import make_case, make_organisation
from .families import count_queries, make_family
from .helpers import field_error, hidden_fields, text
from .plan_factories import make_action, make_goal, make_need, make_plan

TODAY = datetime.date.today()


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


@pytest.fixture
def family(app):
    return make_family(tag="V")


@pytest.fixture
def plan(family):
    return make_plan(family.case, starts_on=TODAY - datetime.timedelta(days=30), staff_notes="Staff only note V")


@pytest.fixture
def staff(client, auth, family):
    auth.login(family.key_worker)
    return family.key_worker


def action_data(family, **changes):
    data = {"description": "Visit the school", "responsible": f"user-{family.key_worker.id}",
            "responsible_name": "", "deadline": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "expected_effect": "Regular attendance", "status": "planned", "progress_note": ""}
    data.update(changes)
    return data


# --- Starting and reaching the plan --------------------------------------------------------


def test_plan_reachable_from_case_page_and_started_explicitly(client, staff, family):
    """Does the case page link to the plan, which a staff member starts with one button?"""
    html = text(client.get(f"/cases/{family.case.id}"))
    assert f'href="/plans/{family.case.id}"' in html and 'href="#plan"' in html
    page = text(client.get(f"/plans/{family.case.id}"))
    assert "no care plan yet" in page
    assert CarePlan.select().count() == 0
    response = client.post(f"/plans/{family.case.id}/start")
    assert response.status_code == 303
    plan = CarePlan.get(CarePlan.case == family.case)
    assert plan.starts_on == TODAY and plan.next_review_on > TODAY
    # Starting twice does not make a second plan.
    client.post(f"/plans/{family.case.id}/start")
    assert CarePlan.select().count() == 1
    assert AuditEntry.select().where(AuditEntry.table == "care_plan", AuditEntry.action == "create").count() == 1


def test_plan_page_shows_draft_with_staff_notes(client, staff, family, plan):
    """Does the staff page show goals, actions, flags and the staff notes?"""
    goal = make_goal(plan, "Stable school attendance")
    make_action(goal, "Overdue visit", deadline=TODAY - datetime.timedelta(days=2))
    html = text(client.get(f"/plans/{family.case.id}"))
    assert "Stable school attendance" in html and "Overdue visit" in html
    assert "Staff only note V" in html
    assert "1 action is past its deadline." in html
    assert "has not been approved yet" in html


# --- Inline editing (htmx) and plain forms ------------------------------------------------


def test_add_goal_and_action_inline_returns_fragments(client, staff, family, plan):
    """Do htmx adds answer with the goals section and the plan's state out of band?"""
    response = client.post(f"/plans/{family.case.id}/goals", data={"title": "Health check-ups", "area": "0"}, headers=HX)
    html = text(response)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="plan-goals"' in html and 'id="plan-state"' in html and 'hx-swap-oob="true"' in html
    goal = PlanGoal.get(PlanGoal.title == "Health check-ups")
    response = client.post(f"/plans/{family.case.id}/goals/{goal.id}/actions", data=action_data(family), headers=HX)
    assert response.status_code == 200
    action = PlanAction.get(PlanAction.goal == goal)
    assert action.plan_id == plan.id and action.responsible_user_id == family.key_worker.id
    assert "Visit the school" in text(response)


def test_add_forms_are_built_on_request(client, staff, family, plan):
    """Does the plan page link to its add forms (working without JavaScript) instead of
    building them, and does each link give the form: a fragment for htmx, else a page?"""
    goal = make_goal(plan, "Goal with actions")
    case_id = family.case.id
    html = text(client.get(f"/plans/{case_id}"))
    forms = {"need-add": f"/plans/{case_id}/needs/new", "goal-add": f"/plans/{case_id}/goals/new",
             f"action-add-{goal.id}": f"/plans/{case_id}/goals/{goal.id}/actions/new"}
    for box, url in forms.items():
        assert re.search(rf'id="{box}"><a class="button[^"]*" href="{url}" hx-get="{url}" hx-target="#{box}"', html)
    for field_id in ("need-description", "goal-title", f"g{goal.id}-description"):
        assert f'id="{field_id}"' not in html
    for field_id, url in (("need-area", forms["need-add"]), ("goal-title", forms["goal-add"]),
                          (f"g{goal.id}-description", forms[f"action-add-{goal.id}"])):
        fragment = text(client.get(url, headers=HX))
        assert "<html" not in fragment and re.search(rf'autofocus id="{field_id}"', fragment)
        assert 'hx-target="#plan-' in fragment  # sent with htmx, the section is swapped
        page = client.get(url)
        assert page.status_code == 200 and "<html" in text(page) and f'id="{field_id}"' in text(page)
        assert 'hx-target="#plan-' not in text(page)  # on its own page: a plain form (no section there)
    assert "Goal with actions" in text(client.get(forms[f"action-add-{goal.id}"]))
    # A form coming back with errors is shown in place of its link.
    response = client.post(f"/plans/{case_id}/goals", data={"title": " ", "area": "0"})
    assert response.status_code == 422 and 'id="goal-title"' in text(response)
    assert f'href="{forms["goal-add"]}"' not in text(response)


def test_plain_form_add_redirects_back_to_the_plan(client, staff, family, plan):
    """Without JavaScript, does adding a goal return to the plan page at the goal?"""
    response = client.post(f"/plans/{family.case.id}/goals", data={"title": "Plain goal", "area": "0"})
    goal = PlanGoal.get(PlanGoal.title == "Plain goal")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/plans/{family.case.id}#goal-{goal.id}")


def test_action_assigned_to_caregiver_or_partner(client, staff, family, plan):
    """Can an action be given to a caregiver of the family, or to a named outside partner?"""
    goal = make_goal(plan)
    member = Member.get((Member.case == family.case) & (Member.role == MemberRole.CAREGIVER))
    client.post(f"/plans/{family.case.id}/goals/{goal.id}/actions",
                data=action_data(family, responsible=f"member-{member.id}", description="Carer task"))
    action = PlanAction.get(PlanAction.description == "Carer task")
    assert action.responsible_kind == "caregiver" and action.responsible_member_id == member.id
    response = client.post(f"/plans/{family.case.id}/goals/{goal.id}/actions",
                           data=action_data(family, responsible="partner", description="Partner task"))
    assert response.status_code == 422
    assert field_error(text(response), f"g{goal.id}-responsible_name") == "Enter the name of the outside partner."
    client.post(f"/plans/{family.case.id}/goals/{goal.id}/actions",
                data=action_data(family, responsible="partner", responsible_name="Pedagogical centre",
                                 description="Partner task"))
    assert PlanAction.get(PlanAction.description == "Partner task").responsible_name == "Pedagogical centre"


def test_member_of_another_family_cannot_be_made_responsible(client, staff, family, plan):
    """Is a member id of another family refused as the responsible person?"""
    other = make_family(tag="W")
    member = Member.get((Member.case == other.case) & (Member.role == MemberRole.CAREGIVER))
    goal = make_goal(plan)
    response = client.post(f"/plans/{family.case.id}/goals/{goal.id}/actions",
                           data=action_data(family, responsible=f"member-{member.id}"))
    assert response.status_code in (400, 422)
    assert PlanAction.select().count() == 0


def test_one_click_status_change(client, staff, family, plan):
    """Does one button change the status, with an audit entry?"""
    action = make_action(make_goal(plan))
    response = client.post(f"/plans/{family.case.id}/actions/{action.id}/status",
                           data={"status": "done", "version": str(action.version)}, headers=HX)
    assert response.status_code == 200
    stored = PlanAction.get_by_id(action.id)
    assert stored.status == ActionStatus.DONE and stored.version == action.version + 1
    entry = AuditEntry.select().where(AuditEntry.table == "plan_action").order_by(AuditEntry.id.desc()).first()
    assert entry.change_dict == {"status": ["planned", "done"]}


def test_reorder_goals_keeps_the_familys_goals_first(client, staff, family, plan):
    """Do up/down swap goals within their group, never above the family's own goals?"""
    own = make_goal(plan, "Own", client_proposed=True)
    make_goal(plan, "First")
    second = make_goal(plan, "Second")

    def order():
        from models.plan_rules import ordered_goals

        return [g.title for g in ordered_goals(plan)]

    assert order() == ["Own", "First", "Second"]
    client.post(f"/plans/{family.case.id}/goals/{second.id}/move", data={"direction": "up"})
    assert order() == ["Own", "Second", "First"]
    client.post(f"/plans/{family.case.id}/goals/{second.id}/move", data={"direction": "up"}, headers=HX)
    assert order() == ["Own", "Second", "First"]  # not above the family's goal
    client.post(f"/plans/{family.case.id}/goals/{own.id}/move", data={"direction": "down"})
    assert order() == ["Own", "Second", "First"]


def test_reorder_actions_within_a_goal(client, staff, family, plan):
    """Does moving an action down swap it with the next one of its goal?"""
    goal = make_goal(plan)
    a = make_action(goal, "A")
    make_action(goal, "B")
    client.post(f"/plans/{family.case.id}/actions/{a.id}/move", data={"direction": "down"}, headers=HX)
    ordered = PlanAction.select().where(PlanAction.goal == goal).order_by(PlanAction.position, PlanAction.id)
    assert [x.description for x in ordered] == ["B", "A"]


def test_edit_need_and_delete(client, staff, family, plan):
    """Can a need be added, edited in place and removed?"""
    client.post(f"/plans/{family.case.id}/needs", data={"area": "0", "kind": "risk", "description": "Debts"}, headers=HX)
    need = PlanNeed.get(PlanNeed.description == "Debts")
    form = text(client.get(f"/plans/{family.case.id}/needs/{need.id}/edit", headers=HX))
    assert "<html" not in form and 'name="version"' in form
    response = client.post(f"/plans/{family.case.id}/needs/{need.id}/edit",
                           data={"area": "0", "kind": "risk", "description": "Rent arrears", "version": str(need.version)},
                           headers=HX)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#plan-needs"
    assert PlanNeed.get_by_id(need.id).description == "Rent arrears"
    client.post(f"/plans/{family.case.id}/needs/{need.id}/delete", data={"version": "2"}, headers=HX)
    assert PlanNeed.select().count() == 0


# --- Bad input -----------------------------------------------------------------------------


def test_empty_action_and_deadline_before_start_kept_with_errors(client, staff, family, plan):
    """Are an empty action and a deadline before the plan's start refused, input kept?"""
    goal = make_goal(plan)
    early = (plan.starts_on - datetime.timedelta(days=1)).isoformat()
    response = client.post(f"/plans/{family.case.id}/goals/{goal.id}/actions",
                           data=action_data(family, description="  ", deadline=early, expected_effect="Kept effect"),
                           headers=HX)
    html = text(response)
    assert response.status_code == 422 and "<html" not in html
    assert field_error(html, f"g{goal.id}-description") == "Describe the action."
    assert "before the plan starts" in field_error(html, f"g{goal.id}-deadline")
    assert "Kept effect" in html and early in html
    assert PlanAction.select().count() == 0


def test_polish_profile_requires_expected_effect(client, staff, family, plan):
    """In the Polish profile, is an action without an expected effect refused (plain form: 422 page)?"""
    make_organisation(country="pl")
    _polish(family)
    goal = make_goal(plan)
    response = client.post(f"/plans/{family.case.id}/goals/{goal.id}/actions",
                           data=action_data(family, expected_effect="", description="Kept description"))
    html = text(response)
    assert response.status_code == 422 and "<html" in html
    assert field_error(html, f"g{goal.id}-expected_effect") == "Enter the expected effect: the law requires one for every action."
    assert "Kept description" in html
    assert PlanAction.select().count() == 0


def test_czech_profile_accepts_action_without_expected_effect(client, staff, family, plan):
    """In the Czech profile, is an expected effect optional?"""
    make_organisation(country="cz")
    goal = make_goal(plan)
    response = client.post(f"/plans/{family.case.id}/goals/{goal.id}/actions", data=action_data(family, expected_effect=""))
    assert response.status_code == 303
    assert PlanAction.select().count() == 1


def test_approving_plan_without_goals_refused(client, staff, family, plan):
    """Is approving an empty plan refused with the reason beside the button?"""
    response = client.post(f"/plans/{family.case.id}/approve", headers=HX)
    assert response.status_code == 422
    assert "A plan without goals cannot be approved" in text(response)
    assert PlanVersion.select().count() == 0


def test_review_dated_in_future_refused_with_input_kept(client, staff, family, plan):
    """Is a review dated in the future refused, the entered texts kept?"""
    goal = make_goal(plan)
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client.post(f"/plans/{family.case.id}/reviews/new", data={
        "reviewed_on": tomorrow, "participants": "Jana, the carers", "next_review_on": (TODAY + datetime.timedelta(days=200)).isoformat(),
        f"outcome_{goal.id}": "partly", f"comment_{goal.id}": "Kept comment",
    })
    html = text(response)
    assert response.status_code == 422
    assert field_error(html, "reviewed_on") == "A review cannot be dated in the future."
    assert "Kept comment" in html and "Jana, the carers" in html
    assert PlanReview.select().count() == 0


def test_review_needs_an_outcome_per_goal(client, staff, family, plan):
    """Is a review missing a goal's outcome refused?"""
    goal = make_goal(plan)
    response = client.post(f"/plans/{family.case.id}/reviews/new", data={
        "reviewed_on": TODAY.isoformat(), "participants": "Jana", "next_review_on": (TODAY + datetime.timedelta(days=1)).isoformat()})
    assert response.status_code == 422
    assert field_error(text(response), f"outcome_{goal.id}") == "Choose the outcome of this goal."


# --- Reviews -------------------------------------------------------------------------------


def test_review_recorded_and_sets_next_review(client, staff, family, plan):
    """Does a review store each goal's outcome and move the plan's next review date?"""
    goal = make_goal(plan, "Goal to review")
    form = text(client.get(f"/plans/{family.case.id}/reviews/new"))
    default_next = re.search(r'id="next_review_on"[^>]*value="([^"]+)"', form).group(1)
    from models.plan_rules import add_months

    assert default_next == add_months(TODAY, 6).isoformat()
    next_review = TODAY + datetime.timedelta(days=90)
    response = client.post(f"/plans/{family.case.id}/reviews/new", data={
        "reviewed_on": TODAY.isoformat(), "participants": "Jana, Petr", "child_view": "I want to stay",
        "next_review_on": next_review.isoformat(), f"outcome_{goal.id}": "achieved", f"comment_{goal.id}": "Well done"})
    assert response.status_code == 303
    review = PlanReview.get()
    outcome = PlanReviewGoal.get(PlanReviewGoal.review == review)
    assert outcome.outcome == "achieved" and outcome.goal_title == "Goal to review"
    assert CarePlan.get_by_id(plan.id).next_review_on == next_review
    page = text(client.get(f"/plans/{family.case.id}/reviews/{review.id}"))
    assert "I want to stay" in page and "Achieved" in page


# --- Concurrent edits ----------------------------------------------------------------------


def test_stale_goal_save_refused_with_current_values(client, staff, family, plan):
    """Is a goal saved on an outdated version refused (409), showing the stored title?"""
    goal = make_goal(plan, "Original")
    stale_version = goal.version
    goal.title = "Changed by a colleague"
    goal.save_if_version(goal.version)
    response = client.post(f"/plans/{family.case.id}/goals/{goal.id}/edit",
                           data={"title": "My edit", "area": "0", "version": str(stale_version)}, headers=HX)
    html = text(response)
    assert response.status_code == 409
    assert "Changed by a colleague" in html and "My edit" in html
    assert PlanGoal.get_by_id(goal.id).title == "Changed by a colleague"


def test_stale_action_save_refused_with_current_values(client, staff, family, plan):
    """Is an action saved on an outdated version refused, the colleague's values shown?"""
    action = make_action(make_goal(plan), "Original action")
    stale_version = action.version
    action.expected_effect = "Colleague's effect"
    action.save_if_version(action.version)
    response = client.post(f"/plans/{family.case.id}/actions/{action.id}/edit",
                           data=action_data(family, description="My version", version=str(stale_version)))
    html = text(response)
    assert response.status_code == 409
    assert "Colleague&#39;s effect" in html and "My version" in html
    assert PlanAction.get_by_id(action.id).description == "Original action"


def test_stale_status_change_refused(client, staff, family, plan):
    """Is a one-click status change based on an outdated version refused?"""
    action = make_action(make_goal(plan))
    stale_version = action.version
    action.status = ActionStatus.IN_PROGRESS
    action.save_if_version(action.version)
    response = client.post(f"/plans/{family.case.id}/actions/{action.id}/status",
                           data={"status": "cancelled", "version": str(stale_version)}, headers=HX)
    assert response.status_code == 409
    assert "Its status is now: In progress." in text(response)
    assert PlanAction.get_by_id(action.id).status == ActionStatus.IN_PROGRESS


def _plan_items(plan):
    """A need, and a goal with one action, in ``plan``: {kind: (item, removal URL)}."""
    need = make_need(plan, "Unpaid rent")
    goal = make_goal(plan, "Stable housing")
    action = make_action(goal, "Meet the landlord")
    case_id = plan.case_id
    return {"need": (need, f"/plans/{case_id}/needs/{need.id}/delete"),
            "goal": (goal, f"/plans/{case_id}/goals/{goal.id}/delete"),
            "action": (action, f"/plans/{case_id}/actions/{action.id}/delete")}


def _changed_by_a_colleague(kind, item):
    """What a colleague does to ``item`` after the page was loaded."""
    if kind == "goal":
        item.title = "Stable housing by summer"
    elif kind == "action":
        item.status = ActionStatus.IN_PROGRESS
    else:
        item.description = "Unpaid rent and energy"
    assert item.save_if_version(item.version)


def _removed_entries():
    return AuditEntry.select().where(AuditEntry.action == "delete").count()


@pytest.mark.parametrize("kind", ["need", "goal", "action"])
def test_removal_with_the_forms_values_removes_and_audits(client, staff, family, plan, kind):
    """Does a removal form as the plan page draws it remove the item, with audit entries?"""
    items = _plan_items(plan)
    item, url = items[kind]
    data = hidden_fields(text(client.get(f"/plans/{family.case.id}")), url)
    assert data["version"] == str(item.version)
    response = client.post(url, data=data, headers=HX)
    assert response.status_code == 200
    assert not type(item).select().where(type(item).id == item.id).exists()
    # A goal takes its action with it: both are in the audit log.
    assert _removed_entries() == (2 if kind == "goal" else 1)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "page"])
@pytest.mark.parametrize("kind", ["need", "goal", "action"])
def test_removal_of_an_item_changed_meanwhile_refused(client, staff, family, plan, kind, htmx):
    """Is removing a need, goal or action that a colleague changed since the page was
    loaded refused, with the item kept as they left it and the reason shown?"""
    items = _plan_items(plan)
    item, url = items[kind]
    data = hidden_fields(text(client.get(f"/plans/{family.case.id}")), url)
    _changed_by_a_colleague(kind, item)
    response = client.post(url, data=data, headers=HX if htmx else {})
    if htmx:
        assert response.status_code == 409
        html = text(response)
    else:
        assert response.status_code == 303 and response.headers["Location"].endswith(f"#{kind}-{item.id}" if kind != "need" else "#plan-needs")
        html = text(client.get(response.headers["Location"]))
    assert f"Someone else changed this {kind}" in html and "nothing was removed" in html
    stored = type(item).get_by_id(item.id)
    assert stored.version == item.version  # the colleague's change, kept
    assert ("Stable housing by summer" in html) if kind == "goal" else True
    assert _removed_entries() == 0
    assert PlanAction.select().count() == 1


def test_goal_removal_refused_when_its_actions_changed(client, staff, family, plan):
    """Is a goal kept when an action was added under it after the page was loaded
    (the goal itself unchanged), and removable once the page shows the new action?"""
    goal, url = _plan_items(plan)["goal"]
    data = hidden_fields(text(client.get(f"/plans/{family.case.id}")), url)
    make_action(goal, "Added by a colleague")
    response = client.post(url, data=data, headers=HX)
    assert response.status_code == 409 and "Added by a colleague" in text(response)
    assert PlanGoal.select().where(PlanGoal.id == goal.id).exists() and PlanAction.select().count() == 2
    fresh = hidden_fields(text(client.get(f"/plans/{family.case.id}")), url)
    assert client.post(url, data=fresh, headers=HX).status_code == 200
    assert PlanAction.select().count() == 0 and _removed_entries() == 3


@pytest.mark.parametrize("version", [None, "", "two"])
def test_removal_without_a_version_is_a_bad_request(client, staff, family, plan, version):
    """Is a removal posted without the version it was based on refused (400), nothing removed?"""
    item, url = _plan_items(plan)["action"]
    response = client.post(url, data={} if version is None else {"version": version}, headers=HX)
    assert response.status_code == 400
    assert PlanAction.select().where(PlanAction.id == item.id).exists() and _removed_entries() == 0


def test_stale_plan_details_refused(client, staff, family, plan):
    """Are the plan's details saved on an outdated version refused?"""
    stale_version = plan.version
    plan.external_reference = "OSPOD 1/2026"
    plan.save_if_version(plan.version)
    response = client.post(f"/plans/{family.case.id}/details", data={
        "starts_on": plan.starts_on.isoformat(), "external_reference": "Mine", "version": str(stale_version)})
    assert response.status_code == 409
    assert "OSPOD 1/2026" in text(response)
    assert CarePlan.get_by_id(plan.id).external_reference == "OSPOD 1/2026"


# --- Approval, versions, comparison, print ---------------------------------------------------


def test_approve_then_edit_starts_new_draft_and_versions_compare(client, staff, family, plan):
    """After approval, do edits show as a draft with changes, and versions compare?"""
    make_goal(plan, "First goal")
    response = client.post(f"/plans/{family.case.id}/approve")
    assert response.status_code == 303
    assert PlanVersion.get().number == 1
    # The caregivers with an account are told.
    assert Notification.get(Notification.user == family.user).kind == "plan_approved"
    html = text(client.get(f"/plans/{family.case.id}"))
    assert "No changes since the last approved version." in html
    client.post(f"/plans/{family.case.id}/goals", data={"title": "Second goal", "area": "0"})
    html = text(client.get(f"/plans/{family.case.id}"))
    assert "1 change since the last approved version." in html
    client.post(f"/plans/{family.case.id}/approve", headers=HX)
    assert PlanVersion.select().count() == 2
    html = text(client.get(f"/plans/{family.case.id}/compare?a=1&b=2"))
    assert "Added" in html and "Second goal" in html and "First goal" not in html
    fragment = text(client.get(f"/plans/{family.case.id}/compare?a=2&b=1", headers=HX))
    assert "<html" not in fragment and "Removed" in fragment
    version = text(client.get(f"/plans/{family.case.id}/versions/1"))
    assert "First goal" in version and "Second goal" not in version
    assert "Staff only note V" not in version


def test_no_route_changes_an_approved_version(app, client, staff, family, plan):
    """Does every plan write leave approved versions exactly as they were?"""
    goal = make_goal(plan, "Goal")
    action = make_action(goal, deadline=TODAY + datetime.timedelta(days=10))
    assert client.post(f"/plans/{family.case.id}/approve").status_code == 303
    before = list(PlanVersion.select().tuples())
    client.post(f"/plans/{family.case.id}/goals/{goal.id}/edit", data={"title": "Renamed", "area": "0", "version": "1"})
    client.post(f"/plans/{family.case.id}/actions/{action.id}/status", data={"status": "done", "version": "1"})
    removal = {"version": "2", "actions": f"{action.id}:2"}  # after the rename and the status change
    assert client.post(f"/plans/{family.case.id}/goals/{goal.id}/delete", data=removal).status_code == 303
    assert not PlanGoal.select().where(PlanGoal.id == goal.id).exists()
    assert list(PlanVersion.select().tuples()) == before
    assert "Goal" in PlanVersion.get().snapshot


def test_print_page_in_the_organisations_language(client, staff, family, plan):
    """Is the printable page rendered in the organisation's language, whatever the reader's?"""
    make_organisation(country="pl", default_language="pl")
    make_goal(plan, "Cel rodziny")
    client.post(f"/plans/{family.case.id}/approve")
    html = text(client.get(f"/plans/{family.case.id}/versions/1/print"))
    assert '<html lang="pl">' in html
    assert "Cel rodziny" in html and "Staff only note V" not in html
    assert "main-nav" not in html
    # The reader's own pages stay in English.
    assert '<html lang="en"' in text(client.get(f"/plans/{family.case.id}/versions/1"))


def test_unknown_version_not_found(client, staff, family, plan):
    """Does a version number that does not exist answer 404?"""
    assert client.get(f"/plans/{family.case.id}/versions/7").status_code == 404
    assert client.get(f"/plans/{family.case.id}/compare").status_code == 404


# --- Caregivers ----------------------------------------------------------------------------


def test_caregiver_sees_only_the_approved_version_and_own_tasks(client, auth, family, plan):
    """Does the caregiver see the approved version (not later draft edits, not staff notes)
    and the tasks assigned to them?"""
    member = Member.get((Member.case == family.case) & (Member.role == MemberRole.CAREGIVER))
    goal = make_goal(plan, "Approved goal")
    make_action(goal, "Bring the school report", responsible_kind="caregiver", responsible_member=member,
                deadline=TODAY + datetime.timedelta(days=10))
    from models import plan_rules

    with client.application.test_request_context():
        plan_rules.approve(plan, family.key_worker, family.case)
    make_goal(plan, "Draft goal not approved")
    auth.login(family.user)
    home = text(client.get("/my"))
    assert "Version 1" in home and f'href="/plans/{family.case.id}/family"' in home
    assert "You have 1 task in the plan." in home
    html = text(client.get(f"/plans/{family.case.id}/family"))
    assert "Approved goal" in html and "Bring the school report" in html
    assert "Draft goal not approved" not in html
    assert "Staff only note V" not in html and family.secrets["case_notes"] not in html
    assert "Your tasks" in html


def test_caregiver_before_approval_sees_no_draft(client, auth, family, plan):
    """Before any approval, does the caregiver see a notice instead of the draft?"""
    make_goal(plan, "Draft goal")
    auth.login(family.user)
    html = text(client.get(f"/plans/{family.case.id}/family"))
    assert "being prepared" in html and "Draft goal" not in html
    assert client.post(f"/plans/{family.case.id}/family/acknowledge", data={"response": "agree"}).status_code == 404


def test_caregiver_acknowledges_and_staff_see_it(client, auth, family, plan):
    """Is the answer recorded with its time, the key worker notified, and shown to staff?"""
    make_goal(plan)
    with client.application.test_request_context():
        from models import plan_rules

        plan_rules.approve(plan, family.key_worker, family.case)
    auth.login(family.user)
    response = client.post(f"/plans/{family.case.id}/family/acknowledge",
                           data={"response": "discuss", "comment": "The deadline is short", "number": "1"}, headers=HX)
    assert response.status_code == 200 and "<html" not in text(response)
    assert "You answered on" in text(response)
    ack = PlanAcknowledgement.get()
    assert ack.response == "discuss" and ack.user_id == family.user.id
    assert Notification.get(Notification.user == family.key_worker).kind == "plan_ack_discuss"
    # A second answer is refused.
    client.post(f"/plans/{family.case.id}/family/acknowledge", data={"response": "agree", "number": "1"})
    assert PlanAcknowledgement.select().count() == 1
    auth.logout()
    auth.login(family.key_worker)
    html = text(client.get(f"/plans/{family.case.id}"))
    assert "I have read it and want to discuss it" in html and "The deadline is short" in html


def test_acknowledge_requires_an_answer(client, auth, family, plan):
    """Is an answer without a choice refused with the message beside it?"""
    make_goal(plan)
    with client.application.test_request_context():
        from models import plan_rules

        plan_rules.approve(plan, family.key_worker, family.case)
    auth.login(family.user)
    response = client.post(f"/plans/{family.case.id}/family/acknowledge", data={"comment": "kept", "number": "1"}, headers=HX)
    assert response.status_code == 422
    assert field_error(text(response), "response") == "Choose one of the answers."
    assert "kept" in text(response)


def test_acknowledging_an_outdated_version_refused(client, auth, family, plan):
    """If a newer version was approved while the caregiver read, is their answer not recorded?"""
    make_goal(plan)
    with client.application.test_request_context():
        from models import plan_rules

        plan_rules.approve(plan, family.key_worker, family.case)
        plan_rules.approve(plan, family.key_worker, family.case)
    auth.login(family.user)
    client.post(f"/plans/{family.case.id}/family/acknowledge", data={"response": "agree", "number": "1"})
    assert PlanAcknowledgement.select().count() == 0


# --- Due items on the staff home ---------------------------------------------------------------


def test_due_items_list_own_overdue_actions_and_reviews_only(client, staff, family, plan):
    """Does "Due items" list the user's overdue actions and reviews, not other families'?"""
    make_action(make_goal(plan), "My overdue action", deadline=TODAY - datetime.timedelta(days=3))
    CarePlan.update(next_review_on=TODAY - datetime.timedelta(days=1)).where(CarePlan.id == plan.id).execute()
    other = make_family(tag="X")
    other_plan = make_plan(other.case)
    make_action(make_goal(other_plan), "Foreign overdue action", deadline=TODAY - datetime.timedelta(days=3))
    html = text(client.get("/staff"))
    assert "Due items" in html
    assert "My overdue action" in html and "Foreign overdue action" not in html
    assert html.count(f'href="/plans/{family.case.id}#plan-reviews"') == 1
    assert f'/plans/{other.case.id}' not in html


def test_due_items_query_count_does_not_grow(client, staff, family, plan, monkeypatch):
    """Does the staff home run as many queries with 1 as with 6 overdue families?"""
    make_action(make_goal(plan), deadline=TODAY - datetime.timedelta(days=3))
    with count_queries(monkeypatch) as few:
        client.get("/staff")
    for _ in range(5):
        case = make_case(key_worker=family.key_worker)
        make_action(make_goal(make_plan(case, next_review_on=TODAY)), deadline=TODAY - datetime.timedelta(days=3))
    with count_queries(monkeypatch) as many:
        client.get("/staff")
    assert len(few) == len(many)


def test_plan_page_query_count_does_not_grow_with_goals(client, staff, family, plan, monkeypatch):
    """Does the plan page run as many queries with 1 goal as with 6 goals of 3 actions?"""
    make_action(make_goal(plan), deadline=TODAY)
    assert client.post(f"/plans/{family.case.id}/approve").status_code == 303
    client.get(f"/plans/{family.case.id}")  # the first visit seeds the areas of the profile
    with count_queries(monkeypatch) as few:
        client.get(f"/plans/{family.case.id}")
    for i in range(5):
        goal = make_goal(plan, f"G{i}", area=PlanArea.select().first())
        for _ in range(3):
            make_action(goal)
    with count_queries(monkeypatch) as many:
        client.get(f"/plans/{family.case.id}")
    assert len(few) == len(many)


def _polish(family):
    """Make the family a Polish one (a kind of case of the Polish profile)."""
    Case.update(case_type=CaseType.PL_ASSISTANT).where(Case.id == family.case.id).execute()


# --- Areas (administrators) ------------------------------------------------------------------


def test_admin_edits_areas_and_hidden_area_is_not_offered(client, auth, family, plan):
    """Can an admin rename, hide and add areas, and are hidden ones left out of the forms?"""
    make_organisation(country="pl")
    _polish(family)
    auth.as_role("admin")
    html = text(client.get("/plans/areas"))
    assert "Social and living conditions" in html
    area = PlanArea.get((PlanArea.country == "pl") & (PlanArea.code == "health"))
    response = client.post(f"/plans/areas/{area.id}", data={"name": "Zdrowie rodziny", "version": str(area.version)})
    assert response.status_code == 303
    stored = PlanArea.get_by_id(area.id)
    assert stored.name == "Zdrowie rodziny" and stored.active is False  # unchecked box: hidden
    client.post("/plans/areas", data={"name": "Edukacja dzieci"})
    assert PlanArea.get(PlanArea.name == "Edukacja dzieci").country == "pl"
    for form in ("needs/new", "goals/new"):  # the add forms, built on request
        page = text(client.get(f"/plans/{family.case.id}/{form}"))
        assert "Edukacja dzieci" in page and "Zdrowie rodziny" not in page
    # A stale save is refused.
    response = client.post(f"/plans/areas/{area.id}", data={"name": "Other", "active": "y", "version": "1"})
    assert response.status_code == 409 and PlanArea.get_by_id(area.id).name == "Zdrowie rodziny"


def test_empty_area_name_refused(client, auth):
    """Is an area without a name refused with the error beside the field?"""
    auth.as_role("admin")
    response = client.post("/plans/areas", data={"name": "  "})
    assert response.status_code == 422
    assert field_error(text(response), "name") == "Enter the name of the area."


def test_plan_start_after_existing_deadlines_refused(client, staff, family, plan):
    """Is moving the plan's start after an action's deadline refused, input kept?"""
    make_action(make_goal(plan), deadline=TODAY)
    later = (TODAY + datetime.timedelta(days=5)).isoformat()
    response = client.post(f"/plans/{family.case.id}/details", data={
        "starts_on": later, "summary": "Kept summary", "version": str(plan.version)}, headers=HX)
    html = text(response)
    assert response.status_code == 422
    assert field_error(html, "starts_on") == "Some actions have deadlines before this date. Change them first."
    assert "Kept summary" in html and later in html
    assert CarePlan.get_by_id(plan.id).starts_on == plan.starts_on


@pytest.mark.parametrize("kind", ["plan_ack_agree", "plan_ack_discuss", "plan_approved"])
def test_plan_notifications_have_texts(app, kind):
    """Does every notification kind of the plans area render a message with its parameters?"""
    from views.notifications.messages import render_message

    note = Notification(kind=kind, params='{"name": "Petr Dvořák", "case": "Dvořákovi", "number": 2}')
    with app.test_request_context(headers={"Accept-Language": "en"}):
        message = render_message(note)
    assert "Dvořákovi" in message and "2" in message and message != "You have a new notification."
