"""Individual education plans and training events (issue #5).

Hours are stored as whole minutes (quarter hours are multiples of 15), so sums are exact.
The rules (periods, requirement, carry-over, at-risk) are pure functions in
``models/education_rules.py``; this module holds the tables and the queries that feed them.

An event's times (``starts_at``, ``ends_at``) are the organisation's wall-clock times, not
UTC like the record stamps: a training is a calendar appointment in one place, and its
date decides which period it credits, so it is stored as entered.
"""
import datetime
import enum

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    Value,
    fn,
)

from .base import BaseModel, Prepared, id_list, once_per_request, utcnow
from .cases import Case
from .people import Person
from .users import User


class EventFormat(enum.StrEnum):
    GROUP = "group"
    INDIVIDUAL = "individual"


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"  # has a place
    WAITING = "waiting"  # on the waiting list (ordered by ``queued_at``)
    CANCELLED = "cancelled"


class Attendance(enum.StrEnum):
    ATTENDED = "attended"  # ``attended_minutes`` credit the period of the training date
    NO_SHOW = "no_show"  # did not come and did not tell us
    EXCUSED = "excused"  # told us in time


class EducationSettings(BaseModel):
    """The organisation's own education figures (one row), over the country profile's.

    None means "as the country profile says". In Poland there is no statutory figure: the
    organisation sets its own yearly target here, or none.
    """

    standard_minutes = IntegerField(null=True)
    kinship_minutes = IntegerField(null=True)
    at_risk_months = IntegerField(null=True)
    version = IntegerField(default=1)

    @classmethod
    def current(cls):
        """The settings row, created empty (all from the profile) on first use; loaded once
        per request (a list of progress bars asks for it more than once)."""
        return once_per_request("education_settings", lambda: _FIRST_SETTINGS.first() or cls.create())

    def overrides(self):
        return {"standard_minutes": self.standard_minutes, "kinship_minutes": self.kinship_minutes}


class TrainingEvent(BaseModel):
    """A training the organisation offers: group or individual, in a place or online."""

    title = CharField(max_length=200)
    topic = CharField(max_length=200, default="")
    description = TextField(default="")
    starts_at = DateTimeField(index=True)  # local wall-clock time (see the module docstring)
    ends_at = DateTimeField()
    duration_minutes = IntegerField()  # the hours it credits in full (quarter hours)
    place = CharField(max_length=300, default="")
    online = BooleanField(default=False)
    trainer = CharField(max_length=200, default="")
    capacity = IntegerField()
    event_format = CharField(max_length=20, default=EventFormat.GROUP)
    language = CharField(max_length=10, default="")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    version = IntegerField(default=1)

    @property
    def date(self):
        """The day of the training: the period containing it gets the hours."""
        return self.starts_at.date()

    def is_past(self, now=None):
        return self.starts_at <= (now or datetime.datetime.now())


class Registration(BaseModel):
    """A caregiver's place (or place on the waiting list) at an event, and their attendance.

    ``case`` is the family the caregiver signed up from: it scopes who may see and change
    the registration (the family's staff) and whose key worker is told about changes.
    """

    event = ForeignKeyField(TrainingEvent, backref="registrations", on_delete="CASCADE")
    person = ForeignKeyField(Person, backref="training_registrations", on_delete="CASCADE", index=True)
    case = ForeignKeyField(Case, backref="+", on_delete="CASCADE", index=True)
    # No index of its own: three values, nearly all "registered"; it misled the query
    # planner away from the person's index (migration 0006).
    status = CharField(max_length=20, default=RegistrationStatus.REGISTERED)
    queued_at = DateTimeField(default=utcnow)  # order of the waiting list
    babysitting = BooleanField(default=False)
    babysitting_note = CharField(max_length=500, default="")
    attendance = CharField(max_length=20, null=True)
    attended_minutes = IntegerField(null=True)
    registered_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    cancelled_at = DateTimeField(null=True)
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("event", "person"), True), (("event", "status"), False))

    @property
    def credited_minutes(self):
        return (self.attended_minutes or 0) if self.attendance == Attendance.ATTENDED else 0


class ExternalTraining(BaseModel):
    """Hours a caregiver completed with another provider; they count like our trainings."""

    person = ForeignKeyField(Person, backref="external_trainings", on_delete="CASCADE", index=True)
    case = ForeignKeyField(Case, backref="+", on_delete="CASCADE", index=True)
    provider = CharField(max_length=200)
    topic = CharField(max_length=200)
    date = DateField()
    minutes = IntegerField()
    note = TextField(default="")
    recorded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class EducationPlan(BaseModel):
    """A caregiver's individual education plan for one period, agreed with them.

    ``period_start`` names the computed period (never typed by a person): the plan
    belongs to the period of the governing agreement that starts on that day.
    """

    person = ForeignKeyField(Person, backref="education_plans", on_delete="CASCADE")
    case = ForeignKeyField(Case, backref="+", on_delete="CASCADE", index=True)
    period_start = DateField()
    topics = TextField(default="")  # topics and needs to cover, as agreed
    agreed_on = DateField(null=True)  # when it was agreed with the caregiver
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("person", "case", "period_start"), True),)


