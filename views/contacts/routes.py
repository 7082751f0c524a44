"""Assisted contacts for staff: scheduling with live checks, series, lifecycle, outcomes,
orders, rooms, the week calendar and the list.

Every contact is loaded through :func:`_contact_or_404`, which applies the case rule of
``get_case_or_404`` (staff see their caseload, admins everything, caregivers nothing
here). Caregivers have their own views in :mod:`views.contacts.portal`.
"""
import datetime

from flask import abort, flash, redirect, request, url_for
from flask_babel import get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, SQL, fn

from models import Case, CaseStatus, Member, MemberRole, Notification, Person, Role, User, audit, db
from models import contact_rules as rules
from models.base import Prepared, id_list
from models.contact_rules import ContactRuleError, Proposal, StaleContact, to_local, to_utc
from models.contacts import (
    BOOKING_STATUSES,
    Contact,
    ContactOrder,
    ContactParticipant,
    ContactSeries,
    ContactSettings,
    ContactStatus,
    ParticipantKind,
    Party,
    Room,
)

from . import bp
from ..htmx import is_partial, render
from ..pagination import Page
from ..permissions import InVisibleCases, get_case_or_404, role_required, visible_cases
from .portal import CONTACT_PEOPLE
from ..layout import id_url, template_globals
from ..formatting import clock_text, date, datetime_text
from .formatting import as_datetime, clock_formatter, day_formatter, fixed_offset
from .forms import (
    ENDED_EARLY_LABELS,
    ISSUER_LABELS,
    KIND_LABELS,
    PARTY_LABELS,
    PARTY_NAMES,
    STATUS_LABELS,
    CancelForm,
    ContactForm,
    EndedEarlyForm,
    NoShowForm,
    OrderForm,
    OutcomeForm,
    RoomForm,
    SettingsForm,
)

STAFF = (Role.ADMIN, Role.STAFF)
PER_PAGE = 25
WEEK_ROWS = 12  # rooms or workers on one page of the week calendar
CONTACT_TEXT_FIELDS = ("place", "purpose", "prep_child", "prep_caregivers", "prep_visitors")


def _local_time(utc):
    """A stored UTC time as the organisation's wall-clock time (for form values)."""
    return to_local(utc, rules.org_zone()) if utc else None


template_globals(bp, CONTACT_STATUS_LABELS=STATUS_LABELS, CONTACT_PARTY_LABELS=PARTY_LABELS,
                 CONTACT_PARTY_NAMES=PARTY_NAMES, ENDED_EARLY_LABELS=ENDED_EARLY_LABELS,
                 ORDER_ISSUER_LABELS=ISSUER_LABELS, PARTICIPANT_KIND_LABELS=KIND_LABELS,
                 local_time=_local_time,
                 # A naive local time (occurrences of a series before they are stored).
                 fmt_local=lambda dt: f"{date(dt.date(), 'full')}, {clock_text(dt.time())}")


@bp.app_context_processor
def _formatters():
    return {
        # Formatters that remember what they formatted during this render (many contacts
        # share a day or a time). local_day: the organisation's local date of a stored UTC
        # time in full ("Tuesday 17 November 2026"); fmt_time: format_time(utc, "short").
        "local_day": day_formatter(),
        "fmt_time": clock_formatter(),
    }


def _contact_or_404(contact_id, edit=False):
    """The contact and its case, if the signed-in staff member may see (edit) the case."""
    contact = Contact.get_or_none(Contact.id == contact_id)
    if contact is None:
        abort(404)
    case = get_case_or_404(contact.case_id, edit=edit)
    return contact, case


# --- The form: choices, validation, proposal ---------------------------------------------------


def _staff_users():
    return list(User.select(User.id, User.full_name).where(User.active & User.role.in_([Role.STAFF, Role.ADMIN]))
                .order_by(User.full_name))


def _rooms(active_only=True):
    query = Room.select().order_by(Room.name)
    return list(query.where(Room.active) if active_only else query)


def _prepare_form(form, case, members, contact=None):
    """Fill the choices of ``form`` from the case's members, the staff, rooms and orders."""
    people = sorted(members.values(), key=lambda m: m.person.search_name)
    form.children.choices = [(m.id, m.person.full_name) for m in people if m.role == MemberRole.CHILD]
    form.caregivers.choices = [(m.id, m.person.full_name) for m in people if m.role == MemberRole.CAREGIVER]
    children = {m.id: m.person.first_name for m in people if m.role == MemberRole.CHILD}
    form.visitors.choices = [
        (m.id, f"{m.person.full_name} ({m.relation or ''}{', ' if m.relation else ''}{children.get(m.child_id, '')})")
        for m in people if m.role in (MemberRole.BIRTH_PARENT, MemberRole.RELATIVE)
    ]
    form.workers.choices = [(u.id, u.full_name) for u in _staff_users()]
    rooms = _rooms()
    if contact is not None and contact.room_id and contact.room_id not in {r.id for r in rooms}:
        rooms.append(contact.room)
    form.room.choices = [(0, _("Elsewhere (enter the place)"))] + [(r.id, r.name) for r in rooms]
    orders = ContactOrder.select().where(ContactOrder.case == case).order_by(ContactOrder.id)
    form.order.choices = [(0, _("No order"))] + [
        (o.id, f"{ISSUER_LABELS.get(o.issuer, o.issuer)} {o.reference}".strip()) for o in orders
    ]
    return form


def _form_from_contact(contact, case, members, participants):
    zone = rules.org_zone()
    start, end = to_local(contact.starts_at, zone), to_local(contact.ends_at, zone)
    form = ContactForm(formdata=None, obj=contact)
    _prepare_form(form, case, members, contact)
    form.day.data, form.start_time.data, form.end_time.data = start.date(), start.time(), end.time()
    form.arrive_before.data, form.leave_after.data = contact.visitors_arrive_before, contact.visitors_leave_after
    form.room.data = contact.room_id or 0
    form.order.data = contact.order_id or 0
    for kind in ("children", "visitors", "caregivers"):
        wanted = {"children": ParticipantKind.CHILD, "visitors": ParticipantKind.VISITOR,
                  "caregivers": ParticipantKind.CAREGIVER}[kind]
        form[kind].data = [p.member_id for p in participants if p.kind == wanted]
    form.workers.data = [p.user_id for p in participants if p.kind == ParticipantKind.WORKER]
    form.version.data = contact.version
    return form


