"""Training events, registrations and attendance, caregivers' hours and plans.

Access, in short (every rule is in views/permissions.py or here, applied per request):

* Events are the organisation's offer: every staff member sees and edits them.
* Registrations belong to a family: staff see those of the families they may open
  (``visible_cases``) and change those of the families they may edit (``can_edit_case``);
  the others are only counted. An id of a registration outside those answers 404.
* A caregiver's education page opens for staff who may open one of the families the
  person is a caregiver of; plan and external training need the right to edit the
  governing family (the one whose agreement sets the duty).
* Caregivers use only the ``/education/my`` pages: their own record, their own
  registrations; they can sign up only themselves.
"""
import datetime
from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import IntegrityError, fn

from models import Case, CaseStatus, Member, MemberRole, Organisation, Person, Role, User, audit, db
from models import education_rules as rules
from models.education import (
    Attendance,
    EducationError,
    EducationPlan,
    EducationSettings,
    ExternalTraining,
    Registration,
    RegistrationStatus,
    TrainingEvent,
    cancel,
    caregiver_cases,
    event_counts,
    places_taken,
    progress_for,
    promote_waiting,
    record_attendance,
    register,
    settings_figures,
)

from ..formatting import clock_text
from ..formatting import date as date_text
from ..formatting import hours as hours_text
from ..htmx import hx_redirect, is_partial, render, with_trigger
from ..layout import template_globals
from ..pagination import paginate, paginate_prepared, with_total
from models.base import Prepared

from ..permissions import InVisibleCases, editable_case_ids, role_required, visible_cases
from . import bp
from .forms import (
    ATTENDANCE_LABELS,
    FORMAT_LABELS,
    LANGUAGE_LABELS,
    AttendanceForm,
    EventForm,
    ExternalTrainingForm,
    PlanForm,
    RegisterForm,
    SettingsForm,
    SignUpForm,
)

EVENTS_PER_PAGE = 20
AT_RISK_PER_PAGE = 50
STAFF = (Role.ADMIN, Role.STAFF)
EVENT_FIELDS = ("title", "topic", "description", "starts_at", "ends_at", "place", "online", "trainer",
                "capacity", "event_format", "language")


template_globals(bp, TRAINING_FORMAT_LABELS=FORMAT_LABELS, TRAINING_LANGUAGE_LABELS=LANGUAGE_LABELS,
                 ATTENDANCE_LABELS=ATTENDANCE_LABELS)


@bp.app_template_filter("minutes_as_hours")
def minutes_as_hours(minutes):
    """Whole minutes shown as hours with the right plural form ("1,5 hodiny")."""
    return hours_text(Decimal(minutes or 0) / 60)


@bp.app_template_filter("wall_datetime")
def wall_datetime(value):
    """An event's local wall-clock date and time (stored as entered, not UTC: no zone
    conversion), e.g. "8. 12. 2026 15:00"."""
    if not value:
        return ""
    return f"{date_text(value.date(), 'medium')} {clock_text(value.time())}"


@bp.app_template_filter("wall_time")
def wall_time(value, fmt="short"):
    return clock_text(value, fmt) if value else ""


def _now():
    return datetime.datetime.now()


def _hours(minutes):
    """Minutes as the Decimal hours a form shows."""
    return None if minutes is None else (Decimal(minutes) / 60).quantize(Decimal("0.01")).normalize()


# --- Scoping helpers ------------------------------------------------------------------------------


def _get_event_or_404(event_id):
    event = TrainingEvent.get_or_none(TrainingEvent.id == event_id)
    if event is None:
        abort(404)
    return event


def _get_registration_or_404(registration_id, edit=True):
    """A registration of a family the user may open (and edit); 404 / 403 otherwise."""
    registration = (
        Registration.select(Registration, Person, TrainingEvent)
        .join(Person).switch(Registration).join(TrainingEvent)
        .where((Registration.id == registration_id)
               & Registration.case.in_(visible_cases(current_user).select(Case.id)))
        .first()
    )
    if registration is None:
        abort(404)
    if edit and not editable_case_ids([registration.case_id]):
        abort(403)
    return registration


