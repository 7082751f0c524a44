"""Care plans (issue #4): needs and risks by area, goals, actions, reviews, approved versions.

A case has one plan. The plan's draft is its live rows (needs, goals, actions), each with
a ``version`` so a stale save is refused. Approving freezes the draft as a numbered
:class:`PlanVersion` whose JSON snapshot holds everything shown; versions are never
changed afterwards (no route writes them, and :meth:`PlanVersion.save` refuses updates).
The rules (validation, freezing, comparison, review scheduling, overdue logic) live in
``models/plan_rules.py``.
"""
import datetime
import enum
import json

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel, utcnow
from .cases import Case, Member
from .users import User


class NeedKind(enum.StrEnum):
    NEED = "need"
    RISK = "risk"


class Responsible(enum.StrEnum):
    """Who carries out an action."""

    STAFF = "staff"  # a staff member (User)
    CAREGIVER = "caregiver"  # a caregiver of the family (Member)
    FAMILY_MEMBER = "family_member"  # another member of the family (Member)
    CHILD = "child"  # a child of the family (Member)
    PARTNER = "partner"  # an outside partner, by name


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_ACHIEVED = "not_achieved"
    CANCELLED = "cancelled"


#: Statuses of an action still to be carried out (these can be overdue).
OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class GoalOutcome(enum.StrEnum):
    """A review's verdict on one goal."""

    ACHIEVED = "achieved"
    PARTLY = "partly"
    NOT_ACHIEVED = "not_achieved"
    NOT_RELEVANT = "not_relevant"


class AckResponse(enum.StrEnum):
    AGREE = "agree"
    DISCUSS = "discuss"


class PlanArea(BaseModel):
    """An area of needs and risks offered for a country's plans (admin-editable list).

    Seeded from the country profile (``plan_need_areas``); ``code`` names a profile area
    (its label is translated), ``name`` is an administrator's own wording, which wins.
    """

    country = CharField(max_length=2, index=True)
    code = CharField(max_length=40, default="")
    name = CharField(max_length=200, default="")
    position = IntegerField(default=0)
    active = BooleanField(default=True)
    version = IntegerField(default=1)


class CarePlan(BaseModel):
    """The care plan of one case: its texts, the external plan it follows, review dates."""

    case = ForeignKeyField(Case, backref="plans", unique=True, on_delete="CASCADE")
    starts_on = DateField(default=datetime.date.today)
    child_view = TextField(default="")  # the child's own view (shown to the family)
    summary = TextField(default="")  # the agreed request, in the family's words
    # The state's plan this one follows: IPOD (cz) or plan pomocy dziecku (pl).
    external_body = CharField(max_length=200, default="")
    external_date = DateField(null=True)
    external_reference = CharField(max_length=100, default="")
    staff_notes = TextField(default="")  # never shown to caregivers, never in a version
    # Denormalised for the due-items list (indexed): the next review date in force.
    next_review_on = DateField(null=True, index=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    version = IntegerField(default=1)


class PlanNeed(BaseModel):
    """A need or a risk of the family in one area."""

    plan = ForeignKeyField(CarePlan, backref="needs", on_delete="CASCADE", index=True)
    area = ForeignKeyField(PlanArea, null=True, backref="+", on_delete="SET NULL")
    kind = CharField(max_length=10, default=NeedKind.NEED)
    description = TextField()
    position = IntegerField(default=0)
    version = IntegerField(default=1)


class PlanGoal(BaseModel):
    """A goal of the plan; goals the family or the child proposed come first."""

    plan = ForeignKeyField(CarePlan, backref="goals", on_delete="CASCADE", index=True)
    area = ForeignKeyField(PlanArea, null=True, backref="+", on_delete="SET NULL")
    title = TextField()
    client_proposed = BooleanField(default=False)
    position = IntegerField(default=0)
    version = IntegerField(default=1)


class PlanAction(BaseModel):
    """What is done towards a goal, by whom, by when, with which expected effect."""

    goal = ForeignKeyField(PlanGoal, backref="actions", on_delete="CASCADE", index=True)
    # The goal's plan, so a plan's or a caseload's overdue actions are one indexed query.
    plan = ForeignKeyField(CarePlan, backref="+", on_delete="CASCADE")
    description = TextField()
    responsible_kind = CharField(max_length=20, default=Responsible.STAFF)
    responsible_user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    responsible_member = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    responsible_name = CharField(max_length=200, default="")  # an outside partner
    deadline = DateField(null=True)
    expected_effect = TextField(default="")
    status = CharField(max_length=20, default=ActionStatus.PLANNED)
    progress_note = TextField(default="")
    progress_on = DateField(null=True)
    position = IntegerField(default=0)
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("plan", "status", "deadline"), False),)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class PlanVersion(BaseModel):
    """An approved, frozen version of a plan. Append-only: never updated or deleted."""

    plan = ForeignKeyField(CarePlan, backref="versions", on_delete="CASCADE")
    number = IntegerField()
    approved_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    approved_by_name = CharField(max_length=200, default="")  # kept if the account goes
    approved_at = DateTimeField(default=utcnow)
    snapshot = TextField()  # JSON, see plan_rules.snapshot

    class Meta:
        indexes = ((("plan", "number"), True),)

    def save(self, *args, **kwargs):
        if self.id is not None:
            raise PermissionError("an approved plan version cannot be changed")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise PermissionError("an approved plan version cannot be deleted")

    @property
    def data(self):
        return json.loads(self.snapshot)


class PlanAcknowledgement(BaseModel):
    """A caregiver's answer to an approved version: agrees, or wants to discuss it."""

    plan_version = ForeignKeyField(PlanVersion, backref="acknowledgements", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    name = CharField(max_length=200, default="")
    response = CharField(max_length=10)
    comment = TextField(default="")
    at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("plan_version", "user"), True),)


class PlanReview(BaseModel):
    """A periodic review (vyhodnocení / okresowa ocena) of the plan."""

    plan = ForeignKeyField(CarePlan, backref="reviews", on_delete="CASCADE", index=True)
    reviewed_on = DateField()
    participants = TextField(default="")
    child_view = TextField(default="")
    summary = TextField(default="")
    next_review_on = DateField()
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class PlanReviewGoal(BaseModel):
    """A review's outcome for one goal (the goal's title is kept if the goal is removed)."""

    review = ForeignKeyField(PlanReview, backref="goal_outcomes", on_delete="CASCADE", index=True)
    goal = ForeignKeyField(PlanGoal, null=True, backref="+", on_delete="SET NULL")
    goal_title = TextField(default="")
    outcome = CharField(max_length=20)
    comment = TextField(default="")


#: The tables of this module, parents first (see models/__init__.py).
MODELS = [
    PlanArea,
    CarePlan,
    PlanNeed,
    PlanGoal,
    PlanAction,
    PlanVersion,
    PlanAcknowledgement,
    PlanReview,
    PlanReviewGoal,
]