#: The tables of this module, parents first (see models/__init__.py).
MODELS = [EducationSettings, TrainingEvent, Registration, ExternalTraining, EducationPlan]


# --- Registration, waiting list, attendance ---------------------------------------------------
#
# Each write runs in one transaction with its audit entry. Registration counts the places
# taken and inserts in one transaction that takes SQLite's write lock first (BEGIN
# IMMEDIATE): two people taking the last place at once are serialised, and the second
# finds the event full instead of overbooking it.

from flask import url_for  # noqa: E402
from flask_babel import gettext as _  # noqa: E402

from . import audit  # noqa: E402
from .base import db  # noqa: E402
from .notifications import Notification  # noqa: E402


class EducationError(ValueError):
    """A rule refused the change; ``str(error)`` is the localised reason for the user."""


def _write_lock():
    """A transaction that takes the write lock at once (a savepoint when nested)."""
    return db.atomic("IMMEDIATE")


def places_taken(event):
    """Registrations holding a place at ``event``."""
    return Registration.select().where(
        (Registration.event == event) & (Registration.status == RegistrationStatus.REGISTERED)
    ).count()


def register(event, person, case, actor, *, waitlist=False, babysitting=False, note="", now=None):
    """Register ``person`` (a caregiver of ``case``) for ``event``; return the registration.

    A full event takes the person onto its waiting list only when ``waitlist`` is asked
    for (the form offers it); otherwise it is refused, so nobody lands on a waiting list
    believing they have a place. Refused too: an event that has started, a second
    registration of the same person.
    """
    now = now or datetime.datetime.now()
    with _write_lock():
        event = TrainingEvent.get_by_id(event.id)  # as stored now, inside the lock
        if event.starts_at <= now:
            raise EducationError(_("This training has already taken place or started; registration is closed."))
        existing = Registration.get_or_none((Registration.event == event) & (Registration.person == person))
        if existing is not None and existing.status != RegistrationStatus.CANCELLED:
            raise EducationError(_("%(name)s is already registered for this training.", name=person.full_name))
        full = places_taken(event) >= event.capacity
        if full and not waitlist:
            raise EducationError(_("This training is full. You can join the waiting list instead."))
        status = RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED
        registration = existing or Registration(event=event, person=person)
        registration.case = getattr(case, "id", case)  # a Case or a caregiver_cases() row
        registration.status = status
        registration.queued_at = utcnow()
        registration.babysitting = bool(babysitting)
        registration.babysitting_note = (note or "").strip()[:500] if babysitting else ""
        registration.attendance = None
        registration.attended_minutes = None
        registration.cancelled_at = None
        registration.registered_by = actor
        if existing is not None:
            registration.version += 1
        registration.save()
        audit.record(actor, "create", registration, case=registration.case_id,
                     summary=f"training {event.title}: {person.full_name} ({status})")
    return registration


def cancel(registration, actor, *, by_caregiver=False, now=None):
    """Cancel a registration; a place freed before the event goes to the first waiting person.

    When a caregiver cancels, their key worker is told (both sides tell each other when
    someone cannot come). Returns the promoted registration, or None.
    """
    now = now or datetime.datetime.now()
    with _write_lock():
        registration = Registration.get_by_id(registration.id)
        event = registration.event
        if registration.status == RegistrationStatus.CANCELLED:
            raise EducationError(_("This registration has already been cancelled."))
        if registration.attendance is not None:
            raise EducationError(_("Attendance has been recorded; the registration cannot be cancelled."))
        had_place = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = utcnow()
        registration.version += 1
        registration.save()
        audit.record(actor, "update", registration, case=registration.case_id,
                     summary=f"training {event.title}: {registration.person.full_name} cancelled"
                     + (" by the caregiver" if by_caregiver else ""))
        if by_caregiver:
            _notify_key_worker(registration, "training_cancelled_by_caregiver")
        promoted = promote_waiting(event, actor, now=now)[:1] if had_place else []
    return promoted[0] if promoted else None