#: A caregiver of a family the user may open (views.permissions.InVisibleCases).
_VISIBLE_CAREGIVER = InVisibleCases(
    lambda cases, person_id: Person.select().where(
        (Person.id == person_id)
        & Person.id.in_(Member.select(Member.person).where(
            (Member.person == person_id) & (Member.role == MemberRole.CAREGIVER) & Member.case.in_(cases))))
    .limit(1),
    "person_id",
)


def _get_caregiver_or_404(person_id):
    """A caregiver of a family the user may open; 404 otherwise."""
    person = _VISIBLE_CAREGIVER.first(person_id=person_id)
    if person is None:
        abort(404)
    return person


def _own_person():
    """The signed-in caregiver's own person record (404 if the account has none)."""
    person = Person.for_account(current_user)
    if person is None:
        abort(404)
    return person


# --- Events ---------------------------------------------------------------------------------------


def _events_query(when):
    def build(now, limit, offset):
        # Only the columns the list shows (a description can be long; every column costs
        # its conversion on every row).
        query = TrainingEvent.select(TrainingEvent.id, TrainingEvent.title, TrainingEvent.topic,
                                     TrainingEvent.starts_at, TrainingEvent.duration_minutes,
                                     TrainingEvent.place, TrainingEvent.online, TrainingEvent.capacity)
        if when == "past":
            query = query.where(TrainingEvent.starts_at < now).order_by(TrainingEvent.starts_at.desc(),
                                                                        TrainingEvent.id.desc())
        else:
            query = query.where(TrainingEvent.starts_at >= now).order_by(TrainingEvent.starts_at, TrainingEvent.id)
        return with_total(query).limit(limit).offset(offset)

    return Prepared(build, "now", "limit", "offset")


#: A page of upcoming or past trainings, compiled once (models.base.Prepared).
_EVENTS = {when: _events_query(when) for when in ("upcoming", "past")}


@bp.route("/events")
@role_required(*STAFF)
def events():
    """The organisation's trainings, upcoming (soonest first) or past (latest first), paginated."""
    when = "past" if request.args.get("when") == "past" else "upcoming"
    listing = paginate_prepared(lambda **page: _EVENTS[when].all(now=_now(), **page), EVENTS_PER_PAGE)
    return render("education/events.html", block="results", events=listing.rows, page=listing.page,
                  pages=listing.pages, total=listing.total, when=when,
                  counts=event_counts([e.id for e in listing.rows]))


def _event_form_response(form, event, status):
    return render("education/event_form.html", form=form, event=event, status=status,
                  stale=getattr(form, "stale_event", None))


def _apply_event_form(event, form):
    form.copy_to(event, EVENT_FIELDS)
    event.duration_minutes = rules.to_minutes(form.duration.data)
    event.place = event.place if not event.online or event.place else ""


@bp.route("/events/new", methods=["GET", "POST"])
@role_required(*STAFF)
def event_create():
    """A new training event."""
    form = EventForm()
    if request.method == "GET":
        form.language.data = Organisation.current().default_language
        return _event_form_response(form, None, 200)
    if form.validate_on_submit():
        if form.starts_at.data <= _now():
            form.starts_at.errors.append(_("A new training cannot start in the past."))
        else:
            event = TrainingEvent(created_by=current_user)
            _apply_event_form(event, form)
            with db.atomic():
                event.save()
                audit.record(current_user, "create", event, summary=f"training {event.title}",
                             changes={k: [None, v] for k, v in audit.snapshot(event).items() if v not in (None, "")})
            flash(_("The training has been created."), "success")
            return redirect(url_for("education.event", event_id=event.id), 303)
    return _event_form_response(form, None, 422)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def event_edit(event_id):
    """Edit a training; a stale save is refused with the stored values shown. More places
    move people up from the waiting list."""
    event = _get_event_or_404(event_id)
    form = EventForm(obj=event)
    if request.method == "GET":
        form.version.data = event.version
        form.duration.data = _hours(event.duration_minutes)
        return _event_form_response(form, event, 200)
    if not form.validate_on_submit():
        return _event_form_response(form, event, 422)
    taken = places_taken(event)
    if form.capacity.data < taken:
        form.capacity.errors.append(_("%(num)d people already have a place; cancel registrations first.", num=taken))
        return _event_form_response(form, event, 422)
    attended = (Registration.select(fn.MAX(Registration.attended_minutes))
                .where(Registration.event == event).scalar() or 0)
    if rules.to_minutes(form.duration.data) < attended:
        form.duration.errors.append(_("Someone has already been credited %(hours)s; the training cannot credit less.",
                                      hours=minutes_as_hours(attended)))
        return _event_form_response(form, event, 422)
    before = audit.snapshot(event)
    expected = form.expected_version()
    _apply_event_form(event, form)
    with db.atomic("IMMEDIATE"):
        saved = expected is not None and event.save_if_version(expected)
        if saved:
            audit.record(current_user, "update", event, summary=f"training {event.title}",
                         changes=audit.diff(event, before))
            promote_waiting(event, current_user)
    if not saved:
        stale = TrainingEvent.get_by_id(event.id)
        form.version.data = stale.version
        form.stale_event = stale
        return _event_form_response(form, stale, 409)
    flash(_("The training has been saved."), "success")
    return redirect(url_for("education.event", event_id=event.id), 303)


