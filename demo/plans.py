"""Demo and synthetic data of the plans area.

The demo families get plans that show every state: the Dvořák family has two approved
versions (the first acknowledged, the second still awaiting the carers' answer), a review,
an overdue action and a draft change since version 2; the Kowalski family has one approved
version (in the Polish spheres, every action with its expected effect) not yet answered;
the Wiśniewski family has a draft only. With ``--scale`` every active synthetic case gets
a plan with several versions and reviews, bulk-inserted.
"""
import datetime
import json

from peewee import Case as SqlCase

from models import Case, CaseStatus, Member, MemberRole, User, utcnow
from models import plan_rules
from models.plans import (
    ActionStatus,
    CarePlan,
    PlanAcknowledgement,
    PlanAction,
    PlanArea,
    PlanGoal,
    PlanNeed,
    PlanReview,
    PlanReviewGoal,
    PlanVersion,
    Responsible,
)

from . import step
from .cases import TODAY, _chunks

D = datetime.date


def _at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour))


def _areas(country):
    plan_rules.ensure_areas(country)
    return {a.code: a for a in PlanArea.select().where(PlanArea.country == country)}


def _member(case, first_name):
    from models import Person

    return Member.select().join(Person).where((Member.case == case) & (Person.first_name == first_name)).get()


def _goal(plan, title, area=None, client=False, position=1):
    return PlanGoal.create(plan=plan, title=title, area=area, client_proposed=client, position=position)


def _action(goal, description, deadline, effect, status=ActionStatus.PLANNED, user=None, member=None,
            partner="", position=1, note="", note_on=None):
    kind = Responsible.STAFF if user else Responsible.PARTNER if partner else (
        Responsible.CHILD if member and member.role == MemberRole.CHILD else Responsible.CAREGIVER)
    return PlanAction.create(goal=goal, plan=goal.plan_id, description=description, deadline=deadline,
                             expected_effect=effect, status=status, responsible_kind=kind, responsible_user=user,
                             responsible_member=member, responsible_name=partner, position=position,
                             progress_note=note, progress_on=note_on)


