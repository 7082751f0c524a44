"""A person's page: details and the families they belong to (as far as visible)."""
from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import Case, Member, Person, Role, audit, db

from ..cases.forms import PersonForm
from ..htmx import hx_redirect, render
from ..permissions import InVisibleCases, blueprint_requires, can_edit_person, get_person_or_404

bp = Blueprint("people", __name__, url_prefix="/people")
blueprint_requires(bp, Role.ADMIN, Role.STAFF)

PERSON_EDIT_FIELDS = ("first_name", "last_name", "date_of_birth", "phone", "email", "address", "staff_notes")


#: The person's roles in the families the user may see (compiled once per scope).
_MEMBERSHIPS = InVisibleCases(
    lambda cases, person_id: Member.select(Member, Case).join(Case)
    .where((Member.person == person_id) & Member.case.in_(cases))
    .order_by(Case.search_name),
    "person_id",
)


@bp.route("/<int:person_id>")
def detail(person_id):
    """The person's record and their roles in the families the user may see."""
    person = get_person_or_404(person_id)
    memberships = _MEMBERSHIPS.all(person_id=person.id)
    with db.atomic():
        audit.record(current_user, "view", person, summary=person.full_name)
    return render("people/person_detail.html", person=person, memberships=memberships,
                  can_edit=can_edit_person(current_user, person))


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
def edit(person_id):
    """Edit a person's record; a save based on an outdated version is refused."""
    person = get_person_or_404(person_id)
    if not can_edit_person(current_user, person):
        from flask import abort

        abort(403)
    form = PersonForm(obj=person)
    stale = None
    if request.method == "GET":
        form.version.data = person.version
    elif form.validate_on_submit():
        before = audit.snapshot(person)
        expected = form.expected_version()
        form.copy_to(person, PERSON_EDIT_FIELDS)
        saved = audit.save_versioned(current_user, person, before, expected)
        if saved:
            flash(_("%(name)s has been saved.", name=person.full_name), "success")
            # The htmx form targets itself: send the browser to the person's page instead
            # of swapping that page into the form.
            return hx_redirect(url_for("people.detail", person_id=person.id))
        stale = Person.get_by_id(person.id)
        form.version.data = stale.version
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render("people/person_form.html", block="form", person=person, form=form, stale=stale, status=status)