def _event_context(event, **extra):
    """The event page: the registrations the user may see, the others only counted."""
    visible = visible_cases(current_user).select(Case.id)
    registrations = list(
        Registration.select(Registration, Person, Case)
        .join(Person).switch(Registration).join(Case)
        .where((Registration.event == event) & Registration.case.in_(visible))
        .order_by(Registration.status != RegistrationStatus.REGISTERED, Registration.queued_at, Registration.id)
    )
    counts = event_counts([event.id]).get(event.id, (0, 0))
    shown = sum(1 for r in registrations if r.status != RegistrationStatus.CANCELLED)
    editable = editable_case_ids({r.case_id for r in registrations})
    started = event.starts_at <= _now()
    forms = extra.pop("attendance_forms", {})
    for r in registrations:
        if started and r.status == RegistrationStatus.REGISTERED and r.case_id in editable and r.id not in forms:
            form = AttendanceForm(formdata=None, prefix=f"r{r.id}")
            form.attendance.data = r.attendance
            form.hours.data = _hours(r.attended_minutes) if r.attendance else _hours(event.duration_minutes)
            form.version.data = r.version
            forms[r.id] = form
    context = {
        "event": event,
        "registrations": registrations,
        "taken": counts[0],
        "waiting": counts[1],
        "others": max(0, counts[0] + counts[1] - shown),
        "editable": editable,
        "started": started,
        "attendance_forms": forms,
        "register_form": None,
        "register_error": None,
        "row_error": {},
    }
    context.update(extra)
    return context


@bp.route("/events/<int:event_id>")
@role_required(*STAFF)
def event(event_id):
    """One training: details, places, registrations with babysitting requests, attendance."""
    event = _get_event_or_404(event_id)
    return render("education/event.html", **_event_context(event))


def _registrations_response(event, status=200, **extra):
    response = render("education/event.html", block="registrations", status=status, **_event_context(event, **extra))
    return with_trigger(response, "registrationsChanged")


def _register_form(event, formdata=None):
    """Caregivers of the families the user may edit, for staff to register (loaded on demand)."""
    form = RegisterForm(formdata=formdata) if formdata is not None else RegisterForm(formdata=None)
    editable = editable_case_ids(
        c.id for c in visible_cases(current_user).select(Case.id).where(Case.status == CaseStatus.ACTIVE))
    rows = (
        Member.select(Member.person, Person.first_name, Person.last_name, Case.name)
        .join(Person).switch(Member).join(Case)
        .where(Member.case.in_(list(editable)) & (Member.role == MemberRole.CAREGIVER))
        .order_by(Person.search_name, Person.id)
        .tuples()
    )
    seen, choices = set(), []
    for person_id, first, last, case_name in rows:
        if person_id not in seen:
            seen.add(person_id)
            choices.append((person_id, f"{first} {last} ({case_name})"))
    form.person.choices = [(0, "—")] + choices
    return form


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@role_required(*STAFF)
def event_register(event_id):
    """Staff register a caregiver of one of their families (GET loads the form on demand)."""
    event = _get_event_or_404(event_id)
    if request.method == "GET":
        return _registrations_response(event, register_form=_register_form(event))
    form = _register_form(event, formdata=request.form)
    if not form.validate_on_submit():
        return _registrations_response(event, 422, register_form=form)
    person = Person.get_by_id(form.person.data)  # one of the choices: validated above
    cases = caregiver_cases([person.id]).get(person.id, [])
    editable = editable_case_ids(c.id for c in cases)
    case = rules.governing_case([c for c in cases if c.id in editable])
    if case is None:
        abort(403)
    try:
        register(event, person, case, current_user, waitlist=form.waitlist.data == "1",
                 babysitting=form.babysitting.data, note=form.babysitting_note.data)
    except EducationError as exc:
        return _registrations_response(event, 422, register_form=form, register_error=str(exc),
                                       offer_waitlist=places_taken(event) >= event.capacity)
    if not is_partial():
        flash(_("%(name)s has been registered.", name=person.full_name), "success")
        return redirect(url_for("education.event", event_id=event.id, _anchor="registrations"), 303)
    return _registrations_response(event)


