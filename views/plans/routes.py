"""Care plans: the staff plan page with inline editing (htmx, and plain forms without JS),
reviews, approval, approved versions, comparison and print; the caregiver's read-only plan
with the acknowledgement; the areas of needs (administrators).

Every case-bearing view loads its case through ``get_case_or_404`` (staff: their caseload;
caregivers: their own family), and every nested record is looked up within that case's
plan, so an id from another family answers 404. Staff views are closed to caregivers
(403); the caregiver views are closed to staff, and show only the approved version.
"""
import datetime

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2.filters import do_truncate
from jinja2_fragments.flask import render_block
from peewee import JOIN, fn

from models import Member, MemberRole, Organisation, Person, Role, TeamMember, User, audit, db
from models import plan_rules as rules
from models.base import Prepared, id_list, versions_stamp
from models.plan_rules import PlanRuleError
from models.plans import (
    ActionStatus,
    CarePlan,
    PlanAcknowledgement,
    PlanAction,
    PlanArea,
    PlanGoal,
    PlanNeed,
    PlanReview,
    PlanReviewGoal,
    PlanVersion,
    Responsible,
)

from ..formatting import date as format_day
from ..forms import posted_version
from ..htmx import hx_redirect, is_partial, render, with_trigger
from ..layout import id_url, template_globals
from ..permissions import can_edit_case, get_case_or_404, role_required
from . import bp
from .forms import (
    ACK_LABELS,
    NEED_KIND_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    AcknowledgeForm,
    ActionForm,
    AreaForm,
    GoalForm,
    NeedForm,
    NewAreaForm,
    PlanDetailsForm,
    review_form_class,
)

STAFF = (Role.ADMIN, Role.STAFF)
PLAN_TEMPLATE = "plans/plan.html"
DETAIL_FIELDS = ("starts_on", "summary", "child_view", "external_body", "external_date",
                 "external_reference", "staff_notes")
MEMBER_KINDS = {MemberRole.CAREGIVER: Responsible.CAREGIVER, MemberRole.CHILD: Responsible.CHILD}
#: Labels of the fields a comparison shows.
FIELD_LABELS = {
    "starts_on": _l("The plan applies from"),
    "summary": _l("What we agreed with the family"),
    "child_view": _l("The child's own view"),
    "external_body": _l("Issued by"),
    "external_date": _l("Date of the external plan"),
    "external_reference": _l("Reference"),
    "kind": _l("Kind"),
    "description": _l("Description"),
    "area_code": _l("Area"),
    "area_name": _l("Area"),
    "title": _l("Goal"),
    "client_proposed": _l("Proposed by the family or the child"),
    "goal": _l("Goal"),
    "responsible_kind": _l("Who is responsible"),
    "responsible": _l("Who is responsible"),
    "deadline": _l("Deadline"),
    "expected_effect": _l("Expected effect"),
    "status": _l("Status"),
    "progress_note": _l("Progress note"),
    "progress_on": _l("Progress note"),
}


def _status_labels():
    """The statuses' labels translated once (a lazy label is translated at every use)."""
    return {value: str(label) for value, label in STATUS_LABELS.items()}


RESPONSIBLE_LABELS = {
    Responsible.STAFF: _l("Staff member"),
    Responsible.CAREGIVER: _l("Caregiver"),
    Responsible.FAMILY_MEMBER: _l("Family member"),
    Responsible.CHILD: _l("Child"),
    Responsible.PARTNER: _l("Outside partner"),
}
DATE_FIELDS = {"starts_on", "external_date", "deadline", "progress_on"}


def _plan_date(iso):
    """A date of a snapshot (ISO text) in the reader's format."""
    return format_day(datetime.date.fromisoformat(iso)) if iso else "—"


def _plan_value(name, value):
    """A snapshot value as a reader should see it (dates, statuses, yes/no in words)."""
    if value in (None, ""):
        return "—"
    if name in DATE_FIELDS:
        return _plan_date(value)
    if name == "status":
        return STATUS_LABELS.get(value, value)
    if name == "kind":
        return NEED_KIND_LABELS.get(value, value)
    if name == "responsible_kind":
        return RESPONSIBLE_LABELS.get(value, value)
    if name == "client_proposed":
        return _("Yes") if value else _("No")
    if name == "area_code":
        return rules.area_label(value)
    return value


# Labels the plan templates (and the panels on other pages) share.
template_globals(
    bp,
    PLAN_STATUS_LABELS=STATUS_LABELS,
    PLAN_OUTCOME_LABELS=OUTCOME_LABELS,
    PLAN_NEED_KIND_LABELS=NEED_KIND_LABELS,
    PLAN_ACK_LABELS=ACK_LABELS,
    plan_area_label=rules.area_label,
    plan_field_label=lambda name: FIELD_LABELS.get(name, name),
    plan_value=_plan_value,
    plan_date=_plan_date,
    plan_status_labels=_status_labels,
)


# --- Loading -------------------------------------------------------------------------------


_PLAN_OF_CASE = Prepared(lambda case_id: CarePlan.select().where(CarePlan.case == case_id).limit(1), "case_id")
#: The approved versions of a plan, newest first (the snapshot is read of the latest only).
_VERSIONS = Prepared(
    lambda plan_id: PlanVersion.select(PlanVersion.id, PlanVersion.plan, PlanVersion.number,
                                       PlanVersion.approved_by_name, PlanVersion.approved_at, PlanVersion.snapshot)
    .where(PlanVersion.plan == plan_id).order_by(PlanVersion.number.desc()),
    "plan_id")
#: The answers to every version of a plan.
_ACKS = Prepared(
    lambda plan_id: PlanAcknowledgement.select(
        PlanAcknowledgement.id, PlanAcknowledgement.plan_version, PlanAcknowledgement.name,
        PlanAcknowledgement.response, PlanAcknowledgement.comment, PlanAcknowledgement.at).join(PlanVersion)
    .where(PlanVersion.plan == plan_id).order_by(PlanAcknowledgement.at),
    "plan_id")
