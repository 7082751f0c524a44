"""The rules of care plans, in one place: areas of needs from the country profile, the
validation of actions and reviews, freezing a draft as an approved version, comparing two
versions, review scheduling and what is overdue.

Functions that refuse something raise :class:`PlanRuleError` (``str(error)`` is the
localised reason, ``field`` names the form field it belongs to). Writes happen inside the
caller's transaction.
"""
import calendar
import datetime
import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from . import audit
from .base import Prepared, utcnow
from .cases import Member
from .notifications import Notification
from .organisation import Organisation
from .people import Person
from .plans import (
    OPEN_STATUSES,
    CarePlan,
    PlanAcknowledgement,
    PlanAction,
    PlanArea,
    PlanGoal,
    PlanNeed,
    PlanReview,
    PlanVersion,
    Responsible,
)
from .users import User


class PlanRuleError(ValueError):
    """A rule refused the change; ``str(error)`` is the localised reason."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


#: Labels of the areas the country profiles name (``plan_need_areas``); an administrator
#: may rename an area, and the own name then wins (PlanArea.name).
AREA_LABELS = {
    # cz
    "development_health": _l("The child's development and health"),
    "education": _l("Education"),
    "birth_family": _l("Relationships with the birth family"),
    "identity": _l("The child's identity"),
    "carer_competences": _l("The carers' competences"),
    "living_conditions": _l("Living conditions of the family"),
    # pl (sfery: socjalno-bytowa, psychologiczna, zawodowa, społeczna, zdrowotna)
    "social_living": _l("Social and living conditions"),
    "psychological": _l("Psychological"),
    "vocational": _l("Work and qualifications"),
    "social": _l("Social relationships"),
    "health": _l("Health"),
}

#: Days ahead in which an open action or a review counts as "due soon" on the staff home
#: (organisation practice, not law).
DUE_SOON_DAYS = 14


def figure(name, case=None):
    """A figure of the country profile that governs ``case`` (default: the organisation's)."""
    return (case.profile if case is not None else Organisation.current().profile).figures.get(name)


# --- Areas of needs ------------------------------------------------------------------------


def ensure_areas(country):
    """Seed the country's areas from its profile the first time they are needed."""
    if PlanArea.select().where(PlanArea.country == country).exists():
        return
    from .jurisdiction import profile

    codes = profile(country).figures.get("plan_need_areas", ())
    PlanArea.insert_many(
        [{"country": country, "code": code, "position": i} for i, code in enumerate(codes)]
    ).execute()


_AREAS = Prepared(
    lambda country: PlanArea.select().where(PlanArea.country == country).order_by(PlanArea.position, PlanArea.id),
    "country")


def areas(country=None, active_only=True):
    """The areas of ``country`` (default: the organisation's), in their order."""
    country = country or Organisation.current().country
    rows = _AREAS.all(country=country)
    if not rows:  # the first time: seeded from the profile
        ensure_areas(country)
        rows = _AREAS.all(country=country)
    return [area for area in rows if area.active] if active_only else rows


def area_label(code, name=""):
    """The label of an area in the current language: the own name, else the profile's."""
    if name:
        return name
    label = AREA_LABELS.get(code)
    return str(label) if label is not None else (code or "")


# --- Dates and scheduling ------------------------------------------------------------------


def add_months(date, months):
    """``date`` plus ``months`` calendar months, the day clamped to the month's end."""
    month0 = date.month - 1 + months
    year, month = date.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


def review_interval_months(case=None):
    """Months between two reviews (country profile, ``plan_review_months``)."""
    return figure("plan_review_months", case) or 6


def default_next_review(from_date, case=None):
    """The next review after a review (or a plan start) on ``from_date``."""
    return add_months(from_date, review_interval_months(case))


def next_review_date(plan, last_review=None):
    """The next review in force: the one the last review set, else one interval after start."""
    if last_review is None:
        last_review = (
            PlanReview.select().where(PlanReview.plan == plan)
            .order_by(PlanReview.reviewed_on.desc(), PlanReview.id.desc()).first()
        )
    if last_review is not None:
        return last_review.next_review_on
    return default_next_review(plan.starts_on, plan.case)


def refresh_next_review(plan):
    """Store the plan's next review date (read by the due-items list); not a user edit,
    so the plan's version is left alone."""
    plan.next_review_on = next_review_date(plan)
    CarePlan.update(next_review_on=plan.next_review_on).where(CarePlan.id == plan.id).execute()


def review_overdue(plan, today=None):
    """True when the plan's next review date has passed."""
    today = today or datetime.date.today()
    return bool(plan.next_review_on and plan.next_review_on < today)


def action_overdue(action, today=None):
    """True for an open action (planned or in progress) whose deadline has passed."""
    today = today or datetime.date.today()
    return action.status in OPEN_STATUSES and action.deadline is not None and action.deadline < today


def overdue_actions_query(plan_ids, today=None):
    """Open actions past their deadline of the given plans (a query, ordered by deadline)."""
    today = today or datetime.date.today()
    return (
        PlanAction.select()
        .where(PlanAction.plan.in_(plan_ids) & PlanAction.status.in_(list(OPEN_STATUSES))
               & (PlanAction.deadline < today))
        .order_by(PlanAction.deadline, PlanAction.id)
    )


# --- Validation ----------------------------------------------------------------------------


def action_errors(plan, description, deadline, expected_effect):
    """{field: message} of an action that breaks a rule (empty when it is valid)."""
    errors = {}
    if not (description or "").strip():
        errors["description"] = _("Describe the action.")
    if deadline is None:
        errors["deadline"] = _("Enter the deadline.")
    elif plan.starts_on and deadline < plan.starts_on:
        from flask_babel import format_date

        errors["deadline"] = _("The deadline cannot be before the plan starts (%(date)s).",
                               date=format_date(plan.starts_on))
    if figure("plan_expected_effect_required", plan.case) and not (expected_effect or "").strip():
        errors["expected_effect"] = _("Enter the expected effect: the law requires one for every action.")
    return errors


def review_date_error(reviewed_on, today=None):
    """The message for a review dated in the future (None when it is fine)."""
    today = today or datetime.date.today()
    if reviewed_on and reviewed_on > today:
        return _("A review cannot be dated in the future.")
    return None


def approval_errors(plan):
    """Why the draft cannot be approved (a list of messages; empty when it can)."""
    goals = list(PlanGoal.select(PlanGoal.id).where(PlanGoal.plan == plan))
    if not goals:
        return [_("A plan without goals cannot be approved. Add at least one goal.")]
    errors = []
    for action in PlanAction.select().where(PlanAction.plan == plan).order_by(PlanAction.id):
        problems = action_errors(plan, action.description, action.deadline, action.expected_effect)
        if problems:
            errors.append(_("Action “%(action)s”: %(problems)s", action=_short(action.description),
                            problems=" ".join(problems.values())))
    return errors


def _short(text, length=60):
    text = (text or "").strip()
    return text if len(text) <= length else text[: length - 1] + "…"


# --- Responsibility ------------------------------------------------------------------------


def responsible_display(action, member_names=None):
    """The name of whoever carries out ``action`` (user and member are joined or looked up)."""
    kind = action.responsible_kind
    if kind == Responsible.STAFF:
        return action.responsible_user.full_name if action.responsible_user_id else ""
    if kind == Responsible.PARTNER:
        return action.responsible_name
    if action.responsible_member_id:
        if member_names is not None:
            return member_names.get(action.responsible_member_id, "")
        return action.responsible_member.person.full_name
    return ""


def _id(record):
    """The id of a model instance, or the id itself."""
    return getattr(record, "id", record)


def _shown(model):
    """The fields of ``model`` pages read: all but the creation and update stamps (parsing
    stamps is a large part of building a row). Rows loaded so are read, never saved."""
    return [f for f in model._meta.sorted_fields if f.name not in ("created_at", "updated_at")]


# The plan page and its fragments run these on every load: compiled once (models.base.Prepared).
_MEMBER_NAMES = Prepared(
    lambda case_id: Member.select(Member.id, Member.role, Person.id, Person.first_name, Person.last_name)
    .join(Person).where(Member.case == case_id).tuples(),
    "case_id")
_ORDERED_GOALS = Prepared(
    lambda plan_id: PlanGoal.select(*_shown(PlanGoal), PlanArea.id, PlanArea.code, PlanArea.name)
    .join(PlanArea, JOIN.LEFT_OUTER)
    .where(PlanGoal.plan == plan_id)
    .order_by(PlanGoal.client_proposed.desc(), PlanGoal.position, PlanGoal.id),
    "plan_id")
_ORDERED_ACTIONS = Prepared(
    lambda plan_id: PlanAction.select(*_shown(PlanAction), User.id, User.full_name)
    .join(User, JOIN.LEFT_OUTER, on=(PlanAction.responsible_user == User.id))
    .where(PlanAction.plan == plan_id)
    .order_by(PlanAction.position, PlanAction.id),
    "plan_id")
_ORDERED_NEEDS = Prepared(
    lambda plan_id: PlanNeed.select(*_shown(PlanNeed), PlanArea.id, PlanArea.code, PlanArea.name)
    .join(PlanArea, JOIN.LEFT_OUTER)
    .where(PlanNeed.plan == plan_id)
    .order_by(PlanNeed.position, PlanNeed.id),
    "plan_id")


class Row:
    """A row of a list the plan page shows, read without building a model instance (for
    these lists building instances cost more than the query): attributes named like the
    model's (``goal_id`` for the foreign key ``goal``), values as peewee reads them."""

    def __init__(self, **values):
        self.__dict__.update(values)


def _date(value, field):
    """A stored date as ``field`` (a DateField) reads it; the ISO form peewee writes is
    read directly (peewee tries its formats one by one with strptime)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    return field.python_value(value)


_GOAL_ROWS = Prepared(
    lambda plan_id: PlanGoal.select(PlanGoal.id, PlanGoal.title, PlanGoal.client_proposed, PlanGoal.area,
                                    PlanGoal.version, PlanArea.code, PlanArea.name)
    .join(PlanArea, JOIN.LEFT_OUTER)
    .where(PlanGoal.plan == plan_id)
    .order_by(PlanGoal.client_proposed.desc(), PlanGoal.position, PlanGoal.id),
    "plan_id")
_ACTION_ROWS = Prepared(
    lambda plan_id: PlanAction.select(
        PlanAction.id, PlanAction.goal, PlanAction.description, PlanAction.responsible_kind,
        PlanAction.responsible_user, PlanAction.responsible_member, PlanAction.responsible_name,
        PlanAction.deadline, PlanAction.expected_effect, PlanAction.status, PlanAction.progress_note,
        PlanAction.progress_on, PlanAction.version, User.full_name)
    .join(User, JOIN.LEFT_OUTER, on=(PlanAction.responsible_user == User.id))
    .where(PlanAction.plan == plan_id)
    .order_by(PlanAction.position, PlanAction.id),
    "plan_id")


def goal_rows(plan):
    """:func:`ordered_goals` as :class:`Row` objects (``area``: a Row of id, code, name)."""
    to_bool = PlanGoal.client_proposed.python_value
    return [
        Row(id=goal_id, title=title, client_proposed=to_bool(proposed), area_id=area_id, version=version,
            area=Row(id=area_id, code=code, name=name) if area_id is not None else None)
        for goal_id, title, proposed, area_id, version, code, name in _GOAL_ROWS.rows(plan_id=_id(plan))
    ]


def action_rows(plan):
    """:func:`ordered_actions` as :class:`Row` objects (``responsible_user``: a Row of id
    and full name)."""
    deadline_field, progress_field = PlanAction.deadline, PlanAction.progress_on
    return [
        Row(id=action_id, goal_id=goal_id, description=description, responsible_kind=kind,
            responsible_user_id=user_id, responsible_member_id=member_id, responsible_name=responsible_name,
            deadline=_date(deadline, deadline_field), expected_effect=effect, status=status,
            progress_note=note, progress_on=_date(progress_on, progress_field), version=version,
            responsible_user=Row(id=user_id, full_name=full_name) if user_id is not None else None)
        for (action_id, goal_id, description, kind, user_id, member_id, responsible_name, deadline, effect, status,
             note, progress_on, version, full_name) in _ACTION_ROWS.rows(plan_id=_id(plan))
    ]


def member_names(case):
    """{member id: (full name, person id, role)} of a case, in one query."""
    return {mid: (f"{first} {last}", pid, role)
            for mid, role, pid, first, last in _MEMBER_NAMES.all(case_id=_id(case))}


# --- Snapshot, approval, comparison --------------------------------------------------------


def ordered_goals(plan):
    """The plan's goals with their areas: the client's own goals first, then by position."""
    return _ORDERED_GOALS.all(plan_id=_id(plan))


def ordered_actions(plan):
    """The plan's actions with the responsible staff member joined, in their order."""
    return _ORDERED_ACTIONS.all(plan_id=_id(plan))


def ordered_needs(plan):
    return _ORDERED_NEEDS.all(plan_id=_id(plan))


def _iso(date):
    return date.isoformat() if date else None


def snapshot(plan, case=None, names=None, needs=None, goals=None, actions=None):
    """Everything an approved version shows, as plain data with stable ids (4 queries, or
    none when the caller passes the rows it has already loaded).

    Staff notes are left out: a version is what the family sees. Areas are kept as code
    and own name, so a version is shown in any language; people as the names they had.
    """
    case = case or plan.case
    names = member_names(case) if names is None else names
    needs = [
        {"id": n.id, "kind": n.kind, "description": n.description,
         "area_code": n.area.code if n.area_id else "", "area_name": n.area.name if n.area_id else ""}
        for n in (ordered_needs(plan) if needs is None else needs)
    ]
    by_goal = {}
    for a in (ordered_actions(plan) if actions is None else actions):
        person = names.get(a.responsible_member_id) if a.responsible_member_id else None
        by_goal.setdefault(a.goal_id, []).append({
            "id": a.id,
            "description": a.description,
            "responsible_kind": a.responsible_kind,
            "responsible": responsible_display(a, {k: v[0] for k, v in names.items()}),
            "responsible_person": person[1] if person else None,
            "deadline": _iso(a.deadline),
            "expected_effect": a.expected_effect,
            "status": a.status,
            "progress_note": a.progress_note,
            "progress_on": _iso(a.progress_on),
        })
    goals = [
        {"id": g.id, "title": g.title, "client_proposed": g.client_proposed,
         "area_code": g.area.code if g.area_id else "", "area_name": g.area.name if g.area_id else "",
         "actions": by_goal.get(g.id, [])}
        for g in (ordered_goals(plan) if goals is None else goals)
    ]
    return {
        "plan": {
            "starts_on": _iso(plan.starts_on),
            "summary": plan.summary,
            "child_view": plan.child_view,
            "external_body": plan.external_body,
            "external_date": _iso(plan.external_date),
            "external_reference": plan.external_reference,
            "next_review_on": _iso(plan.next_review_on),
        },
        "case": {"name": case.name, "case_type": case.case_type},
        "needs": needs,
        "goals": goals,
    }


_LATEST_VERSION = Prepared(
    lambda plan_id: PlanVersion.select().where(PlanVersion.plan == plan_id)
    .order_by(PlanVersion.number.desc()).limit(1),
    "plan_id")


def latest_version(plan):
    return _LATEST_VERSION.first(plan_id=_id(plan))


def approve(plan, actor, case=None, at=None):
    """Freeze the draft as the next numbered version; refused when a rule is broken.

    ``at`` (the approval time) is for loading past data only (demo); it defaults to now.
    """
    errors = approval_errors(plan)
    if errors:
        raise PlanRuleError(" ".join(errors))
    number = (PlanVersion.select(fn.MAX(PlanVersion.number)).where(PlanVersion.plan == plan).scalar() or 0) + 1
    data = snapshot(plan, case)
    version = PlanVersion.create(
        plan=plan, number=number, approved_by=actor, approved_by_name=actor.full_name,
        snapshot=json.dumps(data, ensure_ascii=False, sort_keys=True), approved_at=at or utcnow(),
    )
    audit.record(actor, "create", version, case=case or plan.case_id,
                 summary=f"care plan version {number} approved")
    return version


@dataclass
class Change:
    """One difference between two versions: an item added, removed or changed."""

    section: str  # plan, need, goal, action
    item_id: object
    kind: str  # added, removed, changed
    label: str  # what the item is called (its text), for the reader
    fields: list = field(default_factory=list)  # [(name, old, new)] for "changed"


#: Fields compared per section (what a reader would call a change).
COMPARED = {
    "plan": ("starts_on", "summary", "child_view", "external_body", "external_date", "external_reference"),
    "need": ("kind", "description", "area_code", "area_name"),
    "goal": ("title", "client_proposed", "area_code", "area_name"),
    "action": ("goal", "description", "responsible_kind", "responsible", "deadline", "expected_effect",
               "status", "progress_note", "progress_on"),
}


def _items(data):
    """{(section, id): (label, fields)} of a snapshot, actions flattened with their goal."""
    items = {}
    for need in data.get("needs", []):
        items[("need", need["id"])] = (need["description"], need)
    for goal in data.get("goals", []):
        items[("goal", goal["id"])] = (goal["title"], goal)
        for action in goal.get("actions", []):
            items[("action", action["id"])] = (action["description"], {**action, "goal": goal["id"]})
    return items


def compare(old, new):
    """The changes from snapshot ``old`` to ``new``, matched by stable ids.

    Plan texts first, then needs, goals and actions; within each, in the new order, then
    what was removed.
    """
    changes = []
    old_plan, new_plan = old.get("plan", {}), new.get("plan", {})
    fields = [(k, old_plan.get(k), new_plan.get(k)) for k in COMPARED["plan"] if old_plan.get(k) != new_plan.get(k)]
    if fields:
        changes.append(Change("plan", None, "changed", "", fields))
    old_items, new_items = _items(old), _items(new)
    order = {"need": 0, "goal": 1, "action": 2}
    for key, (label, data) in new_items.items():
        section = key[0]
        if key not in old_items:
            changes.append(Change(section, key[1], "added", label))
            continue
        before = old_items[key][1]
        diff = [(k, before.get(k), data.get(k)) for k in COMPARED[section] if before.get(k) != data.get(k)]
        if diff:
            changes.append(Change(section, key[1], "changed", label, diff))
    for key, (label, _data) in old_items.items():
        if key not in new_items:
            changes.append(Change(key[0], key[1], "removed", label))
    rank = {"added": 0, "changed": 0, "removed": 1}
    changes.sort(key=lambda c: (c.section != "plan", rank[c.kind], order.get(c.section, 0)))
    return changes


# --- The family's acknowledgement ----------------------------------------------------------


def acknowledge(version, user, response, comment, case, link=""):
    """Record a caregiver's answer to ``version`` and tell the key worker.

    One answer per caregiver and version: a second one is refused.
    """
    exists = PlanAcknowledgement.select().where(
        (PlanAcknowledgement.plan_version == version) & (PlanAcknowledgement.user == user)
    ).exists()
    if exists:
        raise PlanRuleError(_("You have already answered this version of the plan."))
    ack = PlanAcknowledgement.create(plan_version=version, user=user, name=user.full_name,
                                     response=response, comment=(comment or "").strip())
    audit.record(user, "create", ack, case=case, summary=f"care plan version {version.number}: {response}")
    if case.key_worker_id:
        Notification.send(case.key_worker_id, f"plan_ack_{response}", link=link,
                          name=user.full_name, case=case.name, number=version.number)
    return ack