def promote_waiting(event, actor, now=None):
    """Give free places of ``event`` to the waiting list, first come first served.

    Runs inside the caller's transaction. Nobody is promoted once the event has started.
    Each promoted caregiver (if they have an account) and their key worker are told.
    """
    now = now or datetime.datetime.now()
    if event.starts_at <= now:
        return []
    free = event.capacity - places_taken(event)
    if free <= 0:
        return []
    waiting = list(
        Registration.select(Registration, Person).join(Person)
        .where((Registration.event == event) & (Registration.status == RegistrationStatus.WAITING))
        .order_by(Registration.queued_at, Registration.id)
        .limit(free)
    )
    for registration in waiting:
        registration.status = RegistrationStatus.REGISTERED
        registration.version += 1
        registration.save()
        audit.record(actor, "update", registration, case=registration.case_id,
                     summary=f"training {event.title}: {registration.person.full_name} moved from the waiting list")
        if registration.person.account_id:
            Notification.send(registration.person.account_id, "training_place_freed",
                              link=_link("education.my_home"), event=event.title,
                              date=event.starts_at.date().isoformat())
        _notify_key_worker(registration, "training_promoted")
    return waiting


def _link(endpoint, **values):
    """A link for a notification (empty outside a request, e.g. in the CLI)."""
    try:
        return url_for(endpoint, **values)
    except RuntimeError:
        return ""


def _notify_key_worker(registration, kind):
    case = Case.get_or_none(Case.id == registration.case_id)
    if case is None or not case.key_worker_id:
        return
    event = registration.event
    Notification.send(case.key_worker_id, kind,
                      link=_link("education.person", person_id=registration.person_id),
                      name=registration.person.full_name, case=case.name, event=event.title,
                      date=event.starts_at.date().isoformat())


def record_attendance(registration, attendance, minutes, actor, now=None):
    """Record attendance: attended (with hours, at most the event's duration), no-show or excused.

    Only for a registration holding a place, once the event has started.
    """
    now = now or datetime.datetime.now()
    event = registration.event
    if registration.status != RegistrationStatus.REGISTERED:
        raise EducationError(_("Attendance can be recorded only for someone with a place."))
    if event.starts_at > now:
        raise EducationError(_("Attendance can be recorded once the training has started."))
    if attendance not in set(Attendance):
        raise EducationError(_("Choose whether the caregiver attended."))
    if attendance == Attendance.ATTENDED:
        if minutes is None or minutes <= 0:
            raise EducationError(_("Enter the hours attended (more than zero)."))
        if minutes > event.duration_minutes:
            raise EducationError(_("The hours attended cannot be more than the training's duration."))
    else:
        minutes = None
    before = audit.snapshot(registration)
    registration.attendance = attendance
    registration.attended_minutes = minutes
    return before


def event_counts(event_ids):
    """{event id: (places taken, waiting)} for many events in one query."""
    counts = {i: [0, 0] for i in event_ids}
    if not event_ids:
        return {}
    rows = _EVENT_COUNTS.all(event_ids=list(event_ids))
    for event_id, status, n in rows:
        counts[event_id][0 if status == RegistrationStatus.REGISTERED else 1] = n
    return {k: tuple(v) for k, v in counts.items()}


#: Places taken and waiting per event, for a page of events (compiled once: every list of
#: trainings shows them).
_EVENT_COUNTS = Prepared(
    lambda event_ids: Registration.select(Registration.event, Registration.status, fn.COUNT(Registration.id))
    .where(Registration.event.in_(id_list(event_ids))
           & Registration.status.in_([RegistrationStatus.REGISTERED, RegistrationStatus.WAITING]))
    .group_by(Registration.event, Registration.status)
    .tuples(),
    "event_ids",
)


# --- Progress: every query for many caregivers at once -----------------------------------------

from dataclasses import dataclass, field  # noqa: E402

from . import education_rules as rules  # noqa: E402
from .cases import CaseStatus, Member, MemberRole, case_profile  # noqa: E402
from .organisation import Organisation  # noqa: E402


@dataclass
class Progress:
    """A caregiver's education: the governing case, its requirement and every period."""

    person_id: int
    case: Case  # the governing case (rules.governing_case)
    other_cases: list
    requirement: rules.Requirement
    periods: list = field(default_factory=list)  # PeriodSummary, oldest first

    @property
    def current(self):
        return self.periods[-1] if self.periods else None

    def period_at(self, start):
        """The summary of the period starting on ``start`` (None if there is none)."""
        return next((p for p in self.periods if p.start == start), None)