_REVIEWS = Prepared(
    lambda plan_id: PlanReview.select(PlanReview.id, PlanReview.reviewed_on, PlanReview.participants,
                                      PlanReview.next_review_on).where(PlanReview.plan == plan_id)
    .order_by(PlanReview.reviewed_on.desc(), PlanReview.id.desc()),
    "plan_id")
#: Staff who may carry out an action: the given ids and the case's team.
_STAFF_CHOICES = Prepared(
    lambda ids, case_id: User.select(User.id, User.full_name)
    .where(User.id.in_(id_list(ids)) | User.id.in_(TeamMember.select(TeamMember.user).where(TeamMember.case == case_id)))
    .order_by(User.full_name, User.id),
    "ids", "case_id")


def _plan_of(case):
    return _PLAN_OF_CASE.first(case_id=case.id)


def _plan_or_404(case):
    plan = _plan_of(case)
    if plan is None:
        abort(404)
    return plan


def _staff_case(case_id, edit=False):
    """The case (staff scoping) and its plan; 404 without a plan."""
    case = get_case_or_404(case_id, edit=edit)
    return case, _plan_or_404(case)


def _child_of(plan, model, item_id):
    """A need, goal or action of ``plan`` (404 when it belongs to another plan)."""
    item = model.get_or_none((model.id == item_id) & (model.plan == plan))
    if item is None:
        abort(404)
    return item


def _area_choices(case, include=None):
    """Areas offered in a form: those of the family's legal system (its kind of case), the
    active ones plus the record's own if it was hidden."""
    choices = [(0, "—")]
    if "plan_areas" not in g:  # several forms of one page share the list
        g.plan_areas = rules.areas(case.country, active_only=False)
    for area in g.plan_areas:
        if area.active or area.id == include:
            choices.append((area.id, rules.area_label(area.code, area.name)))
    return choices


def _responsible_choices(case, action=None, names=None):
    """Who may carry out an action: the case's staff, the family's members, a partner.

    ``names`` (plan_rules.member_names) saves the members' query when already loaded."""
    staff_ids = {case.key_worker_id, current_user.id}  # and the team (in the query)
    if action is not None and action.responsible_user_id:
        staff_ids.add(action.responsible_user_id)
    staff_ids.discard(None)
    staff = _STAFF_CHOICES.all(ids=sorted(staff_ids), case_id=case.id)
    from ..cases.forms import ROLE_LABELS

    names = rules.member_names(case) if names is None else names
    members = sorted(names.items(), key=lambda item: (item[1][2], item[1][0]))
    choices = [(f"user-{u.id}", _("%(name)s (staff)", name=u.full_name)) for u in staff]
    choices += [(f"member-{mid}", f"{name} ({ROLE_LABELS[role]})") for mid, (name, _pid, role) in members]
    choices.append(("partner", _("An outside partner (name below)")))
    return choices


def _responsible_value(action):
    if action.responsible_kind == Responsible.STAFF and action.responsible_user_id:
        return f"user-{action.responsible_user_id}"
    if action.responsible_kind == Responsible.PARTNER:
        return "partner"
    if action.responsible_member_id:
        return f"member-{action.responsible_member_id}"
    return ""


def _apply_responsible(action, form, case):
    """Set who is responsible from the form's choice (only choices offered are accepted)."""
    value = form.responsible.data or ""
    if value not in {v for v, _label in form.responsible.choices}:
        abort(400)
    action.responsible_user = action.responsible_member = None
    action.responsible_name = ""
    if value == "partner":
        action.responsible_kind = Responsible.PARTNER
        action.responsible_name = (form.responsible_name.data or "").strip()
    elif value.startswith("user-"):
        action.responsible_kind = Responsible.STAFF
        action.responsible_user = int(value[5:])
    else:
        member = Member.get_or_none((Member.id == int(value[7:])) & (Member.case == case))
        if member is None:
            abort(400)
        action.responsible_kind = MEMBER_KINDS.get(member.role, Responsible.FAMILY_MEMBER)
        action.responsible_member = member


def _action_form(case, action=None, formdata=None, goal=None, choices=None):
    if formdata is not None:
        form = ActionForm(formdata=formdata)
    elif action is not None:
        form = ActionForm(formdata=None, obj=action)
        form.version.data = action.version
        form.responsible.data = _responsible_value(action)
    else:
        form = ActionForm(formdata=None)
        form.responsible.data = f"user-{case.key_worker_id or current_user.id}"
    form.responsible.choices = choices if choices is not None else _responsible_choices(case, action)
    # Ids are per goal, so that several add-action forms can be on one page.
    prefix = f"a{action.id}-" if action is not None else f"g{goal.id}-" if goal is not None else ""
    if prefix:
        _prefix_ids(form, prefix)
    return form


def _prefix_ids(form, prefix):
    """Give a form's fields unique ids (several forms of a kind are on one page)."""
    for f in form:
        f.id = prefix + f.name
        f.label.field_id = f.id


def _check_action(plan, form):
    """Add the plan's rules to the form's errors; True when the action may be saved."""
    valid = form.validate()
    problems = rules.action_errors(plan, form.description.data, form.deadline.data, form.expected_effect.data)
    for name, message in problems.items():
        if not form[name].errors:
            form[name].errors = list(form[name].errors) + [message]
    return valid and not problems


