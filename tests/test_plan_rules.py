"""The rules of care plans: frozen versions, version comparison, review scheduling, overdue
logic, the validation of actions and reviews, the areas of the country profiles and the
family's acknowledgement."""
import datetime
import json

import pytest

from models import AuditEntry, Case, CaseType, Member, MemberRole, Notification
from models import plan_rules as rules
from models.jurisdiction import PROFILES
from models.plans import (
    ActionStatus,
    PlanAcknowledgement,
    PlanAction,
    PlanArea,
    PlanReview,
    PlanVersion,
    Responsible,
)

from .factories import make_organisation
from .families import make_family
from .plan_factories import make_action, make_goal, make_need, make_plan

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def ctx(app):
    """A request context (the rules read the organisation and translate their messages)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def family(app):
    return make_family(tag="R")


@pytest.fixture
def plan(family):
    return make_plan(family.case, staff_notes="Secret staff note R")


# --- Review scheduling -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime.date(2026, 1, 15), 6, datetime.date(2026, 7, 15)),
        (datetime.date(2026, 8, 31), 6, datetime.date(2027, 2, 28)),  # clamped to the month's end
        (datetime.date(2027, 8, 31), 6, datetime.date(2028, 2, 29)),  # leap year
        (datetime.date(2026, 12, 1), 1, datetime.date(2027, 1, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    """Does adding months keep the day, or the last day of a shorter month?"""
    assert rules.add_months(start, months) == expected


@pytest.mark.parametrize("country", ["cz", "pl"])
def test_default_review_interval_comes_from_the_profile(ctx, country):
    """Is the next review one profile interval (6 months) after the given date?"""
    make_organisation(country=country)
    months = PROFILES[country].figures["plan_review_months"]
    assert rules.review_interval_months() == months
    assert rules.default_next_review(datetime.date(2026, 3, 10)) == rules.add_months(datetime.date(2026, 3, 10), months)


def test_next_review_is_set_by_the_latest_review(ctx, plan):
    """Without reviews the next one is due an interval after the start; then the latest sets it."""
    assert rules.next_review_date(plan) == datetime.date(2026, 7, 1)
    PlanReview.create(plan=plan, reviewed_on=datetime.date(2026, 7, 2), next_review_on=datetime.date(2026, 12, 1))
    PlanReview.create(plan=plan, reviewed_on=datetime.date(2026, 3, 2), next_review_on=datetime.date(2026, 9, 1))
    assert rules.next_review_date(plan) == datetime.date(2026, 12, 1)
    rules.refresh_next_review(plan)
    assert type(plan).get_by_id(plan.id).next_review_on == datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("next_review", "overdue"),
    [(TODAY - datetime.timedelta(days=1), True), (TODAY, False), (TODAY + datetime.timedelta(days=5), False), (None, False)],
)
def test_review_overdue_only_after_its_date(ctx, plan, next_review, overdue):
    """Is a review overdue from the day after its date (and never without a date)?"""
    plan.next_review_on = next_review
    assert rules.review_overdue(plan, TODAY) is overdue


@pytest.mark.parametrize(
    ("status", "deadline", "overdue"),
    [
        (ActionStatus.PLANNED, TODAY - datetime.timedelta(days=1), True),
        (ActionStatus.IN_PROGRESS, TODAY - datetime.timedelta(days=30), True),
        (ActionStatus.PLANNED, TODAY, False),
        (ActionStatus.DONE, TODAY - datetime.timedelta(days=1), False),
        (ActionStatus.NOT_ACHIEVED, TODAY - datetime.timedelta(days=1), False),
        (ActionStatus.CANCELLED, TODAY - datetime.timedelta(days=1), False),
        (ActionStatus.PLANNED, None, False),
    ],
)
def test_action_overdue_only_when_open_and_past_deadline(status, deadline, overdue):
    """Is an action overdue only while planned or in progress and past its deadline?"""
    assert rules.action_overdue(PlanAction(status=status, deadline=deadline), TODAY) is overdue


def test_overdue_actions_query_finds_only_open_past_actions_of_given_plans(ctx, plan):
    """Does the query list the plan's open actions past their deadline, oldest first?"""
    goal = make_goal(plan)
    late = make_action(goal, "late", deadline=TODAY - datetime.timedelta(days=3))
    later = make_action(goal, "later", deadline=TODAY - datetime.timedelta(days=10))
    make_action(goal, "done", deadline=TODAY - datetime.timedelta(days=10), status=ActionStatus.DONE)
    make_action(goal, "future", deadline=TODAY + datetime.timedelta(days=1))
    other = make_plan(make_family(tag="O").case)
    make_action(make_goal(other), "foreign", deadline=TODAY - datetime.timedelta(days=10))
    assert [a.id for a in rules.overdue_actions_query([plan.id], TODAY)] == [later.id, late.id]


