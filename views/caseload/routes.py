"""Caseloads: a staff member's own families, and every key worker's count for administrators.

The figures (a hard limit in Poland, a recommended range in Czechia) come from the
country profile in force, never from this module.
"""
from flask import Blueprint, request
from flask_login import current_user
from peewee import JOIN

from models import Case, CaseStatus, Organisation, Role, TeamMember, User

from ..htmx import render
from ..permissions import blueprint_requires, role_required

bp = Blueprint("caseload", __name__, url_prefix="/caseload")
blueprint_requires(bp, Role.ADMIN, Role.STAFF)

CASES_PER_PAGE = 25
STAFF_PER_PAGE = 50


class Load:
    """A number of active families as key worker, measured against the country profile.

    ``level`` is one of: ``ok``; ``near`` (within the profile's warning margin of the hard
    limit); ``full`` (at the limit: only an administrator may assign more, with a reason);
    ``over`` (above it, after an override); ``above`` (above the recommended range where
    the profile has a recommendation instead of a limit).
    """

    def __init__(self, count, figures):
        self.count = count
        self.limit = figures.get("caseload_hard_limit")
        self.recommended_min = figures.get("caseload_recommended_min")
        self.recommended_max = figures.get("caseload_recommended_max")
        margin = figures.get("caseload_warning_margin") or 0
        self.left = None
        if self.limit is not None:
            self.left = max(0, self.limit - count)
            if count > self.limit:
                self.level = "over"
            elif count == self.limit:
                self.level = "full"
            elif self.limit - count <= margin:
                self.level = "near"
            else:
                self.level = "ok"
        elif self.recommended_max is not None and count > self.recommended_max:
            self.level = "above"
        else:
            self.level = "ok"

    @property
    def has_range(self):
        return self.recommended_min is not None and self.recommended_max is not None


def _pages(total, per_page):
    return max(1, -(-total // per_page))


def _page_arg(name):
    return max(1, request.args.get(name, 1, type=int))


@bp.route("/")
def mine():
    """The signed-in staff member's active families: as key worker, and on the team."""
    figures = Organisation.current().profile.figures
    own = Case.select().where((Case.key_worker == current_user.id) & (Case.status == CaseStatus.ACTIVE))
    own_total = own.count()
    own_pages = _pages(own_total, CASES_PER_PAGE)
    own_page = min(_page_arg("page"), own_pages)
    own_cases = list(own.order_by(Case.search_name, Case.id).paginate(own_page, CASES_PER_PAGE))

    team = (
        Case.select(Case, User)
        .join(TeamMember, on=(TeamMember.case == Case.id))
        .switch(Case)
        .join(User, JOIN.LEFT_OUTER, on=(Case.key_worker == User.id))
        .where((TeamMember.user == current_user.id) & (Case.status == CaseStatus.ACTIVE))
    )
    team_total = team.count()
    team_pages = _pages(team_total, CASES_PER_PAGE)
    team_page = min(_page_arg("team_page"), team_pages)
    team_cases = list(team.order_by(Case.search_name, Case.id).paginate(team_page, CASES_PER_PAGE))
    return render(
        "caseload/caseload_mine.html",
        load=Load(own_total, figures),
        own_cases=own_cases,
        own_page=own_page,
        own_pages=own_pages,
        team_cases=team_cases,
        team_total=team_total,
        team_page=team_page,
        team_pages=team_pages,
        args={"page": own_page, "team_page": team_page},
    )


@bp.route("/all")
@role_required(Role.ADMIN)
def all_staff():
    """Every active staff member with their number of active families as key worker.

    The counts come from one grouped query, whatever the number of staff.
    """
    figures = Organisation.current().profile.figures
    counts = Case.caseloads()
    # Staff members, and administrators who are key workers themselves.
    staff = User.select().where(
        User.active & ((User.role == Role.STAFF) | ((User.role == Role.ADMIN) & User.id.in_(list(counts))))
    )
    total = staff.count()
    pages = _pages(total, STAFF_PER_PAGE)
    page = min(_page_arg("page"), pages)
    rows = [
        (user, Load(counts.get(user.id, 0), figures))
        for user in staff.order_by(User.full_name, User.id).paginate(page, STAFF_PER_PAGE)
    ]
    # Accounts deactivated (or no longer staff) that are still key worker of active
    # families: those families need a new key worker.
    orphaned = [
        (user, counts[user.id])
        for user in User.select()
        .where(User.id.in_(list(counts)) & ~(User.active & User.role.in_([Role.STAFF, Role.ADMIN])))
        .order_by(User.full_name, User.id)
    ]
    return render(
        "caseload/caseload_all.html",
        block="results",
        rows=rows,
        orphaned=orphaned,
        total=total,
        page=page,
        pages=pages,
        active_total=sum(counts.values()),
        figures=figures,
        sample=Load(0, figures),
    )