def _plan_context(case, plan, **extra):
    """Everything the plan page and its fragments show (a fixed number of queries)."""
    context = {"case": case, "plan": plan, "can_edit": can_edit_case(current_user, case),
               "today": datetime.date.today(), "oob": False}
    if plan is None:
        context.update(extra)
        return context
    goals = rules.goal_rows(plan)
    actions = rules.action_rows(plan)
    names = rules.member_names(case)
    by_goal = {}
    name_of = {k: v[0] for k, v in names.items()}
    env = current_app.jinja_env
    action_url = {part: id_url(f"plans.action_{part}", "action_id", case_id=case.id)
                  for part in ("status", "move", "edit", "delete")}
    dates = {}

    def date_text(value):
        if value not in dates:
            dates[value] = format_day(value)
        return dates[value]

    for action in actions:
        action.responsible_label = rules.responsible_display(action, name_of)
        action.overdue = rules.action_overdue(action, context["today"])
        action.short = do_truncate(env, action.description, 40)
        action.deadline_text = date_text(action.deadline) if action.deadline else "—"
        action.progress_text = date_text(action.progress_on) if action.progress_on else ""
        action.url_status = action_url["status"](action.id)
        action.url_move = action_url["move"](action.id)
        action.url_edit = action_url["edit"](action.id)
        action.url_delete = action_url["delete"](action.id)
        by_goal.setdefault(action.goal_id, []).append(action)
    goal_url = {part: id_url(f"plans.goal_{part}", "goal_id", case_id=case.id) for part in ("move", "edit", "delete")}
    goal_url["new_action"] = id_url("plans.action_new", "goal_id", case_id=case.id)
    for goal in goals:
        goal.short = do_truncate(env, goal.title, 40)
        goal.url_move = goal_url["move"](goal.id)
        goal.url_edit = goal_url["edit"](goal.id)
        goal.url_delete = goal_url["delete"](goal.id)
        goal.url_new_action = goal_url["new_action"](goal.id)
        goal.actions_stamp = versions_stamp(by_goal.get(goal.id, ()))
    versions = _VERSIONS.all(plan_id=plan.id)
    if versions:
        # Each version is named and linked several times in the page: prepared once.
        version_url = id_url("plans.version", "number", case_id=case.id)
        print_url = id_url("plans.print_version", "number", case_id=case.id)
        name = get_translations().ugettext("Version %(number)d")
        for v in versions:
            v.label = name % {"number": v.number}
            v.url = version_url(v.number)
            v.print_url = print_url(v.number)
    acks = {}
    if versions:
        for ack in _ACKS.all(plan_id=plan.id):
            acks.setdefault(ack.plan_version_id, []).append(ack)
    latest = versions[0] if versions else None
    needs = rules.ordered_needs(plan)
    changes = None
    if latest:
        draft = rules.snapshot(plan, case, names=names, needs=needs, goals=goals, actions=actions)
        changes = rules.compare(latest.data, draft)
    reviews = _REVIEWS.all(plan_id=plan.id)
    review_url = id_url("plans.review", "review_id", case_id=case.id)
    for r in reviews:
        r.url = review_url(r.id)
    context.update(
        needs=needs,
        goals=goals,
        actions_by_goal=by_goal,
        overdue_count=sum(1 for a in actions if a.overdue),
        review_overdue=rules.review_overdue(plan, context["today"]),
        versions=versions,
        acks=acks,
        latest=latest,
        changes=changes,
        reviews=reviews,
        interval=rules.review_interval_months(case),
        # The family's legal system (its kind of case), which may differ from the
        # organisation's in a mixed demo: it names the external plan and the required fields.
        country=case.country,
        expected_effect_required=bool(rules.figure("plan_expected_effect_required", case)),
        csrf=generate_csrf(),
        status_labels=_status_labels(),
    )
    # The add forms are built only when one comes back with errors; otherwise the page
    # links to need_new, goal_new and action_new (htmx swaps the form in).
    context["need_form"] = extra.pop("need_form", None)
    context["goal_form"] = extra.pop("goal_form", None)
    failed = extra.pop("action_form", None)
    failed_goal = extra.pop("action_goal_id", None)
    context["action_forms"] = {failed_goal: failed} if failed is not None else {}
    context.update(extra)
    return context


def _need_form(case, formdata=None, need=None):
    """The add form (ids ``need-…``) or a need's inline edit form (ids ``n<id>-…``)."""
    form = NeedForm(formdata=formdata) if formdata is not None else NeedForm(formdata=None, obj=need)
    form.area.choices = _area_choices(case, need.area_id if need else None)
    if need is not None and formdata is None:
        form.version.data = need.version
        form.area.data = need.area_id or 0
    _prefix_ids(form, f"n{need.id}-" if need is not None else "need-")
    return form


def _goal_form(case, formdata=None, goal=None):
    """The add form (ids ``goal-…``) or a goal's inline edit form (ids ``gl<id>-…``)."""
    form = GoalForm(formdata=formdata) if formdata is not None else GoalForm(formdata=None, obj=goal)
    form.area.choices = _area_choices(case, goal.area_id if goal else None)
    if goal is not None and formdata is None:
        form.version.data = goal.version
        form.area.data = goal.area_id or 0
    _prefix_ids(form, f"gl{goal.id}-" if goal is not None else "goal-")
    return form


def _fragment(case, plan, block, status=200, **extra):
    """One section of the plan page plus the plan's state (approval, overdue) out of band."""
    context = _plan_context(case, plan, **extra)
    body = render_block(PLAN_TEMPLATE, block, **context)
    if block != "state":
        body += render_block(PLAN_TEMPLATE, "state", **{**context, "oob": True})
    body += render_template("_flash_oob.html")
    return with_trigger(make_response(body, status), "planChanged")


def _done(case, plan, block, anchor, message=None):
    """After a successful write: the section for htmx, back to the plan page otherwise."""
    if message:
        flash(message, "success")  # htmx: shown at once through the out-of-band message area
    if not is_partial():
        return redirect(url_for("plans.plan", case_id=case.id, _anchor=anchor), 303)
    return _fragment(case, plan, block)


