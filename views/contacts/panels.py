"""The contacts sections of the case page, the staff home and the caregiver home
(see views/panels.py). Each loader runs a fixed number of queries."""
import datetime
from dataclasses import dataclass

from flask_babel import ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import JOIN

from models import Case, Member, Person
from models import contact_rules as rules
from models.base import Prepared
from models.contacts import BOOKING_STATUSES, Contact, ContactOrder, ContactParticipant, ParticipantKind, Room

from ..permissions import InVisibleCases
from ..panels import CAREGIVER_HOME, CASE, STAFF_HOME, Panel, register
from ..formatting import date
from ..layout import id_url
from .formatting import as_datetime, clock_formatter, day_formatter
from .forms import PARTY_LABELS, PARTY_NAMES, STATUS_LABELS
from .portal import family_contacts

#: Months of compliance shown on the case page (this one and the ones before).
COMPLIANCE_MONTHS = 3
UPCOMING_ON_CASE = 5
TODAY_LIMIT = 20


def compliance_text(row):
    """"October 2026: 1 held, 1 cancelled by the visitor" for one month."""
    parts = []
    if row.held:
        parts.append(ngettext("%(num)d held", "%(num)d held", row.held))
    if row.ended_early:
        parts.append(ngettext("%(num)d ended early", "%(num)d ended early", row.ended_early))
    for party, count in sorted(row.cancelled.items()):
        parts.append(ngettext("%(num)d cancelled by %(party)s", "%(num)d cancelled by %(party)s", count,
                              party=PARTY_LABELS.get(party, party or "—")))
    for party, count in sorted(row.no_show.items()):
        parts.append(ngettext("%(num)d no-show of %(party)s", "%(num)d no-shows of %(party)s", count,
                              party=str(PARTY_NAMES.get(party, party or "—")).lower()))
    if row.planned:
        parts.append(ngettext("%(num)d planned", "%(num)d planned", row.planned))
    month = date(row.month, "LLLL yyyy")
    counts = ", ".join(parts) if parts else _("no contacts")
    return f"{month}: {counts}"


@dataclass
class ChildCompliance:
    name: str
    order: object
    months: list


@dataclass(frozen=True)
class OrderFigures:
    """What the case page shows of a contact order."""

    id: int
    child_id: int
    per_month: int
    reference: str


#: The panels' queries, compiled once (models.base.Prepared).
_ORDERS = Prepared(
    lambda case_id: ContactOrder.select(ContactOrder.id, ContactOrder.child, ContactOrder.per_month,
                                        ContactOrder.reference, Person.first_name, Person.last_name)
    .join(Member).join(Person).where(ContactOrder.case == case_id).order_by(ContactOrder.id).tuples(),
    "case_id",
)
_CHILD_CONTACTS = Prepared(
    lambda case_id, since: ContactParticipant.select(ContactParticipant.member, Contact.starts_at, Contact.status,
                                                     Contact.cancelled_by, Contact.no_show_party)
    .join(Contact)
    .where((Contact.case == case_id) & (ContactParticipant.kind == ParticipantKind.CHILD)
           & (Contact.starts_at >= since))
    .tuples(),
    "case_id", "since",
)
_UPCOMING = Prepared(
    lambda case_id, now: Contact.select(Contact.id, Contact.starts_at, Contact.ends_at, Contact.room, Room.name,
                                        Contact.place, Contact.status)
    .join(Room, JOIN.LEFT_OUTER)
    .where((Contact.case == case_id) & (Contact.ends_at >= now) & Contact.status.in_(list(BOOKING_STATUSES)))
    .order_by(Contact.starts_at).limit(UPCOMING_ON_CASE).tuples(),
    "case_id", "now",
)
_TODAY = InVisibleCases(
    lambda cases, start, end, me: Contact.select(Contact.id, Contact.span_start, Contact.span_end, Case.name,
                                                 Contact.room, Room.name, Contact.place, Contact.status)
    .join(Case).switch(Contact).join(Room, JOIN.LEFT_OUTER)
    .where((Contact.span_start < end) & (Contact.span_end > start) & Contact.case.in_(cases)
           & (Contact.id.in_(ContactParticipant.select(ContactParticipant.contact).where(ContactParticipant.user == me))
              | (Case.key_worker == me)))
    .order_by(Contact.starts_at).limit(TODAY_LIMIT).tuples(),
    "start", "end", "me",
)


def _status_labels():
    """Status → its label in the page's language, translated once per status."""
    labels = {}

    def label(status):
        text = labels.get(status)
        if text is None:
            text = labels[status] = str(STATUS_LABELS[status])
        return text

    return label


def case_panel(case, user):
    """Orders with compliance per child, upcoming contacts and the link to schedule one."""
    zone = rules.org_zone()
    today = rules.to_local(rules.utcnow(), zone).date()
    months = rules.last_months(today, COMPLIANCE_MONTHS)
    since = rules.to_utc(datetime.datetime.combine(months[0], datetime.time()), zone)
    orders = _ORDERS.rows(case_id=case.id)
    by_child = {}
    for member_id, starts_at, status, cancelled_by, no_show in _CHILD_CONTACTS.rows(case_id=case.id, since=since):
        by_child.setdefault(member_id, []).append(
            (rules.to_local(as_datetime(starts_at), zone).date(), status, cancelled_by, no_show))
    compliance = [
        ChildCompliance(f"{first} {last}", OrderFigures(order_id, child_id, per_month, reference),
                        rules.monthly_compliance(per_month, by_child.get(child_id, []), months))
        for order_id, child_id, per_month, reference, first, last in orders
    ]
    upcoming = []
    found = _UPCOMING.rows(case_id=case.id, now=rules.utcnow())
    if found:
        detail_url = id_url("contacts.detail", "contact_id")
        day, clock, label = day_formatter(), clock_formatter(), _status_labels()
        for cid, start, end, room, room_name, place, status in found:
            start, end = as_datetime(start), as_datetime(end)
            upcoming.append((detail_url(cid), f"{day(start)}, {clock(start)}–{clock(end)}",
                             room_name if room else place, label(status)))
    return {"case": case, "compliance": compliance, "upcoming": upcoming, "compliance_text": compliance_text}


def staff_home_panel(user):
    """Today's contacts the user supervises or of the families they are key worker of."""
    zone = rules.org_zone()
    today = rules.to_local(rules.utcnow(), zone).date()
    start = rules.to_utc(datetime.datetime.combine(today, datetime.time()), zone)
    end = rules.to_utc(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time()), zone)
    found = _TODAY.rows(user=user, start=start, end=end, me=user.id)
    contacts = []
    if found:
        detail_url = id_url("contacts.detail", "contact_id")
        clock, label = clock_formatter(), _status_labels()
        contacts = [
            (detail_url(cid), f"{clock(as_datetime(span_start))}–{clock(as_datetime(span_end))} {case_name}",
             room_name if room else place, label(status))
            for cid, span_start, span_end, case_name, room, room_name, place, status in found
        ]
    return {"contacts": contacts}


def caregiver_home_panel(user):
    """The next contacts of the caregiver's children."""
    return {"upcoming": family_contacts(user, limit=3)}


register(CASE, Panel("contacts", "contacts/_case_panel.html", case_panel, order=30,
                     link_label=_l("Contacts"), anchor="contacts"))
register(STAFF_HOME, Panel("contacts", "contacts/_staff_home_panel.html", staff_home_panel, order=30))
register(CAREGIVER_HOME, Panel("contacts", "contacts/_caregiver_panel.html", caregiver_home_panel, order=30))
