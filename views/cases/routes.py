"""Case list, case page, members, key worker and team."""
import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, SQL, fn

from models import (
    AuditEntry,
    Case,
    CaseStatus,
    CaseType,
    ExcludedPerson,
    KeyWorkerAssignment,
    Member,
    MemberRole,
    Organisation,
    Person,
    Role,
    TeamMember,
    User,
    audit,
    db,
)
from models.case_rules import (
    CaseRuleError,
    add_team_member,
    assign_key_worker,
    check_member_removal,
    check_new_member,
)
from models.base import Prepared, id_list, like, like_pattern, versions_stamp
from models.cases import CASE_TYPES_BY_COUNTRY
from models.text import fold

from ..pagination import paginate, paginate_prepared, with_total
from ..layout import template_globals
from ..panels import CASE, collect
from ..forms import copy_fields, posted_version
from ..htmx import hx_redirect, is_partial, render, with_trigger
from ..permissions import (
    InVisibleCases,
    blueprint_requires,
    can_edit_case,
    case_scope,
    cases_in_scope,
    get_case_or_404,
    visible_people,
)
from .forms import (
    CASE_TYPE_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    CaseForm,
    KeyWorkerForm,
    MemberEditForm,
    MemberForm,
    NewCaseForm,
    RestrictionForm,
    TeamForm,
)

bp = Blueprint("cases", __name__, url_prefix="/cases")
blueprint_requires(bp, Role.ADMIN, Role.STAFF)

CASES_PER_PAGE = 25
HISTORY_PER_PAGE = 20
RECENT_HISTORY = 5  # entries shown on the case page itself
SORTS = {
    "name": (Case.search_name, Case.id),
    "-name": (Case.search_name.desc(), Case.id.desc()),
    "opened": (Case.opened_on, Case.id),
    "-opened": (Case.opened_on.desc(), Case.id.desc()),
    "status": (Case.status, Case.search_name),
}
CASE_FIELDS = (
    "name", "case_type", "status", "opened_on", "closed_on", "monitoring_until",
    "agreement_date", "consent_date", "referral_approved_on", "notes",
)
PERSON_FIELDS = ("first_name", "last_name", "date_of_birth", "phone", "email", "address")


# Labels every template may use: template globals, not a context processor, which would
# build its dictionary again for every render.
template_globals(bp, CASE_TYPE_LABELS=CASE_TYPE_LABELS, CASE_STATUS_LABELS=STATUS_LABELS,
                 MEMBER_ROLE_LABELS=ROLE_LABELS)


def _staff_choices():
    """Active staff and admins for key worker and team selects."""
    users = User.select().where(User.active & User.role.in_([Role.STAFF, Role.ADMIN])).order_by(User.full_name)
    return [(u.id, u.full_name) for u in users]


#: Key workers of the cases the user sees (compiled once per scope).
_KEY_WORKERS = InVisibleCases(
    lambda cases: User.select(User.id, User.full_name)
    .where(User.id.in_(Case.select(Case.key_worker).where(Case.id.in_(cases))))
    .order_by(User.full_name).tuples()
)


def _key_worker_choices():
    """Key workers of the cases the user sees, for the list's filter (one query)."""
    return _KEY_WORKERS.all()


def _case_type_choices():
    country = Organisation.current().country
    return [(t.value, CASE_TYPE_LABELS[t]) for t in CASE_TYPES_BY_COUNTRY[country]]


# --- List ---------------------------------------------------------------------------------


@bp.route("/")
def index():
    """All cases the user may see: search as you type, filters, sorting, pagination."""
    args = request.args
    q = (args.get("q") or "").strip()[:100]
    status = args.get("status", "")
    case_type = args.get("type", "")
    key_worker = args.get("key_worker", type=int)
    sort = args.get("sort", "name") if args.get("sort") in SORTS else "name"

    # Only the filters in use go into the statement: one compiled statement per scope and
    # combination (models.base.Prepared), the values as parameters.
    values = {"pattern": like_pattern(fold(q)) if q else None, "status": status if status in set(CaseStatus) else None,
              "case_type": case_type if case_type in set(CaseType) else None, "key_worker": key_worker or None}
    values = {name: value for name, value in values.items() if value is not None}
    scope = case_scope(current_user)
    if scope not in ("all", "none"):
        values["user_id"] = current_user.id
    statement = _list_statement(scope, sort, tuple(sorted(values)))
    listing = paginate_prepared(lambda **page: statement.all(**values, **page), CASES_PER_PAGE)
    filters = {"q": q, "status": status, "type": case_type, "key_worker": key_worker or "", "sort": sort}
    return render(
        "cases/case_list.html",
        block="results",
        cases=listing.rows,
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        filters=filters,
        staff=_key_worker_choices(),
        case_types=_case_type_choices(),
    )


