"""The rules of assisted contacts: times, conflict checks, recurrence, lifecycle,
compliance and calendar-feed tokens.

The checks are pure functions over small value objects (:class:`Proposal`,
:class:`Booking`), so each rule is tested without a database; :func:`find_problems` loads
what they need in a fixed number of queries, and :func:`save_booking` runs the same checks
and the write in one ``BEGIN IMMEDIATE`` transaction, so two people booking the same room,
worker or child at the same moment are serialised: the second sees the first's booking and
is refused. No double booking can be stored by any route.
"""
import calendar
import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_datetime, format_time
from flask_babel import gettext as _

from . import audit
from .base import db, utcnow
from .cases import ExcludedPerson, Member, MemberRole
from .conflicts import ConflictDeclaration
from .contacts import (
    BOOKING_STATUSES,
    CalendarFeed,
    Contact,
    ContactParticipant,
    ContactSettings,
    ContactStatus,
    EndedEarlyReason,
    ParticipantKind,
    Party,
    RepeatPattern,
    Room,
)
from .organisation import Organisation
from .people import Person
from .users import User

UTC = datetime.UTC
ERROR, WARNING = "error", "warning"
#: The longest series created at once (two years of weekly contacts).
MAX_OCCURRENCES = 104


class ContactRuleError(ValueError):
    """A rule refused the change; ``problems`` are the reasons (see :class:`Problem`)."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


# --- Time -----------------------------------------------------------------------------------


def org_zone():
    """The organisation's time zone."""
    return ZoneInfo(Organisation.current().timezone)


