"""Conflict-of-interest declarations: a staff member's own, and every one for administrators.

A declaration is a fact and is always recorded. The rules that follow from it (no key
worker or team member with a declared relationship to a member of the family, no new
member related to the case's staff) live in ``models/case_rules.py``. Declaring a
relationship with a member of a family the declarer already works with is recorded too,
with a warning naming those families, so that an administrator can hand them over.
"""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from models import ConflictDeclaration, Person, Role, User, audit, db
from models.text import fold

from ..pagination import paginate
from ..htmx import render
from ..layout import template_globals
from ..permissions import blueprint_requires, role_required, visible_people
from .forms import CONFLICT_KIND_LABELS, ConflictFilterForm, ConflictForm, PersonSearchForm

bp = Blueprint("conflicts", __name__, url_prefix="/conflicts")
blueprint_requires(bp, Role.ADMIN, Role.STAFF)

#: Own declarations per page, and every declaration per page on the admin list.
PER_PAGE = 25
ALL_PER_PAGE = 50
#: At most this many people are offered by the search.
PEOPLE_LIMIT = 20


template_globals(bp, CONFLICT_KIND_LABELS=CONFLICT_KIND_LABELS)


def _search_people(q):
    """People the user may see whose name contains ``q`` (one more than the limit)."""
    folded = fold((q or "").strip())
    if not folded:
        return []
    return list(
        visible_people(current_user)
        .where(Person.search_name.contains(folded))
        .order_by(Person.search_name, Person.id)
        .limit(PEOPLE_LIMIT + 1)
    )


def _person_label(person):
    if person.date_of_birth:
        return _("%(name)s, born %(date)s", name=person.full_name, date=format_date(person.date_of_birth))
    return person.full_name


def _person_choices(form, people):
    """Offer ``people`` in the form's person select (and keep a person already chosen)."""
    choices = [(p.id, _person_label(p)) for p in people[:PEOPLE_LIMIT]]
    chosen = form.person.data
    if chosen and chosen not in {value for value, _label in choices}:
        person = visible_people(current_user).where(Person.id == chosen).first()
        if person is not None:
            choices.insert(0, (person.id, _person_label(person)))
    form.person.choices = [("", _("Choose the person"))] + choices


def _own_page(form, search, status=200):
    """The page of the user's own declarations with the form to declare one."""
    q = (search.q.data or "").strip()[:100]
    people = _search_people(q)
    _person_choices(form, people)
    form.query.data = q
    query = (
        ConflictDeclaration.select(ConflictDeclaration, Person)
        .join(Person)
        .where(ConflictDeclaration.user == current_user.id)
    )
    listing = paginate(query.order_by(ConflictDeclaration.declared_on.desc(), ConflictDeclaration.id.desc()), PER_PAGE)
    return render(
        "conflicts/conflict_list.html",
        block="person_choices",
        status=status,
        form=form,
        search=search,
        q=q,
        found=len(people),
        more=len(people) > PEOPLE_LIMIT,
        declarations=listing.rows,
        at_stake=ConflictDeclaration.cases_at_stake(listing.rows),
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
    )