#: The list's statements by scope, sort and filters in use (see _list_statement).
_LIST_STATEMENTS = {}


def _list_statement(scope, sort, names):
    """The case list's statement for the cases of ``scope`` (views.permissions), sorted by
    ``sort``, with the filters ``names`` (of pattern, status, case_type, key_worker and
    the scope's user_id): compiled on first use."""
    key = (scope, sort, names)
    statement = _LIST_STATEMENTS.get(key)
    if statement is None:
        statement = _LIST_STATEMENTS[key] = Prepared(
            lambda **markers: _list_query(scope, sort, **markers), "limit", "offset", *names)
    return statement


def _list_query(scope, sort, limit, offset, user_id=None, pattern=None, status=None, case_type=None,
                key_worker=None):
    """The query of one page of the case list (see :func:`_list_statement`)."""
    query = cases_in_scope(scope, user_id)
    if pattern is not None:
        # A family is found by its name or by the name of any member.
        # Correlated EXISTS: SQLite looks only at the members of the cases in view, not
        # at every person of the organisation (IN (…) would scan them all).
        by_member = (
            Member.select(SQL("1")).join(Person)
            .where((Member.case == Case.id) & like(Person.search_name, pattern))
        )
        query = query.where(like(Case.search_name, pattern) | fn.EXISTS(by_member))
    if status is not None:
        query = query.where(Case.status == status)
    if case_type is not None:
        query = query.where(Case.case_type == case_type)
    if key_worker is not None:
        query = query.where(Case.key_worker == key_worker)
    # Only the columns the list shows: every column costs its conversion on every row.
    query = (query.select(Case.id, Case.name, Case.case_type, Case.status, Case.key_worker, Case.opened_on,
                          User.id, User.full_name)
             .join(User, JOIN.LEFT_OUTER, on=(Case.key_worker == User.id))
             .order_by(*SORTS[sort]))
    return with_total(query).limit(limit).offset(offset)


# --- Create and edit ----------------------------------------------------------------------