# The queries behind every progress bar (case page, caregiver home, training pages, the
# at-risk list), compiled once (base.Prepared). Lists of people are one JSON parameter.
_FIRST_SETTINGS = Prepared(lambda: EducationSettings.select().order_by(EducationSettings.id).limit(1))
# Only the columns the rules and the pages use, as light read-only rows (the at-risk list
# of a whole organisation loads thousands).
_CAREGIVER_CASES = Prepared(
    lambda person_ids: Case.select(
        Case.id, Case.name, Case.status, Case.case_type, Case.agreement_date, Case.opened_on, Case.new_rules,
        Case.mediated, Case.key_worker.alias("key_worker_id"), Member.person.alias("caregiver_id"))
    .join(Member, on=(Member.case == Case.id))
    .where(Member.person.in_(id_list(person_ids)) & (Member.role == MemberRole.CAREGIVER)
           & Case.status.in_([CaseStatus.ACTIVE, CaseStatus.MONITORING]))
    .order_by(Case.id)
    .namedtuples(),
    "person_ids",
)


def _hours_rows(ids, now):
    """(kind, person, day or time, minutes) of everything that counts towards the hours of
    some people: attended trainings ("attended"), external training ("external") and
    upcoming trainings with a place ("registered"), in one statement instead of three."""
    attended = (
        Registration.select(Value("attended"), Registration.person, TrainingEvent.starts_at,
                            Registration.attended_minutes)
        .join(TrainingEvent)
        .where(Registration.person.in_(id_list(ids)) & (Registration.attendance == Attendance.ATTENDED))
    )
    external = ExternalTraining.select(Value("external"), ExternalTraining.person, ExternalTraining.date,
                                       ExternalTraining.minutes).where(ExternalTraining.person.in_(id_list(ids)))
    registered = (
        Registration.select(Value("registered"), Registration.person, TrainingEvent.starts_at,
                            TrainingEvent.duration_minutes)
        .join(TrainingEvent)
        .where(Registration.person.in_(id_list(ids)) & (Registration.status == RegistrationStatus.REGISTERED)
               & Registration.attendance.is_null() & (TrainingEvent.starts_at > now))
    )
    return (attended + external + registered).tuples()  # UNION ALL


_HOURS = Prepared(_hours_rows, "ids", "now")


def settings_figures():
    """(country figures, organisation overrides, at-risk months) in force."""
    figures = Organisation.current().profile.figures
    settings = EducationSettings.current()
    months = settings.at_risk_months
    if months is None:
        months = figures.get("education_at_risk_months", 3)
    return figures, settings.overrides(), months


def caregiver_cases(person_ids):
    """{person id: [open cases where they are a caregiver]} in one query."""
    result = {}
    if not person_ids:
        return result
    rows = _CAREGIVER_CASES.all(person_ids=list(person_ids))
    for case in rows:
        result.setdefault(case.caregiver_id, []).append(case)
    return result


def hours_of(person_ids, now=None):
    """({person id: [(date, minutes)]} credited, {person id: [(date, minutes)]} registered)
    for caregivers: attended and external training, and upcoming trainings with a place
    (after ``now``), in one query."""
    now = now or datetime.datetime.now()
    credits = {i: [] for i in person_ids}
    registered = {i: [] for i in person_ids}
    if not person_ids:
        return credits, registered
    # Plain values (models.base.Prepared.rows): a time or a date as stored, whose first
    # ten characters are the day.
    for kind, person_id, when, minutes in _HOURS.rows(ids=list(person_ids), now=now):
        day = datetime.date.fromisoformat(when[:10])
        if kind == "registered":
            registered[person_id].append((day, minutes))
        else:
            credits[person_id].append((day, minutes or 0))
    return credits, registered


def progress_for(person_ids, today=None, cases=None, only_current_candidates=False):
    """{person id: Progress} for caregivers; a fixed number of queries however many people.

    With ``only_current_candidates`` (the at-risk list) the hours are loaded only for
    caregivers with fewer than the at-risk months left of their current period.
    """
    today = today or datetime.date.today()
    figures, overrides, risk_months = settings_figures()
    months = figures.get("education_period_months", 12)
    cases = cases if cases is not None else caregiver_cases(person_ids)
    plans = {}
    for person_id in person_ids:
        own = cases.get(person_id) or []
        governing = rules.governing_case(own)
        if governing is None:
            continue
        anchor = rules.anchor_of(governing)
        if only_current_candidates:
            current = rules.period_containing(anchor, today, months)
            if current is None or not rules.months_left_below(current.end, today, risk_months):
                continue
        # The hours follow the law of the governing agreement (its kind of case).
        req = rules.requirement(case_profile(governing.case_type).figures, new_rules=governing.new_rules,
                                mediated=governing.mediated, overrides=overrides)
        plans[person_id] = Progress(person_id, governing, [c for c in own if c.id != governing.id], req)
    credits, registered = hours_of(plans.keys())
    for person_id, progress in plans.items():
        progress.periods = rules.summarise(rules.anchor_of(progress.case), progress.requirement,
                                           credits[person_id], registered[person_id], today=today, months=months)
    return plans
