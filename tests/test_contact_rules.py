"""Rules of assisted contacts: conflict checks (buffer, staggered times), policy refusals,
working hours, bad times, recurrence across daylight saving, lifecycle, compliance, tokens."""
import datetime

import pytest
from flask_babel import force_locale

from models import ConflictDeclaration, ExcludedPerson, Organisation
from models import contact_rules as rules
from models.contact_rules import Booking, ContactRuleError, Proposal
from models.contacts import (
    CalendarFeed,
    Contact,
    ContactSettings,
    ContactStatus,
    EndedEarlyReason,
    ParticipantKind,
    Party,
    RepeatPattern,
)

from .contact_factories import PRAGUE, local, make_contact, make_room, proposal_for
from .factories import make_user
from .families import make_family

DAY = datetime.date(2026, 11, 17)  # a Tuesday
CONFIG = ContactSettings(day_start_minutes=8 * 60, day_end_minutes=18 * 60, working_days="12345",
                         default_buffer_minutes=15, max_minutes=720)


@pytest.fixture
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


def at(hh, mm=0, day=DAY):
    return local(day, hh, mm)


def booking(cid, start, end, room=None, participants=(), before=0, after=0):
    return Booking(cid, start, end, start - datetime.timedelta(minutes=before),
                   end + datetime.timedelta(minutes=after), room, list(participants))


def codes(problems):
    return sorted(p.code for p in problems)


# --- Pure checks -------------------------------------------------------------------------------


def test_overlap_is_half_open():
    assert rules.overlaps((1, 3), (2, 4))
    assert not rules.overlaps((1, 2), (2, 3))  # one ends when the other begins
    assert rules.overlaps((1, 5), (2, 3))


def test_room_buffer_counts_on_both_sides(ctx):
    """A room booked 10:00–11:00 with a 15-minute buffer: 11:10 clashes, 11:15 does not."""
    existing = [booking(1, at(10), at(11), room=7)]
    for start, clash in ((at(11, 10), True), (at(11, 15), False), (at(9, 20), True), (at(9, 15), False)):
        proposal = Proposal(start, start + datetime.timedelta(minutes=30), room_id=7, room_name="Blue", buffer=15)
        problems = rules.booking_problems(proposal, existing, PRAGUE)
        assert (codes(problems) == ["room_booked"]) is clash, start
    # Another room at the same time is fine.
    other = Proposal(at(10), at(11), room_id=8, room_name="Green", buffer=15)
    assert rules.booking_problems(other, existing, PRAGUE) == []


def test_room_message_gives_room_time_and_buffer(ctx):
    problems = rules.booking_problems(Proposal(at(10), at(11), room_id=7, room_name="Blue", buffer=15),
                                      [booking(1, at(10, 30), at(11, 30), room=7)], PRAGUE)
    assert "Blue" in problems[0].message and "10:30" in problems[0].message
    assert "15 minutes" in problems[0].message


def test_staggered_visitor_times_are_checked(ctx):
    """A visitor asked to arrive 15 minutes early clashes with their own contact ending at 10:50."""
    existing = [booking(1, at(10), at(10, 50), participants=[(ParticipantKind.VISITOR, 42, None)])]
    plain = Proposal(at(11), at(12), visitors=[(42, "Marie")])
    assert rules.booking_problems(plain, existing, PRAGUE) == []
    early = Proposal(at(11), at(12), arrive_before=15, visitors=[(42, "Marie")])
    assert codes(rules.booking_problems(early, existing, PRAGUE)) == ["visitor_booked"]
    # The existing contact's own offsets count too: its visitor leaves 20 minutes after.
    lingering = [booking(1, at(10), at(10, 50), after=20, participants=[(ParticipantKind.VISITOR, 42, None)])]
    assert codes(rules.booking_problems(plain, lingering, PRAGUE)) == ["visitor_booked"]