def _apply_case_form(case, form):
    form.copy_to(case, CASE_FIELDS)
    case.name = case.name.strip()
    case.new_rules = form.new_rules.data != "0"
    case.mediated = form.mediated.data != "0"
    if case.status == CaseStatus.ACTIVE:
        case.closed_on = None
        case.monitoring_until = None


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Open a new case with its key worker."""
    form = NewCaseForm()
    form.case_type.choices = _case_type_choices()
    form.key_worker.choices = _staff_choices()
    if request.method == "GET":
        form.opened_on.data = datetime.date.today()
        if current_user.role_enum is Role.STAFF:
            form.key_worker.data = current_user.id
    error = None
    if form.validate_on_submit():
        worker = User.get_or_none(User.id == form.key_worker.data)
        try:
            with db.atomic():
                case = Case()
                _apply_case_form(case, form)
                case.save()
                assign_key_worker(case, worker, current_user, form.override_reason.data or "")
                audit.record(current_user, "create", case, case=case, summary=case.name,
                             changes={k: [None, v] for k, v in audit.snapshot(case).items() if v not in (None, "")})
            flash(_("The case has been created."), "success")
            return redirect(url_for("cases.detail", case_id=case.id), 303)
        except CaseRuleError as exc:
            error = str(exc)
            if exc.needs_override:
                form.override_reason.errors.append(str(exc))
                error = None
            else:
                form.key_worker.errors.append(str(exc))
                error = None
    status = 422 if request.method == "POST" else 200
    return render("cases/case_form.html", form=form, error=error, case=None, status=status)


@bp.route("/<int:case_id>")
def detail(case_id):
    """The case page: overview, members, key worker and team, history."""
    case = get_case_or_404(case_id)
    with db.atomic():
        audit.record(current_user, "view", case, case=case, summary=case.name)
    return render("cases/case_detail.html", **_detail_context(case))


# The case page's own queries, compiled once (models.base.Prepared): it is the page staff
# open most.
_MEMBERS = Prepared(
    lambda case_id: Member.select(Member, Person).join(Person)
    .where(Member.case == case_id).order_by(Member.role, Person.search_name),
    "case_id",
)
_EXCLUDED = Prepared(
    lambda child_ids: ExcludedPerson.select(ExcludedPerson, Person).join(Person)
    .where(ExcludedPerson.child.in_(id_list(child_ids))),
    "child_ids",
)
# Of the users, only what the page shows (their names), not whole accounts.
_TEAM = Prepared(
    lambda case_id: TeamMember.select(TeamMember, User.id, User.full_name).join(User)
    .where(TeamMember.case == case_id).order_by(User.full_name),
    "case_id",
)
_KEY_WORKER_HISTORY = Prepared(
    lambda case_id: KeyWorkerAssignment.select(KeyWorkerAssignment, User.id, User.full_name)
    .join(User, on=(KeyWorkerAssignment.user == User.id))
    .where(KeyWorkerAssignment.case == case_id)
    .order_by(KeyWorkerAssignment.started_on.desc(), KeyWorkerAssignment.id.desc()),
    "case_id",
)
_RECENT_ENTRIES = Prepared(
    lambda case_id: AuditEntry.select(AuditEntry, User.id, User.full_name).join(User, JOIN.LEFT_OUTER)
    .where(AuditEntry.case_id == case_id)
    .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    .limit(RECENT_HISTORY),
    "case_id",
)
_USER_NAME = Prepared(lambda user_id: User.select(User.id, User.full_name).where(User.id == user_id).limit(1), "user_id")


def _detail_context(case, **extra):
    """Everything the case page and its fragments show."""
    history = _KEY_WORKER_HISTORY.all(case_id=case.id)
    if case.key_worker_id:
        # The key worker's name: from the handover history, which names them (their
        # assignment), else through a compiled query rather than the lazy load.
        case.key_worker = next((row.user for row in history if row.user_id == case.key_worker_id), None) \
            or _USER_NAME.first(user_id=case.key_worker_id)
    members = _MEMBERS.all(case_id=case.id)
    by_id = {m.id: m for m in members}
    excluded = {}
    for row in _EXCLUDED.all(child_ids=[m.id for m in members if m.role == MemberRole.CHILD]):
        excluded.setdefault(row.child_id, []).append(row.person)
    relatives = {}
    for m in members:
        if m.child_id:
            relatives.setdefault(m.child_id, []).append(m)
    team = _TEAM.all(case_id=case.id)
    recent = _RECENT_ENTRIES.all(case_id=case.id)
    context = {
        "case": case,
        "entries": recent,
        "members": members,
        "members_by_id": by_id,
        "excluded": excluded,
        # What each removal form carries of the memberships that go with the member.
        "relatives_stamps": {child_id: versions_stamp(rows) for child_id, rows in relatives.items()},
        "children": [m for m in members if m.role == MemberRole.CHILD],
        "team": team,
        "key_worker_history": history,
        "can_edit": can_edit_case(current_user, case),
        # The add-member form is built only when it comes back with errors; otherwise the
        # page links to cases.member_new.
        "member_form": extra.pop("member_form", None),
        # The hand-over and team forms list every staff member: built only when asked for
        # (team_manage, or a refused change), so the case page does not grow with the staff.
        "key_worker_form": extra.pop("key_worker_form", None),
        "team_form": extra.pop("team_form", None),
        "today": datetime.date.today(),
        # Sections of later features (care plan, education, contacts): views/panels.py.
        # Only a full page shows them: an htmx fragment does not run their queries.
        "panels": [] if is_partial() else collect(CASE, case, current_user),
    }
    context.update(extra)
    return context


def _member_form(case, members=None, formdata=None):
    form = MemberForm(formdata=formdata) if formdata is not None else MemberForm(formdata=None)
    members = members if members is not None else list(Member.select(Member, Person).join(Person).where(Member.case == case))
    form.child.choices = [(0, "—")] + [(m.id, m.person.full_name) for m in members if m.role == MemberRole.CHILD]
    return form


def _key_worker_form(formdata=None):
    form = KeyWorkerForm(formdata=formdata) if formdata is not None else KeyWorkerForm(formdata=None)
    form.key_worker.choices = _staff_choices()
    return form


def _team_form(formdata=None):
    form = TeamForm(formdata=formdata) if formdata is not None else TeamForm(formdata=None)
    form.user.choices = _staff_choices()
    return form


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id):
    """Edit a case's details; a save based on an outdated version is refused."""
    case = get_case_or_404(case_id, edit=True)
    form = CaseForm(obj=case)
    form.case_type.choices = _case_type_choices()
    stale = None
    if request.method == "GET":
        form.version.data = case.version
        form.new_rules.data = "1" if case.new_rules else "0"
        form.mediated.data = "1" if case.mediated else "0"
    elif form.validate_on_submit():
        before = audit.snapshot(case)
        expected = form.expected_version()
        _apply_case_form(case, form)
        saved = audit.save_versioned(current_user, case, before, expected, case=case)
        if saved:
            flash(_("The case has been saved."), "success")
            return redirect(url_for("cases.detail", case_id=case.id), 303)
        stale = Case.get_by_id(case.id)
        form.version.data = stale.version
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render("cases/case_form.html", form=form, case=case, stale=stale, status=status)


