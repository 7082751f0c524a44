"""Private iCalendar feeds (RFC 5545) of contacts, built with the ``icalendar`` library.

Each account may have one secret address (only a hash of its token is stored, see
:func:`models.contact_rules.new_feed_token`). A staff member's feed lists the contacts
they supervise; a caregiver's the contacts of their children, without visitors' names
or any personal details of the visitors. Times carry the organisation's time zone with its
VTIMEZONE, so calendar apps keep 10:00 at 10:00 across daylight-saving changes.
"""
import datetime

from flask import abort, flash, make_response, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from icalendar import Calendar, Event
from peewee import JOIN

from models import Case, Person, Role, User
from models import contact_rules as rules
from models.contacts import Contact, ContactParticipant, ContactStatus, ParticipantKind, Room

from . import bp
from ..htmx import render
from ..permissions import public, role_required, visible_cases

#: How far back and ahead a feed reaches.
PAST_DAYS = 90
FUTURE_DAYS = 400
#: Statuses shown in a feed (cancelled ones stay, marked cancelled, so calendars drop them).
FEED_STATUSES = (ContactStatus.PLANNED, ContactStatus.CONFIRMED, ContactStatus.CANCELLATION_REQUESTED,
                 ContactStatus.HELD, ContactStatus.ENDED_EARLY, ContactStatus.CANCELLED)


def _contacts_for(user):
    """The contacts of ``user``'s feed with what it may show (3 queries)."""
    now = rules.utcnow()
    query = (
        Contact.select(Contact, Case.id, Case.name, Room.id, Room.name, Room.address)
        .join(Case).switch(Contact).join(Room, JOIN.LEFT_OUTER)
        .where(Contact.status.in_(list(FEED_STATUSES))
               & (Contact.starts_at >= now - datetime.timedelta(days=PAST_DAYS))
               & (Contact.starts_at <= now + datetime.timedelta(days=FUTURE_DAYS)))
        .order_by(Contact.starts_at)
    )
    if user.role_enum is Role.CAREGIVER:
        query = query.where(Contact.case.in_(visible_cases(user).select(Case.id)))
    else:
        supervising = ContactParticipant.select(ContactParticipant.contact).where(
            (ContactParticipant.user == user) & (ContactParticipant.kind == ParticipantKind.WORKER))
        query = query.where(Contact.id.in_(supervising))
    contacts = list(query)
    people = {c.id: {kind: [] for kind in ParticipantKind} for c in contacts}
    if contacts:
        rows = (ContactParticipant.select(ContactParticipant.contact, ContactParticipant.kind, Person.first_name,
                                          Person.last_name, User.full_name)
                .join(Person, JOIN.LEFT_OUTER, on=(ContactParticipant.person == Person.id))
                .switch(ContactParticipant).join(User, JOIN.LEFT_OUTER, on=(ContactParticipant.user == User.id))
                .where(ContactParticipant.contact.in_(list(people))).order_by(ContactParticipant.id).tuples())
        for contact_id, kind, first, last, worker in rows:
            people[contact_id][kind].append(worker or f"{first} {last}")
    return contacts, people


def build_calendar(user):
    """The iCalendar text of ``user``'s feed."""
    zone = rules.org_zone()
    contacts, people = _contacts_for(user)
    caregiver = user.role_enum is Role.CAREGIVER
    cal = Calendar()
    cal.add("prodid", "-//Opora//Assisted contacts//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Contacts") + " – " + user.full_name)
    cal.add("x-wr-timezone", zone.key)
    for contact in contacts:
        names = people[contact.id]
        children = ", ".join(n.split(" ")[0] if caregiver else n for n in names[ParticipantKind.CHILD])
        event = Event()
        event.add("uid", f"contact-{contact.id}@opora")
        event.add("dtstamp", contact.updated_at.replace(tzinfo=datetime.UTC))
        # Caregivers see the child's times; staff the whole booking (visitors' arrival to departure).
        start, end = (contact.starts_at, contact.ends_at) if caregiver else (contact.span_start, contact.span_end)
        event.add("dtstart", start.replace(tzinfo=datetime.UTC).astimezone(zone))
        event.add("dtend", end.replace(tzinfo=datetime.UTC).astimezone(zone))
        event.add("summary", _("Contact: %(children)s", children=children) if caregiver
                  else _("Contact: %(children)s (%(family)s)", children=children, family=contact.case.name))
        room = contact.room if contact.room_id else None
        event.add("location", ", ".join(x for x in (room.name, room.address) if x) if room else contact.place)
        lines = [_("Supervising workers: %(names)s", names=", ".join(names[ParticipantKind.WORKER]) or "—")]
        if caregiver:
            if contact.prep_caregivers:
                lines.append(contact.prep_caregivers)
        else:
            lines.append(_("Visitors: %(names)s", names=", ".join(names[ParticipantKind.VISITOR]) or "—"))
            if contact.visitors_arrive_before or contact.visitors_leave_after:
                lines.append(_("The child's time: %(start)s–%(end)s",
                               start=f"{rules.to_local(contact.starts_at, zone):%H:%M}",
                               end=f"{rules.to_local(contact.ends_at, zone):%H:%M}"))
            if contact.purpose:
                lines.append(contact.purpose)
        event.add("description", "\n".join(lines))
        event.add("status", "CANCELLED" if contact.status == ContactStatus.CANCELLED
                  else ("CONFIRMED" if contact.status != ContactStatus.PLANNED else "TENTATIVE"))
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


@bp.route("/feed/<token>.ics")
@public
def feed(token):
    """The feed behind a secret address (no sign-in: calendar apps cannot sign in).

    An unknown, old or deactivated account's token answers 404, the same for all.
    """
    user = rules.user_for_token(token)
    if user is None:
        abort(404)
    with force_locale(user.language or _org_language()):
        body = build_calendar(user)
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="opora-contacts.ics"'
    return response


def _org_language():
    from models import Organisation

    return Organisation.current().default_language


@bp.route("/calendar-feed", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.STAFF, Role.CAREGIVER)
def calendar_feed():
    """The owner's page for their private feed address: create or renew it. The address is
    shown once, right after it is made; renewing it stops the old one at once."""
    address = None
    if request.method == "POST":
        token = rules.new_feed_token(current_user)
        address = url_for("contacts.feed", token=token, _external=True)
        flash(_("Your new private calendar address is ready. Any earlier address no longer works."), "success")
    return render("contacts/calendar_feed.html", address=address, has_feed=rules.has_feed(current_user))