class Parsed:
    """What a filled-in form means: the proposal, participant rows and field errors."""

    def __init__(self):
        self.proposal = None
        self.rows = []
        self.errors = {}


def _parse(form, case, members, config, zone, is_new, exclude_ids=()):
    """Check the input against the case (bad input → field errors) and build the proposal.

    Works on ``form.<field>.data`` only, so the live checks use it on a half-filled form.
    """
    parsed = Parsed()
    errors = parsed.errors
    children_ids = set(form.children.data or [])
    child_members = {m.id: m for m in members.values() if m.role == MemberRole.CHILD}
    if not children_ids:
        errors["children"] = _("Choose at least one child.")
    elif children_ids - set(child_members):
        errors["children"] = _("A child from another family cannot be chosen.")
    allowed = rules.visitors_allowed(members, children_ids & set(child_members))
    for member_id in form.visitors.data or []:
        if member_id not in allowed:
            member = members.get(member_id)
            errors["visitors"] = (
                _("%(name)s is not among the relatives of the chosen children.", name=member.person.full_name)
                if member else _("This person is not among the child's relatives.")
            )
    caregiver_ids = {m.id for m in members.values() if m.role == MemberRole.CAREGIVER}
    if set(form.caregivers.data or []) - caregiver_ids:
        errors["caregivers"] = _("Only a caregiver of this family can bring the child.")
    staff = {u.id: u.full_name for u in _staff_users()}
    workers = [uid for uid in form.workers.data or [] if uid in staff]
    if not form.workers.data:
        errors["workers"] = _("Choose at least one supervising worker.")
    elif len(workers) != len(form.workers.data):
        errors["workers"] = _("Only an active staff member can supervise a contact.")
    room = None
    if form.room.data:
        room = Room.get_or_none(Room.id == form.room.data)
        if room is None:
            errors["room"] = _("Unknown room.")
    elif not (form.place.data or "").strip():
        errors["place"] = _("Choose a room or enter the place.")
    if form.order.data and not ContactOrder.select().where(
        (ContactOrder.id == form.order.data) & (ContactOrder.case == case)
    ).exists():
        errors["order"] = _("Unknown order.")
    if not (form.day.data and form.start_time.data and form.end_time.data):
        return parsed
    start = to_utc(datetime.datetime.combine(form.day.data, form.start_time.data), zone)
    end = to_utc(datetime.datetime.combine(form.day.data, form.end_time.data), zone)
    for name, message in rules.timing_problems(start, end, config.max_minutes, is_new=is_new).items():
        errors["start_time" if name == "start" else "end_time"] = message
    name_of = {m.id: (m.person_id, m.person.full_name) for m in members.values()}
    parsed.proposal = Proposal(
        start=start, end=end,
        arrive_before=form.arrive_before.data or 0, leave_after=form.leave_after.data or 0,
        room_id=room.id if room else None, room_name=room.name if room else "",
        buffer=room.buffer_minutes if room else 0,
        children=[name_of[i] for i in sorted(children_ids & set(child_members))],
        caregivers=[name_of[i] for i in sorted(set(form.caregivers.data or []) & caregiver_ids)],
        visitors=[name_of[i] for i in sorted(set(form.visitors.data or []) & allowed)],
        workers=[(uid, staff[uid]) for uid in workers],
        exclude_ids=frozenset(exclude_ids),
    )
    for kind, ids in ((ParticipantKind.CHILD, children_ids & set(child_members)),
                      (ParticipantKind.VISITOR, set(form.visitors.data or []) & allowed),
                      (ParticipantKind.CAREGIVER, set(form.caregivers.data or []) & caregiver_ids)):
        for member_id in sorted(ids):
            parsed.rows.append({"kind": kind, "member": member_id, "person": members[member_id].person_id, "user": None})
    for uid in workers:
        parsed.rows.append({"kind": ParticipantKind.WORKER, "member": None, "person": None, "user": uid})
    return parsed


def _apply_errors(form, errors):
    for name, message in errors.items():
        form[name].errors = list(form[name].errors or []) + [message]


def _copy_fields(form, contact):
    form.copy_to(contact, CONTACT_TEXT_FIELDS)
    contact.order = form.order.data or None
    if form.room.data:
        contact.place = ""


def _series_plan(form, parsed, zone):
    """The occurrences of a series as (index, local start, local end), from the form."""
    first_start = datetime.datetime.combine(form.day.data, form.start_time.data)
    first_end = datetime.datetime.combine(form.day.data, form.end_time.data)
    dates = rules.occurrences(form.day.data, form.repeat.data, until=form.repeat_until.data,
                              count=form.repeat_count.data)
    return list(enumerate(rules.local_series(first_start, first_end, dates)))


def _occurrence_choices(plan, form, zone):
    """Apply the user's decisions (keep, skip, move to …) to the planned occurrences.

    Returns rows of (index, decision, local start, local end, proposal or None) and errors.
    """
    base = form._parsed.proposal
    duration = base.end - base.start
    rows = []
    for index, (start, end) in plan:
        decision = request.form.get(f"occ-{index}", "keep")
        error = None
        if decision == "move":
            try:
                day = datetime.date.fromisoformat(request.form.get(f"occ-{index}-day", ""))
                clock = datetime.time.fromisoformat(request.form.get(f"occ-{index}-time", ""))
                start = datetime.datetime.combine(day, clock)
            except ValueError:
                error = _("Enter the new date and time.")
        proposal = None
        if decision != "skip" and error is None:
            utc_start = to_utc(start, zone)
            proposal = Proposal(**{**base.__dict__, "start": utc_start, "end": utc_start + duration})
            if utc_start < rules.utcnow():
                error = _("A new contact cannot start in the past.")
        rows.append({"index": index, "decision": decision, "start": start, "end": start + duration,
                     "proposal": proposal, "error": error, "problems": []})
    return rows