@step(30)
def demo_plans(ctx):
    """Plans of the demo families in both country profiles."""
    users = ctx.created["demo_users"]
    jana = users["jana.novakova@opora.example"]
    kasia = users["katarzyna.nowak@opora.example"]
    petr_user = users["petr.dvorak@opora.example"]

    # --- Dvořákovi (Czech): two versions, a review, an overdue action, a draft change.
    case = Case.get(Case.name == "Dvořákovi")
    cz = _areas("cz")
    petr = _member(case, "Petr")
    plan = CarePlan.create(
        case=case, starts_on=D(2025, 3, 1), created_by=jana,
        summary="Tomáš a Ema zůstávají v rodině; pěstouni chtějí podporu se školou a s kontakty s rodiči.",
        child_view="Tomáš: chci chodit na fotbal a vídat babičku častěji. Ema se těší do školky.",
        external_body="OSPOD Pardubice", external_date=D(2025, 2, 10), external_reference="OSPOD-PA 123/2025",
        staff_notes="Otec dětí opakovaně nedodržuje dohody o kontaktech.",
    )
    PlanNeed.create(plan=plan, area=cz["development_health"], kind="need", position=1,
                    description="Tomáš potřebuje pravidelnou logopedickou péči.")
    PlanNeed.create(plan=plan, area=cz["birth_family"], kind="risk", position=2,
                    description="Kontakty s otcem děti rozrušují; soud je omezil.")
    PlanNeed.create(plan=plan, area=cz["carer_competences"], kind="need", position=3,
                    description="Pěstouni chtějí umět mluvit s dětmi o jejich minulosti.")
    own = _goal(plan, "Tomáš bude pravidelně sportovat a vídat babičku.", cz["birth_family"], client=True)
    school = _goal(plan, "Tomáš zvládá školu bez opakování ročníku.", cz["education"], position=2)
    identity = _goal(plan, "Děti znají svůj příběh (kniha života).", cz["identity"], position=3)
    _action(own, "Najít fotbalový oddíl a zapsat Tomáše.", D(2025, 4, 30), "Tomáš trénuje jednou týdně.",
            ActionStatus.DONE, member=petr, note="Trénuje v TJ Sokol.", note_on=D(2025, 5, 2))
    _action(own, "Domluvit setkání s babičkou jednou měsíčně.", D(2025, 6, 30), "Pravidelné setkání.",
            ActionStatus.IN_PROGRESS, user=jana, position=2)
    _action(school, "Schůzka s třídní učitelkou a výchovnou poradkyní.", D(2025, 4, 15),
            "Společný plán podpory ve škole.", ActionStatus.DONE, user=jana)
    _action(school, "Doučování matematiky dvakrát týdně.", D(2025, 12, 31), "Známka z matematiky nejhůře 3.",
            partner="Dobrovolnické centrum Pardubice", position=2)
    plan_rules.approve(plan, jana, case, at=_at(D(2025, 3, 20)))
    PlanAcknowledgement.create(plan_version=PlanVersion.get(PlanVersion.plan == plan), user=petr_user,
                               name=petr_user.full_name, response="agree", at=_at(D(2025, 3, 22), 19))
    review = PlanReview.create(plan=plan, reviewed_on=D(2025, 9, 15), participants="Petr a Lenka Dvořákovi, Tomáš, Jana Nováková",
                               child_view="Tomáš: fotbal mě baví, babička je fajn.", summary="Cíle se daří plnit.",
                               next_review_on=D(2026, 3, 15), created_by=jana)
    for goal, outcome, comment in ((own, "partly", "Fotbal ano, babička zatím nepravidelně."),
                                   (school, "partly", "Zlepšení v matematice."),
                                   (identity, "not_achieved", "Zatím nezačato.")):
        PlanReviewGoal.create(review=review, goal=goal, goal_title=goal.title, outcome=outcome, comment=comment)
    _action(identity, "Začít s dětmi knihu života.", D(2026, 2, 28), "Děti mají rozpracovanou knihu života.",
            member=petr)
    _action(identity, "Vzdělávání pěstounů: Jak mluvit s dětmi o minulosti.", D(2026, 1, 31),
            "Pěstouni absolvují kurz.", user=jana, position=2)
    plan_rules.approve(plan, jana, case, at=_at(D(2025, 10, 1)))
    # A draft change after version 2 (the family sees version 2 until it is approved).
    _action(school, "Přihláška na gymnázium.", D(2027, 2, 28), "Podaná přihláška.", member=petr, position=3)
    plan_rules.refresh_next_review(plan)

    # --- Rodzina Kowalskich (Polish foster family): one version, not yet answered.
    case = Case.get(Case.name == "Rodzina Kowalskich")
    pl = _areas("pl")
    anna = _member(case, "Anna")
    plan = CarePlan.create(
        case=case, starts_on=D(2026, 4, 1), created_by=kasia,
        summary="Wsparcie rodziny zastępczej w opiece nad Julią i w kontaktach z matką.",
        child_view="Julia: chcę częściej widzieć mamę i zapisać się na basen.",
        external_body="PCPR Gostyń", external_date=D(2026, 3, 15), external_reference="PPD/45/2026",
    )
    PlanNeed.create(plan=plan, area=pl["psychological"], kind="need", position=1,
                    description="Julia potrzebuje wsparcia psychologa po zmianie szkoły.")
    PlanNeed.create(plan=plan, area=pl["social_living"], kind="risk", position=2,
                    description="Zbyt mały pokój dla dziecka.")
    own = _goal(plan, "Julia regularnie spotyka się z mamą.", pl["social"], client=True)
    health = _goal(plan, "Julia jest pod stałą opieką psychologa.", pl["health"], position=2)
    _action(own, "Ustalić harmonogram spotkań z matką.", D(2026, 5, 31), "Spotkania co dwa tygodnie.",
            ActionStatus.DONE, user=kasia)
    _action(own, "Zapisać Julię na basen.", D(2026, 9, 30), "Julia chodzi na basen raz w tygodniu.",
            ActionStatus.IN_PROGRESS, member=anna, position=2)
    _action(health, "Umówić wizytę w poradni psychologiczno-pedagogicznej.", D(2026, 6, 30),
            "Julia ma ustalony termin terapii.", partner="Poradnia Psychologiczno-Pedagogiczna w Gostyniu")
    plan_rules.approve(plan, kasia, case, at=_at(D(2026, 4, 10)))
    plan_rules.refresh_next_review(plan)

    # --- Rodzina Wiśniewskich (family assistance): a draft only.
    case = Case.get(Case.name == "Rodzina Wiśniewskich")
    plan = CarePlan.create(case=case, starts_on=D(2026, 10, 1), created_by=kasia,
                           summary="Plan pracy z rodziną w przygotowaniu.")
    goal = _goal(plan, "Ewa znajduje stałą pracę.", pl["vocational"], client=True)
    _action(goal, "Rejestracja w urzędzie pracy.", D(2026, 12, 15), "Ewa ma status osoby bezrobotnej i doradcę.",
            member=_member(case, "Ewa"))
    plan_rules.refresh_next_review(plan)


