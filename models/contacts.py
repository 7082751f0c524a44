"""Assisted contacts between children and their birth families (issue #6).

A contact is a meeting of a child (or siblings of one case) with visitors chosen from the
child's relatives and close persons, in one of the organisation's rooms (a neutral space)
or elsewhere, supervised by one or more workers. Times are stored as naive UTC datetimes
(like every timestamp of the portal) and shown in the organisation's time zone; the rules
(conflicts, recurrence, lifecycle, compliance) live in :mod:`models.contact_rules`.
"""
import enum

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel
from .cases import Case, Member
from .people import Person
from .users import User


class ContactStatus(enum.StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    # A caregiver said "we cannot come": staff confirm the cancellation or propose a new time.
    CANCELLATION_REQUESTED = "cancellation_requested"
    HELD = "held"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    ENDED_EARLY = "ended_early"


#: Statuses that keep the room, the workers and the participants booked.
BOOKING_STATUSES = (ContactStatus.PLANNED, ContactStatus.CONFIRMED, ContactStatus.CANCELLATION_REQUESTED)


class Party(enum.StrEnum):
    """Who cancelled, or who did not come."""

    CAREGIVER = "caregiver"
    VISITOR = "visitor"
    ORGANISATION = "organisation"


class EndedEarlyReason(enum.StrEnum):
    """Why a contact ended early. The first two are the organisation's stated rule (seed 000):
    no cooperation with people under the influence or who attack others."""

    INTOXICATION = "intoxication"  # alcohol or drugs
    AGGRESSION = "aggression"  # verbal or physical
    CHILD_DISTRESS = "child_distress"
    OTHER = "other"


class ParticipantKind(enum.StrEnum):
    CHILD = "child"
    VISITOR = "visitor"
    CAREGIVER = "caregiver"
    WORKER = "worker"  # supervising worker (a staff account)


class OrderIssuer(enum.StrEnum):
    COURT = "court"
    OSPOD = "ospod"  # the child-protection authority (OSPOD; in Poland, e.g. the PCPR)
    AGREEMENT = "agreement"  # agreed with the family, no order


class RepeatPattern(enum.StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY_NTH = "monthly_nth"  # the n-th weekday of each month (e.g. the 2nd Tuesday)


class Room(BaseModel):
    """A neutral space for contacts."""

    name = CharField(max_length=100)
    address = CharField(max_length=300, default="")
    capacity = IntegerField(default=6)
    # Time kept free between two bookings (airing, tidying, families not meeting in the
    # corridor). Organisation practice, not law: the default comes from ContactSettings.
    buffer_minutes = IntegerField(default=15)
    active = BooleanField(default=True)


class ContactSettings(BaseModel):
    """The organisation's scheduling settings (one row). Not statutory: organisation
    practice, with defaults from the country profile (models/jurisdiction.py)."""

    # Local wall-clock working hours, minutes after midnight, and working weekdays
    # (ISO numbers, "12345" = Monday to Friday). Outside them a booking gets a warning.
    day_start_minutes = IntegerField(default=8 * 60)
    day_end_minutes = IntegerField(default=18 * 60)
    working_days = CharField(max_length=7, default="12345")
    default_buffer_minutes = IntegerField(default=15)
    max_minutes = IntegerField(default=12 * 60)
    version = IntegerField(default=1)


class ContactOrder(BaseModel):
    """The decision a child's contacts follow: who ordered them, and how often."""

    case = ForeignKeyField(Case, backref="contact_orders", on_delete="CASCADE", index=True)
    child = ForeignKeyField(Member, backref="contact_orders", on_delete="CASCADE", index=True)
    issuer = CharField(max_length=20, default=OrderIssuer.COURT)
    reference = CharField(max_length=200, default="")
    # Ordered frequency: this many contacts a month (0: not set).
    per_month = IntegerField(default=0)
    valid_from = DateField(null=True)
    valid_until = DateField(null=True)
    note = TextField(default="")


class ContactSeries(BaseModel):
    """A recurring series of contacts created from one form."""

    case = ForeignKeyField(Case, backref="contact_series", on_delete="CASCADE", index=True)
    order = ForeignKeyField(ContactOrder, null=True, backref="series", on_delete="SET NULL")
    pattern = CharField(max_length=20)
    until = DateField(null=True)
    count = IntegerField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class Contact(BaseModel):
    """One assisted contact, with its lifecycle and, once held, its outcome."""

    case = ForeignKeyField(Case, backref="contacts", on_delete="CASCADE", index=True)
    series = ForeignKeyField(ContactSeries, null=True, backref="contacts", on_delete="SET NULL", index=True)
    order = ForeignKeyField(ContactOrder, null=True, backref="contacts", on_delete="SET NULL")
    # Indexed with span_start (Meta): a room's bookings are looked up by time.
    room = ForeignKeyField(Room, null=True, backref="contacts", on_delete="SET NULL", index=False)
    place = CharField(max_length=300, default="")  # elsewhere than a room (free text)
    # The child's time, naive UTC. Visitors arrive and leave at offsets from it, so that
    # they need not meet the caregivers at the door.
    starts_at = DateTimeField(index=True)
    ends_at = DateTimeField(index=True)
    visitors_arrive_before = IntegerField(default=0)  # minutes before the child
    visitors_leave_after = IntegerField(default=0)  # minutes after the child
    # The whole booking (the earliest arrival to the last departure), for range queries.
    span_start = DateTimeField(index=True)
    span_end = DateTimeField(index=True)
    purpose = TextField(default="")
    prep_child = TextField(default="")
    prep_caregivers = TextField(default="")
    prep_visitors = TextField(default="")
    # No index of its own: a few values, most rows planned or held; it misled the query
    # planner away from the time and room indexes (migration 0007).
    status = CharField(max_length=30, default=ContactStatus.PLANNED)

    class Meta:
        # A room's bookings by time: the week calendar, the room check (migration 0007).
        indexes = ((("room", "span_start"), False),)

    # Cancellation (by whom, when, why, in time or late).
    cancelled_by = CharField(max_length=20, default="")
    cancelled_at = DateTimeField(null=True)
    cancel_reason = TextField(default="")
    cancelled_late = BooleanField(default=False)
    # "We cannot come" from a caregiver, waiting for staff.
    cancel_requested_at = DateTimeField(null=True)
    cancel_requested_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    cancel_request_reason = TextField(default="")
    no_show_party = CharField(max_length=20, default="")
    ended_early_reason = CharField(max_length=20, default="")
    # Outcome, after the contact took place.
    actual_minutes = IntegerField(null=True)
    child_reactions = TextField(default="")
    child_view = TextField(default="")
    incidents = TextField(default="")
    summary = TextField(default="")
    summary_shared = BooleanField(default=False)  # shown to the caregiver
    outcome_recorded_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    version = IntegerField(default=1)


class ContactParticipant(BaseModel):
    """A child, visitor or caregiver (a case member) or a supervising worker (a user)."""

    contact = ForeignKeyField(Contact, backref="participants", on_delete="CASCADE", index=True)
    kind = CharField(max_length=20)
    member = ForeignKeyField(Member, null=True, backref="+", on_delete="CASCADE", index=True)
    person = ForeignKeyField(Person, null=True, backref="+", on_delete="CASCADE", index=True)
    user = ForeignKeyField(User, null=True, backref="+", on_delete="CASCADE", index=True)
    # Outcome: did they come (None: not recorded).
    attended = BooleanField(null=True)


class CalendarFeed(BaseModel):
    """A private iCalendar address of one account. Only a hash of the token is stored."""

    user = ForeignKeyField(User, backref="+", on_delete="CASCADE", unique=True)
    token_hash = CharField(max_length=64, unique=True)
    created_on = DateTimeField()


#: The tables of this module, parents first (see models/__init__.py).
MODELS = [Room, ContactSettings, ContactOrder, ContactSeries, Contact, ContactParticipant, CalendarFeed]
