"""The education sections on pages of other areas (views/panels.py): each caregiver's
progress on the case page, and the caregiver's own progress on "My family"."""
import datetime

from flask_babel import lazy_gettext as _l

from models import Member, MemberRole, Person
from models.education import Registration, TrainingEvent
from models.education import RegistrationStatus, progress_for

from ..panels import CAREGIVER_HOME, CASE, Panel, register

#: Upcoming registrations shown on "My family".
UPCOMING_ON_HOME = 5


def case_panel(case, user):
    """Each caregiver of the family with the current period's hours (fixed query count)."""
    caregivers = list(
        Person.select(Person.id, Person.first_name, Person.last_name)
        .join(Member).where((Member.case == case) & (Member.role == MemberRole.CAREGIVER))
        .order_by(Person.search_name, Person.id)
    )
    if not caregivers:
        return None
    progress = progress_for([p.id for p in caregivers])
    return {"case": case, "rows": [(p, progress.get(p.id)) for p in caregivers],
            "today": datetime.date.today()}


def caregiver_home_panel(user):
    """The caregiver's own progress bar, upcoming registrations and agreed topics."""
    from models.education import EducationPlan

    me = Person.get_or_none(Person.account == user)
    if me is None:
        return None
    progress = progress_for([me.id]).get(me.id)
    if progress is None:
        return None
    upcoming = list(
        Registration.select(Registration, TrainingEvent).join(TrainingEvent)
        .where((Registration.person == me) & (Registration.status != RegistrationStatus.CANCELLED)
               & (TrainingEvent.starts_at > datetime.datetime.now()))
        .order_by(TrainingEvent.starts_at).limit(UPCOMING_ON_HOME)
    )
    plan = None
    if progress.current:
        plan = EducationPlan.get_or_none((EducationPlan.person == me) & (EducationPlan.case == progress.case.id)
                                         & (EducationPlan.period_start == progress.current.start))
    return {"progress": progress, "upcoming": upcoming, "plan": plan, "today": datetime.date.today()}


register(CASE, Panel("education", "education/_case_panel.html", case_panel, order=20,
                     link_label=_l("Training hours"), anchor="education"))
register(CAREGIVER_HOME, Panel("education", "education/_home_panel.html", caregiver_home_panel, order=20))
