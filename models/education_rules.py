"""The rules of foster parents' education, as pure functions (no database, no request).

* **Periods are computed, never typed.** Each runs from an anniversary of the agreement
  date to the day before the next one: an agreement signed on 15 March 2025 gives
  15 March 2025 – 14 March 2026, then 15 March 2026 – 14 March 2027 (zák. 359/1999 Sb.
  § 47a: "12 po sobě jdoucích kalendářních měsíců", the first period "počíná běžet ke dni
  uzavření dohody").
* **29 February.** An anniversary that does not exist in a year falls on the last day of
  that month, by the civil code's rule for periods in months and years (§ 605 odst. 2
  zák. 89/2012 Sb., občanský zákoník: "Není-li takový den v posledním měsíci, připadne
  konec lhůty nebo doby na poslední den tohoto měsíce"). Every anniversary is counted from
  the agreement date itself, not from the previous one, so an agreement of 29 Feb 2024
  gives periods starting 29 Feb 2024, 28 Feb 2025, 28 Feb 2026, 28 Feb 2027, 29 Feb 2028.
* **Hours required** come from the country profile (``models/jurisdiction.py``), possibly
  overridden by the organisation (``EducationSettings``): in Czechia 24 hours, or 18 for
  non-mediated (kinship) care under an agreement under the rules from 1 January 2025; in
  Poland the organisation's own target, possibly none.
* **Carry-over** (Czech agreements under the 2025 rules only): hours above the
  requirement carry into the immediately following period and no further. Hours carried
  in are used first (they would expire otherwise); only the period's own hours beyond
  what is still needed carry on.
* **Credit.** Hours credit the period that contains the day of the training, whatever day
  they are recorded on.

Hours are integer minutes throughout (quarter hours: multiples of 15), so sums are exact.
"""
import bisect
import calendar
import datetime
from dataclasses import dataclass

#: The smallest unit of training time: a quarter of an hour, in minutes.
QUARTER = 15