@bp.route("/registrations/<int:registration_id>/attendance", methods=["POST"])
@role_required(*STAFF)
def attendance(registration_id):
    """Record attended hours, a no-show or an excuse for one registration (inline)."""
    registration = _get_registration_or_404(registration_id)
    event = registration.event
    form = AttendanceForm(prefix=f"r{registration.id}")
    error = None
    if form.validate_on_submit():
        minutes = rules.to_minutes(form.hours.data) if form.hours.data is not None else None
        try:
            before = record_attendance(registration, form.attendance.data, minutes, current_user, now=_now())
        except EducationError as exc:
            error = str(exc)
        else:
            expected = form.expected_version()
            with db.atomic():
                saved = expected is not None and registration.save_if_version(expected)
                if saved:
                    audit.record(current_user, "update", registration, case=registration.case_id,
                                 summary=f"training {event.title}: attendance of {registration.person.full_name}",
                                 changes=audit.diff(registration, before))
            if saved:
                if not is_partial():
                    flash(_("Attendance has been saved."), "success")
                    return redirect(url_for("education.event", event_id=event.id, _anchor="registrations"), 303)
                return _registrations_response(event, saved_row=registration.id)
            stored = Registration.get_by_id(registration.id)
            form.version.data = stored.version
            error = _("Someone else recorded attendance meanwhile: %(value)s. Save again to replace it.",
                      value=_attendance_text(stored))
            return _registrations_response(event, 409, attendance_forms={registration.id: form},
                                           row_error={registration.id: error})
    return _registrations_response(event, 422, attendance_forms={registration.id: form},
                                   row_error={registration.id: error} if error else {})


def _attendance_text(registration):
    if registration.attendance is None:
        return _("not recorded")
    label = str(ATTENDANCE_LABELS[registration.attendance])
    if registration.attendance == Attendance.ATTENDED:
        return f"{label}, {minutes_as_hours(registration.attended_minutes)}"
    return label


@bp.route("/registrations/<int:registration_id>/cancel", methods=["POST"])
@role_required(*STAFF)
def registration_cancel(registration_id):
    """Staff cancel a registration; the first on the waiting list gets the place."""
    registration = _get_registration_or_404(registration_id)
    event = registration.event
    try:
        cancel(registration, current_user, now=_now())
    except EducationError as exc:
        if not is_partial():
            flash(str(exc), "error")
            return redirect(url_for("education.event", event_id=event.id), 303)
        return _registrations_response(event, 422, row_error={registration.id: str(exc)})
    if not is_partial():
        flash(_("The registration has been cancelled."), "success")
        return redirect(url_for("education.event", event_id=event.id, _anchor="registrations"), 303)
    return _registrations_response(event)


@bp.route("/events/<int:event_id>/sheet")
@role_required(*STAFF)
def sheet(event_id):
    """A printable attendance sheet: everyone with a place, a column to sign."""
    event = _get_event_or_404(event_id)
    context = _event_context(event)
    context["attendees"] = [r for r in context["registrations"] if r.status == RegistrationStatus.REGISTERED]
    return render("education/sheet.html", **context)


# --- A caregiver's education (staff) --------------------------------------------------------------