# --- Members (inline, htmx) ---------------------------------------------------------------


def _section_response(case, block, event, status=200, **extra):
    """One section of the case page (for htmx) or the whole page, with a refresh event."""
    response = render("cases/case_detail.html", block=block, status=status, **_detail_context(case, **extra))
    return with_trigger(response, event)


def _members_response(case, status=200, **extra):
    """The members section after a change."""
    return _section_response(case, "members", "membersChanged", status, **extra)


@bp.route("/<int:case_id>/members/new")
def member_new(case_id):
    """The add-member form: a page of its own without JavaScript, swapped into the case
    page's members section with htmx (the form is not built with every case page)."""
    case = get_case_or_404(case_id, edit=True)
    form = _member_form(case)
    form.role.render_kw = {"autofocus": True}
    return render("cases/member_new.html", block="member_add", case=case, member_form=form,
                  standalone=not is_partial())


@bp.route("/<int:case_id>/members", methods=["POST"])
def member_add(case_id):
    """Add a person to the family: a new record, or an existing one if it is the same person."""
    case = get_case_or_404(case_id, edit=True)
    form = _member_form(case, formdata=request.form)
    if not form.validate_on_submit():
        return _members_response(case, status=422, member_form=form)
    person = None
    if form.existing_person.data:
        person = visible_people(current_user).where(Person.id == form.existing_person.data).first()
        if person is None:
            abort(404)
    elif not form.confirm_new.data:
        # Only people the user may open: a namesake in someone else's family stays hidden.
        duplicates = list(
            Person.possible_duplicates(form.first_name.data, form.last_name.data, form.date_of_birth.data)
            .where(Person.id.in_(visible_people(current_user).select(Person.id)))
        )
        if duplicates:
            return _members_response(case, status=200, member_form=form, duplicates=duplicates)
    try:
        with db.atomic():
            if person is None:
                person = Person()
                copy_fields(form, person, PERSON_FIELDS + ("staff_notes",))
                person.save()
                audit.record(current_user, "create", person, case=case, summary=person.full_name)
            role = form.role.data
            check_new_member(case, person, role)
            child_id = form.child.data or None
            if child_id and child_id not in {c for c, _label in form.child.choices}:
                abort(400)
            member = Member.create(
                case=case,
                person=person,
                role=role,
                child=child_id if role in (MemberRole.RELATIVE, MemberRole.BIRTH_PARENT) else None,
                relation=(form.relation.data or "").strip(),
                placed_on=form.placed_on.data if role == MemberRole.CHILD else None,
            )
            audit.record(current_user, "create", member, case=case,
                         summary=f"{person.full_name}: {role}")
    except CaseRuleError as exc:
        form.role.errors.append(str(exc))
        return _members_response(case, status=422, member_form=form)
    if not is_partial():
        flash(_("%(name)s has been added.", name=person.full_name), "success")
        return redirect(url_for("cases.detail", case_id=case.id, _anchor="members"), 303)
    return _members_response(case)