def test_child_and_caregiver_keep_the_childs_time(ctx):
    """The caregiver bringing the child is busy for the child's time, not the visitors' span."""
    existing = [booking(1, at(10), at(11), after=30, participants=[
        (ParticipantKind.CAREGIVER, 5, None), (ParticipantKind.CHILD, 6, None), (ParticipantKind.WORKER, None, 9)])]
    later = Proposal(at(11, 5), at(12), caregivers=[(5, "Jana")], children=[(6, "Tom")])
    assert rules.booking_problems(later, existing, PRAGUE) == []
    overlapping = Proposal(at(10, 30), at(12), caregivers=[(5, "Jana")], children=[(6, "Tom")])
    assert codes(rules.booking_problems(overlapping, existing, PRAGUE)) == ["caregiver_booked", "child_booked"]
    # The supervising worker is busy until the visitors have left (11:30).
    worker = Proposal(at(11, 5), at(12), workers=[(9, "Eva")])
    assert codes(rules.booking_problems(worker, existing, PRAGUE)) == ["worker_booked"]
    assert rules.booking_problems(Proposal(at(11, 30), at(12), workers=[(9, "Eva")]), existing, PRAGUE) == []


def test_editing_a_contact_does_not_clash_with_itself(ctx):
    existing = [booking(1, at(10), at(11), room=7)]
    proposal = Proposal(at(10), at(11), room_id=7, room_name="Blue", buffer=15, exclude_ids=frozenset({1}))
    assert rules.booking_problems(proposal, existing, PRAGUE) == []


@pytest.mark.parametrize(("start", "end", "day", "outside"), [
    ((9, 0), (11, 0), DAY, False),
    ((7, 30), (9, 0), DAY, True),
    ((17, 0), (18, 30), DAY, True),
    ((10, 0), (11, 0), datetime.date(2026, 11, 22), True),  # a Sunday
])
def test_working_hours_warning(ctx, start, end, day, outside):
    proposal = Proposal(at(*start, day=day), at(*end, day=day))
    problems = rules.policy_problems(proposal, [], [], CONFIG, PRAGUE)
    assert codes(problems) == (["outside_hours"] if outside else [])
    assert all(p.severity == rules.WARNING for p in problems)


def test_staggered_arrival_before_opening_hours_warns(ctx):
    proposal = Proposal(at(8, 10), at(9), arrive_before=15)
    assert codes(rules.policy_problems(proposal, [], [], CONFIG, PRAGUE)) == ["outside_hours"]


def test_policy_refusals_name_the_people(ctx):
    problems = rules.policy_problems(Proposal(at(10), at(11)), [("Tomáš", "Roman", "Court 12 P 34")],
                                     [("Eva Worker", "Roman")], CONFIG, PRAGUE)
    assert codes(problems) == ["conflict_of_interest", "excluded_visitor"]
    assert all(p.is_error for p in problems)
    assert "Roman" in problems[0].message and "Court 12 P 34" in problems[0].message


def test_timing_problems(ctx):
    now = at(9)
    assert set(rules.timing_problems(at(11), at(10), 720, now)) == {"end"}
    assert set(rules.timing_problems(at(10), at(10), 720, now)) == {"end"}
    too_long = rules.timing_problems(at(10), at(10) + datetime.timedelta(hours=12, minutes=1), 720, now)
    assert "12 hours" in too_long["end"]
    assert rules.timing_problems(at(10), at(10) + datetime.timedelta(hours=12), 720, now) == {}
    assert set(rules.timing_problems(at(8), at(10), 720, now)) == {"start"}
    assert rules.timing_problems(at(8), at(10), 720, now, is_new=False) == {}


# --- Checks with the database ------------------------------------------------------------------


def test_find_problems_loads_bookings_exclusions_and_conflicts(ctx):
    family = make_family(tag="R")
    worker = family.key_worker
    room = make_room("Blue")
    child, relative = family.child_member, family.relative.memberships[0]
    make_contact(family.case, at(10, day=DAY), at(11, day=DAY), room=room, workers=[worker], children=[child])
    proposal = proposal_for(at(10, 30), at(11, 30), room=room, workers=[worker], children=[child], visitors=[relative])
    assert codes(rules.find_problems([proposal])[0]) == ["child_booked", "room_booked", "worker_booked"]

    ExcludedPerson.create(child=child, person=family.relative)
    ConflictDeclaration.create(user=worker, person=family.relative, kind="family")
    later = proposal_for(at(14), at(15), room=room, workers=[worker], children=[child], visitors=[relative])
    assert codes(rules.find_problems([later])[0]) == ["conflict_of_interest", "excluded_visitor"]


def test_cancelled_contacts_free_the_room(ctx):
    family = make_family(tag="C")
    room = make_room()
    make_contact(family.case, at(10), at(11), room=room, status=ContactStatus.CANCELLED)
    make_contact(family.case, at(12), at(13), room=room, status=ContactStatus.HELD)
    assert rules.find_problems([proposal_for(at(10), at(11), room=room)]) == [[]]


