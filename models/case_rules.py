"""The rules of case records, in one place: who may be key worker or on a team, the
caseload limits of the country profile, and the members a case must keep.

Each function raises :class:`CaseRuleError` with a message for the user; views show it
beside the form. Writes happen inside the caller's transaction.
"""
import datetime

from flask_babel import gettext as _

from . import audit
from .cases import Case, CaseStatus, KeyWorkerAssignment, Member, MemberRole, TeamMember, MAX_CAREGIVERS
from .conflicts import ConflictDeclaration
from .organisation import Organisation
from .users import Role


class CaseRuleError(ValueError):
    """A rule refused the change; ``str(error)`` is the localised reason."""

    def __init__(self, message, needs_override=False):
        super().__init__(message)
        self.needs_override = needs_override


def check_conflict(user, case):
    """Refuse ``user`` on ``case`` if they declared a relationship with one of its members."""
    conflicts = ConflictDeclaration.blocking(user, case)
    if conflicts:
        names = ", ".join(c.person.full_name for c in conflicts)
        raise CaseRuleError(
            _(
                "%(staff)s has declared a conflict of interest with %(names)s, a member of this family, and cannot work on this case.",
                staff=user.full_name,
                names=names,
            )
        )


def caseload_limit():
    """The hard caseload limit of the country profile in force (None: no limit)."""
    return Organisation.current().profile.figures.get("caseload_hard_limit")


def check_caseload(user, case, override_reason=""):
    """Refuse a key worker above the profile's hard limit unless an admin overrides it."""
    limit = caseload_limit()
    if limit is None or case.status != CaseStatus.ACTIVE:
        return
    current = Case.select().where(
        (Case.key_worker == user) & (Case.status == CaseStatus.ACTIVE) & (Case.id != (case.id or 0))
    ).count()
    if current >= limit and not override_reason.strip():
        raise CaseRuleError(
            _(
                "%(staff)s already works with %(count)d families; the law allows at most %(limit)d. An administrator may assign the case anyway with a recorded reason.",
                staff=user.full_name,
                count=current,
                limit=limit,
            ),
            needs_override=True,
        )


def assign_key_worker(case, user, actor, override_reason="", today=None):
    """Make ``user`` the key worker of ``case``, recording the hand-over.

    Exactly one key worker at a time: the previous assignment ends today.
    """
    if user.role_enum is not Role.STAFF and user.role_enum is not Role.ADMIN:
        raise CaseRuleError(_("Only a staff member can be a key worker."))
    if not user.active:
        raise CaseRuleError(_("This account is deactivated."))
    if override_reason and actor.role_enum is not Role.ADMIN:
        raise CaseRuleError(_("Only an administrator can override the caseload limit."))
    if case.key_worker_id == user.id:
        return None
    check_conflict(user, case)
    check_caseload(user, case, override_reason)
    today = today or datetime.date.today()
    (
        KeyWorkerAssignment.update(ended_on=today)
        .where((KeyWorkerAssignment.case == case) & KeyWorkerAssignment.ended_on.is_null())
        .execute()
    )
    previous = case.key_worker
    case.key_worker = user
    case.save()
    assignment = KeyWorkerAssignment.create(
        case=case, user=user, started_on=today, assigned_by=actor, override_reason=override_reason.strip()
    )
    audit.record(
        actor,
        "update",
        case,
        case=case,
        summary=f"key worker: {user.full_name}" + (f" (override: {override_reason.strip()})" if override_reason else ""),
        changes={"key_worker": [previous.full_name if previous else None, user.full_name]},
    )
    return assignment


def add_team_member(case, user, actor):
    """Put ``user`` on the case's team (not the key worker, no conflict of interest)."""
    if user.role_enum not in (Role.STAFF, Role.ADMIN):
        raise CaseRuleError(_("Only a staff member can be on a case's team."))
    if case.key_worker_id == user.id:
        raise CaseRuleError(_("%(staff)s is already the key worker of this case.", staff=user.full_name))
    if TeamMember.select().where((TeamMember.case == case) & (TeamMember.user == user)).exists():
        raise CaseRuleError(_("%(staff)s is already on the team.", staff=user.full_name))
    check_conflict(user, case)
    member = TeamMember.create(case=case, user=user)
    audit.record(actor, "create", member, case=case, summary=f"team: {user.full_name}")
    return member


def check_new_member(case, person, role):
    """Rules for adding ``person`` to ``case`` in ``role``."""
    if role == MemberRole.CAREGIVER:
        caregivers = Member.select().where((Member.case == case) & (Member.role == MemberRole.CAREGIVER))
        if caregivers.count() >= MAX_CAREGIVERS:
            raise CaseRuleError(_("A family has at most two caregivers."))
    if Member.select().where((Member.case == case) & (Member.person == person) & (Member.role == role)).exists():
        raise CaseRuleError(_("%(name)s is already a member of this family in this role.", name=person.full_name))
    conflicts = ConflictDeclaration.blocking_person(person, case)
    if conflicts:
        raise CaseRuleError(
            _(
                "%(staff)s, who works on this case, has declared a conflict of interest with %(name)s. Hand the case over first.",
                staff=", ".join(c.user.full_name for c in conflicts),
                name=person.full_name,
            )
        )


def check_member_removal(member):
    """An active case keeps at least one caregiver."""
    if member.role != MemberRole.CAREGIVER or member.case.status != CaseStatus.ACTIVE:
        return
    others = Member.select().where(
        (Member.case == member.case_id) & (Member.role == MemberRole.CAREGIVER) & (Member.id != member.id)
    )
    if not others.exists():
        raise CaseRuleError(_("An active family must keep at least one caregiver."))