def _failed(case, plan, block, status, **extra):
    """A refused write: the section with the form and its errors, or the whole page."""
    if is_partial():
        return _fragment(case, plan, block, status=status, **extra)
    return render(PLAN_TEMPLATE, status=status, **_plan_context(case, plan, **extra))


def _removal_refused(case, plan, block, anchor, message):
    """A refused removal: the section as it is now (htmx, 409) or the plan page at the
    item, with ``message`` in the message area either way."""
    flash(message, "error")
    if is_partial():
        return _fragment(case, plan, block, status=409)
    return redirect(url_for("plans.plan", case_id=case.id, _anchor=anchor), 303)


def _next_position(model, **where):
    query = model.select(fn.MAX(model.position))
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return (query.scalar() or 0) + 1


# --- The plan page -------------------------------------------------------------------------


@bp.route("/<int:case_id>")
@role_required(*STAFF)
def plan(case_id):
    """The family's care plan: the draft with inline editing, reviews, approved versions."""
    case = get_case_or_404(case_id)
    plan = _plan_of(case)
    if plan is not None:
        with db.atomic():
            audit.record(current_user, "view", plan, case=case, summary="care plan")
    return render(PLAN_TEMPLATE, **_plan_context(case, plan))


@bp.route("/<int:case_id>/start", methods=["POST"])
@role_required(*STAFF)
def start(case_id):
    """Start the family's plan (once: a second start just opens it)."""
    case = get_case_or_404(case_id, edit=True)
    with db.atomic():
        plan = _plan_of(case)
        if plan is None:
            today = datetime.date.today()
            plan = CarePlan.create(case=case, starts_on=today, created_by=current_user,
                                   next_review_on=rules.default_next_review(today, case))
            audit.record(current_user, "create", plan, case=case, summary="care plan started")
    flash(_("The care plan has been started. Add the needs, goals and actions, then approve it."), "success")
    return hx_redirect(url_for("plans.plan", case_id=case.id))


@bp.route("/<int:case_id>/details", methods=["GET", "POST"])
@role_required(*STAFF)
def details(case_id):
    """The plan's texts, start and external plan (IPOD / plan pomocy dziecku)."""
    case, plan = _staff_case(case_id, edit=True)
    stale = None
    if request.method == "GET":
        form = PlanDetailsForm(formdata=None, obj=plan)
        form.version.data = plan.version
        return render(PLAN_TEMPLATE, block="details", **_plan_context(case, plan, details_form=form))
    form = PlanDetailsForm()
    if form.validate():
        # The start may not move past a deadline already in the plan.
        earlier = PlanAction.select().where((PlanAction.plan == plan) & (PlanAction.deadline < form.starts_on.data))
        if earlier.exists():
            form.starts_on.errors.append(_("Some actions have deadlines before this date. Change them first."))
        else:
            before = audit.snapshot(plan)
            expected = form.expected_version()
            form.copy_to(plan, DETAIL_FIELDS)
            with db.atomic():
                saved = expected is not None and plan.save_if_version(expected)
                if saved:
                    rules.refresh_next_review(plan)
                    audit.record(current_user, "update", plan, case=case, changes=audit.diff(plan, before))
            if saved:
                return _done(case, plan, "details", "plan-details", _("The plan has been saved."))
            stale = CarePlan.get_by_id(plan.id)
            form.version.data = stale.version
            plan = stale
    status = 409 if stale else 422
    return _failed(case, plan, "details", status, details_form=form, details_stale=stale)


# --- Add forms (built on request, not with every plan page) --------------------------------


def _add_form_page(case, kind, **context):
    """An add form: a page of its own without JavaScript; for htmx only the form, which
    replaces its link in the plan page (and takes the focus: autofocus)."""
    # On its own page the form's heading follows the page's h1; in the plan page, the
    # section's h2 (a goal's h3 for an action).
    partial = is_partial()
    heading = ("h4" if kind == "action" else "h3") if partial else "h2"
    return render("plans/add.html", block="add_form", case=case, add_kind=kind, add_heading=heading,
                  add_standalone=not partial, **context)


@bp.route("/<int:case_id>/needs/new")
@role_required(*STAFF)
def need_new(case_id):
    """The form to record a need or a risk."""
    case, _plan = _staff_case(case_id, edit=True)
    form = _need_form(case)
    form.area.render_kw = {"autofocus": True}
    return _add_form_page(case, "need", need_form=form)


@bp.route("/<int:case_id>/goals/new")
@role_required(*STAFF)
def goal_new(case_id):
    """The form to add a goal."""
    case, _plan = _staff_case(case_id, edit=True)
    form = _goal_form(case)
    form.title.render_kw = {"autofocus": True}
    return _add_form_page(case, "goal", goal_form=form)


@bp.route("/<int:case_id>/goals/<int:goal_id>/actions/new")
@role_required(*STAFF)
def action_new(case_id, goal_id):
    """The form to add an action under a goal."""
    case, plan = _staff_case(case_id, edit=True)
    goal = _child_of(plan, PlanGoal, goal_id)
    form = _action_form(case, goal=goal)
    form.description.render_kw = {"autofocus": True}
    return _add_form_page(case, "action", goal=goal, aform=form)


# --- Needs and risks -----------------------------------------------------------------------


@bp.route("/<int:case_id>/needs", methods=["POST"])
@role_required(*STAFF)
def need_add(case_id):
    """Record a need or a risk in an area."""
    case, plan = _staff_case(case_id, edit=True)
    form = _need_form(case, formdata=request.form)
    if not form.validate():
        return _failed(case, plan, "needs", 422, need_form=form)
    with db.atomic():
        need = PlanNeed.create(plan=plan, area=form.area.data or None, kind=form.kind.data,
                               description=form.description.data.strip(),
                               position=_next_position(PlanNeed, plan=plan))
        audit.record(current_user, "create", need, case=case, summary=f"{need.kind}: {need.description[:200]}")
    return _done(case, plan, "needs", "plan-needs", _("The need has been added."))