#: Goals and actions of the synthetic plans (neutral texts in both languages).
SYNTHETIC = {
    "cz": (["Stabilní školní docházka", "Pravidelné kontakty s rodiči", "Zdravotní péče dítěte",
            "Kniha života", "Vzdělávání pěstounů"],
           ["Schůzka ve škole", "Domluvit termín kontaktu", "Návštěva lékaře", "Rozhovor s dítětem", "Kurz"]),
    "pl": (["Regularna nauka szkolna", "Kontakty z rodzicami", "Opieka zdrowotna dziecka",
            "Stała praca", "Poprawa warunków mieszkaniowych"],
           ["Spotkanie w szkole", "Ustalić termin spotkania", "Wizyta u lekarza", "Rozmowa z dzieckiem", "Kurs"]),
}


@step(31)
def synthetic_plans(ctx):
    """With --scale: a plan for every active synthetic case, with 2–3 versions and reviews."""
    if not ctx.scale:
        return
    rng = ctx.rng
    staff = {u.id: u.full_name for u in User.select(User.id, User.full_name).where(User.email.endswith("@synthetic.example"))}
    cases = list(
        Case.select(Case.id, Case.name, Case.case_type, Case.opened_on, Case.key_worker)
        .where((Case.status == CaseStatus.ACTIVE) & Case.key_worker.in_(list(staff)))
        .order_by(Case.id).tuples()
    )
    caregivers = {}
    for case_id, member_id, person_id in (Member.select(Member.case, Member.id, Member.person)
                                          .where(Member.case.in_([c[0] for c in cases]) & (Member.role == MemberRole.CAREGIVER))
                                          .order_by(Member.id).tuples()):
        caregivers.setdefault(case_id, (member_id, person_id))
    now = utcnow()
    today = TODAY
    plan_rows = []
    specs = []
    for case_id, name, case_type, opened, worker in cases:
        starts = max(opened, today - datetime.timedelta(days=rng.randrange(200, 900)))
        plan_rows.append({"case": case_id, "starts_on": starts, "summary": "", "child_view": "", "external_body": "",
                          "external_reference": "", "staff_notes": "", "created_by": worker, "version": 1,
                          "created_at": now, "updated_at": now})
        specs.append((case_id, name, case_type, starts, worker))
    first_plan = (CarePlan.select(CarePlan.id).order_by(CarePlan.id.desc()).scalar() or 0) + 1
    for chunk in _chunks(plan_rows, 500):
        CarePlan.insert_many(chunk).execute()

    goal_rows, action_plan, version_rows, review_rows, outcome_plan, next_reviews = [], [], [], [], [], []
    first_goal = (PlanGoal.select(PlanGoal.id).order_by(PlanGoal.id.desc()).scalar() or 0) + 1
    first_action = (PlanAction.select(PlanAction.id).order_by(PlanAction.id.desc()).scalar() or 0) + 1
    goal_id, action_id = first_goal, first_action
    for offset, (case_id, name, case_type, starts, worker) in enumerate(specs):
        plan_id = first_plan + offset
        country = "cz" if case_type == "cz_foster" else "pl"
        goal_texts, action_texts = SYNTHETIC[country]
        carer = caregivers.get(case_id)
        goals = []
        for g in range(rng.randrange(2, 5)):
            client = g == 0 and rng.random() < 0.5
            goal = {"id": goal_id, "title": rng.choice(goal_texts), "client_proposed": client, "area_code": "",
                    "area_name": "", "actions": []}
            goal_rows.append({"plan": plan_id, "title": goal["title"], "client_proposed": client, "position": g + 1,
                              "version": 1, "created_at": now, "updated_at": now})
            for a in range(rng.randrange(2, 4)):
                deadline = starts + datetime.timedelta(days=rng.randrange(30, 720))
                status = ActionStatus.DONE if deadline < today and rng.random() < 0.7 else (
                    ActionStatus.IN_PROGRESS if rng.random() < 0.4 else ActionStatus.PLANNED)
                to_carer = carer is not None and rng.random() < 0.3
                action = {"id": action_id, "description": rng.choice(action_texts),
                          "responsible_kind": Responsible.CAREGIVER if to_carer else Responsible.STAFF,
                          "responsible": "" if to_carer else staff[worker],
                          "responsible_person": carer[1] if to_carer else None,
                          "deadline": deadline.isoformat(), "expected_effect": "✓", "status": status,
                          "progress_note": "", "progress_on": None}
                goal["actions"].append(action)
                action_plan.append({
                    "goal": goal_id, "plan": plan_id, "description": action["description"],
                    "responsible_kind": action["responsible_kind"], "responsible_user": None if to_carer else worker,
                    "responsible_member": carer[0] if to_carer else None, "responsible_name": "",
                    "deadline": deadline, "expected_effect": "✓", "status": status, "progress_note": "",
                    "position": a + 1, "version": 1, "created_at": now, "updated_at": now})
                action_id += 1
            goals.append(goal)
            goal_id += 1
        # Versions: the draft as approved over time (the later ones hold more goals).
        interval = plan_rules.review_interval_months()
        n_versions = rng.randrange(2, 4)
        for number in range(1, n_versions + 1):
            approved = _at(min(today, starts + datetime.timedelta(days=15 + 120 * (number - 1))))
            snapshot = {"plan": {"starts_on": starts.isoformat(), "summary": "", "child_view": "", "external_body": "",
                                 "external_date": None, "external_reference": "", "next_review_on": None},
                        "case": {"name": name, "case_type": case_type}, "needs": [],
                        "goals": goals[: max(1, len(goals) - (n_versions - number))]}
            version_rows.append({"plan": plan_id, "number": number, "approved_by": worker,
                                 "approved_by_name": staff[worker], "approved_at": approved,
                                 "snapshot": json.dumps(snapshot, ensure_ascii=False, sort_keys=True),
                                 "created_at": now, "updated_at": now})
        # Reviews every interval since the start, up to today; the next one is then due.
        reviewed, last_next = plan_rules.add_months(starts, interval), None
        while reviewed <= today:
            last_next = plan_rules.add_months(reviewed, interval)
            review_rows.append({"plan": plan_id, "reviewed_on": reviewed, "participants": staff[worker],
                                "child_view": "", "summary": "", "next_review_on": last_next, "created_by": worker,
                                "created_at": now, "updated_at": now})
            outcome_plan.append([(g["id"], g["title"]) for g in goals])
            # Some plans fall behind their review: the staff home shows them as due.
            reviewed = last_next if rng.random() < 0.9 else today + datetime.timedelta(days=1)
        next_reviews.append((plan_id, last_next or plan_rules.add_months(starts, interval)))

    for rows, model in ((goal_rows, PlanGoal), (action_plan, PlanAction), (version_rows, PlanVersion)):
        for chunk in _chunks(rows, 500):
            model.insert_many(chunk).execute()
    first_review = (PlanReview.select(PlanReview.id).order_by(PlanReview.id.desc()).scalar() or 0) + 1
    for chunk in _chunks(review_rows, 500):
        PlanReview.insert_many(chunk).execute()
    outcome_rows = [
        {"review": first_review + i, "goal": gid, "goal_title": title,
         "outcome": rng.choice(("achieved", "partly", "not_achieved")), "comment": "", "created_at": now, "updated_at": now}
        for i, goals_reviewed in enumerate(outcome_plan) for gid, title in goals_reviewed
    ]
    for chunk in _chunks(outcome_rows, 500):
        PlanReviewGoal.insert_many(chunk).execute()
    # The next review date of each plan, in one statement per chunk (CASE … WHEN).
    for chunk in _chunks(next_reviews, 400):
        CarePlan.update(next_review_on=SqlCase(CarePlan.id, [(pid, day) for pid, day in chunk])).where(
            CarePlan.id.in_([pid for pid, _day in chunk])).execute()
