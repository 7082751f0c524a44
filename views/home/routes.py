"""The landing page of each role; for caregivers, "My family" and their contact details."""
import datetime
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from models import Case, CaseStatus, Member, MemberRole, Notification, Organisation, Person, Role, User, audit, db
from models.base import Prepared, id_list

from ..htmx import is_partial, render
from ..panels import CAREGIVER_HOME, STAFF_HOME, collect
from ..permissions import InVisibleCases, home_endpoint, role_required, visible_cases
from .forms import ContactDetailsForm

bp = Blueprint("home", __name__)

#: The fields of their own person record a caregiver may change.
CONTACT_FIELDS = ("phone", "email", "address")
#: The order members are listed in on "My family".
ROLE_ORDER = (MemberRole.CAREGIVER, MemberRole.CHILD, MemberRole.BIRTH_PARENT, MemberRole.RELATIVE, MemberRole.HOUSEHOLD)


@bp.route("/")
def index():
    """Send the user to the home page of their role."""
    return redirect(url_for(home_endpoint(current_user)))


@bp.route("/staff")
@role_required(Role.ADMIN, Role.STAFF)
def staff():
    """Home of staff and administrators."""
    return render("home/staff.html", org=Organisation.current(),
                  panels=collect(STAFF_HOME, current_user))


# --- Caregivers: "My family" --------------------------------------------------------------
#
# A caregiver sees only what is meant for them. The queries below select only the columns
# shown, into small read-only objects, so the template never receives relatives' contact
# details, addresses, staff notes or contact restrictions, even by mistake.


@dataclass(frozen=True)
class KeyWorkerContact:
    """How a caregiver reaches their key worker."""

    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class FamilyMember:
    """A member as a caregiver sees them: name, role and (for children) age."""

    name: str
    role: str
    age: int | None


@dataclass(frozen=True)
class Family:
    """One of the caregiver's cases as shown on "My family"."""

    id: int
    name: str
    status: str
    key_worker: KeyWorkerContact | None
    members: tuple


@dataclass(frozen=True)
class OwnContact:
    """The caregiver's own name and contact details (their person record)."""

    id: int
    name: str
    phone: str
    email: str
    address: str
    version: int


def _age(born, today):
    """Whole years from ``born`` to ``today`` (None without a date of birth)."""
    if not born:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# "My family" is a caregiver's every visit: its queries are compiled once (models.base.Prepared).
_MY_FAMILIES = InVisibleCases(
    lambda cases: Case.select(Case.id, Case.name, Case.status, User.full_name, User.email, User.phone)
    .join(User, JOIN.LEFT_OUTER, on=(Case.key_worker == User.id))
    .where(Case.id.in_(cases))
    .order_by(Case.status == CaseStatus.CLOSED, Case.search_name, Case.id)
    .tuples()
)
_MEMBERS_OF = Prepared(
    lambda case_ids: Member.select(Member.case, Member.role, Person.first_name, Person.last_name, Person.date_of_birth)
    .join(Person)
    .where(Member.case.in_(id_list(case_ids)))
    .order_by(Person.search_name, Person.id)
    .tuples(),
    "case_ids",
)
_OWN_CONTACT = Prepared(
    lambda user_id: Person.select(Person.id, Person.first_name, Person.last_name, Person.phone, Person.email,
                                  Person.address, Person.version)
    .where(Person.account == user_id).limit(1).tuples(),
    "user_id",
)


def _families():
    """The signed-in caregiver's families with key worker and members: two queries in all."""
    rows = _MY_FAMILIES.all()
    if not rows:
        return []
    today = datetime.date.today()
    members = {}
    member_rows = _MEMBERS_OF.all(case_ids=[row[0] for row in rows])
    for case_id, role, first_name, last_name, born in member_rows:
        age = _age(born, today) if role == MemberRole.CHILD else None
        members.setdefault(case_id, []).append(FamilyMember(f"{first_name} {last_name}", role, age))
    rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    families = []
    for case_id, name, status, kw_name, kw_email, kw_phone in rows:
        key_worker = KeyWorkerContact(kw_name, kw_email, kw_phone or "") if kw_name else None
        ordered = tuple(sorted(members.get(case_id, []), key=lambda m: rank.get(m.role, len(rank))))
        families.append(Family(case_id, name, status, key_worker, ordered))
    return families


