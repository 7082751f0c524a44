"""The contacts sections of the case page, the staff home and the caregiver home
(see views/panels.py). Each loader runs a fixed number of queries."""
import datetime
from dataclasses import dataclass

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import JOIN

from models import Case, Member, Person
from models import contact_rules as rules
from models.contacts import BOOKING_STATUSES, Contact, ContactOrder, ContactParticipant, ParticipantKind, Room

from ..panels import CAREGIVER_HOME, CASE, STAFF_HOME, Panel, register
from ..permissions import visible_cases
from .forms import PARTY_LABELS, PARTY_NAMES
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
    month = format_date(row.month, "LLLL yyyy")
    counts = ", ".join(parts) if parts else _("no contacts")
    return f"{month}: {counts}"


@dataclass
class ChildCompliance:
    name: str
    order: object
    months: list


def case_panel(case, user):
    """Orders with compliance per child, upcoming contacts and the link to schedule one."""
    zone = rules.org_zone()
    today = rules.to_local(rules.utcnow(), zone).date()
    months = rules.last_months(today, COMPLIANCE_MONTHS)
    since = rules.to_utc(datetime.datetime.combine(months[0], datetime.time()), zone)
    orders = list(ContactOrder.select(ContactOrder, Member, Person).join(Member).join(Person)
                  .where(ContactOrder.case == case).order_by(ContactOrder.id))
    rows = list(
        ContactParticipant.select(ContactParticipant.member, Contact.starts_at, Contact.status, Contact.cancelled_by,
                                  Contact.no_show_party)
        .join(Contact)
        .where((Contact.case == case) & (ContactParticipant.kind == ParticipantKind.CHILD)
               & (Contact.starts_at >= since))
        .tuples()
    )
    by_child = {}
    for member_id, starts_at, status, cancelled_by, no_show in rows:
        by_child.setdefault(member_id, []).append(
            (rules.to_local(starts_at, zone).date(), status, cancelled_by, no_show))
    compliance = [
        ChildCompliance(o.child.person.full_name, o, rules.monthly_compliance(o.per_month, by_child.get(o.child_id, []),
                                                                             months))
        for o in orders
    ]
    now = rules.utcnow()
    upcoming = list(
        Contact.select(Contact, Room.id, Room.name).join(Room, JOIN.LEFT_OUTER)
        .where((Contact.case == case) & (Contact.ends_at >= now) & Contact.status.in_(list(BOOKING_STATUSES)))
        .order_by(Contact.starts_at).limit(UPCOMING_ON_CASE)
    )
    return {"case": case, "compliance": compliance, "upcoming": upcoming, "compliance_text": compliance_text}


def staff_home_panel(user):
    """Today's contacts the user supervises or of the families they are key worker of."""
    zone = rules.org_zone()
    today = rules.to_local(rules.utcnow(), zone).date()
    start = rules.to_utc(datetime.datetime.combine(today, datetime.time()), zone)
    end = rules.to_utc(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time()), zone)
    supervising = ContactParticipant.select(ContactParticipant.contact).where(ContactParticipant.user == user)
    contacts = list(
        Contact.select(Contact, Case.id, Case.name, Room.id, Room.name).join(Case).switch(Contact).join(Room, JOIN.LEFT_OUTER)
        .where((Contact.span_start < end) & (Contact.span_end > start)
               & Contact.case.in_(visible_cases(user).select(Case.id))
               & (Contact.id.in_(supervising) | (Case.key_worker == user)))
        .order_by(Contact.starts_at).limit(TODAY_LIMIT)
    )
    return {"contacts": contacts}


def caregiver_home_panel(user):
    """The next contacts of the caregiver's children."""
    return {"upcoming": family_contacts(user, limit=3)}


register(CASE, Panel("contacts", "contacts/_case_panel.html", case_panel, order=30,
                     link_label=_l("Contacts"), anchor="contacts"))
register(STAFF_HOME, Panel("contacts", "contacts/_staff_home_panel.html", staff_home_panel, order=30))
register(CAREGIVER_HOME, Panel("contacts", "contacts/_caregiver_panel.html", caregiver_home_panel, order=30))