def to_utc(local, zone):
    """A naive local wall-clock time in ``zone`` as naive UTC (how times are stored)."""
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def to_local(utc, zone):
    """A stored naive UTC time as naive local wall-clock time in ``zone``."""
    return utc.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def minutes(delta):
    return int(delta.total_seconds() // 60)


def settings():
    """The scheduling settings: the stored row, or the country profile's defaults."""
    row = ContactSettings.select().order_by(ContactSettings.id).first()
    if row is not None:
        return row
    figures = Organisation.current().profile.figures
    start_h, start_m = (int(x) for x in figures.get("contact_day_start", "08:00").split(":"))
    end_h, end_m = (int(x) for x in figures.get("contact_day_end", "18:00").split(":"))
    return ContactSettings(
        day_start_minutes=start_h * 60 + start_m,
        day_end_minutes=end_h * 60 + end_m,
        working_days=figures.get("contact_working_days", "12345"),
        default_buffer_minutes=figures.get("contact_room_buffer_minutes", 15),
        max_minutes=figures.get("contact_max_hours", 12) * 60,
    )


def cancel_notice_hours():
    """Hours ahead a cancellation counts as in time (organisation practice, not law)."""
    return Organisation.current().profile.figures.get("contact_cancel_notice_hours", 24)


# --- Value objects the checks work on --------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One finding of the checks: ``error`` refuses the booking, ``warning`` only tells."""

    code: str
    severity: str
    message: str

    @property
    def is_error(self):
        return self.severity == ERROR


@dataclass
class Proposal:
    """A contact as it would be booked: the child's times in naive UTC, offsets in minutes.

    ``children``, ``caregivers`` and ``visitors`` are ``(person_id, name)`` pairs;
    ``workers`` are ``(user_id, name)``.
    """

    start: datetime.datetime
    end: datetime.datetime
    arrive_before: int = 0
    leave_after: int = 0
    room_id: int | None = None
    room_name: str = ""
    buffer: int = 0
    children: list = field(default_factory=list)
    caregivers: list = field(default_factory=list)
    visitors: list = field(default_factory=list)
    workers: list = field(default_factory=list)
    exclude_ids: frozenset = frozenset()  # the contact being edited (not a clash with itself)
    label: str = ""  # e.g. the date of an occurrence in a series

    @property
    def span(self):
        """The whole booking: from the visitors' arrival to their departure."""
        return (self.start - datetime.timedelta(minutes=self.arrive_before),
                self.end + datetime.timedelta(minutes=self.leave_after))

    def person_intervals(self):
        """{person_id: (kind, name, (start, end))}: children and caregivers keep the child's
        time, visitors arrive and leave at their offsets."""
        result = {}
        for kind, people, interval in (
            (ParticipantKind.CHILD, self.children, (self.start, self.end)),
            (ParticipantKind.CAREGIVER, self.caregivers, (self.start, self.end)),
            (ParticipantKind.VISITOR, self.visitors, self.span),
        ):
            for person_id, name in people:
                result.setdefault(person_id, (kind, name, interval))
        return result


@dataclass
class Booking:
    """An existing contact as the checks see it."""

    contact_id: int
    start: datetime.datetime
    end: datetime.datetime
    span_start: datetime.datetime
    span_end: datetime.datetime
    room_id: int | None = None
    # (kind, person_id, user_id)
    participants: list = field(default_factory=list)

    def person_interval(self, person_id):
        for kind, pid, _uid in self.participants:
            if pid == person_id:
                if kind == ParticipantKind.VISITOR:
                    return (self.span_start, self.span_end)
                return (self.start, self.end)
        return None

    def has_worker(self, user_id):
        return any(uid == user_id for _k, _p, uid in self.participants)


def overlaps(a, b):
    """True when the half-open intervals ``a`` and ``b`` share any time."""
    return a[0] < b[1] and b[0] < a[1]


def _fmt_range(start, end, zone):
    """"Tuesday 3 Nov 2026, 10:00–11:30" in the reader's language (times stored in UTC)."""
    local_start, local_end = to_local(start, zone), to_local(end, zone)
    # format_time converts naive UTC to the organisation's zone itself (Flask-Babel).
    if local_start.date() == local_end.date():
        return _("%(day)s, %(start)s–%(end)s", day=format_date(local_start.date(), "full"),
                 start=format_time(start, "short"), end=format_time(end, "short"))
    return f"{format_datetime(start, 'short')} – {format_datetime(end, 'short')}"


def booking_problems(proposal, bookings, zone):
    """Clashes of ``proposal`` with existing ``bookings`` (pure).

    The room counts its buffer on both sides; a worker is busy for the whole booking; a
    child and the caregivers for the child's time; visitors from their arrival to their
    departure (the staggered times).
    """
    problems = []
    span = proposal.span
    people = proposal.person_intervals()
    buffer = datetime.timedelta(minutes=proposal.buffer or 0)
    for booking in sorted(bookings, key=lambda b: (b.span_start, b.contact_id)):
        if booking.contact_id in proposal.exclude_ids:
            continue
        if proposal.room_id and booking.room_id == proposal.room_id and overlaps(
            (span[0] - buffer, span[1] + buffer), (booking.span_start, booking.span_end)
        ):
            problems.append(Problem("room_booked", ERROR, _(
                "The room %(room)s is already booked %(when)s; %(buffer)d minutes are kept free between bookings.",
                room=proposal.room_name, when=_fmt_range(booking.span_start, booking.span_end, zone),
                buffer=proposal.buffer or 0)))
        for user_id, name in proposal.workers:
            if booking.has_worker(user_id) and overlaps(span, (booking.span_start, booking.span_end)):
                problems.append(Problem("worker_booked", ERROR, _(
                    "%(name)s is already supervising another contact %(when)s.",
                    name=name, when=_fmt_range(booking.span_start, booking.span_end, zone))))
        for person_id, (kind, name, interval) in people.items():
            other = booking.person_interval(person_id)
            if other and overlaps(interval, other):
                message = {
                    ParticipantKind.CHILD: _("%(name)s already has another contact %(when)s."),
                    ParticipantKind.CAREGIVER: _("%(name)s (caregiver) is already booked for another contact %(when)s."),
                    ParticipantKind.VISITOR: _("%(name)s (visitor) is already booked for another contact %(when)s, counting the arrival and leaving times."),
                }[kind]
                problems.append(Problem(f"{kind}_booked", ERROR, message % {
                    "name": name, "when": _fmt_range(other[0], other[1], zone)}))
    return problems


def policy_problems(proposal, excluded, declared, config, zone):
    """Refusals and warnings that do not depend on other bookings (pure).

    ``excluded``: ``(child name, visitor name, source)`` for every visitor whom a child's
    restrictions exclude; ``declared``: ``(staff name, person name)`` for every declared
    conflict of interest between a supervising worker and a participant.
    """
    problems = []
    for child, visitor, source in excluded:
        message = _("%(visitor)s may not be present at %(child)s's contacts.", visitor=visitor, child=child)
        if source:
            message += " " + _("(Order: %(source)s)", source=source)
        problems.append(Problem("excluded_visitor", ERROR, message))
    for staff, person in declared:
        problems.append(Problem("conflict_of_interest", ERROR, _(
            "%(staff)s has declared a conflict of interest with %(name)s and cannot supervise this contact.",
            staff=staff, name=person)))
    if outside_working_hours(proposal.span, config, zone):
        problems.append(Problem("outside_hours", WARNING, _(
            "The contact is outside the organisation's working hours (%(start)s–%(end)s on working days).",
            start=_clock(config.day_start_minutes), end=_clock(config.day_end_minutes))))
    return problems


def _clock(minutes_after_midnight):
    clock = datetime.time(minutes_after_midnight // 60 % 24, minutes_after_midnight % 60)
    return format_time(clock, "short", rebase=False)


def outside_working_hours(span, config, zone):
    """True when any part of ``span`` (naive UTC) falls outside the local working hours."""
    start, end = to_local(span[0], zone), to_local(span[1], zone)
    if start.date() != end.date() and not (end.time() == datetime.time(0) and end.date() == start.date() + datetime.timedelta(days=1)):
        return True
    if str(start.isoweekday()) not in config.working_days:
        return True
    day_start = start.hour * 60 + start.minute
    day_end = end.hour * 60 + end.minute if end.date() == start.date() else 24 * 60
    return day_start < config.day_start_minutes or day_end > config.day_end_minutes


def timing_problems(start, end, max_minutes, now=None, is_new=True):
    """Bad times: {field: message}. ``start``/``end`` naive UTC, ``now`` naive UTC."""
    errors = {}
    if end <= start:
        errors["end"] = _("The end must be after the start.")
    elif minutes(end - start) > max_minutes:
        errors["end"] = _("A contact may last at most %(hours)d hours.", hours=max_minutes // 60)
    if is_new and start < (now or utcnow()):
        errors["start"] = _("A new contact cannot start in the past.")
    return errors


# --- Loading what the checks need -----------------------------------------------------------


#: Longer than any booking can last: a contact lasts at most 24 hours, visitors come at most
#: 2 hours before and stay 2 after (views/contacts/forms.py). Queries of bookings that
#: overlap a window add the redundant bound ``span_start > window start - this``, so that
#: an index reads the bookings that start near the window, not every later one.
LONGEST_BOOKING = datetime.timedelta(days=2)


def load_bookings(window_start, window_end, room_ids=(), user_ids=(), person_ids=(), exclude_ids=()):
    """Active bookings overlapping the window that share a room, worker or person (2 queries)."""
    involved = ContactParticipant.select(ContactParticipant.contact).where(
        ContactParticipant.user.in_(list(user_ids) or [0]) | ContactParticipant.person.in_(list(person_ids) or [0])
    )
    query = Contact.select(
        Contact.id, Contact.starts_at, Contact.ends_at, Contact.span_start, Contact.span_end, Contact.room
    ).where(
        Contact.status.in_(list(BOOKING_STATUSES))
        & (Contact.span_start < window_end)
        & (Contact.span_start > window_start - LONGEST_BOOKING)
        & (Contact.span_end > window_start)
        & (Contact.room.in_([r for r in room_ids if r] or [0]) | Contact.id.in_(involved))
    )
    if exclude_ids:
        query = query.where(Contact.id.not_in(list(exclude_ids)))
    bookings = {
        cid: Booking(cid, s, e, ss, se, room)
        for cid, s, e, ss, se, room in query.tuples()
    }
    if bookings:
        for cid, kind, person_id, user_id in (
            ContactParticipant.select(ContactParticipant.contact, ContactParticipant.kind,
                                      ContactParticipant.person, ContactParticipant.user)
            .where(ContactParticipant.contact.in_(list(bookings))).tuples()
        ):
            bookings[cid].participants.append((kind, person_id, user_id))
    return list(bookings.values())


def load_policy_inputs(proposals):
    """(excluded, declared) for the participants of ``proposals`` (2 queries)."""
    first = proposals[0]
    child_ids = [pid for pid, _n in first.children]
    visitor_ids = {pid for p in proposals for pid, _n in p.visitors}
    names = {pid: n for p in proposals for pid, n in (*p.children, *p.caregivers, *p.visitors)}
    excluded = []
    if child_ids and visitor_ids:
        rows = (
            ExcludedPerson.select(ExcludedPerson.person, Member.person, Member.restriction_source)
            .join(Member, on=(ExcludedPerson.child == Member.id))
            .where(Member.person.in_(child_ids) & ExcludedPerson.person.in_(list(visitor_ids)))
            .tuples()
        )
        seen = set()
        for visitor_id, child_id, source in rows:
            if (child_id, visitor_id) not in seen:
                seen.add((child_id, visitor_id))
                excluded.append((names.get(child_id, ""), names.get(visitor_id, ""), source))
    declared = []
    worker_names = {uid: n for p in proposals for uid, n in p.workers}
    if worker_names and names:
        rows = (
            ConflictDeclaration.select(ConflictDeclaration.user, ConflictDeclaration.person)
            .where(ConflictDeclaration.user.in_(list(worker_names)) & ConflictDeclaration.person.in_(list(names)))
            .tuples()
        )
        declared = sorted({(worker_names[uid], names[pid]) for uid, pid in rows})
    return excluded, declared


def find_problems(proposals, config=None, zone=None):
    """Every problem of each proposal: a list of lists, in the order given (5 queries in all).

    Proposals of one series are also checked against each other.
    """
    if not proposals:
        return []
    config = config or settings()
    zone = zone or org_zone()
    max_buffer = datetime.timedelta(minutes=max(p.buffer or 0 for p in proposals))
    window = (min(p.span[0] for p in proposals) - max_buffer, max(p.span[1] for p in proposals) + max_buffer)
    bookings = load_bookings(
        *window,
        room_ids={p.room_id for p in proposals},
        user_ids={uid for p in proposals for uid, _n in p.workers},
        person_ids={pid for p in proposals for pid in p.person_intervals()},
        exclude_ids={cid for p in proposals for cid in p.exclude_ids},
    )
    excluded, declared = load_policy_inputs(proposals)
    result = []
    for i, proposal in enumerate(proposals):
        # Earlier occurrences of the same series count as bookings too.
        siblings = [_as_booking(-(j + 1), other) for j, other in enumerate(proposals[:i])]
        result.append(
            booking_problems(proposal, bookings + siblings, zone)
            + policy_problems(proposal, excluded, declared, config, zone)
        )
    return result


def _as_booking(fake_id, proposal):
    participants = [(ParticipantKind.WORKER, None, uid) for uid, _n in proposal.workers]
    participants += [(kind, pid, None) for pid, (kind, _n, _i) in proposal.person_intervals().items()]
    span = proposal.span
    return Booking(fake_id, proposal.start, proposal.end, span[0], span[1], proposal.room_id, participants)


# --- Writing ----------------------------------------------------------------------------------


def apply_times(contact, proposal):
    """Copy the proposal's times onto ``contact`` (with the stored whole-booking span)."""
    contact.starts_at, contact.ends_at = proposal.start, proposal.end
    contact.visitors_arrive_before, contact.visitors_leave_after = proposal.arrive_before, proposal.leave_after
    contact.span_start, contact.span_end = proposal.span
    contact.room = proposal.room_id


def save_booking(items, actor, *, expected_version=None, after_checks=None, allow_warnings=True):
    """Check and write contacts in one ``BEGIN IMMEDIATE`` transaction.

    ``items`` are ``(contact, proposal, participant rows)``, the rows as
    ``{"kind", "member", "person", "user"}`` dicts (None: keep the stored ones). SQLite's
    write lock is taken before the checks read anything, so a concurrent booking waits
    until this one is committed and then sees it. Raises :class:`ContactRuleError` with
    the errors found (nothing written), or ``StaleContact`` when ``expected_version`` is
    given and the stored row moved on. ``after_checks`` is a test hook.
    """
    with db.atomic(lock_type="IMMEDIATE"):
        problems = find_problems([proposal for _c, proposal, _r in items])
        errors = [p for plist in problems for p in plist if p.is_error]
        if errors:
            raise ContactRuleError(errors)
        if after_checks:
            after_checks()
        for contact, proposal, rows in items:
            is_new = contact.id is None
            before = {} if is_new else audit.snapshot(Contact.get_by_id(contact.id))
            apply_times(contact, proposal)
            if is_new:
                contact.created_by = actor
                contact.save()
            elif expected_version is not None:
                if not contact.save_if_version(expected_version):
                    raise StaleContact()
            else:
                contact.version += 1
                contact.save()
            if rows is not None:
                ContactParticipant.delete().where(ContactParticipant.contact == contact).execute()
                ContactParticipant.insert_many([{**row, "contact": contact.id} for row in rows]).execute()
            audit.record(actor, "create" if is_new else "update", contact, case=contact.case_id,
                         summary=f"contact {proposal.start:%Y-%m-%d %H:%M} UTC",
                         changes=audit.diff(contact, before) if not is_new else None)
    return [p for plist in problems for p in plist]


class StaleContact(Exception):
    """Someone else changed the contact since the form was loaded."""


# --- Recurrence -------------------------------------------------------------------------------


def nth_weekday(year, month, weekday, n):
    """The ``n``-th ``weekday`` (0 = Monday) of a month, or None when there is none."""
    first = datetime.date(year, month, 1)
    day = first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    return day if day.month == month else None


def occurrences(first, pattern, until=None, count=None, limit=MAX_OCCURRENCES):
    """The dates of a series starting on ``first`` (pure): weekly, every two weeks, or the
    same n-th weekday each month (the 2nd Tuesday …; months without a 5th are skipped).
    Ends on ``until`` (inclusive) or after ``count`` dates, at most ``limit``."""
    if until is None and not count:
        raise ValueError("until or count")
    wanted = min(count or limit, limit)
    dates = []
    if pattern in (RepeatPattern.WEEKLY, RepeatPattern.FORTNIGHTLY):
        step = datetime.timedelta(weeks=1 if pattern == RepeatPattern.WEEKLY else 2)
        day = first
        while len(dates) < wanted and (until is None or day <= until):
            dates.append(day)
            day += step
        return dates
    if pattern == RepeatPattern.MONTHLY_NTH:
        n = (first.day - 1) // 7 + 1
        year, month = first.year, first.month
        for _i in range(limit * 2):
            day = nth_weekday(year, month, first.weekday(), n)
            if day is not None:
                if until is not None and day > until:
                    break
                dates.append(day)
                if len(dates) >= wanted:
                    break
            month += 1
            if month > 12:
                year, month = year + 1, 1
        return dates
    raise ValueError(pattern)


def local_series(first_start, first_end, dates):
    """(start, end) naive local datetimes on each date, keeping the wall-clock times."""
    duration = first_end - first_start
    return [(datetime.datetime.combine(d, first_start.time()),
             datetime.datetime.combine(d, first_start.time()) + duration) for d in dates]


# --- Lifecycle --------------------------------------------------------------------------------

#: action → statuses it may start from.
TRANSITIONS = {
    "confirm": (ContactStatus.PLANNED,),
    "held": (ContactStatus.PLANNED, ContactStatus.CONFIRMED),
    "no_show": (ContactStatus.PLANNED, ContactStatus.CONFIRMED),
    "ended_early": (ContactStatus.PLANNED, ContactStatus.CONFIRMED, ContactStatus.HELD),
    "cancel": (ContactStatus.PLANNED, ContactStatus.CONFIRMED, ContactStatus.CANCELLATION_REQUESTED),
    "request_cancellation": (ContactStatus.PLANNED, ContactStatus.CONFIRMED),
    "propose_time": (ContactStatus.CANCELLATION_REQUESTED,),
    "outcome": (ContactStatus.HELD, ContactStatus.ENDED_EARLY),
    "edit": (ContactStatus.PLANNED, ContactStatus.CONFIRMED, ContactStatus.CANCELLATION_REQUESTED),
}
#: Actions that only make sense once the contact has begun.
AFTER_START = {"held", "no_show", "ended_early", "outcome"}
#: Actions only before it begins.
BEFORE_START = {"request_cancellation", "confirm"}


def allowed(action, contact, now=None):
    """True when ``action`` may be taken on ``contact`` now (pure)."""
    now = now or utcnow()
    if contact.status not in TRANSITIONS[action]:
        return False
    if action in AFTER_START and contact.starts_at > now:
        return False
    if action in BEFORE_START and contact.starts_at <= now:
        return False
    return True


def _require(action, contact, now):
    if not allowed(action, contact, now):
        raise ContactRuleError([Problem("transition", ERROR, _("This step is not possible for this contact now."))])


def confirm(contact, now=None):
    _require("confirm", contact, now)
    contact.status = ContactStatus.CONFIRMED


def mark_held(contact, now=None):
    _require("held", contact, now)
    contact.status = ContactStatus.HELD


def cancel(contact, party, reason, now=None, notice_hours=24):
    """Cancel: by whom, when, why; late when less than ``notice_hours`` before the start."""
    now = now or utcnow()
    _require("cancel", contact, now)
    if party not in set(Party):
        raise ValueError(party)
    contact.status = ContactStatus.CANCELLED
    contact.cancelled_by = party
    contact.cancelled_at = now
    contact.cancel_reason = reason.strip()
    contact.cancelled_late = contact.starts_at - now < datetime.timedelta(hours=notice_hours)


def mark_no_show(contact, party, now=None):
    _require("no_show", contact, now)
    if party not in set(Party):
        raise ValueError(party)
    contact.status = ContactStatus.NO_SHOW
    contact.no_show_party = party


def end_early(contact, reason, note="", now=None):
    _require("ended_early", contact, now)
    if reason not in set(EndedEarlyReason):
        raise ValueError(reason)
    contact.status = ContactStatus.ENDED_EARLY
    contact.ended_early_reason = reason
    if note:
        contact.incidents = (contact.incidents + "\n" + note).strip()


def request_cancellation(contact, user, reason, now=None):
    """A caregiver's "we cannot come": waits for staff to confirm or propose a new time."""
    now = now or utcnow()
    _require("request_cancellation", contact, now)
    contact.status = ContactStatus.CANCELLATION_REQUESTED
    contact.cancel_requested_at = now
    contact.cancel_requested_by = user
    contact.cancel_request_reason = reason.strip()


# --- Compliance -------------------------------------------------------------------------------


@dataclass
class MonthCompliance:
    """One month of a child's contacts against the ordered frequency."""

    month: datetime.date  # the first day
    ordered: int
    held: int = 0
    ended_early: int = 0
    planned: int = 0
    cancelled: dict = field(default_factory=dict)  # party → count
    no_show: dict = field(default_factory=dict)  # party → count

    @property
    def took_place(self):
        return self.held + self.ended_early

    @property
    def shortfall(self):
        return max(0, self.ordered - self.took_place - self.planned)


def monthly_compliance(per_month, rows, months):
    """Per month: ordered vs held, cancelled (by whom), no-shows (pure).

    ``rows`` are ``(local date, status, cancelled_by, no_show_party)``; ``months`` the
    first days of the months to report, oldest first.
    """
    result = {m: MonthCompliance(m, per_month) for m in months}
    for day, status, cancelled_by, no_show_party in rows:
        month = result.get(day.replace(day=1))
        if month is None:
            continue
        if status == ContactStatus.HELD:
            month.held += 1
        elif status == ContactStatus.ENDED_EARLY:
            month.ended_early += 1
        elif status in BOOKING_STATUSES:
            month.planned += 1
        elif status == ContactStatus.CANCELLED:
            month.cancelled[cancelled_by] = month.cancelled.get(cancelled_by, 0) + 1
        elif status == ContactStatus.NO_SHOW:
            month.no_show[no_show_party] = month.no_show.get(no_show_party, 0) + 1
    return [result[m] for m in months]


def last_months(today, n):
    """The first days of the ``n`` months up to and including ``today``'s, oldest first."""
    year, month = today.year, today.month
    result = []
    for _i in range(n):
        result.append(datetime.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(result))


def month_end(first):
    return datetime.date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


# --- Calendar-feed tokens ---------------------------------------------------------------------


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token(user):
    """Give ``user`` a new private feed token (the old one stops working); return it.

    Only its SHA-256 is stored, so the address is shown once and a database leak does not
    reveal working addresses.
    """
    token = secrets.token_urlsafe(32)
    with db.atomic():
        CalendarFeed.delete().where(CalendarFeed.user == user).execute()
        CalendarFeed.create(user=user, token_hash=_hash(token), created_on=utcnow())
        audit.record(user, "update", table="calendar_feed", record_id=user.id, summary="calendar feed address renewed")
    return token


def user_for_token(token):
    """The active account whose current feed token this is, or None."""
    if not token or len(token) > 100:
        return None
    digest = _hash(token)
    feed = CalendarFeed.get_or_none(CalendarFeed.token_hash == digest)
    # The lookup is by hash; compare in constant time all the same.
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    user = User.get_or_none(User.id == feed.user_id)
    return user if user is not None and user.active else None


def has_feed(user):
    return CalendarFeed.select().where(CalendarFeed.user == user).exists()


# --- Participants of a case -------------------------------------------------------------------


def case_people(case_id):
    """Members of a case for the contact form: {member_id: (member, person)} (1 query)."""
    return {
        m.id: m
        for m in Member.select(Member, Person).join(Person).where(Member.case == case_id).order_by(Person.search_name)
    }


def visitors_allowed(members, child_ids):
    """Member ids who may be chosen as visitors for ``child_ids``: relatives, birth parents
    and close persons linked to one of the children (pure)."""
    return {
        m.id for m in members.values()
        if m.role in (MemberRole.BIRTH_PARENT, MemberRole.RELATIVE) and m.child_id in child_ids
    }


def room_of(room_id):
    return Room.get_or_none(Room.id == room_id) if room_id else None