def _get_member_or_404(case, member_id):
    member = Member.select(Member, Person).join(Person).where((Member.id == member_id) & (Member.case == case)).first()
    if member is None:
        abort(404)
    return member


@bp.route("/<int:case_id>/members/<int:member_id>/edit", methods=["GET", "POST"])
def member_edit(case_id, member_id):
    """Edit a member in place: the row turns into a form and back."""
    case = get_case_or_404(case_id, edit=True)
    member = _get_member_or_404(case, member_id)
    person = member.person
    form = MemberEditForm(obj=person)
    stale = None
    if request.method == "GET":
        form.version.data = person.version
        form.relation.data = member.relation
        form.placed_on.data = member.placed_on
    elif form.validate_on_submit():
        before = audit.snapshot(person)
        expected = form.expected_version()
        form.copy_to(person, PERSON_FIELDS + ("staff_notes",))
        with db.atomic():
            saved = expected is not None and person.save_if_version(expected)
            if saved:
                member.relation = (form.relation.data or "").strip()
                member.placed_on = form.placed_on.data if member.role == MemberRole.CHILD else None
                member.save()
                audit.record(current_user, "update", person, case=case, changes=audit.diff(person, before))
        if saved:
            if not is_partial():
                flash(_("%(name)s has been saved.", name=person.full_name), "success")
                return redirect(url_for("cases.detail", case_id=case.id, _anchor="members"), 303)
            # The form targets the member's row; the answer is the whole members section.
            response = _members_response(case)
            response.headers["HX-Retarget"] = "#members"
            response.headers["HX-Reswap"] = "outerHTML"
            return response
        stale = Person.get_by_id(person.id)
        form.version.data = stale.version
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render("cases/member_edit.html", block="member_form", case=case, member=member, form=form,
                  stale=stale, status=status)


@bp.route("/<int:case_id>/members/<int:member_id>/remove", methods=["POST"])
def member_remove(case_id, member_id):
    """Remove a person from the family (the person record stays)."""
    case = get_case_or_404(case_id, edit=True)
    member = _get_member_or_404(case, member_id)
    try:
        check_member_removal(member)
    except CaseRuleError as exc:
        if is_partial():
            return _members_response(case, status=422, member_error=str(exc))
        flash(str(exc), "error")
        return redirect(url_for("cases.detail", case_id=case.id, _anchor="members"), 303)
    expected, seen_relatives = posted_version(), request.form.get("relatives", "")
    with db.atomic():
        # The memberships of a child's relatives go with the child (Member.child cascades):
        # record each of them too, so nothing leaves the family unrecorded. Refused, like
        # a change of the member, when one of them changed since the page was drawn.
        linked = list(Member.select(Member, Person).join(Person).where(Member.child == member))
        removed = versions_stamp(linked) == seen_relatives and audit.delete_versioned(
            current_user, member, expected, case=case, summary=f"{member.person.full_name}: {member.role}",
            dependants=[(relative, f"{relative.person.full_name}: {relative.role} ({member.person.full_name})")
                        for relative in linked])
    if not removed:
        message = _("Someone else changed %(name)s or their relatives in the family meanwhile; nothing was "
                    "removed. They are shown as they are now: remove them again if they should still go.",
                    name=member.person.full_name)
        if is_partial():
            return _members_response(case, status=409, member_error=message)
        flash(message, "error")
        return redirect(url_for("cases.detail", case_id=case.id, _anchor="members"), 303)
    if not is_partial():
        flash(_("%(name)s has been removed from the family.", name=member.person.full_name), "success")
        return redirect(url_for("cases.detail", case_id=case.id, _anchor="members"), 303)
    return _members_response(case)