def _own_contact(user):
    """The caregiver's own person record (only the fields they may see), or None."""
    row = _OWN_CONTACT.first(user_id=user.id)
    if row is None:
        return None
    person_id, first_name, last_name, phone, email, address, version = row
    return OwnContact(person_id, f"{first_name} {last_name}", phone, email, address, version)


def _contact_form(me):
    """The contact-details form filled from the stored values."""
    form = ContactDetailsForm(formdata=None, obj=me)
    form.version.data = me.version
    return form


def _caregiver_page(form=None, status=200, me=None, **extra):
    """"My family", or for an htmx request only its contact-details section (no family
    queries then). The section shows the stored details, or ``form`` when one is given."""
    context = {"form": form, "saved": None, "stale": None, "me": me, **extra}
    if not is_partial():
        context.update(families=_families(), panels=collect(CAREGIVER_HOME, current_user))
    if context["me"] is None:
        context["me"] = _own_contact(current_user)
    return render("home/caregiver.html", block="contact_details", status=status, **context)


@bp.route("/my")
@role_required(Role.CAREGIVER)
def caregiver():
    """Home of a caregiver: their family, how to reach the key worker, own contact details
    (shown as text; the form to change them is one link away)."""
    return _caregiver_page()


@bp.route("/my/contact")
@role_required(Role.CAREGIVER)
def contact_form():
    """The form to change one's contact details: in place with htmx, or "My family" with
    the form open."""
    me = _own_contact(current_user)
    if me is None:
        abort(404)
    return _caregiver_page(_contact_form(me), me=me)


@bp.route("/my/contact", methods=["POST"])
@role_required(Role.CAREGIVER)
def contact_details():
    """Save the caregiver's own phone, e-mail and address and tell their key workers.

    A save based on an outdated version (a key worker changed the record meanwhile) is
    refused with the stored values shown, so no change is lost silently.
    """
    person = Person.for_account(current_user)
    if person is None:
        abort(404)
    form = ContactDetailsForm()
    if not form.validate_on_submit():
        return _caregiver_page(form, status=422)
    before = audit.snapshot(person)
    expected = form.expected_version()
    form.copy_to(person, CONTACT_FIELDS)
    changes = audit.diff(person, before)
    if not changes:
        return _contact_saved(person, _("Your contact details are unchanged."))
    cases = list(visible_cases(current_user).select(Case.id, Case.name, Case.status, Case.key_worker))
    with db.atomic():
        saved = expected is not None and person.save_if_version(expected)
        if saved:
            for case in cases or [None]:
                audit.record(current_user, "update", person, case=case, summary=_summary(person),
                             changes=changes)
            for case in cases:
                if case.is_open and case.key_worker_id:
                    Notification.send(
                        case.key_worker_id,
                        "contact_details_changed",
                        link=url_for("cases.detail", case_id=case.id),
                        name=person.full_name,
                        case=case.name,
                    )
    if not saved:
        stale = _own_contact(current_user)
        form.version.data = stale.version
        return _caregiver_page(form, status=409, stale=stale, me=stale)
    return _contact_saved(person, _("Your contact details have been saved. Your key worker has been told."))


def _summary(person):
    """The audit summary of a caregiver's own change (audit text is not translated)."""
    return f"contact details changed by the caregiver: {person.full_name}"


def _contact_saved(person, message):
    """After a save: the form again with a message (htmx), or back to the page (303)."""
    if not is_partial():
        flash(message, "success")
        return redirect(url_for("home.caregiver"), 303)
    me = OwnContact(person.id, person.full_name, person.phone, person.email, person.address, person.version)
    return _caregiver_page(me=me, saved=message)