# --- Validation ----------------------------------------------------------------------------


def test_action_errors_empty_action_and_deadline_before_start(ctx, plan):
    """Are an empty action, a missing deadline and one before the plan's start refused?"""
    make_organisation(country="cz")
    errors = rules.action_errors(plan, "   ", None, "")
    assert set(errors) == {"description", "deadline"}
    errors = rules.action_errors(plan, "Visit", datetime.date(2025, 12, 31), "")
    assert set(errors) == {"deadline"}
    assert "before the plan starts" in errors["deadline"]
    assert rules.action_errors(plan, "Visit", plan.starts_on, "") == {}


@pytest.mark.parametrize(("country", "required"), [("pl", True), ("cz", False)])
def test_expected_effect_required_by_the_polish_profile_only(ctx, plan, country, required):
    """Does only the Polish profile (art. 15 ust. 3) require an expected effect?"""
    make_organisation(country=country)
    plan.case.case_type = {"pl": CaseType.PL_ASSISTANT, "cz": CaseType.CZ_FOSTER}[country]
    assert PROFILES[country].figures["plan_expected_effect_required"] is required
    errors = rules.action_errors(plan, "Visit", datetime.date(2026, 5, 1), " ")
    assert ("expected_effect" in errors) is required
    assert rules.action_errors(plan, "Visit", datetime.date(2026, 5, 1), "Better sleep") == {}


@pytest.mark.parametrize(("case_type", "required"), [(CaseType.PL_FOSTER, True), (CaseType.CZ_FOSTER, False)])
def test_the_familys_legal_system_decides_not_the_organisations(ctx, plan, case_type, required):
    """In an organisation of one country, does a family under the other country's law
    (its kind of case) follow its own law's rule?"""
    make_organisation(country="cz" if case_type == CaseType.PL_FOSTER else "pl")
    plan.case.case_type = case_type
    errors = rules.action_errors(plan, "Visit", datetime.date(2026, 5, 1), "")
    assert ("expected_effect" in errors) is required


def test_review_dated_in_the_future_refused(ctx):
    """Is a review dated tomorrow refused, and one dated today accepted?"""
    assert rules.review_date_error(TODAY + datetime.timedelta(days=1), TODAY)
    assert rules.review_date_error(TODAY, TODAY) is None


def test_plan_without_goals_cannot_be_approved(ctx, family, plan):
    """Is approving a plan without goals refused, with nothing written?"""
    with pytest.raises(rules.PlanRuleError, match="without goals"):
        rules.approve(plan, family.key_worker, family.case)
    assert PlanVersion.select().count() == 0


def test_plan_with_invalid_action_cannot_be_approved(ctx, family, plan):
    """Is a draft holding an action that breaks the profile's rules refused at approval?"""
    make_organisation(country="pl")
    Case.update(case_type=CaseType.PL_ASSISTANT).where(Case.id == family.case.id).execute()
    plan.case.case_type = CaseType.PL_ASSISTANT
    make_action(make_goal(plan), "No effect", expected_effect="")
    with pytest.raises(rules.PlanRuleError, match="No effect"):
        rules.approve(plan, family.key_worker, family.case)


# --- Freezing versions ---------------------------------------------------------------------


def _plan_with_content(family, plan):
    goal = make_goal(plan, "Staff goal")
    own = make_goal(plan, "Family's own goal", client_proposed=True)
    make_action(goal, "Visit the school", responsible_user=family.key_worker)
    make_need(plan, "Sleep problems", kind="risk")
    return goal, own


def test_approve_numbers_versions_and_freezes_the_draft(ctx, family, plan):
    """Does approving create versions 1, 2 … with the draft as it was, never the staff notes?"""
    goal, own = _plan_with_content(family, plan)
    first = rules.approve(plan, family.key_worker, family.case)
    assert first.number == 1 and first.approved_by_name == family.key_worker.full_name
    data = first.data
    assert [g["title"] for g in data["goals"]] == ["Family's own goal", "Staff goal"]  # the client's first
    assert data["goals"][1]["actions"][0]["responsible"] == family.key_worker.full_name
    assert data["needs"][0]["kind"] == "risk"
    assert "Secret staff note R" not in first.snapshot
    assert AuditEntry.select().where(AuditEntry.table == "plan_version").count() == 1

    goal.title = "Staff goal, renamed"
    goal.save()
    second = rules.approve(plan, family.key_worker, family.case)
    assert second.number == 2
    assert PlanVersion.get_by_id(first.id).data["goals"][1]["title"] == "Staff goal"
    assert second.data["goals"][1]["title"] == "Staff goal, renamed"