# --- New contact (or series) -------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new():
    """Schedule a contact for a family (``?case=``), once or as a series from an order.

    Without a family chosen: a short form to choose one.
    """
    case_id = request.args.get("case", type=int)
    if not case_id:
        cases = list(visible_cases(current_user).where(Case.status != CaseStatus.CLOSED)
                     .order_by(Case.search_name).limit(500))
        return render("contacts/choose_family.html", cases=cases)
    case = get_case_or_404(case_id, edit=True)
    members = rules.case_people(case.id)
    form = _prepare_form(ContactForm(), case, members)
    config, zone = rules.settings(), rules.org_zone()
    if request.method == "GET":
        form.children.data = [m.id for m in members.values() if m.role == MemberRole.CHILD][:1]
        form.caregivers.data = [m.id for m in members.values() if m.role == MemberRole.CAREGIVER][:1]
        form.workers.data = [current_user.id]
        form.arrive_before.data, form.leave_after.data = 0, 0
        return render("contacts/form.html", form=form, case=case, contact=None, problems=None, occurrences=None)
    action = request.form.get("action", "save")
    valid = form.validate_on_submit()
    parsed = _parse(form, case, members, config, zone, is_new=True)
    form._parsed = parsed
    if form.repeat.data and not (form.repeat_until.data or form.repeat_count.data):
        parsed.errors["repeat_until"] = _("Give an end date or a number of contacts.")
    if not valid or parsed.errors or parsed.proposal is None:
        _apply_errors(form, parsed.errors)
        return render("contacts/form.html", form=form, case=case, contact=None, problems=None,
                      occurrences=None, status=422)
    if form.repeat.data:
        return _series(form, case, parsed, zone, action)
    contact = Contact(case=case)
    _copy_fields(form, contact)
    try:
        warnings = rules.save_booking([(contact, parsed.proposal, parsed.rows)], current_user)
    except ContactRuleError as refused:
        return render("contacts/form.html", form=form, case=case, contact=None, problems=refused.problems,
                      occurrences=None, status=422)
    flash(ngettext("The contact has been scheduled.", "%(num)d contacts have been scheduled.", 1), "success")
    for warning in warnings:
        flash(warning.message, "warning")
    return redirect(url_for("contacts.detail", contact_id=contact.id), 303)


def _series(form, case, parsed, zone, action):
    """Preview every date of a series with its problems; create it once none is refused."""
    rows = _occurrence_choices(_series_plan(form, parsed, zone), form, zone)
    kept = [row for row in rows if row["proposal"] is not None]
    for row, problems in zip(kept, rules.find_problems([row["proposal"] for row in kept])):
        row["problems"] = problems
    blocked = any(row["error"] or any(p.is_error for p in row["problems"]) for row in rows)
    if action != "create_series" or blocked or not kept:
        status = 422 if action == "create_series" else 200
        return render("contacts/form.html", form=form, case=case, contact=None, problems=None,
                      occurrences=rows, status=status)
    series = ContactSeries(case=case, order=form.order.data or None, pattern=form.repeat.data,
                           until=form.repeat_until.data, count=form.repeat_count.data, created_by=current_user)
    items = []
    for row in kept:
        contact = Contact(case=case)
        _copy_fields(form, contact)
        items.append((contact, row["proposal"], parsed.rows))
    try:
        with db.atomic(lock_type="IMMEDIATE"):
            series.save()
            for contact, _p, _r in items:
                contact.series = series
            rules.save_booking(items, current_user)
            audit.record(current_user, "create", series, case=case,
                         summary=f"contact series: {len(items)} contacts, {series.pattern}")
    except ContactRuleError:
        # Someone booked in the meantime: show the preview again with the new clashes.
        return _series(form, case, parsed, zone, "preview")
    flash(ngettext("The contact has been scheduled.", "%(num)d contacts have been scheduled.", len(items)),
          "success")
    return redirect(url_for("contacts.detail", contact_id=items[0][0].id), 303)


@bp.route("/check", methods=["POST"])
@role_required(*STAFF)
def check():
    """The live checks of the contact form (htmx, on every change): each problem with its
    reason. The same checks run again when the form is saved."""
    case = get_case_or_404(request.args.get("case", type=int) or 0, edit=True)
    exclude = ()
    contact_id = request.args.get("contact", type=int)
    if contact_id:
        contact, contact_case = _contact_or_404(contact_id, edit=True)
        if contact_case.id != case.id:
            abort(404)
        exclude = (contact.id,)
    members = rules.case_people(case.id)
    form = _prepare_form(ContactForm(), case, members)
    form.validate()
    config, zone = rules.settings(), rules.org_zone()
    parsed = _parse(form, case, members, config, zone, is_new=not exclude, exclude_ids=exclude)
    problems = rules.find_problems([parsed.proposal])[0] if parsed.proposal else []
    return render("contacts/form.html", block="checks", form=form, case=case, problems=problems,
                  input_errors=[m for m in parsed.errors.values()], checked=parsed.proposal is not None)


# --- One contact -------------------------------------------------------------------------------


def _participants(contact_ids):
    """{contact id: [participants with person/user names]} in one query."""
    result = {cid: [] for cid in contact_ids}
    # Run even for no contacts, so a page's query count does not depend on the data.
    rows = (
        ContactParticipant.select(ContactParticipant, Person, User)
        .join(Person, JOIN.LEFT_OUTER, on=(ContactParticipant.person == Person.id))
        .switch(ContactParticipant)
        .join(User, JOIN.LEFT_OUTER, on=(ContactParticipant.user == User.id))
        .where(ContactParticipant.contact.in_(list(contact_ids) or [0]))
        .order_by(ContactParticipant.kind, ContactParticipant.id)
    )
    for p in rows:
        p.name = p.user.full_name if p.user_id else (p.person.full_name if p.person_id else "")
        result[p.contact_id].append(p)
    return result