@bp.route("/<int:case_id>/needs/<int:need_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def need_edit(case_id, need_id):
    """Edit a need in place; a save based on an outdated version is refused."""
    case, plan = _staff_case(case_id, edit=True)
    need = _child_of(plan, PlanNeed, need_id)
    stale = None
    if request.method == "GET":
        form = _need_form(case, need=need)
    else:
        form = _need_form(case, formdata=request.form, need=need)
        if form.validate():
            before = audit.snapshot(need)
            expected = form.expected_version()
            need.area = form.area.data or None
            need.kind = form.kind.data
            need.description = form.description.data.strip()
            saved = audit.save_versioned(current_user, need, before, expected, case=case)
            if saved:
                return _retargeted(_done(case, plan, "needs", "plan-needs", _("The need has been saved.")), "#plan-needs")
            stale = PlanNeed.get_by_id(need.id)
            form.version.data = stale.version
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render("plans/need_edit.html", block="need_form", status=status, case=case, plan=plan,
                  need=need, form=form, stale=stale)


@bp.route("/<int:case_id>/needs/<int:need_id>/delete", methods=["POST"])
@role_required(*STAFF)
def need_delete(case_id, need_id):
    """Remove a need from the draft (approved versions keep it)."""
    case, plan = _staff_case(case_id, edit=True)
    need = _child_of(plan, PlanNeed, need_id)
    if not audit.delete_versioned(current_user, need, posted_version(), case=case, summary=need.description[:200]):
        return _removal_refused(case, plan, "needs", "plan-needs", _(
            "Someone else changed this need meanwhile; nothing was removed. "
            "It is shown as it is now: remove it again if it should still go."))
    return _done(case, plan, "needs", "plan-needs", _("The need has been removed."))


def _retargeted(response, target):
    """An inline form's success answer replaces the whole section, not the form's row."""
    if is_partial():
        response.headers["HX-Retarget"] = target
        response.headers["HX-Reswap"] = "outerHTML"
    return response


# --- Goals ---------------------------------------------------------------------------------


@bp.route("/<int:case_id>/goals", methods=["POST"])
@role_required(*STAFF)
def goal_add(case_id):
    """Add a goal (the family's own goals are listed first)."""
    case, plan = _staff_case(case_id, edit=True)
    form = _goal_form(case, formdata=request.form)
    if not form.validate():
        return _failed(case, plan, "goals", 422, goal_form=form)
    with db.atomic():
        goal = PlanGoal.create(plan=plan, title=form.title.data.strip(), client_proposed=form.client_proposed.data,
                               area=form.area.data or None, position=_next_position(PlanGoal, plan=plan))
        audit.record(current_user, "create", goal, case=case, summary=goal.title[:200])
    return _done(case, plan, "goals", f"goal-{goal.id}", _("The goal has been added."))


@bp.route("/<int:case_id>/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def goal_edit(case_id, goal_id):
    """Edit a goal in place; a save based on an outdated version is refused."""
    case, plan = _staff_case(case_id, edit=True)
    goal = _child_of(plan, PlanGoal, goal_id)
    stale = None
    if request.method == "GET":
        form = _goal_form(case, goal=goal)
    else:
        form = _goal_form(case, formdata=request.form, goal=goal)
        if form.validate():
            before = audit.snapshot(goal)
            expected = form.expected_version()
            goal.title = form.title.data.strip()
            goal.client_proposed = form.client_proposed.data
            goal.area = form.area.data or None
            saved = audit.save_versioned(current_user, goal, before, expected, case=case)
            if saved:
                return _retargeted(_done(case, plan, "goals", f"goal-{goal.id}", _("The goal has been saved.")),
                                   "#plan-goals")
            stale = PlanGoal.get_by_id(goal.id)
            form.version.data = stale.version
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render("plans/goal_edit.html", block="goal_form", status=status, case=case, plan=plan,
                  goal=goal, form=form, stale=stale)


def _swap_positions(items, item_id, direction, same_group=lambda a, b: True):
    """Swap an item with its neighbour in ``items`` (their display order); False at an end."""
    index = next((i for i, it in enumerate(items) if it.id == item_id), None)
    other = index + (-1 if direction == "up" else 1) if index is not None else None
    if other is None or not 0 <= other < len(items) or not same_group(items[index], items[other]):
        return False
    # Number the whole list first, so equal positions cannot make the swap a no-op.
    for position, it in enumerate(items, start=1):
        it.position = position
    items[index].position, items[other].position = items[other].position, items[index].position
    model = type(items[index])
    for it in items:
        model.update(position=it.position).where(model.id == it.id).execute()
    return True


@bp.route("/<int:case_id>/goals/<int:goal_id>/move", methods=["POST"])
@role_required(*STAFF)
def goal_move(case_id, goal_id):
    """Move a goal up or down (within the family's goals or within the others)."""
    case, plan = _staff_case(case_id, edit=True)
    goal = _child_of(plan, PlanGoal, goal_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    with db.atomic():
        moved = _swap_positions(rules.ordered_goals(plan), goal.id, direction,
                                lambda a, b: a.client_proposed == b.client_proposed)
        if moved:
            audit.record(current_user, "update", goal, case=case, summary=f"goal moved {direction}")
    return _done(case, plan, "goals", f"goal-{goal.id}")


@bp.route("/<int:case_id>/goals/<int:goal_id>/delete", methods=["POST"])
@role_required(*STAFF)
def goal_delete(case_id, goal_id):
    """Remove a goal and its actions from the draft (approved versions keep them)."""
    case, plan = _staff_case(case_id, edit=True)
    goal = _child_of(plan, PlanGoal, goal_id)
    expected, seen_actions = posted_version(), request.form.get("actions", "")
    with db.atomic():
        # The actions go with the goal: refused too when one was added, changed or removed
        # since the page was loaded (the form carries their ids and versions).
        actions = list(PlanAction.select().where(PlanAction.goal == goal))
        removed = versions_stamp(actions) == seen_actions and audit.delete_versioned(
            current_user, goal, expected, case=case, summary=goal.title[:200],
            dependants=[(action, action.description[:200]) for action in actions])
    if not removed:
        return _removal_refused(case, plan, "goals", f"goal-{goal.id}", _(
            "Someone else changed this goal or its actions meanwhile; nothing was removed. "
            "It is shown as it is now: remove it again if it should still go."))
    return _done(case, plan, "goals", "plan-goals", _("The goal has been removed."))


# --- Actions -------------------------------------------------------------------------------


@bp.route("/<int:case_id>/goals/<int:goal_id>/actions", methods=["POST"])
@role_required(*STAFF)
def action_add(case_id, goal_id):
    """Add an action under a goal: what, who, by when, with which expected effect."""
    case, plan = _staff_case(case_id, edit=True)
    goal = _child_of(plan, PlanGoal, goal_id)
    form = _action_form(case, formdata=request.form, goal=goal)
    if not _check_action(plan, form):
        return _failed(case, plan, "goals", 422, action_form=form, action_goal_id=goal.id)
    action = PlanAction(goal=goal, plan=plan, position=_next_position(PlanAction, goal=goal))
    _apply_action(action, form, case)
    with db.atomic():
        action.save()
        audit.record(current_user, "create", action, case=case, summary=action.description[:200])
    return _done(case, plan, "goals", f"action-{action.id}", _("The action has been added."))


def _apply_action(action, form, case):
    before_note = action.progress_note
    action.description = form.description.data.strip()
    _apply_responsible(action, form, case)
    action.deadline = form.deadline.data
    action.expected_effect = (form.expected_effect.data or "").strip()
    action.status = form.status.data
    action.progress_note = (form.progress_note.data or "").strip()
    if action.progress_note != before_note:
        # The note is dated: the day it was written.
        action.progress_on = datetime.date.today() if action.progress_note else None


@bp.route("/<int:case_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def action_edit(case_id, action_id):
    """Edit an action in place; a save based on an outdated version is refused."""
    case, plan = _staff_case(case_id, edit=True)
    action = _child_of(plan, PlanAction, action_id)
    stale = None
    if request.method == "GET":
        form = _action_form(case, action=action)
    else:
        form = _action_form(case, action=action, formdata=request.form)
        if _check_action(plan, form):
            before = audit.snapshot(action)
            expected = form.expected_version()
            _apply_action(action, form, case)
            saved = audit.save_versioned(current_user, action, before, expected, case=case)
            if saved:
                return _retargeted(_done(case, plan, "goals", f"action-{action.id}", _("The action has been saved.")),
                                   "#plan-goals")
            stale = PlanAction.get_by_id(action.id)
            stale.responsible_label = rules.responsible_display(stale)
            form.version.data = stale.version
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render("plans/action_edit.html", block="action_form", status=status, case=case, plan=plan,
                  action=action, form=form, stale=stale)


@bp.route("/<int:case_id>/actions/<int:action_id>/status", methods=["POST"])
@role_required(*STAFF)
def action_status(case_id, action_id):
    """Change an action's status in one click; refused if it changed meanwhile."""
    case, plan = _staff_case(case_id, edit=True)
    action = _child_of(plan, PlanAction, action_id)
    status = request.form.get("status")
    if status not in set(ActionStatus):
        abort(400)
    expected = posted_version()
    before = action.status
    action.status = status
    with db.atomic():
        saved = action.save_if_version(expected)
        if saved:
            audit.record(current_user, "update", action, case=case, changes={"status": [before, status]})
    if not saved:
        current = PlanAction.get_by_id(action.id)
        message = _("Someone else changed this action meanwhile; nothing was changed. Its status is now: %(status)s.",
                    status=STATUS_LABELS[current.status])
        if is_partial():
            return _fragment(case, plan, "goals", status=409, stale_action_id=action.id, stale_message=message)
        flash(message, "error")
        return redirect(url_for("plans.plan", case_id=case.id, _anchor=f"action-{action.id}"), 303)
    return _done(case, plan, "goals", f"action-{action.id}",
                 _("The status has been changed to: %(status)s.", status=STATUS_LABELS[status]))


@bp.route("/<int:case_id>/actions/<int:action_id>/move", methods=["POST"])
@role_required(*STAFF)
def action_move(case_id, action_id):
    """Move an action up or down within its goal."""
    case, plan = _staff_case(case_id, edit=True)
    action = _child_of(plan, PlanAction, action_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    siblings = list(PlanAction.select().where(PlanAction.goal == action.goal_id)
                    .order_by(PlanAction.position, PlanAction.id))
    with db.atomic():
        if _swap_positions(siblings, action.id, direction):
            audit.record(current_user, "update", action, case=case, summary=f"action moved {direction}")
    return _done(case, plan, "goals", f"action-{action.id}")


@bp.route("/<int:case_id>/actions/<int:action_id>/delete", methods=["POST"])
@role_required(*STAFF)
def action_delete(case_id, action_id):
    """Remove an action from the draft (approved versions keep it)."""
    case, plan = _staff_case(case_id, edit=True)
    action = _child_of(plan, PlanAction, action_id)
    if not audit.delete_versioned(current_user, action, posted_version(), case=case,
                                  summary=action.description[:200]):
        return _removal_refused(case, plan, "goals", f"action-{action.id}", _(
            "Someone else changed this action meanwhile; nothing was removed. "
            "It is shown as it is now: remove it again if it should still go."))
    return _done(case, plan, "goals", "plan-goals", _("The action has been removed."))


# --- Approval and versions -----------------------------------------------------------------


@bp.route("/<int:case_id>/approve", methods=["POST"])
@role_required(*STAFF)
def approve(case_id):
    """Freeze the draft as the next approved version; the family's caregivers are told."""
    case, plan = _staff_case(case_id, edit=True)
    try:
        with db.atomic():
            version = rules.approve(plan, current_user, case)
            _notify_caregivers(case, version)
    except PlanRuleError as exc:
        return _failed(case, plan, "state", 422, approve_error=str(exc))
    flash(_("Version %(number)d of the plan has been approved.", number=version.number), "success")
    if is_partial():
        # The whole page changes (state, versions). No anchor here: a URL differing from the
        # current one only by its fragment would not reload the page.
        return hx_redirect(url_for("plans.plan", case_id=case.id))
    return redirect(url_for("plans.plan", case_id=case.id, _anchor="plan-versions"), 303)


def _notify_caregivers(case, version):
    """Tell the family's caregivers with an account that a new version awaits them."""
    accounts = (Person.select(Person.account).join(Member)
                .where((Member.case == case) & (Member.role == MemberRole.CAREGIVER) & Person.account.is_null(False)))
    from models import Notification

    for person in accounts:
        Notification.send(person.account_id, "plan_approved", link=url_for("plans.family", case_id=case.id),
                          case=case.name, number=version.number)


def _version_or_404(plan, number):
    version = PlanVersion.get_or_none((PlanVersion.plan == plan) & (PlanVersion.number == number))
    if version is None:
        abort(404)
    return version


@bp.route("/<int:case_id>/versions/<int:number>")
@role_required(*STAFF)
def version(case_id, number):
    """An approved version as it was approved, with the family's answers."""
    case, plan = _staff_case(case_id)
    version = _version_or_404(plan, number)
    acks = list(PlanAcknowledgement.select().where(PlanAcknowledgement.plan_version == version)
                .order_by(PlanAcknowledgement.at))
    numbers = [n for (n,) in PlanVersion.select(PlanVersion.number).where(PlanVersion.plan == plan)
               .order_by(PlanVersion.number).tuples()]
    return render("plans/version.html", case=case, plan=plan, version=version, data=version.data,
                  acks=acks, numbers=numbers)


@bp.route("/<int:case_id>/versions/<int:number>/print")
@role_required(*STAFF)
def print_version(case_id, number):
    """A clean printable page of an approved version, in the organisation's language."""
    case, plan = _staff_case(case_id)
    version = _version_or_404(plan, number)
    org = Organisation.current()
    with force_locale(org.default_language):
        html = render_template("plans/print.html", case=case, version=version, data=version.data, org=org,
                               print_lang=org.default_language)
    return make_response(html)


@bp.route("/<int:case_id>/compare")
@role_required(*STAFF)
def compare(case_id):
    """What was added, removed and changed between two versions (or a version and the draft)."""
    case, plan = _staff_case(case_id)
    numbers = [n for (n,) in PlanVersion.select(PlanVersion.number).where(PlanVersion.plan == plan)
               .order_by(PlanVersion.number).tuples()]
    if not numbers:
        abort(404)

    def pick(name, default):
        value = request.args.get(name, default)
        if value == "draft":
            return "draft"
        try:
            value = int(value)
        except (TypeError, ValueError):
            abort(400)
        if value not in numbers:
            abort(404)
        return value

    old = pick("a", numbers[-2] if len(numbers) > 1 else numbers[-1])
    new = pick("b", "draft" if len(numbers) == 1 else numbers[-1])

    def data(which):
        return rules.snapshot(plan, case) if which == "draft" else _version_or_404(plan, which).data

    changes = rules.compare(data(old), data(new))
    return render("plans/compare.html", block="comparison", case=case, plan=plan, numbers=numbers,
                  old=old, new=new, changes=changes)


# --- Reviews -------------------------------------------------------------------------------


@bp.route("/<int:case_id>/reviews/new", methods=["GET", "POST"])
@role_required(*STAFF)
def review_new(case_id):
    """Record a review: an outcome per goal, who took part, the child's view, the next date."""
    case, plan = _staff_case(case_id, edit=True)
    goals = rules.ordered_goals(plan)
    Form = review_form_class(goals)
    if request.method == "GET":
        form = Form(formdata=None)
        today = datetime.date.today()
        form.reviewed_on.data = today
        form.next_review_on.data = rules.default_next_review(today, case)
    else:
        form = Form()
        valid = form.validate()
        message = rules.review_date_error(form.reviewed_on.data)
        if message:
            form.reviewed_on.errors = list(form.reviewed_on.errors) + [message]
            valid = False
        if valid:
            with db.atomic():
                review = PlanReview.create(
                    plan=plan, reviewed_on=form.reviewed_on.data, participants=form.participants.data.strip(),
                    child_view=(form.child_view.data or "").strip(), summary=(form.summary.data or "").strip(),
                    next_review_on=form.next_review_on.data, created_by=current_user,
                )
                for goal in goals:
                    PlanReviewGoal.create(review=review, goal=goal, goal_title=goal.title,
                                          outcome=form[f"outcome_{goal.id}"].data,
                                          comment=(form[f"comment_{goal.id}"].data or "").strip())
                rules.refresh_next_review(plan)
                audit.record(current_user, "create", review, case=case,
                             summary=f"care plan review of {review.reviewed_on.isoformat()}")
            flash(_("The review has been recorded. The next review is due on %(date)s.",
                    date=_format_date(review.next_review_on)), "success")
            return redirect(url_for("plans.plan", case_id=case.id, _anchor="plan-reviews"), 303)
    status = 422 if request.method == "POST" else 200
    return render("plans/review_form.html", status=status, case=case, plan=plan, goals=goals, form=form,
                  interval=rules.review_interval_months(case))


def _format_date(value):
    return format_date(value)


@bp.route("/<int:case_id>/reviews/<int:review_id>")
@role_required(*STAFF)
def review(case_id, review_id):
    """A recorded review."""
    case, plan = _staff_case(case_id)
    review = _child_of(plan, PlanReview, review_id)
    outcomes = list(PlanReviewGoal.select().where(PlanReviewGoal.review == review).order_by(PlanReviewGoal.id))
    return render("plans/review.html", case=case, plan=plan, review=review, outcomes=outcomes)


# --- Caregivers: the approved plan, read-only, and their answer ----------------------------


#: The latest approved version of a case's plan, with the reader's answer to it (``my_ack``,
#: or None) and the reader's person id (``me``): one statement.
_FAMILY_VERSION = Prepared(
    lambda case_id, user_id: PlanVersion.select(
        PlanVersion.id, PlanVersion.number, PlanVersion.approved_at, PlanVersion.snapshot,
        PlanAcknowledgement.id, PlanAcknowledgement.response, PlanAcknowledgement.comment, PlanAcknowledgement.at,
        Person.select(Person.id).where(Person.account == user_id).limit(1).alias("me"))
    .join(CarePlan)
    .switch(PlanVersion)
    .join(PlanAcknowledgement, JOIN.LEFT_OUTER,
          on=((PlanAcknowledgement.plan_version == PlanVersion.id) & (PlanAcknowledgement.user == user_id)),
          attr="my_ack")
    .where(CarePlan.case == case_id)
    .order_by(PlanVersion.number.desc()).limit(1),
    "case_id", "user_id")


def _family_context(case, **extra):
    """What a caregiver may see of the plan: the latest approved version and their answer."""
    version = _FAMILY_VERSION.first(case_id=case.id, user_id=current_user.id)
    data = version.data if version else None
    mine = []
    if data:
        me = version.me
        mine = [a for g in data["goals"] for a in g["actions"] if me and a.get("responsible_person") == me]
    ack = version.my_ack if version is not None else None
    context = {"case": case, "version": version, "data": data, "mine": mine, "ack": ack,
               "form": extra.pop("form", None) or AcknowledgeForm(formdata=None)}
    context.update(extra)
    return context


@bp.route("/<int:case_id>/family")
@role_required(Role.CAREGIVER)
def family(case_id):
    """The family's approved plan (never a draft, never staff notes) and their actions."""
    case = get_case_or_404(case_id)
    return render("plans/family.html", **_family_context(case))


@bp.route("/<int:case_id>/family/acknowledge", methods=["POST"])
@role_required(Role.CAREGIVER)
def acknowledge(case_id):
    """Record "I have read the plan and agree" or "… want to discuss it"; the key worker is told."""
    case = get_case_or_404(case_id)
    plan = _plan_or_404(case)
    version = rules.latest_version(plan)
    if version is None:
        abort(404)
    form = AcknowledgeForm()
    # The answer is for the version the caregiver read: a newer one approved meanwhile
    # must be read first.
    shown = request.form.get("number", type=int)
    if shown is not None and shown != version.number:
        flash(_("A newer version of the plan has been approved meanwhile. Please read it first."), "error")
        return hx_redirect(url_for("plans.family", case_id=case.id))
    if not form.validate():
        return render("plans/family.html", block="acknowledge", status=422, **_family_context(case, form=form))
    try:
        with db.atomic():
            rules.acknowledge(version, current_user, form.response.data, form.comment.data, case,
                              link=url_for("plans.version", case_id=case.id, number=version.number))
    except PlanRuleError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Thank you. Your answer has been recorded and your key worker has been told."), "success")
    if is_partial():
        return render("plans/family.html", block="acknowledge", **_family_context(case))
    return redirect(url_for("plans.family", case_id=case.id, _anchor="acknowledge"), 303)


# --- Areas of needs (administrators) -------------------------------------------------------


@bp.route("/areas", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def areas():
    """The areas of needs offered in plans: seeded from the country profile, editable."""
    org = Organisation.current()
    form = NewAreaForm(formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate():
            with db.atomic():
                area = PlanArea.create(country=org.country, name=form.name.data.strip(),
                                       position=_next_position(PlanArea, country=org.country))
                audit.record(current_user, "create", area, summary=area.name)
            flash(_("The area has been added."), "success")
            return redirect(url_for("plans.areas"), 303)
        status = 422
    return _areas_page(org, form, status)


def _areas_page(org, form, status, edit_forms=None, stale=None):
    rows = rules.areas(org.country, active_only=False)
    forms = {}
    for area in rows:
        f = (edit_forms or {}).get(area.id)
        if f is None:
            f = AreaForm(formdata=None)
            f.name.data = rules.area_label(area.code, area.name)
            f.active.data = area.active
            f.version.data = area.version
        _prefix_ids(f, f"area{area.id}-")
        forms[area.id] = f
    return render("plans/areas.html", status=status, org=org, areas=rows, form=form, forms=forms, stale=stale)


@bp.route("/areas/<int:area_id>", methods=["POST"])
@role_required(Role.ADMIN)
def area_edit(area_id):
    """Rename an area, or stop offering it (plans that use it keep it)."""
    org = Organisation.current()
    area = PlanArea.get_or_none((PlanArea.id == area_id) & (PlanArea.country == org.country))
    if area is None:
        abort(404)
    form = AreaForm()
    stale = None
    if form.validate():
        expected = form.expected_version()
        before = audit.snapshot(area)
        name = form.name.data.strip()
        # Keeping the profile's wording keeps it translated.
        area.name = "" if area.code and name == rules.area_label(area.code) else name
        area.active = form.active.data
        saved = audit.save_versioned(current_user, area, before, expected)
        if saved:
            flash(_("The area has been saved."), "success")
            return redirect(url_for("plans.areas"), 303)
        stale = PlanArea.get_by_id(area.id)
        form.version.data = stale.version
    return _areas_page(org, NewAreaForm(formdata=None), 409 if stale else 422, {area.id: form}, stale)