def _person_context(person, **extra):
    """Everything the caregiver's education page shows, in a fixed number of queries."""
    today = datetime.date.today()
    progress = progress_for([person.id], today=today).get(person.id)
    context = {"person": person, "progress": progress, "today": today, "plan": None, "plan_form": None,
               "external_form": None, "can_edit": False, "stale_plan": None}
    if progress is None:
        context.update(extra)
        return context
    current = progress.current
    plans = {p.period_start: p for p in _PLANS_OF.all(person_id=person.id, case_id=progress.case.id)}
    plan = plans.get(current.start) if current else None
    context.update(
        plan=plan,
        plans=plans,
        can_edit=bool(editable_case_ids([progress.case.id])) if current_user.role_enum is not Role.CAREGIVER else False,
        registrations=_person_registrations(person),
        external=_EXTERNAL_OF.all(person_id=person.id),
    )
    if context["can_edit"]:
        if "plan_form" not in extra:
            form = PlanForm(formdata=None, obj=plan)
            form.version.data = plan.version if plan else 0
            context["plan_form"] = form
        if "external_form" not in extra:
            context["external_form"] = ExternalTrainingForm(formdata=None)
    context.update(extra)
    return context


# The caregiver's education page's own queries, compiled once (models.base.Prepared).
_PLANS_OF = Prepared(
    lambda person_id, case_id: EducationPlan.select().where(
        (EducationPlan.person == person_id) & (EducationPlan.case == case_id)),
    "person_id", "case_id",
)
_EXTERNAL_OF = Prepared(
    lambda person_id: ExternalTraining.select().where(ExternalTraining.person == person_id)
    .order_by(ExternalTraining.date.desc(), ExternalTraining.id.desc()),
    "person_id",
)
_REGISTRATIONS_OF = Prepared(
    lambda person_id: Registration.select(Registration, TrainingEvent).join(TrainingEvent)
    .where((Registration.person == person_id) & (Registration.status != RegistrationStatus.CANCELLED))
    .order_by(TrainingEvent.starts_at.desc(), Registration.id.desc()),
    "person_id",
)


def _person_registrations(person):
    """The person's registrations (not cancelled), newest event first."""
    return _REGISTRATIONS_OF.all(person_id=person.id)


@bp.route("/people/<int:person_id>")
@role_required(*STAFF)
def person(person_id):
    """A caregiver's education: current period, hours, plan, registrations, history, external."""
    person = _get_caregiver_or_404(person_id)
    return render("education/person.html", **_person_context(person))


def _editable_progress(person):
    """The person's progress, refusing users who may not edit the governing family."""
    context = _person_context(person)
    if context["progress"] is None or context["progress"].current is None:
        abort(404)
    if not context["can_edit"]:
        abort(403)
    return context


@bp.route("/people/<int:person_id>/plan", methods=["POST"])
@role_required(*STAFF)
def plan_save(person_id):
    """Save the current period's plan (topics agreed with the caregiver); versioned."""
    person = _get_caregiver_or_404(person_id)
    context = _editable_progress(person)
    progress, plan = context["progress"], context["plan"]
    form = PlanForm()
    if not form.validate_on_submit():
        return render("education/person.html", block="plan", status=422, **_person_context(person, plan_form=form))
    expected = form.expected_version()
    created = plan is None
    if created:
        plan = EducationPlan(person=person, case=progress.case.id, period_start=progress.current.start)
    before = audit.snapshot(plan)
    form.copy_to(plan, ("topics", "agreed_on"))
    saved = False
    try:
        with db.atomic():
            if created:
                saved = expected == 0
                if saved:
                    plan.save()
            else:
                saved = expected is not None and plan.save_if_version(expected)
            if saved:
                audit.record(current_user, "create" if created else "update", plan, case=progress.case.id,
                             summary=f"education plan of {person.full_name}", changes=audit.diff(plan, before))
    except IntegrityError:
        saved = False  # created by someone else at the same moment
    if not saved:
        stored = EducationPlan.get_or_none(
            (EducationPlan.person == person) & (EducationPlan.case == progress.case.id)
            & (EducationPlan.period_start == progress.current.start))
        form.version.data = stored.version if stored else 0
        return render("education/person.html", block="plan", status=409,
                      **_person_context(person, plan_form=form, stale_plan=stored))
    if not is_partial():
        flash(_("The education plan has been saved."), "success")
        return redirect(url_for("education.person", person_id=person.id, _anchor="plan"), 303)
    return render("education/person.html", block="plan", **_person_context(person, plan_saved=True))


