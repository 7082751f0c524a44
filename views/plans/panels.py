"""The plan's sections on pages of other areas (views/panels.py): the plan summary on the
case page, "Due items" on the staff home, the approved plan on the caregiver's home.
Each loader runs a fixed number of queries, whatever the size of the organisation."""
import datetime
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from peewee import fn

from models import Case, CaseStatus, Person, TeamMember
from models import plan_rules as rules
from models.plans import OPEN_STATUSES, CarePlan, PlanAcknowledgement, PlanAction, PlanGoal, PlanVersion

from .. import panels
from ..permissions import visible_cases

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


def case_panel(case, user):
    """The plan's summary on the case page (at most 4 queries)."""
    plan = CarePlan.get_or_none(CarePlan.case == case)
    if plan is None:
        return CasePlanSummary(case.id, False)
    latest = rules.latest_version(plan)
    today = datetime.date.today()
    return CasePlanSummary(
        case.id, True,
        latest_number=latest.number if latest else None,
        latest_at=latest.approved_at if latest else None,
        goals=PlanGoal.select().where(PlanGoal.plan == plan).count(),
        overdue_actions=rules.overdue_actions_query([plan.id], today).count(),
        next_review_on=plan.next_review_on,
        review_overdue=rules.review_overdue(plan, today),
    )


@dataclass(frozen=True)
class DueItems:
    actions: list  # (action id, description, deadline, status, case id, case name)
    action_count: int
    reviews: list  # (next review date, case id, case name)
    review_count: int
    today: datetime.date


def staff_home_panel(user):
    """Overdue and soon-due actions and reviews of the user's own caseload (4 queries)."""
    today = datetime.date.today()
    horizon = today + datetime.timedelta(days=rules.DUE_SOON_DAYS)
    team = TeamMember.select(TeamMember.case).where(TeamMember.user == user)
    mine = Case.select(Case.id).where(((Case.key_worker == user) | Case.id.in_(team))
                                      & (Case.status != CaseStatus.CLOSED))
    actions = (
        PlanAction.select(PlanAction.id, PlanAction.description, PlanAction.deadline, PlanAction.status,
                          Case.id, Case.name)
        .join(CarePlan, on=(PlanAction.plan == CarePlan.id)).join(Case)
        .where(CarePlan.case.in_(mine) & PlanAction.status.in_(list(OPEN_STATUSES))
               & (PlanAction.deadline <= horizon))
    )
    reviews = (
        CarePlan.select(CarePlan.next_review_on, Case.id, Case.name).join(Case)
        .where(CarePlan.case.in_(mine) & (CarePlan.next_review_on <= horizon))
    )
    return DueItems(
        actions=list(actions.order_by(PlanAction.deadline, PlanAction.id).limit(DUE_ROWS).tuples()),
        action_count=actions.count(),
        reviews=list(reviews.order_by(CarePlan.next_review_on, Case.id).limit(DUE_ROWS).tuples()),
        review_count=reviews.count(),
        today=today,
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


def caregiver_home_panel(user):
    """The approved plan of each of the caregiver's families, and their answer (3 queries)."""
    cases = list(visible_cases(user).select(Case.id, Case.name).order_by(Case.search_name).tuples())
    if not cases:
        return None
    latest = PlanVersion.alias()
    newest = latest.select(fn.MAX(latest.number)).where(latest.plan == PlanVersion.plan)
    versions = {
        v.plan.case_id: v
        for v in PlanVersion.select(PlanVersion, CarePlan.case).join(CarePlan)
        .where(CarePlan.case.in_([c for c, _n in cases]) & (PlanVersion.number == newest))
    }
    answers = {}
    if versions:
        answers = {
            a.plan_version_id: a.response
            for a in PlanAcknowledgement.select(PlanAcknowledgement.plan_version, PlanAcknowledgement.response)
            .where(PlanAcknowledgement.plan_version.in_([v.id for v in versions.values()])
                   & (PlanAcknowledgement.user == user))
        }
    me = Person.select(Person.id).where(Person.account == user).scalar() if versions else None
    rows = []
    for case_id, name in cases:
        version = versions.get(case_id)
        if version is None:
            rows.append(FamilyPlan(case_id, name, None, None, None, 0, None))
            continue
        mine = [a for g in version.data["goals"] for a in g["actions"]
                if me and a.get("responsible_person") == me and a["status"] in OPEN_STATUSES]
        deadlines = sorted(a["deadline"] for a in mine if a.get("deadline"))
        rows.append(FamilyPlan(case_id, name, version.number, version.approved_at, answers.get(version.id),
                               len(mine), datetime.date.fromisoformat(deadlines[0]) if deadlines else None))
    return rows


panels.register(panels.CASE, panels.Panel(
    "plans", "plans/_panel_case.html", case_panel, order=10, link_label=_l("Care plan"), anchor="plan"))
panels.register(panels.STAFF_HOME, panels.Panel("plans", "plans/_panel_due.html", staff_home_panel, order=10))
panels.register(panels.CAREGIVER_HOME, panels.Panel("plans", "plans/_panel_caregiver.html", caregiver_home_panel,
                                                    order=10))