def add_months(day, months):
    """``day`` moved by ``months`` months; a missing day becomes the month's last (§ 605 OZ)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Period:
    """One education period: ``index`` 0 is the first, from the agreement date."""

    index: int
    start: datetime.date
    end: datetime.date  # inclusive

    def contains(self, day):
        return self.start <= day <= self.end


def period(anchor, index, months=12):
    """The ``index``-th period (0-based) counted from ``anchor``."""
    start = add_months(anchor, months * index)
    end = add_months(anchor, months * (index + 1)) - datetime.timedelta(days=1)
    return Period(index, start, end)


def period_index(anchor, day, months=12):
    """The index of the period containing ``day`` (None before the agreement date)."""
    if day < anchor:
        return None
    # An estimate from the calendar months, then corrected by at most a step either way.
    index = ((day.year - anchor.year) * 12 + day.month - anchor.month) // months
    while index > 0 and period(anchor, index, months).start > day:
        index -= 1
    while period(anchor, index, months).end < day:
        index += 1
    return index


def period_containing(anchor, day, months=12):
    """The :class:`Period` that contains ``day``, or None before ``anchor``."""
    index = period_index(anchor, day, months)
    return None if index is None else period(anchor, index, months)


def months_left_below(end, today, months):
    """True when fewer than ``months`` months are left of a period that ends on ``end``.

    The time left runs until the next period starts (``end`` + 1 day): on 15 Dec 2025
    exactly 3 months are left of a period ending 14 Mar 2026, on 16 Dec fewer.
    """
    return add_months(today, months) > end + datetime.timedelta(days=1)


# --- The requirement --------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """What one agreement asks of each of its caregivers per period."""

    minutes: int | None  # None: no requirement (a Polish organisation without a target)
    carry_over: bool  # surplus hours carry into the next period
    carry_from: datetime.date | None = None  # only from periods starting on/after this day
    kinship: bool = False  # the reduced requirement for non-mediated care applies


def requirement(figures, *, new_rules, mediated, overrides=None):
    """The requirement of an agreement from the country ``figures`` and ``overrides``.

    ``overrides`` (the organisation's settings) may hold ``standard_minutes`` and
    ``kinship_minutes``; a value of None there means "as the profile says".
    """
    overrides = overrides or {}
    standard = overrides.get("standard_minutes")
    if standard is None and figures.get("education_hours") is not None:
        standard = int(figures["education_hours"] * 60)
    kinship_figure = figures.get("education_hours_kinship_from_2025")
    kinship = overrides.get("kinship_minutes")
    if kinship is None and kinship_figure is not None:
        kinship = int(kinship_figure * 60)
    # The reduced requirement is a rule of the 2025 amendment: only for agreements under
    # the new rules, and only for non-mediated (typically kinship) care.
    reduced = bool(new_rules and not mediated and kinship is not None)
    minutes = kinship if reduced else standard
    carry = bool(new_rules and figures.get("education_carry_over_new_rules") and minutes is not None)
    carry_from = None
    if carry and figures.get("new_rules_from"):
        carry_from = datetime.date.fromisoformat(figures["new_rules_from"])
    return Requirement(minutes, carry, carry_from, reduced)


# --- Summaries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSummary:
    """The hours of one period, all in minutes."""

    period: Period
    required: int | None
    done: int  # the period's own hours (attended trainings and external training)
    carried_in: int  # from the previous period
    carried_out: int  # into the next period
    registered: int  # upcoming trainings the caregiver is registered for, in this period

    @property
    def start(self):
        return self.period.start

    @property
    def end(self):
        return self.period.end

    @property
    def credited(self):
        """Hours that count against the requirement: own plus carried in."""
        return self.done + self.carried_in

    @property
    def missing(self):
        """Hours still missing (0 when met; None without a requirement)."""
        if self.required is None:
            return None
        return max(0, self.required - self.credited)

    @property
    def missing_after_registered(self):
        """Missing once the registered trainings are attended."""
        if self.required is None:
            return None
        return max(0, self.required - self.credited - self.registered)

    @property
    def met(self):
        return self.required is not None and self.credited >= self.required

    def days_left(self, today):
        """Days left in the period, today included (0 once it has ended)."""
        return max(0, (self.end - today).days + 1)

    def percent(self):
        """Progress for the progress bar, 0–100."""
        if not self.required:
            return 100 if self.required == 0 else 0
        return min(100, (self.credited * 100) // self.required)


def summarise(anchor, req, credits, registered=(), today=None, months=12, upto=None):
    """Every period from ``anchor`` up to the one containing ``upto`` (default ``today``).

    ``credits`` and ``registered`` are (date, minutes) pairs; dates outside the periods
    (before the agreement, after the last period summarised) are ignored. Returns a list
    of :class:`PeriodSummary`, oldest first; empty before the agreement date.
    """
    today = today or datetime.date.today()
    last = period_index(anchor, upto or today, months)
    if last is None:
        return []
    done = [0] * (last + 1)
    booked = [0] * (last + 1)
    # The first day of every period and of the one after the last: a day's period is found
    # by bisection (lists of whole organisations summarise thousands of people).
    starts = [add_months(anchor, months * i) for i in range(last + 2)]
    for rows, totals in ((credits, done), (registered, booked)):
        for day, minutes in rows:
            index = bisect.bisect_right(starts, day) - 1
            if 0 <= index <= last:
                totals[index] += int(minutes or 0)
    summaries = []
    carried_in = 0
    for index in range(last + 1):
        current = period(anchor, index, months)
        carried_out = 0
        if req.minutes is not None and req.carry_over and (req.carry_from is None or current.start >= req.carry_from):
            still_needed = max(0, req.minutes - carried_in)
            carried_out = max(0, done[index] - still_needed)
        summaries.append(PeriodSummary(current, req.minutes, done[index], carried_in, carried_out, booked[index]))
        carried_in = carried_out
    return summaries


def at_risk(summary, today, months):
    """A caregiver at risk: done + registered below the requirement, < ``months`` months left."""
    if summary is None or summary.required is None:
        return False
    if summary.missing_after_registered <= 0:
        return False
    return months_left_below(summary.end, today, months)


def governing_case(cases):
    """Which of a caregiver's cases sets their education duty.

    One agreement covers a carer and all their children (zák. 359/1999 Sb. § 47b), so a
    person has one duty at a time. When the records hold several open cases for the same
    caregiver, the earliest agreement (or start of work, for cases without an agreement)
    governs; ties go to the lower id. ``cases`` are objects with ``id``, ``agreement_date``
    and ``opened_on``. Returns None for no cases.
    """
    dated = [c for c in cases if anchor_of(c) is not None]
    if not dated:
        return None
    return min(dated, key=lambda c: (anchor_of(c), c.id))


def anchor_of(case):
    """The day a case's periods are counted from: the agreement date, else the start of work."""
    return case.agreement_date or case.opened_on


def to_minutes(hours):
    """Decimal hours from a form to whole minutes (quarter hours are exact)."""
    return int(round(hours * 60))