def _detail_context(contact, case, **extra):
    participants = _participants([contact.id])[contact.id]
    now = rules.utcnow()
    context = {
        "contact": contact, "case": case, "participants": participants,
        "room": contact.room if contact.room_id else None,
        "order": contact.order if contact.order_id else None,
        "can": {action: rules.allowed(action, contact, now) for action in rules.TRANSITIONS},
        "cancel_form": extra.pop("cancel_form", None) or CancelForm(formdata=None),
        "no_show_form": extra.pop("no_show_form", None) or NoShowForm(formdata=None),
        "ended_form": extra.pop("ended_form", None) or EndedEarlyForm(formdata=None),
        "requested_by": User.get_or_none(User.id == contact.cancel_requested_by_id)
        if contact.cancel_requested_by_id else None,
        "series_count": Contact.select().where(Contact.series == contact.series_id).count()
        if contact.series_id else 0,
    }
    context.update(extra)
    return context


@bp.route("/<int:contact_id>")
@role_required(*STAFF)
def detail(contact_id):
    """A contact: who, where, when, preparation, its status and the next steps."""
    contact, case = _contact_or_404(contact_id)
    return render("contacts/detail.html", **_detail_context(contact, case))


def _when(contact):
    """The contact's local start as "YYYY-MM-DD HH:MM" for notification texts."""
    return f"{to_local(contact.starts_at, rules.org_zone()):%Y-%m-%d %H:%M}"


@bp.route("/<int:contact_id>/status", methods=["POST"])
@role_required(*STAFF)
def status(contact_id):
    """A step of the lifecycle: confirm, held, cancel, no-show, ended early, or confirm a
    caregiver's cancellation request."""
    contact, case = _contact_or_404(contact_id, edit=True)
    action = request.form.get("action", "")
    before = audit.snapshot(contact)
    forms = {}
    notify = None
    try:
        if action == "confirm":
            rules.confirm(contact)
        elif action == "held":
            rules.mark_held(contact)
        elif action == "cancel":
            form = forms["cancel_form"] = CancelForm()
            if not form.validate_on_submit():
                raise _Invalid()
            rules.cancel(contact, form.party.data, form.reason.data, notice_hours=rules.cancel_notice_hours())
            # Both sides tell each other when a contact cannot take place: the family's
            # caregivers with an account are told.
            notify = ("contact_cancelled", _caregiver_accounts(case))
        elif action == "no_show":
            form = forms["no_show_form"] = NoShowForm()
            if not form.validate_on_submit():
                raise _Invalid()
            rules.mark_no_show(contact, form.party.data)
        elif action == "ended_early":
            form = forms["ended_form"] = EndedEarlyForm()
            if not form.validate_on_submit():
                raise _Invalid()
            rules.end_early(contact, form.reason.data, form.note.data or "")
        elif action == "confirm_cancellation":
            if contact.status != ContactStatus.CANCELLATION_REQUESTED:
                raise ContactRuleError([rules.Problem("transition", rules.ERROR,
                                                      _("This step is not possible for this contact now."))])
            # The caregiver told us at the time of the request: lateness counts from then.
            rules.cancel(contact, Party.CAREGIVER, contact.cancel_request_reason,
                         now=contact.cancel_requested_at, notice_hours=rules.cancel_notice_hours())
            notify = ("contact_cancellation_confirmed", contact.cancel_requested_by_id)
        else:
            abort(400)
    except _Invalid:
        return render("contacts/detail.html", block="lifecycle", status=422,
                      **_detail_context(contact, case, **forms))
    except ContactRuleError as refused:
        return render("contacts/detail.html", block="lifecycle", status=409,
                      **_detail_context(Contact.get_by_id(contact.id), case, error=str(refused)))
    with db.atomic():
        expected = contact.version
        if not contact.save_if_version(expected):
            abort(409)
        audit.record(current_user, "update", contact, case=case, summary=f"contact {action}",
                     changes=audit.diff(contact, before))
        if notify and notify[1]:
            for user_id in notify[1] if isinstance(notify[1], list) else [notify[1]]:
                Notification.send(user_id, notify[0], link=url_for("contacts.my_contacts"), when=_when(contact))
    flash(_("The contact has been updated."), "success")
    if is_partial():
        return render("contacts/detail.html", block="lifecycle", **_detail_context(contact, case))
    return redirect(url_for("contacts.detail", contact_id=contact.id), 303)


def _caregiver_accounts(case):
    """Account ids of the case's caregivers (one query)."""
    return [uid for (uid,) in Person.select(Person.account).join(Member, on=(Member.person == Person.id))
            .where((Member.case == case) & (Member.role == MemberRole.CAREGIVER) & Person.account.is_null(False))
            .tuples()]


