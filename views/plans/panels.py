"""The plan's sections on pages of other areas (views/panels.py): the plan summary on the
case page, "Due items" on the staff home, the approved plan on the caregiver's home.
Each loader runs a fixed number of queries, whatever the size of the organisation."""
import datetime
import json
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from peewee import JOIN, SQL, fn

from models import Case, CaseStatus, Person, TeamMember
from models import plan_rules as rules
from models.base import Prepared
from models.plans import OPEN_STATUSES, CarePlan, PlanAcknowledgement, PlanAction, PlanGoal, PlanVersion

from .. import panels
from ..permissions import InVisibleCases
from ..layout import id_url

#: Rows of each list in "Due items" (the rest is counted).
DUE_ROWS = 10


@dataclass(frozen=True)
class CasePlanSummary:
    case_id: int
    exists: bool
    latest_number: int | None = None
    latest_at: object = None
    goals: int = 0
    overdue_actions: int = 0
    next_review_on: object = None
    review_overdue: bool = False


def _latest_number(plan_id):
    """The number of a plan's latest approved version (a subquery)."""
    latest = PlanVersion.alias()
    return latest.select(fn.MAX(latest.number)).where(latest.plan == plan_id)


#: The plan's summary in one statement: the latest version joined, goals and overdue
#: actions counted (the same rule as plan_rules.overdue_actions_query).
_CASE_SUMMARY = Prepared(
    lambda case_id, today: CarePlan.select(
        CarePlan.next_review_on, PlanVersion.number, PlanVersion.approved_at,
        PlanGoal.select(fn.COUNT(PlanGoal.id)).where(PlanGoal.plan == CarePlan.id),
        PlanAction.select(fn.COUNT(PlanAction.id)).where(
            (PlanAction.plan == CarePlan.id) & PlanAction.status.in_(list(OPEN_STATUSES))
            & (PlanAction.deadline < today)),
    )
    .join(PlanVersion, JOIN.LEFT_OUTER,
          on=((PlanVersion.plan == CarePlan.id) & (PlanVersion.number == _latest_number(CarePlan.id))))
    .where(CarePlan.case == case_id).limit(1).tuples(),
    "case_id", "today")


def case_panel(case, user):
    """The plan's summary on the case page (one query)."""
    today = datetime.date.today()
    row = _CASE_SUMMARY.first(case_id=case.id, today=today.isoformat())
    if row is None:
        return CasePlanSummary(case.id, False)
    next_review_on, number, approved_at, goals, overdue = row
    return CasePlanSummary(
        case.id, True,
        latest_number=number,
        latest_at=approved_at,
        goals=goals,
        overdue_actions=overdue,
        next_review_on=next_review_on,
        review_overdue=bool(next_review_on and next_review_on < today),  # plan_rules.review_overdue
    )


@dataclass(frozen=True)
class DueItems:
    actions: list  # (action id, description, deadline, status, case id, case name)
    action_count: int
    reviews: list  # (next review date, case id, case name)
    review_count: int
    today: datetime.date
    #: The plan page's URL of a case id (built once, not per row).
    plan_url: object = None


def _caseload(user_id):
    """The open cases where the user is key worker or on the team (a subquery)."""
    team = TeamMember.select(TeamMember.case).where(TeamMember.user == user_id)
    return Case.select(Case.id).where(((Case.key_worker == user_id) | Case.id.in_(team))
                                      & (Case.status != CaseStatus.CLOSED))


# The first rows of each list, each row carrying the count of all (a window over the
# whole result, computed before the limit): one statement per list.
_DUE_ACTIONS = Prepared(
    lambda user_id, horizon: PlanAction.select(
        PlanAction.id, PlanAction.description, PlanAction.deadline, PlanAction.status, Case.id, Case.name,
        fn.COUNT(SQL("*")).over())
    .join(CarePlan, on=(PlanAction.plan == CarePlan.id)).join(Case)
    .where(CarePlan.case.in_(_caseload(user_id)) & PlanAction.status.in_(list(OPEN_STATUSES))
           & (PlanAction.deadline <= horizon))
    .order_by(PlanAction.deadline, PlanAction.id).limit(DUE_ROWS).tuples(),
    "user_id", "horizon")
