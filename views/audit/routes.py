"""The audit log: every recorded action, newest first, for administrators.

Read only: nothing in the portal edits or deletes an audit entry.
"""
import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import JOIN

from models import AuditEntry, Organisation, Role, User

from ..pagination import paginate
from ..htmx import render
from ..layout import AUDIT_ACTIONS
from ..permissions import blueprint_requires
from .forms import AuditFilterForm

bp = Blueprint("audit", __name__, url_prefix="/audit")
blueprint_requires(bp, Role.ADMIN)

ENTRIES_PER_PAGE = 50
#: The actor filter's value for entries without an actor (command line, system).
SYSTEM_ACTOR = 0
FILTERS = ("actor", "action", "table", "case", "date_from", "date_to")

#: Names of the kinds of record; a table not listed here is shown by its name.
TABLE_LABELS = {
    "user": _l("Accounts"),
    "organisation": _l("Organisation"),
    "person": _l("People"),
    "family_case": _l("Families"),
    "member": _l("Members of families"),
    "team_member": _l("Teams"),
    "key_worker_assignment": _l("Key worker hand-overs"),
    "excluded_person": _l("Contact restrictions"),
    "conflict_declaration": _l("Conflicts of interest"),
    "notification": _l("Notifications"),
    # Care plans (models/plans.py)
    "plan_area": _l("Areas of needs"),
    "care_plan": _l("Care plans"),
    "plan_need": _l("Needs and risks"),
    "plan_goal": _l("Goals of care plans"),
    "plan_action": _l("Actions of care plans"),
    "plan_version": _l("Approved versions of care plans"),
    "plan_acknowledgement": _l("Acknowledgements of care plans"),
    "plan_review": _l("Reviews of care plans"),
    "plan_review_goal": _l("Reviews of goals"),
    # Education (models/education.py)
    "education_settings": _l("Education figures"),
    "training_event": _l("Trainings"),
    "registration": _l("Registrations for trainings"),
    "external_training": _l("External training"),
    "education_plan": _l("Individual education plans"),
    # Assisted contacts (models/contacts.py)
    "room": _l("Rooms"),
    "contact_settings": _l("Scheduling settings"),
    "contact_order": _l("Contact orders"),
    "contact_series": _l("Series of contacts"),
    "contact": _l("Assisted contacts"),
    "contact_participant": _l("Participants of contacts"),
    "calendar_feed": _l("Calendar feeds"),
}


def _utc_start(day, tz):
    """The first moment of local ``day`` as a naive UTC datetime (how ``at`` is stored)."""
    local = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return local.astimezone(datetime.UTC).replace(tzinfo=None)


def _choices(form):
    actors = (
        User.select(User.id, User.full_name, User.email)
        .where(User.id.in_(AuditEntry.select(AuditEntry.actor).where(AuditEntry.actor.is_null(False))))
        .order_by(User.full_name, User.id)
    )
    form.actor.choices = (
        [("", _("Anyone")), (SYSTEM_ACTOR, _("System (command line)"))]
        + [(u.id, f"{u.full_name} <{u.email}>") for u in actors]
    )
    form.action.choices = [("", _("Any action"))] + list(AUDIT_ACTIONS.items())
    tables = [t for (t,) in AuditEntry.select(AuditEntry.table).distinct().order_by(AuditEntry.table).tuples()]
    form.table.choices = [("", _("Any kind"))] + [(t, TABLE_LABELS.get(t, t)) for t in tables if t]


def _filtered(form):
    """The entries matching the filters that are valid, and those filters for the pager."""
    query = AuditEntry.select(AuditEntry, User).join(User, JOIN.LEFT_OUTER, on=(AuditEntry.actor == User.id))
    ok = {name: form[name].data for name in FILTERS if not form[name].errors and form[name].data not in (None, "")}
    if "actor" in ok:
        actor = ok["actor"]
        query = query.where(AuditEntry.actor.is_null() if actor == SYSTEM_ACTOR else AuditEntry.actor == actor)
    if "action" in ok:
        query = query.where(AuditEntry.action == ok["action"])
    if "table" in ok:
        query = query.where(AuditEntry.table == ok["table"])
    if "case" in ok:
        query = query.where(AuditEntry.case_id == ok["case"])
    tz = ZoneInfo(Organisation.current().timezone)
    if "date_from" in ok:
        query = query.where(AuditEntry.at >= _utc_start(ok["date_from"], tz))
    if "date_to" in ok:
        query = query.where(AuditEntry.at < _utc_start(ok["date_to"] + datetime.timedelta(days=1), tz))
    return query, {name: request.args.get(name) for name in ok}


@bp.route("/")
def index():
    """Audit entries newest first, filtered by actor, action, kind of record, case and date."""
    form = AuditFilterForm(request.args)
    _choices(form)
    valid = form.validate()
    query, filters = _filtered(form)
    listing = paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), ENTRIES_PER_PAGE)
    return render(
        "audit/audit_list.html",
        block="log",
        status=200 if valid else 422,
        form=form,
        entries=listing.rows,
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        filters=filters,
        show_record=True,
        TABLE_LABELS=TABLE_LABELS,
    )