@bp.route("/<int:case_id>/members/<int:member_id>/restrictions", methods=["GET", "POST"])
def restrictions(case_id, member_id):
    """A child's contact restrictions: the order, and who may not be present."""
    case = get_case_or_404(case_id, edit=request.method == "POST")
    child = _get_member_or_404(case, member_id)
    if child.role != MemberRole.CHILD:
        abort(404)
    candidates = list(
        Member.select(Member, Person).join(Person)
        .where((Member.case == case) & (Member.role.in_([MemberRole.BIRTH_PARENT, MemberRole.RELATIVE, MemberRole.HOUSEHOLD])))
        .order_by(Person.search_name)
    )
    form = RestrictionForm(obj=child)
    form.excluded.choices = [(m.person_id, f"{m.person.full_name} ({ROLE_LABELS[m.role]}{', ' + m.relation if m.relation else ''})") for m in candidates]
    current = [row.person_id for row in ExcludedPerson.select().where(ExcludedPerson.child == child)]
    stale = None
    if request.method == "GET":
        form.version.data = child.version
        form.excluded.data = current
    elif form.validate_on_submit():
        expected = form.expected_version()
        before = {"restriction_text": child.restriction_text, "restriction_source": child.restriction_source,
                  "excluded": sorted(current)}
        form.copy_to(child, ("restriction_text", "restriction_source"))
        with db.atomic():
            saved = expected is not None and child.save_if_version(expected)
            if saved:
                chosen = sorted(set(form.excluded.data or []))
                ExcludedPerson.delete().where(ExcludedPerson.child == child).execute()
                for person_id in chosen:
                    ExcludedPerson.create(child=child, person=person_id)
                after = {"restriction_text": child.restriction_text, "restriction_source": child.restriction_source,
                         "excluded": chosen}
                audit.record(current_user, "update", child, case=case, summary=f"contact restrictions: {child.person.full_name}",
                             changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})
        if saved:
            flash(_("The contact restrictions have been saved."), "success")
            return redirect(url_for("cases.detail", case_id=case.id, _anchor="members"), 303)
        stale = Member.get_by_id(child.id)
        form.version.data = stale.version
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render("cases/restrictions.html", case=case, child=child, form=form, stale=stale,
                  can_edit=can_edit_case(current_user, case), status=status)


# --- Key worker and team ------------------------------------------------------------------


def _team_response(case, status=200, **extra):
    """The key worker and team section after a change."""
    return _section_response(case, "team", "teamChanged", status, **extra)


@bp.route("/<int:case_id>/key-worker", methods=["POST"])
def key_worker(case_id):
    """Hand the case over to another key worker (conflicts and caseload checked)."""
    case = get_case_or_404(case_id, edit=True)
    form = _key_worker_form(formdata=request.form)
    if form.validate_on_submit():
        worker = User.get_or_none(User.id == form.key_worker.data)
        try:
            with db.atomic():
                assign_key_worker(case, worker, current_user, form.override_reason.data or "")
                # The new key worker leaves the team list if they were on it.
                TeamMember.delete().where((TeamMember.case == case) & (TeamMember.user == worker)).execute()
        except CaseRuleError as exc:
            target = form.override_reason if exc.needs_override else form.key_worker
            target.errors.append(str(exc))
            return _redirect_or_team(case, form, status=422, kind="key_worker_form")
        if not is_partial():
            flash(_("The key worker has been changed."), "success")
            return redirect(url_for("cases.detail", case_id=case.id, _anchor="team"), 303)
        # The key worker shows in several sections of the page: reload it as a whole.
        flash(_("The key worker has been changed."), "success")
        return hx_redirect(url_for("cases.detail", case_id=case.id, _anchor="team"))
    return _redirect_or_team(case, form, status=422, kind="key_worker_form")


def _redirect_or_team(case, form, status, kind):
    """An invalid team form: the team section with errors (htmx) or the whole page."""
    forms = {"key_worker_form": _key_worker_form(), "team_form": _team_form(), kind: form}
    if is_partial():
        return _team_response(case, status=status, **forms)
    return render("cases/case_detail.html", status=status, **_detail_context(case, **forms))


@bp.route("/<int:case_id>/team", methods=["GET"])
def team_manage(case_id):
    """The hand-over and team forms, opened from the case page's team section."""
    case = get_case_or_404(case_id, edit=True)
    return render("cases/case_detail.html", block="team",
                  **_detail_context(case, key_worker_form=_key_worker_form(), team_form=_team_form()))