_DUE_REVIEWS = Prepared(
    lambda user_id, horizon: CarePlan.select(CarePlan.next_review_on, Case.id, Case.name, fn.COUNT(SQL("*")).over())
    .join(Case)
    .where(CarePlan.case.in_(_caseload(user_id)) & (CarePlan.next_review_on <= horizon))
    .order_by(CarePlan.next_review_on, Case.id).limit(DUE_ROWS).tuples(),
    "user_id", "horizon")


def staff_home_panel(user):
    """Overdue and soon-due actions and reviews of the user's own caseload (2 queries)."""
    today = datetime.date.today()
    horizon = (today + datetime.timedelta(days=rules.DUE_SOON_DAYS)).isoformat()
    actions = _DUE_ACTIONS.all(user_id=user.id, horizon=horizon)
    reviews = _DUE_REVIEWS.all(user_id=user.id, horizon=horizon)
    return DueItems(
        actions=[row[:-1] for row in actions],
        action_count=actions[0][-1] if actions else 0,
        reviews=[row[:-1] for row in reviews],
        review_count=reviews[0][-1] if reviews else 0,
        today=today,
        plan_url=id_url("plans.plan", "case_id") if actions or reviews else None,
    )


@dataclass(frozen=True)
class FamilyPlan:
    case_id: int
    case_name: str
    number: int | None
    approved_at: object
    answered: str | None
    my_actions: int
    next_deadline: object


def _family_plans(cases, user_id):
    """Each of ``cases`` (a query) with the latest approved version of its plan, the user's
    answer to it and the user's own person id (their actions are theirs by person)."""
    return (
        cases.select(Case.id, Case.name, PlanVersion.number, PlanVersion.approved_at, PlanVersion.snapshot,
                     PlanAcknowledgement.response,
                     Person.select(Person.id).where(Person.account == user_id).limit(1))
        .join(CarePlan, JOIN.LEFT_OUTER, on=(CarePlan.case == Case.id))
        .join(PlanVersion, JOIN.LEFT_OUTER,
              on=((PlanVersion.plan == CarePlan.id) & (PlanVersion.number == _latest_number(CarePlan.id))))
        .join(PlanAcknowledgement, JOIN.LEFT_OUTER,
              on=((PlanAcknowledgement.plan_version == PlanVersion.id) & (PlanAcknowledgement.user == user_id)))
        .order_by(Case.search_name)
        .tuples()
    )


#: The families the user sees with their plans, compiled once per kind of access
#: (views.permissions.InVisibleCases); ``reader_id`` is whose answer and actions count.
_FAMILY_PLANS = InVisibleCases(
    lambda cases, reader_id: _family_plans(Case.select().where(Case.id.in_(cases)), reader_id), "reader_id")


def caregiver_home_panel(user):
    """The approved plan of each of the caregiver's families, and their answer (1 query)."""
    rows = _FAMILY_PLANS.all(user=user, reader_id=user.id)
    if not rows:
        return None
    plans = []
    for case_id, name, number, approved_at, snapshot, answer, me in rows:
        if number is None:
            plans.append(FamilyPlan(case_id, name, None, None, None, 0, None))
            continue
        mine = [a for g in json.loads(snapshot)["goals"] for a in g["actions"]
                if me and a.get("responsible_person") == me and a["status"] in OPEN_STATUSES]
        deadlines = sorted(a["deadline"] for a in mine if a.get("deadline"))
        plans.append(FamilyPlan(case_id, name, number, approved_at, answer,
                                len(mine), datetime.date.fromisoformat(deadlines[0]) if deadlines else None))
    return plans


panels.register(panels.CASE, panels.Panel(
    "plans", "plans/_panel_case.html", case_panel, order=10, link_label=_l("Care plan"), anchor="plan"))
panels.register(panels.STAFF_HOME, panels.Panel("plans", "plans/_panel_due.html", staff_home_panel, order=10))
panels.register(panels.CAREGIVER_HOME, panels.Panel("plans", "plans/_panel_caregiver.html", caregiver_home_panel,
                                                    order=10))