def test_approved_version_cannot_be_changed_or_deleted(ctx, family, plan):
    """Does the model refuse to update or delete an approved version?"""
    make_goal(plan, "Goal")
    version = rules.approve(plan, family.key_worker, family.case)
    stored = version.snapshot
    version.snapshot = json.dumps({"goals": []})
    with pytest.raises(PermissionError):
        version.save()
    with pytest.raises(PermissionError):
        version.delete_instance()
    assert PlanVersion.get_by_id(version.id).snapshot == stored


def test_snapshot_names_the_caregiver_responsible(ctx, family, plan):
    """Does a caregiver's action keep their name and person id (for "your tasks")?"""
    member = Member.get((Member.case == family.case) & (Member.role == MemberRole.CAREGIVER))
    goal = make_goal(plan)
    make_action(goal, "Bring the report", responsible_kind=Responsible.CAREGIVER, responsible_member=member)
    action = rules.snapshot(plan, family.case)["goals"][0]["actions"][0]
    assert action["responsible"] == family.caregiver.full_name
    assert action["responsible_person"] == family.caregiver.id
    assert action["responsible_kind"] == "caregiver"


def test_page_rows_read_like_the_models_and_make_the_same_snapshot(ctx, family, plan):
    """Do the plan page's light rows (goal_rows, action_rows) carry what the models carry,
    so the page's "changes since the last version" compares like an approval would?"""
    member = Member.get((Member.case == family.case) & (Member.role == MemberRole.CAREGIVER))
    area = rules.areas(family.case.country)[0]
    own = make_goal(plan, "Family goal", client_proposed=True, area=area)
    other = make_goal(plan, "Staff goal")
    make_action(own, "Staff task", responsible_user=family.key_worker, progress_note="Started",
                progress_on=datetime.date(2026, 3, 2))
    make_action(other, "Carer task", deadline=None, responsible_kind=Responsible.CAREGIVER, responsible_member=member)
    make_action(other, "Partner task", responsible_kind=Responsible.PARTNER, responsible_name="Centre")
    goals, actions = rules.goal_rows(plan), rules.action_rows(plan)
    assert [(g.id, g.title, g.client_proposed, g.area_id) for g in goals] == [
        (g.id, g.title, g.client_proposed, g.area_id) for g in rules.ordered_goals(plan)]
    assert goals[0].client_proposed is True and goals[0].area.code == area.code and goals[1].area is None
    fields = ("id", "goal_id", "description", "responsible_kind", "responsible_user_id", "responsible_member_id",
              "responsible_name", "deadline", "expected_effect", "status", "progress_note", "progress_on", "version")
    assert [[getattr(a, f) for f in fields] for a in actions] == [
        [getattr(a, f) for f in fields] for a in rules.ordered_actions(plan)]
    assert actions[0].deadline == datetime.date(2026, 6, 30) and actions[0].progress_on == datetime.date(2026, 3, 2)
    assert actions[0].responsible_user.full_name == family.key_worker.full_name
    assert rules.snapshot(plan, family.case, goals=goals, actions=actions) == rules.snapshot(plan, family.case)


# --- Comparison ----------------------------------------------------------------------------


def _snap(goals=(), needs=(), **plan_fields):
    plan = {"starts_on": "2026-01-01", "summary": "", "child_view": "", "external_body": "", "external_date": None,
            "external_reference": ""}
    plan.update(plan_fields)
    return {"plan": plan, "needs": list(needs), "goals": list(goals)}


def _goal(id, title, actions=(), client=False):
    return {"id": id, "title": title, "client_proposed": client, "area_code": "", "area_name": "", "actions": list(actions)}


def _action(id, description, **fields):
    data = {"id": id, "description": description, "responsible_kind": "staff", "responsible": "Jana",
            "responsible_person": None, "deadline": "2026-06-30", "expected_effect": "", "status": "planned",
            "progress_note": "", "progress_on": None}
    data.update(fields)
    return data