class _Invalid(Exception):
    """A lifecycle form with errors."""


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(contact_id):
    """Change a contact (or this and the following of its series); proposing a new time
    after a caregiver's cancellation request makes it planned again and tells them."""
    contact, case = _contact_or_404(contact_id, edit=True)
    if not rules.allowed("edit", contact):
        flash(_("This contact can no longer be changed."), "error")
        return redirect(url_for("contacts.detail", contact_id=contact.id), 303)
    members = rules.case_people(case.id)
    participants = _participants([contact.id])[contact.id]
    if request.method == "GET":
        form = _form_from_contact(contact, case, members, participants)
        return render("contacts/form.html", form=form, case=case, contact=contact, problems=None, occurrences=None)
    form = _prepare_form(ContactForm(), case, members, contact)
    config, zone = rules.settings(), rules.org_zone()
    following = []
    if contact.series_id and form.scope.data == "following":
        following = list(Contact.select().where(
            (Contact.series == contact.series_id) & (Contact.starts_at > contact.starts_at)
            & Contact.status.in_(list(BOOKING_STATUSES))).order_by(Contact.starts_at))
    exclude = [contact.id] + [c.id for c in following]
    valid = form.validate_on_submit()
    # A correction may keep a past time; a new time proposed after "we cannot come" may not.
    proposing = contact.status == ContactStatus.CANCELLATION_REQUESTED
    parsed = _parse(form, case, members, config, zone, is_new=proposing, exclude_ids=exclude)
    if not valid or parsed.errors or parsed.proposal is None:
        _apply_errors(form, parsed.errors)
        return render("contacts/form.html", form=form, case=case, contact=contact, problems=None,
                      occurrences=None, status=422)
    expected = form.expected_version()
    requested = contact.status == ContactStatus.CANCELLATION_REQUESTED
    old_when = _when(contact)
    _copy_fields(form, contact)
    if requested:
        contact.status = ContactStatus.PLANNED
        requester = contact.cancel_requested_by_id
        contact.cancel_requested_at, contact.cancel_requested_by, contact.cancel_request_reason = None, None, ""
    items = [(contact, parsed.proposal, parsed.rows)]
    # This and the following: each later occurrence keeps its own date and takes the new
    # wall-clock times, place, people and notes.
    base = parsed.proposal
    for other in following:
        day = to_local(other.starts_at, zone).date()
        start = to_utc(datetime.datetime.combine(day, form.start_time.data), zone)
        _copy_fields(form, other)
        items.append((other, Proposal(**{**base.__dict__, "start": start, "end": start + (base.end - base.start)}),
                      parsed.rows))
    if expected is None:
        abort(400)
    try:
        with db.atomic(lock_type="IMMEDIATE"):
            warnings = rules.save_booking(items[:1], current_user, expected_version=expected)
            if items[1:]:
                warnings += rules.save_booking(items[1:], current_user)
            if requested and requester:
                Notification.send(requester, "contact_new_time", link=url_for("contacts.my_contacts"),
                                  when=old_when, new=_when(contact))
    except ContactRuleError as refused:
        return render("contacts/form.html", form=form, case=case, contact=contact, problems=refused.problems,
                      occurrences=None, status=422)
    except StaleContact:
        stored = Contact.get_by_id(contact.id)
        form.version.data = stored.version
        return render("contacts/form.html", form=form, case=case, contact=contact, problems=None,
                      occurrences=None, stale=stored, status=409)
    flash(ngettext_saved(len(items)), "success")
    for warning in warnings:
        flash(warning.message, "warning")
    return redirect(url_for("contacts.detail", contact_id=contact.id), 303)


def ngettext_saved(count):
    return ngettext("The contact has been saved.", "%(num)d contacts have been saved.", count)


@bp.route("/<int:contact_id>/outcome", methods=["GET", "POST"])
@role_required(*STAFF)
def outcome(contact_id):
    """After a held (or early ended) contact: real duration, who came, the child's
    reactions and view, incidents, and a summary that may be shared with the caregivers."""
    contact, case = _contact_or_404(contact_id, edit=True)
    if not rules.allowed("outcome", contact):
        flash(_("The outcome can be recorded once the contact has taken place."), "error")
        return redirect(url_for("contacts.detail", contact_id=contact.id), 303)
    participants = _participants([contact.id])[contact.id]
    form = OutcomeForm(obj=contact) if request.method == "POST" else OutcomeForm(formdata=None, obj=contact)
    form.attended.choices = [(p.id, f"{p.name} ({KIND_LABELS[p.kind]})") for p in participants]
    stale = None
    if request.method == "GET":
        form.version.data = contact.version
        form.attended.data = [p.id for p in participants if p.attended]
        if contact.actual_minutes is None:
            form.actual_minutes.data = rules.minutes(contact.ends_at - contact.starts_at)
    elif form.validate_on_submit():
        before = audit.snapshot(contact)
        form.copy_to(contact, ("actual_minutes", "child_reactions", "child_view", "incidents", "summary",
                               "summary_shared"))
        contact.outcome_recorded_at = rules.utcnow()
        came = set(form.attended.data or [])
        expected = form.expected_version()
        with db.atomic():
            saved = expected is not None and contact.save_if_version(expected)
            if saved:
                for p in participants:
                    ContactParticipant.update(attended=p.id in came).where(ContactParticipant.id == p.id).execute()
                audit.record(current_user, "update", contact, case=case, summary="contact outcome",
                             changes=audit.diff(contact, before))
        if saved:
            flash(_("The outcome has been recorded."), "success")
            return redirect(url_for("contacts.detail", contact_id=contact.id), 303)
        stale = Contact.get_by_id(contact.id)
        form.version.data = stale.version
    code = 409 if stale else (422 if request.method == "POST" else 200)
    return render("contacts/outcome.html", form=form, contact=contact, case=case, stale=stale, status=code)


# --- Orders ------------------------------------------------------------------------------------


