"""Caseloads: a staff member's own families, and every key worker's count for administrators.

The figures (a hard limit in Poland, a recommended range in Czechia) come from the
country profile in force, never from this module.
"""
from flask import Blueprint
from flask_login import current_user
from peewee import JOIN

from models import Case, CaseStatus, Organisation, Role, TeamMember, User

from ..pagination import paginate
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


@bp.route("/")
def mine():
    """The signed-in staff member's active families: as key worker, and on the team."""
    figures = Organisation.current().profile.figures
    own = Case.select().where((Case.key_worker == current_user.id) & (Case.status == CaseStatus.ACTIVE))
    own_list = paginate(own.order_by(Case.search_name, Case.id), CASES_PER_PAGE)

    team = (
        Case.select(Case, User)
        .join(TeamMember, on=(TeamMember.case == Case.id))
        .switch(Case)
        .join(User, JOIN.LEFT_OUTER, on=(Case.key_worker == User.id))
        .where((TeamMember.user == current_user.id) & (Case.status == CaseStatus.ACTIVE))
    )
    team_list = paginate(team.order_by(Case.search_name, Case.id), CASES_PER_PAGE, arg="team_page")
    return render(
        "caseload/caseload_mine.html",
        load=Load(own_list.total, figures),
        own_cases=own_list.rows,
        own_page=own_list.page,
        own_pages=own_list.pages,
        team_cases=team_list.rows,
        team_total=team_list.total,
        team_page=team_list.page,
        team_pages=team_list.pages,
        args={"page": own_list.page, "team_page": team_list.page},
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
    listing = paginate(staff.order_by(User.full_name, User.id), STAFF_PER_PAGE)
    rows = [(user, Load(counts.get(user.id, 0), figures)) for user in listing.rows]
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
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        active_total=sum(counts.values()),
        figures=figures,
        sample=Load(0, figures),
    )
