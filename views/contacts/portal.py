"""Caregivers' view of their children's contacts, and "We cannot come".

A caregiver sees only the contacts of their own family (``visible_cases``) and only what
is meant for them: date, time, place, the supervising workers, the children, the
preparation notes written for caregivers and the summaries staff chose to share. The
queries select those columns into small read-only objects, so visitors' names and
contact details, staff notes and incidents never reach the template.
"""
import datetime
from dataclasses import dataclass

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from models import Case, Notification, Person, Role, User, audit, db
from models import contact_rules as rules
from models.base import Prepared, id_list
from models.contacts import BOOKING_STATUSES, Contact, ContactParticipant, ContactStatus, ParticipantKind, Room

from . import bp
from ..htmx import render
from ..permissions import InVisibleCases, role_required, visible_cases
from .formatting import as_datetime
from ..layout import id_url
from .forms import CannotComeForm

UPCOMING_LIMIT = 50
PAST_LIMIT = 20


@dataclass(frozen=True)
class FamilyContact:
    """A contact as a caregiver sees it."""

    id: int
    case_name: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str
    place: str
    address: str
    children: tuple
    workers: tuple
    prep_caregivers: str
    summary: str

    @property
    def can_cancel(self):
        return self.status in (ContactStatus.PLANNED, ContactStatus.CONFIRMED) and self.starts_at > rules.utcnow()


def _family_query(upcoming):
    def build(cases, now, limit):
        query = (
            Contact.select(Contact.id, Case.name, Contact.starts_at, Contact.ends_at, Contact.status, Contact.place,
                           Room.name, Room.address, Contact.prep_caregivers, Contact.summary, Contact.summary_shared)
            .join(Case).switch(Contact).join(Room, JOIN.LEFT_OUTER)
            .where(Contact.case.in_(cases))
        )
        if upcoming:
            query = query.where((Contact.ends_at >= now) & Contact.status.in_(list(BOOKING_STATUSES))) \
                .order_by(Contact.starts_at)
        else:
            query = query.where((Contact.starts_at < now) & Contact.summary_shared & (Contact.summary != "")) \
                .order_by(Contact.starts_at.desc())
        return query.limit(limit).tuples()

    return InVisibleCases(build, "now", "limit")


#: The caregiver's queries, compiled once (models.base.Prepared): upcoming contacts and past
#: ones with a shared summary (the children's and workers' names: CONTACT_PEOPLE).
_UPCOMING = _family_query(upcoming=True)
_PAST = _family_query(upcoming=False)
#: (contact, kind, user, worker's name, person's first and last name) of the children and
#: workers of some contacts (the list of contacts and the caregivers' pages).
CONTACT_PEOPLE = Prepared(
    lambda ids: ContactParticipant.select(ContactParticipant.contact, ContactParticipant.kind, ContactParticipant.user,
                                          User.full_name, ContactParticipant.person, Person.first_name,
                                          Person.last_name)
    .join(Person, JOIN.LEFT_OUTER, on=(ContactParticipant.person == Person.id))
    .switch(ContactParticipant)
    .join(User, JOIN.LEFT_OUTER, on=(ContactParticipant.user == User.id))
    .where(ContactParticipant.contact.in_(id_list(ids))
           & ContactParticipant.kind.in_([ParticipantKind.CHILD, ParticipantKind.WORKER]))
    .order_by(ContactParticipant.kind, ContactParticipant.id).tuples(),
    "ids",
)


def _family_rows(user, upcoming, limit):
    query = _UPCOMING if upcoming else _PAST
    return query.rows(user=user, now=rules.utcnow(), limit=limit)


def _as_family_contacts(*row_lists):
    """The rows of :func:`_family_rows` as :class:`FamilyContact` lists, with the names of
    the children and workers from one query (none when there are no rows)."""
    names = {row[0]: ([], []) for rows in row_lists for row in rows}
    if names:
        for contact_id, kind, _user, worker, _person, first_name, _last in CONTACT_PEOPLE.rows(ids=list(names)):
            names[contact_id][0 if kind == ParticipantKind.CHILD else 1].append(first_name or worker)
    return [
        [FamilyContact(cid, case_name, as_datetime(start), as_datetime(end), status, room or place, address or "",
                       tuple(names[cid][0]), tuple(names[cid][1]), prep or "", summary if shared else "")
         for cid, case_name, start, end, status, place, room, address, prep, summary, shared in found]
        for found in row_lists
    ]


def family_contacts(user, upcoming=True, limit=UPCOMING_LIMIT):
    """The caregiver's children's contacts: upcoming ones, or past ones with a shared
    summary. Two queries whatever the number of contacts."""
    return _as_family_contacts(_family_rows(user, upcoming, limit))[0]


@bp.route("/my")
@role_required(Role.CAREGIVER)
def my_contacts():
    """The caregiver's page: upcoming contacts and the shared summaries of past ones."""
    upcoming, past = _as_family_contacts(_family_rows(current_user, True, UPCOMING_LIMIT),
                                         _family_rows(current_user, False, PAST_LIMIT))
    return render("contacts/my.html", upcoming=upcoming, past=past,
                  cannot_come_url=id_url("contacts.cannot_come", "contact_id"))


def _my_contact_or_404(contact_id):
    """A contact of the caregiver's own family, else 404."""
    contact = (Contact.select().where((Contact.id == contact_id)
                                      & Contact.case.in_(visible_cases(current_user).select(Case.id))).first())
    if contact is None:
        abort(404)
    return contact


@bp.route("/my/<int:contact_id>/cannot-come", methods=["GET", "POST"])
@role_required(Role.CAREGIVER)
def cannot_come(contact_id):
    """"We cannot come": the contact waits for staff to cancel it or propose a new time;
    the key worker and the supervising workers are told at once."""
    contact = _my_contact_or_404(contact_id)
    shown = next((c for c in family_contacts(current_user) if c.id == contact.id), None)
    form = CannotComeForm()
    if not rules.allowed("request_cancellation", contact):
        flash(_("This contact can no longer be cancelled here. Please call your key worker."), "error")
        return redirect(url_for("contacts.my_contacts"), 303)
    if form.validate_on_submit():
        before = audit.snapshot(contact)
        rules.request_cancellation(contact, current_user, form.reason.data)
        case = Case.get_by_id(contact.case_id)
        workers = [uid for (uid,) in ContactParticipant.select(ContactParticipant.user).where(
            (ContactParticipant.contact == contact) & (ContactParticipant.kind == ParticipantKind.WORKER)).tuples()]
        person = Person.for_account(current_user)
        when = f"{rules.to_local(contact.starts_at, rules.org_zone()):%Y-%m-%d %H:%M}"
        with db.atomic():
            if not contact.save_if_version(contact.version):
                abort(409)
            audit.record(current_user, "update", contact, case=case, summary="cannot come (caregiver)",
                         changes=audit.diff(contact, before))
            for uid in dict.fromkeys([case.key_worker_id, *workers]):
                if uid:
                    Notification.send(uid, "contact_cannot_come",
                                      link=url_for("contacts.detail", contact_id=contact.id),
                                      name=person.full_name if person else current_user.full_name,
                                      case=case.name, when=when, reason=contact.cancel_request_reason)
        flash(_("Thank you. We have told your key worker; they will confirm the cancellation or propose a new time."),
              "success")
        return redirect(url_for("contacts.my_contacts"), 303)
    return render("contacts/cannot_come.html", form=form, contact=shown,
                  status=422 if form.is_submitted() else 200)