def test_compare_identical_versions_has_no_changes():
    """Do two equal snapshots compare as unchanged?"""
    snap = _snap([_goal(1, "A", [_action(10, "x")])])
    assert rules.compare(snap, json.loads(json.dumps(snap))) == []


def test_compare_reports_added_removed_and_changed_by_stable_id():
    """Are items matched by id: a renamed goal is changed, not removed and added?"""
    old = _snap([_goal(1, "School", [_action(10, "Meet the teacher"), _action(11, "Tutor")]), _goal(2, "Health")],
                child_view="I like school")
    new = _snap([_goal(1, "School attendance", [_action(10, "Meet the teacher", status="done"),
                                               _action(12, "Homework club")]),
                 _goal(3, "Contact with grandma", client=True)],
                child_view="I like school a lot")
    changes = {(c.section, c.item_id, c.kind): c for c in rules.compare(old, new)}
    assert set(changes) == {
        ("plan", None, "changed"),
        ("goal", 1, "changed"), ("action", 10, "changed"), ("action", 12, "added"), ("goal", 3, "added"),
        ("action", 11, "removed"), ("goal", 2, "removed"),
    }
    assert changes[("goal", 1, "changed")].fields == [("title", "School", "School attendance")]
    assert changes[("action", 10, "changed")].fields == [("status", "planned", "done")]
    assert changes[("plan", None, "changed")].fields == [("child_view", "I like school", "I like school a lot")]
    assert changes[("goal", 2, "removed")].label == "Health"


def test_compare_lists_removals_after_additions_and_plan_first():
    """Is the plan's own change listed first and removals last?"""
    old = _snap([_goal(1, "Old")], summary="a")
    new = _snap([_goal(2, "New")], summary="b")
    kinds = [(c.section, c.kind) for c in rules.compare(old, new)]
    assert kinds == [("plan", "changed"), ("goal", "added"), ("goal", "removed")]


def test_compare_versions_from_the_database(ctx, family, plan):
    """Does comparing two approved versions show the action added in between?"""
    goal = make_goal(plan, "Goal")
    v1 = rules.approve(plan, family.key_worker, family.case)
    added = make_action(goal, "New action")
    v2 = rules.approve(plan, family.key_worker, family.case)
    changes = rules.compare(v1.data, v2.data)
    assert [(c.section, c.item_id, c.kind) for c in changes] == [("action", added.id, "added")]


# --- Areas of needs ------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["cz", "pl"])
def test_areas_seeded_once_from_the_profile(ctx, country):
    """Are the profile's areas created on first use, in order, and only once?"""
    areas = rules.areas(country)
    assert [a.code for a in areas] == list(PROFILES[country].figures["plan_need_areas"])
    assert all(rules.area_label(a.code) != a.code for a in areas)  # every profile area has a label
    rules.areas(country)
    assert PlanArea.select().where(PlanArea.country == country).count() == len(areas)


def test_polish_profile_lists_the_five_spheres():
    """Does the Polish profile name the five spheres of the family-work plan?"""
    assert PROFILES["pl"].figures["plan_need_areas"] == ("social_living", "psychological", "vocational", "social", "health")


def test_area_own_name_wins_and_hidden_area_not_offered(ctx):
    """Does an administrator's name replace the profile label, and a hidden area drop out?"""
    area = rules.areas("cz")[0]
    area.name = "Zdraví dítěte"
    area.active = False
    area.save()
    assert rules.area_label(area.code, area.name) == "Zdraví dítěte"
    assert area.id not in {a.id for a in rules.areas("cz")}
    assert area.id in {a.id for a in rules.areas("cz", active_only=False)}


# --- Acknowledgement -----------------------------------------------------------------------


def test_acknowledge_records_answer_and_tells_the_key_worker(ctx, family, plan):
    """Is the answer stored with its time, audited, and the key worker notified; a second refused?"""
    make_goal(plan)
    version = rules.approve(plan, family.key_worker, family.case)
    ack = rules.acknowledge(version, family.user, "discuss", "  The deadline is too short ", family.case, link="/x")
    assert ack.response == "discuss" and ack.comment == "The deadline is too short" and ack.at
    note = Notification.get(Notification.user == family.key_worker)
    assert note.kind == "plan_ack_discuss" and note.data["number"] == 1 and note.link == "/x"
    with pytest.raises(rules.PlanRuleError):
        rules.acknowledge(version, family.user, "agree", "", family.case)
    assert PlanAcknowledgement.select().count() == 1
