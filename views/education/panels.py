"""The education sections on pages of other areas (views/panels.py): each caregiver's
progress on the case page, and the caregiver's own progress on "My family"."""
import datetime

from flask_babel import lazy_gettext as _l

from models import Member, MemberRole, Person
from models.base import Prepared
from models.education import EducationPlan, Registration, TrainingEvent
from models.education import RegistrationStatus, progress_for

from ..panels import CAREGIVER_HOME, CASE, Panel, register

#: Upcoming registrations shown on "My family".
UPCOMING_ON_HOME = 5


# The panels' queries, compiled once (models.base.Prepared): the case page and "My family"
# are the pages opened most.
_CAREGIVERS_OF = Prepared(
    lambda case_id: Person.select(Person.id, Person.first_name, Person.last_name)
    .join(Member).where((Member.case == case_id) & (Member.role == MemberRole.CAREGIVER))
    .order_by(Person.search_name, Person.id),
    "case_id",
)
_PERSON_OF_ACCOUNT = Prepared(
    lambda user_id: Person.select(Person.id).where(Person.account == user_id).limit(1).tuples(), "user_id")
_UPCOMING = Prepared(
    lambda person_id, now: Registration.select(Registration, TrainingEvent).join(TrainingEvent)
    .where((Registration.person == person_id) & (Registration.status != RegistrationStatus.CANCELLED)
           & (TrainingEvent.starts_at > now))
    .order_by(TrainingEvent.starts_at).limit(UPCOMING_ON_HOME),
    "person_id", "now",
)
_PLAN_OF_PERIOD = Prepared(
    lambda person_id, case_id, start: EducationPlan.select().where(
        (EducationPlan.person == person_id) & (EducationPlan.case == case_id) & (EducationPlan.period_start == start))
    .limit(1),
    "person_id", "case_id", "start",
)


def case_panel(case, user):
    """Each caregiver of the family with the current period's hours (fixed query count)."""
    caregivers = _CAREGIVERS_OF.all(case_id=case.id)
    if not caregivers:
        return None
    progress = progress_for([p.id for p in caregivers])
    return {"case": case, "rows": [(p, progress.get(p.id)) for p in caregivers],
            "today": datetime.date.today()}


def caregiver_home_panel(user):
    """The caregiver's own progress bar, upcoming registrations and agreed topics."""
    me = _PERSON_OF_ACCOUNT.first(user_id=user.id)
    if me is None:
        return None
    person_id = me[0]
    progress = progress_for([person_id]).get(person_id)
    if progress is None:
        return None
    upcoming = _UPCOMING.all(person_id=person_id, now=datetime.datetime.now())
    plan = None
    if progress.current:
        plan = _PLAN_OF_PERIOD.first(person_id=person_id, case_id=progress.case.id, start=progress.current.start)
    return {"progress": progress, "upcoming": upcoming, "plan": plan, "today": datetime.date.today()}


register(CASE, Panel("education", "education/_case_panel.html", case_panel, order=20,
                     link_label=_l("Training hours"), anchor="education"))
register(CAREGIVER_HOME, Panel("education", "education/_home_panel.html", caregiver_home_panel, order=20))