@bp.route("/", methods=["GET", "POST"])
def index():
    """The user's own declarations, and the form to declare a relationship with a person."""
    search = PersonSearchForm(request.args)
    if request.method == "GET":
        return _own_page(ConflictForm(formdata=None), search)
    form = ConflictForm()
    search = PersonSearchForm(formdata=None, data={"q": form.query.data or ""})
    if not form.validate_on_submit():
        return _own_page(form, search, status=422)
    person = visible_people(current_user).where(Person.id == form.person.data).first()
    if person is None:
        form.person.errors.append(_("Choose the person from the search results."))
        return _own_page(form, search, status=422)
    exists = ConflictDeclaration.select().where(
        (ConflictDeclaration.user == current_user.id)
        & (ConflictDeclaration.person == person)
        & (ConflictDeclaration.kind == form.kind.data)
    ).exists()
    if exists:
        form.kind.errors.append(
            _("You have already declared this relationship with %(name)s.", name=person.full_name)
        )
        return _own_page(form, search, status=422)
    with db.atomic():
        declaration = ConflictDeclaration.create(
            user=current_user.id, person=person, kind=form.kind.data, note=(form.note.data or "").strip()
        )
        audit.record(
            current_user,
            "create",
            declaration,
            summary=f"conflict of interest: {person.full_name} ({declaration.kind})",
            changes={"person": [None, person.full_name], "kind": [None, declaration.kind]},
        )
    flash(_("Your declaration about %(name)s has been recorded.", name=person.full_name), "success")
    cases = ConflictDeclaration.cases_at_stake([declaration])[declaration.id]
    if cases:
        flash(
            ngettext(
                "%(name)s is a member of a family you work with: %(cases)s. You may not remain its key worker or on its team: ask an administrator to hand it over.",
                "%(name)s is a member of %(num)d families you work with: %(cases)s. You may not remain their key worker or on their team: ask an administrator to hand them over.",
                len(cases),
                name=person.full_name,
                cases=", ".join(case.name for case in cases),
            ),
            "warning",
        )
    return redirect(url_for("conflicts.index"), 303)


@bp.route("/people")
def people():
    """Search as you type: the person select of the declaration form (htmx fragment)."""
    search = PersonSearchForm(request.args)
    return _own_page(ConflictForm(formdata=None), search)


@bp.route("/<int:declaration_id>/withdraw", methods=["POST"])
def withdraw(declaration_id):
    """Withdraw one of the user's own declarations (recorded in the audit trail)."""
    declaration = (
        ConflictDeclaration.select(ConflictDeclaration, Person)
        .join(Person)
        .where((ConflictDeclaration.id == declaration_id) & (ConflictDeclaration.user == current_user.id))
        .first()
    )
    if declaration is None:
        abort(404)
    name = declaration.person.full_name
    with db.atomic():
        audit.record(
            current_user,
            "delete",
            declaration,
            summary=f"conflict of interest withdrawn: {name} ({declaration.kind})",
            changes={"person": [name, None], "kind": [declaration.kind, None], "note": [declaration.note, None]},
        )
        declaration.delete_instance()
    flash(_("Your declaration about %(name)s has been withdrawn.", name=name), "success")
    return redirect(url_for("conflicts.index"), 303)


@bp.route("/all")
@role_required(Role.ADMIN)
def all_declarations():
    """Every declaration of every staff member, filtered by staff member, paginated."""
    form = ConflictFilterForm(request.args)
    declarers = User.select(User.id, User.full_name).where(
        User.id.in_(ConflictDeclaration.select(ConflictDeclaration.user))
    ).order_by(User.full_name, User.id)
    form.user.choices = [("", _("All"))] + [(u.id, u.full_name) for u in declarers]
    valid = form.validate()
    # Only the filters without errors apply; the others are shown with their error.
    by_user = form.user.data if not form.user.errors else None
    at_stake_only = bool(form.at_stake.data) and not form.at_stake.errors
    query = (
        ConflictDeclaration.select(ConflictDeclaration, Person, User)
        .join(Person)
        .switch(ConflictDeclaration)
        .join(User)
    )
    if by_user:
        query = query.where(ConflictDeclaration.user == by_user)
    if at_stake_only:
        query = query.where(
            ConflictDeclaration.id.in_(ConflictDeclaration.at_stake_query().select(ConflictDeclaration.id))
        )
    listing = paginate(
        query.order_by(User.full_name, ConflictDeclaration.declared_on.desc(), ConflictDeclaration.id.desc()),
        ALL_PER_PAGE,
    )
    filters = {}
    if by_user:
        filters["user"] = by_user
    if at_stake_only:
        filters["at_stake"] = "y"
    return render(
        "conflicts/conflict_all.html",
        block="results",
        status=200 if valid else 422,
        form=form,
        declarations=listing.rows,
        at_stake=ConflictDeclaration.cases_at_stake(listing.rows),
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        filters=filters,
    )
