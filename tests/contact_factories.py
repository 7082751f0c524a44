"""Factories of the contacts tests: rooms and contacts written directly (no checks)."""
import datetime
import itertools
from zoneinfo import ZoneInfo

from models.cases import MemberRole
from models.contact_rules import Proposal, to_utc
from models.contacts import Contact, ContactParticipant, ContactStatus, ParticipantKind, Room

PRAGUE = ZoneInfo("Europe/Prague")
_seq = itertools.count(1)


def make_room(name=None, buffer_minutes=15, **fields):
    return Room.create(name=name or f"Room {next(_seq)}", buffer_minutes=buffer_minutes, **fields)


def local(day, hh, mm=0):
    """Naive UTC for a Prague wall-clock time on ``day`` (a date)."""
    return to_utc(datetime.datetime.combine(day, datetime.time(hh, mm)), PRAGUE)


def next_weekday(weekday=1, weeks=1):
    """A date ``weeks`` weeks ahead on ``weekday`` (0 = Monday)."""
    today = datetime.date.today()
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def make_contact(case, start, end, room=None, workers=(), children=(), visitors=(), caregivers=(),
                 status=ContactStatus.PLANNED, arrive_before=0, leave_after=0, **fields):
    """A contact with participants (members for children/visitors/caregivers, users for workers)."""
    span_start = start - datetime.timedelta(minutes=arrive_before)
    span_end = end + datetime.timedelta(minutes=leave_after)
    contact = Contact.create(
        case=case, room=room, starts_at=start, ends_at=end, span_start=span_start, span_end=span_end,
        visitors_arrive_before=arrive_before, visitors_leave_after=leave_after, status=status, **fields,
    )
    for kind, members in ((ParticipantKind.CHILD, children), (ParticipantKind.VISITOR, visitors),
                          (ParticipantKind.CAREGIVER, caregivers)):
        for m in members:
            ContactParticipant.create(contact=contact, kind=kind, member=m, person=m.person_id)
    for user in workers:
        ContactParticipant.create(contact=contact, kind=ParticipantKind.WORKER, user=user)
    return contact


def proposal_for(start, end, room=None, workers=(), children=(), visitors=(), caregivers=(), **kw):
    """A :class:`Proposal` from members and users."""
    return Proposal(
        start=start, end=end, room_id=room.id if room else None, room_name=room.name if room else "",
        buffer=room.buffer_minutes if room else 0,
        children=[(m.person_id, m.person.full_name) for m in children],
        caregivers=[(m.person_id, m.person.full_name) for m in caregivers],
        visitors=[(m.person_id, m.person.full_name) for m in visitors],
        workers=[(u.id, u.full_name) for u in workers], **kw,
    )


def members_of(case, role):
    from models import Member

    return [m for m in Member.select().where((Member.case == case) & (Member.role == role))]


CHILD, RELATIVE, CAREGIVER = MemberRole.CHILD, MemberRole.RELATIVE, MemberRole.CAREGIVER