@bp.route("/people/<int:person_id>/external", methods=["POST"])
@role_required(*STAFF)
def external_add(person_id):
    """Record hours completed with another provider."""
    person = _get_caregiver_or_404(person_id)
    context = _editable_progress(person)
    form = ExternalTrainingForm()
    if not form.validate_on_submit():
        return render("education/person.html", block="education", status=422,
                      **_person_context(person, external_form=form))
    with db.atomic():
        row = ExternalTraining.create(
            person=person, case=context["progress"].case.id, provider=form.provider.data.strip(),
            topic=form.topic.data.strip(), date=form.date.data, minutes=rules.to_minutes(form.hours.data),
            note=(form.note.data or "").strip(), recorded_by=current_user)
        audit.record(current_user, "create", row, case=context["progress"].case.id,
                     summary=f"external training of {person.full_name}: {row.topic}")
    if not is_partial():
        flash(_("The external training has been recorded."), "success")
        return redirect(url_for("education.person", person_id=person.id, _anchor="external"), 303)
    return render("education/person.html", block="education", **_person_context(person))


@bp.route("/people/<int:person_id>/external/<int:external_id>/delete", methods=["POST"])
@role_required(*STAFF)
def external_delete(person_id, external_id):
    """Remove an external training recorded by mistake."""
    person = _get_caregiver_or_404(person_id)
    context = _editable_progress(person)
    row = ExternalTraining.get_or_none((ExternalTraining.id == external_id) & (ExternalTraining.person == person))
    if row is None:
        abort(404)
    with db.atomic():
        audit.record(current_user, "delete", row, case=context["progress"].case.id,
                     summary=f"external training of {person.full_name}: {row.topic}",
                     changes={k: [v, None] for k, v in audit.snapshot(row).items()})
        row.delete_instance()
    if not is_partial():
        flash(_("The external training has been removed."), "success")
        return redirect(url_for("education.person", person_id=person.id, _anchor="external"), 303)
    return render("education/person.html", block="education", **_person_context(person))


def _statement_context(person):
    """The statement of one period (``?period=`` its first day; default the current one)."""
    progress = progress_for([person.id]).get(person.id)
    if progress is None or not progress.periods:
        abort(404)
    chosen = progress.current
    wanted = request.args.get("period")
    if wanted:
        try:
            chosen = progress.period_at(datetime.date.fromisoformat(wanted))
        except ValueError:
            chosen = None
        if chosen is None:
            abort(404)
    start = datetime.datetime.combine(chosen.start, datetime.time())
    end = datetime.datetime.combine(chosen.end + datetime.timedelta(days=1), datetime.time())
    attended = list(
        Registration.select(Registration, TrainingEvent).join(TrainingEvent)
        .where((Registration.person == person) & (Registration.attendance == Attendance.ATTENDED)
               & (TrainingEvent.starts_at >= start) & (TrainingEvent.starts_at < end))
        .order_by(TrainingEvent.starts_at)
    )
    external = list(ExternalTraining.select().where(
        (ExternalTraining.person == person) & (ExternalTraining.date >= chosen.start)
        & (ExternalTraining.date <= chosen.end)).order_by(ExternalTraining.date))
    return {"person": person, "progress": progress, "summary": chosen, "attended": attended,
            "external": external, "org": Organisation.current(), "today": datetime.date.today()}


@bp.route("/people/<int:person_id>/statement")
@role_required(*STAFF)
def statement(person_id):
    """A printable statement of a caregiver's hours in one period (for the OSPOD report)."""
    person = _get_caregiver_or_404(person_id)
    return render("education/statement.html", **_statement_context(person))


# --- Lists ----------------------------------------------------------------------------------------


def _caregivers_of_active_cases(cases, key_worker=None):
    """Caregivers of the active families among ``cases`` (of one key worker, if given)."""
    active = Case.select(Case.id).where(Case.id.in_(cases) & (Case.status == CaseStatus.ACTIVE))
    if key_worker is not None:
        active = active.where(Case.key_worker == key_worker)
    return (
        Member.select(Member.person, Person.first_name, Person.last_name, Case.id, Case.name, Case.key_worker)
        .join(Person).switch(Member).join(Case)
        .where(Member.case.in_(active) & (Member.role == MemberRole.CAREGIVER))
        .order_by(Person.search_name, Person.id)
        .tuples()
    )


