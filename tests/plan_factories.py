"""Factories of the care-plan tests: a plan with goals and actions, written directly."""
import datetime

from models import plan_rules
from models.plans import CarePlan, PlanAction, PlanGoal, PlanNeed, Responsible


def make_plan(case, starts_on=datetime.date(2026, 1, 1), **fields):
    """The case's plan, its next review one profile interval after ``starts_on``."""
    fields.setdefault("next_review_on", plan_rules.add_months(starts_on, 6))
    return CarePlan.create(case=case, starts_on=starts_on, **fields)


def make_goal(plan, title="Goal", client_proposed=False, position=None, **fields):
    if position is None:
        position = PlanGoal.select().where(PlanGoal.plan == plan).count() + 1
    return PlanGoal.create(plan=plan, title=title, client_proposed=client_proposed, position=position, **fields)


def make_action(goal, description="Action", deadline=datetime.date(2026, 6, 30), expected_effect="Effect",
                responsible_user=None, **fields):
    fields.setdefault("responsible_kind", Responsible.STAFF)
    position = PlanAction.select().where(PlanAction.goal == goal).count() + 1
    return PlanAction.create(goal=goal, plan=goal.plan_id, description=description, deadline=deadline,
                             expected_effect=expected_effect, responsible_user=responsible_user,
                             position=position, **fields)


def make_need(plan, description="Need", kind="need", area=None):
    return PlanNeed.create(plan=plan, description=description, kind=kind, area=area)