def test_series_occurrences_are_checked_against_each_other(ctx):
    room = make_room()
    first = proposal_for(at(10), at(11), room=room)
    second = proposal_for(at(10, 30), at(11, 30), room=room)
    assert [codes(p) for p in rules.find_problems([first, second])] == [[], ["room_booked"]]


def test_save_booking_refuses_a_double_booking(ctx):
    family = make_family(tag="D")
    room = make_room()
    make_contact(family.case, at(10), at(11), room=room)
    contact = Contact(case=family.case)
    with pytest.raises(ContactRuleError) as refused:
        rules.save_booking([(contact, proposal_for(at(10, 30), at(11), room=room), [])], family.key_worker)
    assert [p.code for p in refused.value.problems] == ["room_booked"]
    assert Contact.select().count() == 1
    # A warning alone does not stop it (a Sunday).
    sunday = datetime.date(2026, 11, 22)
    warnings = rules.save_booking([(contact, proposal_for(at(10, day=sunday), at(11, day=sunday), room=room), [])],
                                  family.key_worker)
    assert codes(warnings) == ["outside_hours"]
    assert Contact.select().count() == 2
    assert contact.span_start == at(10, day=sunday)


# --- Recurrence --------------------------------------------------------------------------------


def test_weekly_and_fortnightly_occurrences():
    first = datetime.date(2026, 11, 3)
    assert rules.occurrences(first, RepeatPattern.WEEKLY, count=3) == [
        first, datetime.date(2026, 11, 10), datetime.date(2026, 11, 17)]
    assert rules.occurrences(first, RepeatPattern.FORTNIGHTLY, until=datetime.date(2026, 12, 1)) == [
        first, datetime.date(2026, 11, 17), datetime.date(2026, 12, 1)]
    assert len(rules.occurrences(first, RepeatPattern.WEEKLY, until=datetime.date(2040, 1, 1))) == rules.MAX_OCCURRENCES
    with pytest.raises(ValueError):
        rules.occurrences(first, RepeatPattern.WEEKLY)


def test_monthly_nth_weekday():
    # The 2nd Tuesday of November 2026 is the 10th.
    dates = rules.occurrences(datetime.date(2026, 11, 10), RepeatPattern.MONTHLY_NTH, count=3)
    assert dates == [datetime.date(2026, 11, 10), datetime.date(2026, 12, 8), datetime.date(2027, 1, 12)]
    # A 5th Friday exists only in some months: the others are skipped.
    fifth = rules.occurrences(datetime.date(2026, 1, 30), RepeatPattern.MONTHLY_NTH, until=datetime.date(2026, 6, 30))
    assert fifth == [datetime.date(2026, 1, 30), datetime.date(2026, 5, 29)]


def test_weekly_series_keeps_local_time_across_daylight_saving_change():
    """Every Sunday at 10:00 in Prague over 25 October 2026 (CEST → CET): 08:00 then 09:00 UTC."""
    dates = rules.occurrences(datetime.date(2026, 10, 18), RepeatPattern.WEEKLY, count=3)
    pairs = rules.local_series(datetime.datetime(2026, 10, 18, 10), datetime.datetime(2026, 10, 18, 11, 30), dates)
    utc = [(rules.to_utc(s, PRAGUE), rules.to_utc(e, PRAGUE)) for s, e in pairs]
    assert [s.hour for s, _e in utc] == [8, 9, 9]
    assert [rules.to_local(s, PRAGUE).time() for s, _e in utc] == [datetime.time(10)] * 3
    assert all(e - s == datetime.timedelta(minutes=90) for s, e in utc)


# --- Lifecycle ---------------------------------------------------------------------------------


def _contact(status=ContactStatus.PLANNED, start=None):
    start = start or datetime.datetime(2026, 11, 17, 9)
    return Contact(status=status, starts_at=start, ends_at=start + datetime.timedelta(hours=1), incidents="")


def test_lifecycle_planned_confirmed_held():
    before, after = datetime.datetime(2026, 11, 16, 9), datetime.datetime(2026, 11, 17, 10)
    contact = _contact()
    assert not rules.allowed("held", contact, before)  # not before it begins
    rules.confirm(contact, before)
    assert contact.status == ContactStatus.CONFIRMED
    with pytest.raises(ContactRuleError):
        rules.confirm(contact, before)
    rules.mark_held(contact, after)
    assert contact.status == ContactStatus.HELD
    assert rules.allowed("outcome", contact, after)
    for action in ("cancel", "no_show", "request_cancellation", "edit"):
        assert not rules.allowed(action, contact, after), action


