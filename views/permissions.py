"""Who may do what. Every access rule of the portal lives in this module.

Deny by default: :func:`init_app` makes every endpoint require a signed-in, active
account unless the view is marked :func:`public`. Role checks are the decorators below;
object-level checks are the scoped loaders later modules add here.
"""
from functools import wraps

from flask import abort, request, url_for
from flask_login import current_user

from models import Role
from models.base import Prepared, id_list


def public(view):
    """Mark a view as reachable without signing in (sign-in page, language switch …)."""
    view.is_public = True
    return view


def role_required(*roles):
    """Allow the decorated view only to accounts with one of ``roles`` (else 403)."""
    allowed = {Role(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_role(*allowed):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def has_role(*roles):
    """True when the signed-in account has one of ``roles``."""
    user = current_user._get_current_object()
    return user.is_authenticated and user.role_enum in {Role(r) for r in roles}


def blueprint_requires(bp, *roles):
    """Restrict every view of blueprint ``bp`` to ``roles``."""

    @bp.before_request
    def _check_role():
        if not has_role(*roles):
            abort(403)


def init_app(app, login_manager):
    """Install the deny-by-default check and the unauthorised response."""

    @app.before_request
    def _require_sign_in():
        if request.endpoint is None:
            return None  # 404 follows
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False) or request.endpoint == "static":
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @login_manager.unauthorized_handler
    def _unauthorised():
        from .auth.routes import safe_next
        from .htmx import hx_redirect

        target = url_for("auth.login", next=safe_next(request.full_path.rstrip("?")))
        # An htmx request must not get the sign-in page swapped into a fragment: tell
        # htmx to load the sign-in page as a whole page instead.
        return hx_redirect(target)


def home_endpoint(user):
    """The endpoint of the home page for ``user``'s role."""
    return {
        Role.ADMIN: "home.staff",
        Role.STAFF: "home.staff",
        Role.CAREGIVER: "home.caregiver",
    }[user.role_enum]


# --- Cases: who sees and who edits which family ------------------------------------------
#
# Admins see every case. Staff see the cases where they are key worker or on the team, or
# every case when an admin granted them reading rights. Caregivers see only the case(s)
# they are a caregiver member of, and only what is meant for them (the templates and the
# caregiver views never load staff notes or relatives' addresses). Every case-bearing view
# and htmx fragment loads its case through get_case_or_404, so the rule is applied once.


def case_scope(user):
    """Which cases ``user`` sees: "none", "all", "staff" (key worker or team) or "family"."""
    if not user.is_authenticated:
        return "none"
    role = user.role_enum
    if role is Role.ADMIN or (role is Role.STAFF and user.can_read_all_cases):
        return "all"
    return "staff" if role is Role.STAFF else "family"


def cases_in_scope(scope, user_id):
    """The query of the cases of ``scope`` (see :func:`case_scope`) for the user ``user_id``."""
    from models import Case, Member, MemberRole, Person, TeamMember

    if scope == "none":
        return Case.select().where(Case.id.is_null())
    if scope == "all":
        return Case.select()
    if scope == "staff":
        team = TeamMember.select(TeamMember.case).where(TeamMember.user == user_id)
        return Case.select().where((Case.key_worker == user_id) | Case.id.in_(team))
    mine = (
        Member.select(Member.case)
        .join(Person)
        .where((Person.account == user_id) & (Member.role == MemberRole.CAREGIVER))
    )
    return Case.select().where(Case.id.in_(mine))


def visible_cases(user):
    """A query of the cases ``user`` may open."""
    return cases_in_scope(case_scope(user), user.id if user.is_authenticated else None)


class InVisibleCases:
    """A query limited to the cases the signed-in user may see, compiled once per scope.

    ``build(cases, **markers)`` gets ``cases``, a subquery of the ids of the visible cases,
    and returns the query (see models.base.Prepared for the markers). Pages that run a
    scoped lookup on every request use this instead of building the query each time.
    """

    def __init__(self, build, *names):
        self.build, self.names = build, names
        self._by_scope = {}

    def _prepared(self, scope):
        from models import Case

        prepared = self._by_scope.get(scope)
        if prepared is None:
            if scope in ("all", "none"):
                prepared = Prepared(
                    lambda **kw: self.build(cases_in_scope(scope, None).select(Case.id), **kw), *self.names)
            else:
                prepared = Prepared(
                    lambda user_id, **kw: self.build(cases_in_scope(scope, user_id).select(Case.id), **kw),
                    "user_id", *self.names)
            self._by_scope[scope] = prepared
        return prepared

    def _call(self, method, user, values):
        user = current_user._get_current_object() if user is None else user
        scope = case_scope(user)
        if scope not in ("all", "none"):
            values = {"user_id": user.id, **values}
        return getattr(self._prepared(scope), method)(**values)

    # ``user``: whose access applies; the signed-in user unless given (a panel's loader
    # receives its user).

    def all(self, user=None, **values):
        return self._call("all", user, values)

    def first(self, user=None, **values):
        return self._call("first", user, values)

    def rows(self, user=None, **values):
        """Plain database rows (models.base.Prepared.rows)."""
        return self._call("rows", user, values)

    def scalar(self, user=None, **values):
        return self._call("scalar", user, values)


def _one_case(scope):
    from models import Case

    if scope == "all":
        return Prepared(lambda case_id: Case.select().where(Case.id == case_id).limit(1), "case_id")
    return Prepared(
        lambda case_id, user_id: cases_in_scope(scope, user_id).where(Case.id == case_id).limit(1),
        "case_id", "user_id",
    )


#: One case by id within each scope: every case-bearing page loads its case this way, so
#: the statements are compiled once (models.base.Prepared).
_CASE_IN_SCOPE = {scope: _one_case(scope) for scope in ("all", "staff", "family")}


def _team_member_exists():
    from models import TeamMember

    return Prepared(
        lambda case_id, user_id: TeamMember.select(TeamMember.id)
        .where((TeamMember.case == case_id) & (TeamMember.user == user_id)).limit(1),
        "case_id", "user_id",
    )


_IS_TEAM_MEMBER = _team_member_exists()


def can_edit_case(user, case):
    """Admins, the key worker and team members edit a case; read-all rights do not."""
    if not user.is_authenticated:
        return False
    if user.role_enum is Role.ADMIN:
        return True
    if user.role_enum is not Role.STAFF:
        return False
    if case.key_worker_id == user.id:
        return True
    return _IS_TEAM_MEMBER.scalar(case_id=case.id, user_id=user.id) is not None


def _editable_among():
    from models import Case, TeamMember

    team = lambda user_id: TeamMember.select(TeamMember.case).where(TeamMember.user == user_id)  # noqa: E731
    return Prepared(
        lambda case_ids, user_id: Case.select(Case.id).where(
            Case.id.in_(id_list(case_ids)) & ((Case.key_worker == user_id) | Case.id.in_(team(user_id)))).tuples(),
        "case_ids", "user_id",
    )


_EDITABLE_AMONG = _editable_among()


def editable_case_ids(case_ids):
    """Of ``case_ids``, those the signed-in user may edit (see :func:`can_edit_case`), in
    one query."""
    case_ids = set(case_ids)
    if not case_ids or not current_user.is_authenticated:
        return set()
    if current_user.role_enum is Role.ADMIN:
        return case_ids
    if current_user.role_enum is not Role.STAFF:
        return set()
    return {case_id for (case_id,) in _EDITABLE_AMONG.all(case_ids=sorted(case_ids), user_id=current_user.id)}


def get_case_or_404(case_id, edit=False):
    """The case if the signed-in user may see it (and edit it, with ``edit``).

    A case the user may not see answers 404, so its existence is not revealed; one they
    may see but not change answers 403.
    """
    scope = case_scope(current_user)
    if scope == "none":
        abort(404)
    values = {"case_id": case_id} if scope == "all" else {"case_id": case_id, "user_id": current_user.id}
    case = _CASE_IN_SCOPE[scope].first(**values)
    if case is None:
        abort(404)
    if edit and not can_edit_case(current_user, case):
        abort(403)
    return case


def visible_people(user):
    """People ``user`` may open: members of visible cases (admins and read-all: everyone).

    People not yet in any case are visible to all staff, so that a duplicate can be found
    and linked instead of entered twice.
    """
    from models import Member, Person

    role = user.role_enum
    if role is Role.ADMIN or (role is Role.STAFF and user.can_read_all_cases):
        return Person.select()
    if role is not Role.STAFF:
        return Person.select().where(Person.id.is_null())
    from models import Case

    cases = visible_cases(user).select(Case.id)
    in_my_cases = Member.select(Member.person).where(Member.case.in_(cases))
    in_any_case = Member.select(Member.person)
    return Person.select().where(Person.id.in_(in_my_cases) | Person.id.not_in(in_any_case))


def _person_in_scope(scope):
    from models import Case, Member, Person

    if scope == "all":
        return Prepared(lambda person_id: Person.select().where(Person.id == person_id).limit(1), "person_id")

    def build(person_id, user_id):
        in_my_cases = Member.select(Member.person).where(Member.case.in_(cases_in_scope("staff", user_id).select(Case.id)))
        in_any_case = Member.select(Member.person)
        return Person.select().where(
            (Person.id == person_id) & (Person.id.in_(in_my_cases) | Person.id.not_in(in_any_case))).limit(1)

    return Prepared(build, "person_id", "user_id")


#: One person by id as visible_people sees them, compiled once (staff pages open people often).
_PERSON_IN_SCOPE = {}


def get_person_or_404(person_id):
    """A person the signed-in staff member may see (caregivers never open person pages)."""
    role = current_user.role_enum
    if role is Role.ADMIN or (role is Role.STAFF and current_user.can_read_all_cases):
        scope, values = "all", {"person_id": person_id}
    elif role is Role.STAFF:
        scope, values = "staff", {"person_id": person_id, "user_id": current_user.id}
    else:
        abort(404)
    prepared = _PERSON_IN_SCOPE.get(scope) or _PERSON_IN_SCOPE.setdefault(scope, _person_in_scope(scope))
    person = prepared.first(**values)
    if person is None:
        abort(404)
    return person


def _person_edit_checks():
    from models import Case, Member, TeamMember

    in_a_case = Prepared(
        lambda person_id: Member.select(Member.id).where(Member.person == person_id).limit(1), "person_id")
    in_an_editable_case = Prepared(
        lambda person_id, user_id: Member.select(Member.id).join(Case)
        .where((Member.person == person_id)
               & ((Case.key_worker == user_id)
                  | Case.id.in_(TeamMember.select(TeamMember.case).where(TeamMember.user == user_id))))
        .limit(1),
        "person_id", "user_id",
    )
    return in_a_case, in_an_editable_case


_IN_A_CASE, _IN_AN_EDITABLE_CASE = _person_edit_checks()


def can_edit_person(user, person):
    """Staff who may edit any case the person is in, or anyone for a person in no case."""
    if user.role_enum is Role.ADMIN:
        return True
    if user.role_enum is not Role.STAFF:
        return False
    # The same rule as can_edit_case, for all the person's cases in one query.
    if _IN_A_CASE.scalar(person_id=person.id) is None:
        return True
    return _IN_AN_EDITABLE_CASE.scalar(person_id=person.id, user_id=user.id) is not None