@bp.route("/orders/<int:case_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def orders(case_id):
    """The orders a family's contacts follow (court or OSPOD, reference, frequency)."""
    case = get_case_or_404(case_id, edit=request.method == "POST")
    children = [m for m in rules.case_people(case.id).values() if m.role == MemberRole.CHILD]
    form = OrderForm() if request.method == "POST" else OrderForm(formdata=None)
    form.child.choices = [(m.id, m.person.full_name) for m in children]
    if request.method == "POST":
        if form.child.data not in {m.id for m in children}:
            form.child.errors = [_("A child from another family cannot be chosen.")]
        elif form.validate_on_submit():
            with db.atomic():
                order = ContactOrder.create(case=case, child=form.child.data, issuer=form.issuer.data,
                                            reference=(form.reference.data or "").strip(),
                                            per_month=form.per_month.data, note=(form.note.data or "").strip())
                audit.record(current_user, "create", order, case=case,
                             summary=f"contact order {order.reference}: {order.per_month}/month")
            flash(_("The order has been saved."), "success")
            return redirect(url_for("contacts.orders", case_id=case.id), 303)
    existing = list(ContactOrder.select(ContactOrder, Member, Person).join(Member).join(Person)
                    .where(ContactOrder.case == case).order_by(ContactOrder.id))
    code = 422 if request.method == "POST" else 200
    return render("contacts/orders.html", form=form, case=case, orders=existing, status=code)


# --- Rooms and settings ------------------------------------------------------------------------


@bp.route("/rooms", methods=["GET", "POST"])
@role_required(*STAFF)
def rooms():
    """The rooms (neutral spaces); administrators add rooms and change the settings."""
    form = RoomForm() if request.method == "POST" else RoomForm(formdata=None)
    config = rules.settings()
    if request.method == "GET":
        form.buffer_minutes.data = config.default_buffer_minutes
    if request.method == "POST":
        if current_user.role_enum is not Role.ADMIN:
            abort(403)
        if form.validate_on_submit():
            with db.atomic():
                room = Room.create(name=form.name.data.strip(), address=(form.address.data or "").strip(),
                                   capacity=form.capacity.data, buffer_minutes=form.buffer_minutes.data,
                                   active=bool(form.active.data))
                audit.record(current_user, "create", room, summary=room.name)
            flash(_("The room has been added."), "success")
            return redirect(url_for("contacts.rooms"), 303)
    return _rooms_page(form, config, status=422 if request.method == "POST" else 200)


def _rooms_page(form, config, settings_form=None, status=200, stale=None):
    if settings_form is None:
        settings_form = SettingsForm(formdata=None)
        settings_form.day_start.data = datetime.time(config.day_start_minutes // 60, config.day_start_minutes % 60)
        settings_form.day_end.data = datetime.time(config.day_end_minutes // 60 % 24, config.day_end_minutes % 60)
        settings_form.working_days.data = list(config.working_days)
        settings_form.default_buffer_minutes.data = config.default_buffer_minutes
        settings_form.max_hours.data = config.max_minutes // 60
        settings_form.version.data = config.version
    return render("contacts/rooms.html", rooms=_rooms(active_only=False), form=form, config=config,
                  settings_form=settings_form, stale=stale, status=status)


@bp.route("/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def room_edit(room_id):
    """Change a room (administrators)."""
    room = Room.get_or_none(Room.id == room_id) or abort(404)
    form = RoomForm(obj=room) if request.method == "POST" else RoomForm(formdata=None, obj=room)
    if form.validate_on_submit():
        before = audit.snapshot(room)
        room.name, room.address = form.name.data.strip(), (form.address.data or "").strip()
        room.capacity, room.buffer_minutes, room.active = form.capacity.data, form.buffer_minutes.data, bool(form.active.data)
        with db.atomic():
            room.save()
            audit.record(current_user, "update", room, summary=room.name, changes=audit.diff(room, before))
        flash(_("The room has been saved."), "success")
        return redirect(url_for("contacts.rooms"), 303)
    return render("contacts/room_edit.html", form=form, room=room, status=422 if request.method == "POST" else 200)


@bp.route("/settings", methods=["POST"])
@role_required(Role.ADMIN)
def settings():
    """Working hours, default buffer and the longest contact (administrators)."""
    config = rules.settings()
    form = SettingsForm()
    if form.validate_on_submit() and form.day_end.data <= form.day_start.data:
        form.day_end.errors = [_("The end must be after the start.")]
    if form.errors or not form.validate_on_submit():
        return _rooms_page(RoomForm(formdata=None), config, form, status=422)
    before = audit.snapshot(config) if config.id else {}
    config.day_start_minutes = form.day_start.data.hour * 60 + form.day_start.data.minute
    config.day_end_minutes = form.day_end.data.hour * 60 + form.day_end.data.minute
    config.working_days = "".join(sorted(set(form.working_days.data or [])))
    config.default_buffer_minutes = form.default_buffer_minutes.data
    config.max_minutes = form.max_hours.data * 60
    expected = form.expected_version()
    with db.atomic():
        if config.id is None:
            config.save()
            saved = True
        else:
            saved = expected is not None and config.save_if_version(expected)
        if saved:
            audit.record(current_user, "update", config, summary="contact settings", changes=audit.diff(config, before))
    if not saved:
        stored = ContactSettings.get_by_id(config.id)
        form.version.data = stored.version
        return _rooms_page(RoomForm(formdata=None), stored, form, status=409, stale=stored)
    flash(_("The settings have been saved."), "success")
    return redirect(url_for("contacts.rooms"), 303)


# --- Calendar and list -------------------------------------------------------------------------


def _week_start(value):
    try:
        day = datetime.date.fromisoformat(value) if value else None
    except ValueError:
        day = None
    day = day or to_local(rules.utcnow(), rules.org_zone()).date()
    return day - datetime.timedelta(days=day.weekday())


def _week_rows(by, user_id, window):
    """The rows (rooms or workers) of one page of the week, as a :class:`Page` of
    ``(id, name)``: one query (the total rides along as a window count); an outdated page
    number past the end costs one more to find the last page."""
    requested = max(1, request.args.get("rows", 1, type=int))
    if by == "room":
        def fetch(page):
            return _WEEK_ROOMS.rows(limit=WEEK_ROWS, offset=(page - 1) * WEEK_ROWS)
    else:
        def fetch(page):
            return _WEEK_WORKERS.rows(start=window[0], end=window[1], me=user_id,
                        limit=WEEK_ROWS, offset=(page - 1) * WEEK_ROWS)
    found = fetch(requested)
    if not found and requested > 1:
        found = fetch(1)
        total = found[0][2] if found else 0
        last = max(1, -(-total // WEEK_ROWS))
        if last > 1:
            found = fetch(last)
        requested = last
    total = found[0][2] if found else 0
    return Page([(ident, name) for ident, name, _total in found], requested, max(1, -(-total // WEEK_ROWS)), total)


#: contact_rules.LONGEST_BOOKING as SQLite's datetime() modifier.
_LONGEST_BOOKING = f"-{rules.LONGEST_BOOKING.days} days"


def _in_week(start, end):
    """Bookings that overlap [start, end). The redundant lower bound on span_start lets
    an index read only the bookings that start near the week, not every future one."""
    return (Contact.status.in_([*BOOKING_STATUSES, ContactStatus.HELD, ContactStatus.ENDED_EARLY])
            & (Contact.span_start < end) & (Contact.span_start > fn.datetime(start, _LONGEST_BOOKING))
            & (Contact.span_end > start))


#: The week's queries, compiled once (models.base.Prepared): rooms, workers, contacts and
#: the names they show. Times are passed as datetimes, as peewee passes them.
_WEEK_ROOMS = Prepared(
    lambda limit, offset: Room.select(Room.id, Room.name, fn.COUNT(SQL("*")).over())
    .where(Room.active).order_by(Room.name, Room.id).limit(limit).offset(offset).tuples(),
    "limit", "offset",
)
_WEEK_WORKERS = Prepared(
    lambda start, end, me, limit, offset: User.select(User.id, User.full_name, fn.COUNT(SQL("*")).over())
    .where(User.id.in_(ContactParticipant.select(ContactParticipant.user).join(Contact)
                       .where(_in_week(start, end) & (ContactParticipant.kind == ParticipantKind.WORKER))))
    .order_by(User.id != me, User.full_name, User.id).limit(limit).offset(offset).tuples(),
    "start", "end", "me", "limit", "offset",
)
_WEEK_COLUMNS = (Contact.id, Contact.case, Case.name, Contact.room, Contact.status, Contact.starts_at,
                 Contact.span_start, Contact.span_end)


def _week_contacts(where):
    """The week's contacts of some rows, each with whether the user may open its family."""
    return InVisibleCases(
        lambda cases, start, end, ids: Contact.select(*_WEEK_COLUMNS, Contact.case.in_(cases)).join(Case)
        .where(_in_week(start, end) & where(ids)).order_by(Contact.starts_at).tuples(),
        "start", "end", "ids",
    )


_WEEK_BY_ROOM = _week_contacts(lambda ids: Contact.room.in_(id_list(ids)))
_WEEK_BY_ROOM_AND_ELSEWHERE = _week_contacts(lambda ids: Contact.room.in_(id_list(ids)) | Contact.room.is_null())
_WEEK_BY_WORKER = _week_contacts(lambda ids: Contact.id.in_(
    ContactParticipant.select(ContactParticipant.contact).where(ContactParticipant.user.in_(id_list(ids)))))
#: (contact, kind, user, child's first name) of some kinds of participants of some contacts.
_WEEK_PEOPLE = Prepared(
    lambda ids, kinds: ContactParticipant.select(ContactParticipant.contact, ContactParticipant.kind,
                                                 ContactParticipant.user, Person.first_name)
    .join(Person, JOIN.LEFT_OUTER, on=(ContactParticipant.person == Person.id))
    .where(ContactParticipant.contact.in_(id_list(ids)) & ContactParticipant.kind.in_(id_list(kinds)))
    .order_by(ContactParticipant.kind, ContactParticipant.id).tuples(),
    "ids", "kinds",
)


@bp.route("/week")
@role_required(*STAFF)
def week():
    """The week by room or by worker. Contacts of families the user may not open show as
    "booked", without names. Prev/next are plain links that htmx turns into swaps."""
    zone = rules.org_zone()
    monday = _week_start(request.args.get("start"))
    by = "worker" if request.args.get("by") == "worker" else "room"
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    window = (to_utc(datetime.datetime.combine(monday, datetime.time()), zone),
              to_utc(datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time()), zone))
    # The rows (rooms or workers) are paginated, so the page stays the same size however
    # many rooms and workers the organisation has; only their contacts are loaded.
    user = current_user._get_current_object()
    listing = _week_rows(by, user.id, window)
    grid_rows = listing.rows
    if by == "room":
        last_page = listing.page == listing.pages
        if last_page:
            grid_rows.append((0, _("Elsewhere")))  # contacts outside the rooms
        query = _WEEK_BY_ROOM_AND_ELSEWHERE if last_page else _WEEK_BY_ROOM
        found = query.rows(user=user, start=window[0], end=window[1], ids=[r for r, _n in grid_rows if r])
    else:
        found = _WEEK_BY_WORKER.rows(user=user, start=window[0], end=window[1], ids=[u for u, _n in grid_rows])
    contacts, visible = [], set()
    for cid, case_id, case_name, room_id, status, starts, first, last, may_open in found:
        contacts.append((cid, case_id, case_name, room_id, status, as_datetime(starts), as_datetime(first),
                         as_datetime(last)))
        if may_open:
            visible.add(case_id)
    # Only what the grid shows: the children's first names of the contacts the user may
    # open, and by worker the supervising workers (the rows) of every contact.
    if by == "room":
        people = _WEEK_PEOPLE.rows(ids=[c[0] for c in contacts if c[1] in visible], kinds=[ParticipantKind.CHILD])
    else:
        people = _WEEK_PEOPLE.rows(ids=[c[0] for c in contacts],
                      kinds=[ParticipantKind.CHILD, ParticipantKind.WORKER])
    children, workers = {}, {}
    for contact_id, kind, user_id, first_name in people:
        if kind == ParticipantKind.CHILD:
            children.setdefault(contact_id, []).append(first_name)
        else:
            workers.setdefault(contact_id, []).append(user_id)
    # Usually no change to or from summer time falls within the contacts shown: then each
    # time is turned into local time by adding one offset.
    first = min((c[6] for c in contacts), default=window[0])
    last = max((c[7] for c in contacts), default=window[1])
    day_offset = fixed_offset(zone, first, last)
    clock = clock_formatter(fixed_offset(get_timezone(), first, last))
    detail_url = id_url("contacts.detail", "contact_id")
    row_keys = {key for key, _n in grid_rows}
    cells, status_labels = {}, {}
    for contact_id, case_id, case_name, room_id, status, starts_at, span_start, span_end in contacts:
        day = (starts_at + day_offset).date() if day_offset is not None else to_local(starts_at, zone).date()
        keys = [room_id or 0] if by == "room" else workers.get(contact_id, ())
        if case_id in visible:
            names = ", ".join(children.get(contact_id, ()))
            label = status_labels.get(status)
            if label is None:
                label = status_labels[status] = str(STATUS_LABELS[status])
            entry = (status, f"{clock(span_start)}–{clock(span_end)}", detail_url(contact_id), names or case_name,
                     case_name, label)
        else:
            entry = (status, f"{clock(span_start)}–{clock(span_end)}", None, None, None, None)
        for key in keys:
            if key in row_keys:
                cells.setdefault((key, day), []).append(entry)
    today = to_local(rules.utcnow(), zone).date()
    # One row per room or worker: (name, [(is today, entries of the day)] for the 7 days).
    grid = [(name, [(day == today, cells.get((key, day), ())) for day in days]) for key, name in grid_rows]
    return render("contacts/week.html", block="week", days=days, monday=monday, by=by, rows=grid_rows, grid=grid,
                  page=listing.page, pages=listing.pages,
                  prev_week=monday - datetime.timedelta(days=7), next_week=monday + datetime.timedelta(days=7),
                  today=today)


#: The list's filters: a request argument's stored value → the condition on the contacts.
_LIST_FILTERS = {
    "start": lambda v: Contact.starts_at >= v,
    "end": lambda v: Contact.starts_at < v,
    "case": lambda v: Contact.case == v,
    "status": lambda v: Contact.status == v,
    "room": lambda v: Contact.room == v,
    "worker": lambda v: fn.EXISTS(ContactParticipant.select(SQL("1")).where(
        (ContactParticipant.contact == Contact.id) & (ContactParticipant.user == v))),
}
_LIST_COLUMNS = (Contact.id, Contact.starts_at, Contact.ends_at, Case.name, Contact.room, Room.name, Contact.place,
                 Contact.status)
_LIST_QUERIES = {}  # (the filters in use, "count" or "page") → ScopedPrepared


def _list_query(used, what):
    """The list's count or page query for the filters ``used`` (names of _LIST_FILTERS, in
    its order), compiled once per combination and scope."""
    key = (used, what)
    query = _LIST_QUERIES.get(key)
    if query is None:
        def build(cases, offset=None, **values):
            # A page carries the total beside each row (one statement, as views.pagination).
            columns = (fn.COUNT(SQL("*")),) if what == "count" else (*_LIST_COLUMNS, fn.COUNT(SQL("*")).over())
            select = (Contact.select(*columns).join(Case).switch(Contact).join(Room, JOIN.LEFT_OUTER)
                      .where(Contact.case.in_(cases)))
            for name in used:
                select = select.where(_LIST_FILTERS[name](values[name]))
            if what == "page":
                select = select.order_by(Contact.starts_at, Contact.id).limit(PER_PAGE).offset(offset)
            return select.tuples()

        names = used if what == "count" else ("offset", *used)
        query = _LIST_QUERIES.setdefault(key, InVisibleCases(build, *names))
    return query


_ALL_ROOMS = Prepared(lambda: Room.select(Room.id, Room.name).order_by(Room.name).tuples())
#: Workers who supervise contacts of the cases in view, for the list's filter (not every
#: staff member of the organisation).
_LIST_WORKERS = InVisibleCases(
    lambda cases: User.select(User.id, User.full_name)
    .where(User.id.in_(ContactParticipant.select(ContactParticipant.user).join(Contact)
                       .where((ContactParticipant.kind == ParticipantKind.WORKER) & Contact.case.in_(cases))))
    .order_by(User.full_name).tuples()
)


@bp.route("/")
@role_required(*STAFF)
def index():
    """Contacts of the families the user may open, filtered and paginated."""
    args = request.args
    zone = rules.org_zone()
    user = current_user._get_current_object()

    def day_arg(name):
        try:
            return datetime.date.fromisoformat(args.get(name, ""))
        except ValueError:
            return None

    today = to_local(rules.utcnow(), zone).date()
    start = day_arg("from") or (None if args.get("from") == "" else today)
    end = day_arg("to")
    status_filter = args.get("status", "") if args.get("status") in set(ContactStatus) else ""
    room_id = args.get("room", type=int)
    worker_id = args.get("worker", type=int)
    mine = args.get("mine") == "1"
    case_id = args.get("case", type=int)
    values = {
        "start": to_utc(datetime.datetime.combine(start, datetime.time()), zone) if start else None,
        "end": to_utc(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time()), zone)
        if end else None,
        "case": case_id or None,
        "status": status_filter or None,
        "room": room_id or None,
        "worker": (user.id if mine else worker_id) or None,
    }
    values = {name: value for name, value in values.items() if value is not None}
    used = tuple(values)
    page = max(1, args.get("page", 1, type=int))
    contacts = _list_query(used, "page").rows(user=user, offset=(page - 1) * PER_PAGE, **values)
    if contacts:
        total = contacts[0][-1]
    else:  # an empty list, or past its end (an outdated link): count, then show the last page
        total = _list_query(used, "count").scalar(user=user, **values) if page > 1 else 0
        if total:
            page = -(-total // PER_PAGE)
            contacts = _list_query(used, "page").rows(user=user, offset=(page - 1) * PER_PAGE, **values)
        else:
            page = 1
    pages = max(1, -(-total // PER_PAGE))
    children, workers = {}, {}
    for contact_id, kind, uid, full_name, person_id, first, last in CONTACT_PEOPLE.rows(ids=[c[0] for c in contacts]):
        name = full_name if uid else (f"{first} {last}" if person_id else "")
        (children if kind == ParticipantKind.CHILD else workers).setdefault(contact_id, []).append(name)
    clock = clock_formatter()
    detail_url = id_url("contacts.detail", "contact_id")
    labels = {}
    shown = []
    for contact_id, starts_at, ends_at, case_name, room, room_name, place, status, _total in contacts:
        label = labels.get(status)
        if label is None:
            label = labels[status] = str(STATUS_LABELS[status])
        when = f"{datetime_text(as_datetime(starts_at))}–{clock(as_datetime(ends_at))}"
        shown.append((detail_url(contact_id), when, case_name, ", ".join(children.get(contact_id, ())),
                      room_name if room else place, ", ".join(workers.get(contact_id, ())), status, label))
    filters = {"from": start.isoformat() if start else "", "to": end.isoformat() if end else "",
               "status": status_filter, "room": room_id or "", "worker": worker_id or "", "mine": "1" if mine else "", "case": case_id or ""}
    return render("contacts/list.html", block="results", contacts=shown,
                  page=page, pages=pages, total=total, filters=filters,
                  rooms=_ALL_ROOMS.rows(), workers=_LIST_WORKERS.rows(user=user))