@bp.route("/<int:case_id>/team", methods=["POST"])
def team_add(case_id):
    """Add a staff member to the case's team."""
    case = get_case_or_404(case_id, edit=True)
    form = _team_form(formdata=request.form)
    if form.validate_on_submit():
        user = User.get_or_none(User.id == form.user.data)
        try:
            with db.atomic():
                add_team_member(case, user, current_user)
        except CaseRuleError as exc:
            form.user.errors.append(str(exc))
            return _redirect_or_team(case, form, status=422, kind="team_form")
        if not is_partial():
            flash(_("%(name)s has joined the team.", name=user.full_name), "success")
            return redirect(url_for("cases.detail", case_id=case.id, _anchor="team"), 303)
        return _team_response(case)
    return _redirect_or_team(case, form, status=422, kind="team_form")


@bp.route("/<int:case_id>/team/<int:member_id>/remove", methods=["POST"])
def team_remove(case_id, member_id):
    """Take a staff member off the team."""
    case = get_case_or_404(case_id, edit=True)
    member = TeamMember.get_or_none((TeamMember.id == member_id) & (TeamMember.case == case))
    if member is None:
        abort(404)
    with db.atomic():
        audit.record(current_user, "delete", member, case=case, summary=f"team: {member.user.full_name}")
        member.delete_instance()
    if not is_partial():
        return redirect(url_for("cases.detail", case_id=case.id, _anchor="team"), 303)
    return _team_response(case)


# --- History ------------------------------------------------------------------------------


@bp.route("/<int:case_id>/history")
def history(case_id):
    """The case's audit entries, newest first, paginated."""
    case = get_case_or_404(case_id)
    listing = paginate(
        AuditEntry.select(AuditEntry, User).join(User, JOIN.LEFT_OUTER)
        .where(AuditEntry.case_id == case.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
        HISTORY_PER_PAGE,
    )
    return render("cases/history.html", block="entries", case=case, entries=listing.rows,
                  page=listing.page, pages=listing.pages)


# --- Inviting a caregiver to the portal ---------------------------------------------------


@bp.route("/<int:case_id>/members/<int:member_id>/invite", methods=["POST"])
def member_invite(case_id, member_id):
    """Give a caregiver member an account and show its one-time set-password link once.

    The account's e-mail is the one on the person record. Refused, with the reason beside
    the members, for other roles, without an e-mail, or when the e-mail or the person
    already has an account.
    """
    from peewee import IntegrityError

    from models import PasswordToken
    from models.users import normalise_email

    case = get_case_or_404(case_id, edit=True)
    member = _get_member_or_404(case, member_id)
    person = member.person
    email = normalise_email(person.email)
    error = None
    if member.role != MemberRole.CAREGIVER:
        error = _("Only caregivers can be invited to the portal.")
    elif person.account_id:
        error = _("%(name)s already has an account in the portal.", name=person.full_name)
    elif not email:
        error = _("%(name)s has no e-mail address. Add it to their record first; the account is made for that address.", name=person.full_name)
    elif User.by_email(email) is not None:
        error = _("An account with the e-mail %(email)s already exists. Correct the e-mail address of %(name)s or ask an administrator.", email=email, name=person.full_name)
    if error is None:
        try:
            with db.atomic():
                user = User.create(email=email, full_name=person.full_name, role=Role.CAREGIVER)
                linked = Person.update(account=user).where((Person.id == person.id) & Person.account.is_null()).execute()
                if linked != 1:
                    raise IntegrityError("the person was linked to an account meanwhile")
                token = PasswordToken.issue(user)
                audit.record(current_user, "create", user, case=case, summary=f"{user.email} (caregiver invited)")
                audit.record(current_user, "update", person, case=case, summary=f"{person.full_name}: portal account",
                             changes={"account": [None, user.id]})
        except IntegrityError:
            error = _("%(name)s or the e-mail %(email)s got an account in the meantime.", name=person.full_name, email=email)
    if error:
        return _members_response(case, status=422, member_error=error)
    invite = {
        "member_id": member.id,
        "name": person.full_name,
        "email": email,
        "link": url_for("auth.set_password", token=token, _external=True),
    }
    return _members_response(case, invite=invite)