def test_cancellation_in_time_or_late():
    contact = _contact()
    rules.cancel(contact, Party.VISITOR, " ill ", now=datetime.datetime(2026, 11, 15, 9), notice_hours=24)
    assert (contact.status, contact.cancelled_by, contact.cancel_reason, contact.cancelled_late) == (
        ContactStatus.CANCELLED, "visitor", "ill", False)
    late = _contact()
    rules.cancel(late, Party.CAREGIVER, "car broke", now=datetime.datetime(2026, 11, 17, 7), notice_hours=24)
    assert late.cancelled_late
    with pytest.raises(ValueError):
        rules.cancel(_contact(), "someone", "", now=datetime.datetime(2026, 11, 15))


def test_no_show_and_ended_early():
    after = datetime.datetime(2026, 11, 17, 10)
    contact = _contact()
    rules.mark_no_show(contact, Party.VISITOR, after)
    assert (contact.status, contact.no_show_party) == (ContactStatus.NO_SHOW, "visitor")
    early = _contact(ContactStatus.CONFIRMED)
    rules.end_early(early, EndedEarlyReason.INTOXICATION, "smelled of alcohol", after)
    assert (early.status, early.ended_early_reason, early.incidents) == (
        ContactStatus.ENDED_EARLY, "intoxication", "smelled of alcohol")
    with pytest.raises(ValueError):
        rules.end_early(_contact(), "boredom", now=after)


def test_request_cancellation_only_before_start():
    contact = _contact()
    rules.request_cancellation(contact, None, "flu", now=datetime.datetime(2026, 11, 16))
    assert contact.status == ContactStatus.CANCELLATION_REQUESTED and contact.cancel_request_reason == "flu"
    assert rules.allowed("propose_time", contact) and rules.allowed("cancel", contact)
    with pytest.raises(ContactRuleError):
        rules.request_cancellation(_contact(), None, "x", now=datetime.datetime(2026, 11, 18))


# --- Compliance --------------------------------------------------------------------------------


def test_monthly_compliance_counts():
    oct_, nov = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
    rows = [
        (datetime.date(2026, 10, 6), ContactStatus.HELD, "", ""),
        (datetime.date(2026, 10, 20), ContactStatus.CANCELLED, "visitor", ""),
        (datetime.date(2026, 11, 3), ContactStatus.NO_SHOW, "", "caregiver"),
        (datetime.date(2026, 11, 10), ContactStatus.ENDED_EARLY, "", ""),
        (datetime.date(2026, 11, 24), ContactStatus.PLANNED, "", ""),
        (datetime.date(2026, 9, 24), ContactStatus.HELD, "", ""),  # outside the months asked
    ]
    october, november = rules.monthly_compliance(2, rows, [oct_, nov])
    assert (october.ordered, october.held, october.cancelled, october.shortfall) == (2, 1, {"visitor": 1}, 1)
    assert (november.took_place, november.no_show, november.planned, november.shortfall) == (
        1, {"caregiver": 1}, 1, 0)


def test_last_months():
    assert rules.last_months(datetime.date(2026, 2, 14), 3) == [
        datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]


# --- Feed tokens -------------------------------------------------------------------------------


def test_feed_tokens_store_only_a_hash_and_regenerate(ctx):
    user, other = make_user("staff"), make_user("staff")
    token = rules.new_feed_token(user)
    stored = CalendarFeed.get(CalendarFeed.user == user).token_hash
    assert token not in stored and len(stored) == 64
    assert rules.user_for_token(token) == user
    assert rules.user_for_token(token[:-1]) is None and rules.user_for_token("") is None
    newer = rules.new_feed_token(user)
    assert rules.user_for_token(token) is None  # the old address stops working
    assert rules.user_for_token(newer) == user
    other_token = rules.new_feed_token(other)
    assert rules.user_for_token(other_token) == other
    user.active = False
    user.save()
    assert rules.user_for_token(newer) is None


def test_settings_default_from_country_profile(ctx):
    org = Organisation.current()
    org.country = "pl"
    org.save()
    config = rules.settings()
    assert (config.day_start_minutes, config.max_minutes, config.default_buffer_minutes) == (480, 720, 15)
    assert config.id is None  # not stored until an administrator saves it