# The at-risk list's queries, compiled once per scope (views.permissions.InVisibleCases).
_CAREGIVERS_IN_VIEW = InVisibleCases(_caregivers_of_active_cases)
_CAREGIVERS_OF_KEY_WORKER = InVisibleCases(_caregivers_of_active_cases, "key_worker")
_ACTIVE_KEY_WORKERS = InVisibleCases(
    lambda cases: User.select(User.id, User.full_name)
    .where(User.id.in_(Case.select(Case.key_worker).where(Case.id.in_(cases) & (Case.status == CaseStatus.ACTIVE))))
    .order_by(User.full_name).tuples()
)


@bp.route("/at-risk")
@role_required(*STAFF)
def at_risk():
    """Caregivers short of hours with little of the period left: the user's families, or
    one key worker's (``?key_worker=``); administrators and readers see the organisation."""
    today = datetime.date.today()
    key_worker = request.args.get("key_worker", type=int)
    if key_worker:
        rows = _CAREGIVERS_OF_KEY_WORKER.all(key_worker=key_worker)
    else:
        rows = _CAREGIVERS_IN_VIEW.all()
    people = {}
    for person_id, first, last, case_id, case_name, worker in rows:
        people.setdefault(person_id, (f"{first} {last}", case_name, worker))
    _figures, _overrides, months = settings_figures()
    progress = progress_for(list(people), today=today, only_current_candidates=True)
    found = [
        (person_id, people[person_id], p) for person_id, p in progress.items()
        if rules.at_risk(p.current, today, months)
    ]
    found.sort(key=lambda item: (item[2].current.end, item[1][0]))
    workers = _ACTIVE_KEY_WORKERS.all()
    page = max(1, request.args.get("page", 1, type=int))
    pages = max(1, -(-len(found) // AT_RISK_PER_PAGE))
    page = min(page, pages)
    return render("education/at_risk.html", block="results",
                  rows=found[(page - 1) * AT_RISK_PER_PAGE:page * AT_RISK_PER_PAGE], total=len(found),
                  page=page, pages=pages, months=months, today=today, workers=workers,
                  key_worker=key_worker or "", worker_names=dict(workers))




@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings():
    """The organisation's own education figures over the country rules (administrators)."""
    row = EducationSettings.current()
    figures = Organisation.current().profile.figures
    form = SettingsForm(formdata=request.form if request.method == "POST" else None)
    stale = None
    if request.method == "GET":
        form.version.data = row.version
        form.standard_hours.data = _hours(row.standard_minutes)
        form.kinship_hours.data = _hours(row.kinship_minutes)
        form.at_risk_months.data = row.at_risk_months
    elif form.validate_on_submit():
        before = audit.snapshot(row)
        expected = form.expected_version()
        row.standard_minutes = rules.to_minutes(form.standard_hours.data) if form.standard_hours.data is not None else None
        row.kinship_minutes = rules.to_minutes(form.kinship_hours.data) if form.kinship_hours.data is not None else None
        row.at_risk_months = form.at_risk_months.data
        saved = audit.save_versioned(current_user, row, before, expected, summary="education figures")
        if saved:
            flash(_("The education figures have been saved."), "success")
            return redirect(url_for("education.settings"), 303)
        stale = EducationSettings.get_by_id(row.id)
        form.version.data = stale.version
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render("education/settings.html", form=form, figures=figures, stale=stale, status=status,
                  org=Organisation.current())


# --- Caregivers ---------------------------------------------------------------------------------


@bp.route("/my")
@role_required(Role.CAREGIVER)
def my_home():
    """The caregiver's own education: plan, progress, registrations, history."""
    me = _own_person()
    return render("education/my.html", now=_now(), **_person_context(me))


@bp.route("/my/events")
@role_required(Role.CAREGIVER)
def my_events():
    """Upcoming trainings to sign up for, with the caregiver's own registrations marked."""
    me = _own_person()
    query = TrainingEvent.select().where(TrainingEvent.starts_at > _now()).order_by(TrainingEvent.starts_at, TrainingEvent.id)
    listing = paginate(query, EVENTS_PER_PAGE)
    ids = [e.id for e in listing.rows]
    mine = {r.event_id: r for r in Registration.select().where(
        (Registration.person == me) & Registration.event.in_(ids) & (Registration.status != RegistrationStatus.CANCELLED))}
    return render("education/my_events.html", block="events", events=listing.rows, page=listing.page, pages=listing.pages,
                  total=listing.total, counts=event_counts(ids), mine=mine, me=me,
                  form=SignUpForm(formdata=None), error_event=None, error=None)


@bp.route("/my/events/<int:event_id>/register", methods=["POST"])
@role_required(Role.CAREGIVER)
def my_register(event_id):
    """Sign up for a training (only oneself), optionally asking for babysitting."""
    me = _own_person()
    event = _get_event_or_404(event_id)
    form = SignUpForm()
    error = None
    if not form.validate_on_submit():
        error = _("Please check your input.")
    elif form.person.data and form.person.data != str(me.id):
        error = _("You can sign up only yourself. Ask your key worker to register someone else.")
    else:
        case = rules.governing_case(caregiver_cases([me.id]).get(me.id, []))
        if case is None:
            error = _("Your account is not linked to an active family; please contact your organisation.")
        else:
            try:
                registration = register(event, me, case, current_user, waitlist=form.waitlist.data == "1",
                                        babysitting=form.babysitting.data, note=form.babysitting_note.data)
            except EducationError as exc:
                error = str(exc)
            else:
                from models import Notification

                if case.key_worker_id and registration.babysitting:
                    Notification.send(case.key_worker_id, "training_babysitting_requested",
                                      link=url_for("education.event", event_id=event.id),
                                      name=me.full_name, case=case.name, event=event.title,
                                      date=event.starts_at.date().isoformat())
                if registration.status == RegistrationStatus.WAITING:
                    flash(_("You are on the waiting list. We will tell you when a place frees up."), "success")
                else:
                    flash(_("You have signed up for the training."), "success")
                return hx_redirect(url_for("education.my_events"))
    if error:
        return _my_events_error(me, event, form, error)
    return hx_redirect(url_for("education.my_events"))


def _my_events_error(me, event, form, error):
    """The sign-up list again with the error beside the event (422)."""
    query = TrainingEvent.select().where(TrainingEvent.starts_at > _now()).order_by(TrainingEvent.starts_at, TrainingEvent.id)
    listing = paginate(query, EVENTS_PER_PAGE)
    ids = [e.id for e in listing.rows]
    if event.id not in ids:
        listing.rows.insert(0, event)
        ids.insert(0, event.id)
    mine = {r.event_id: r for r in Registration.select().where(
        (Registration.person == me) & Registration.event.in_(ids) & (Registration.status != RegistrationStatus.CANCELLED))}
    counts = event_counts(ids)
    return render("education/my_events.html", block="events", status=422, events=listing.rows, page=listing.page,
                  pages=listing.pages, total=listing.total, counts=counts, mine=mine, me=me, form=form,
                  error_event=event.id, error=error,
                  offer_waitlist=counts.get(event.id, (0, 0))[0] >= event.capacity)


@bp.route("/my/registrations/<int:registration_id>/cancel", methods=["POST"])
@role_required(Role.CAREGIVER)
def my_cancel(registration_id):
    """Cancel one's own registration; the key worker is told, a waiting person moves up."""
    me = _own_person()
    registration = Registration.get_or_none((Registration.id == registration_id) & (Registration.person == me))
    if registration is None:
        abort(404)
    if registration.event.starts_at <= _now():
        flash(_("The training has already started; please tell your key worker instead."), "error")
        return hx_redirect(url_for("education.my_home"))
    try:
        cancel(registration, current_user, by_caregiver=True, now=_now())
    except EducationError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Your registration has been cancelled. Your key worker has been told."), "success")
    return hx_redirect(request.form.get("next") == "events" and url_for("education.my_events")
                       or url_for("education.my_home"))


@bp.route("/my/statement")
@role_required(Role.CAREGIVER)
def my_statement():
    """The caregiver's own printable statement of hours for a period."""
    me = _own_person()
    return render("education/statement.html", **_statement_context(me))

