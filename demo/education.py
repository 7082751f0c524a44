"""Demo and synthetic data of the education area: trainings, registrations, attendance,
external training and plans, with several periods of history.

Events are placed relative to the day the data is built, so the demo always has upcoming
trainings to sign up for and past ones with attendance; the content is the same for a
seed. The scaled part bulk-inserts (``insert_many``) so that --scale 10 stays quick.
"""
import datetime

from models import Case, CaseStatus, Member, MemberRole, Person, User
from models.education import (
    Attendance,
    EducationPlan,
    ExternalTraining,
    Registration,
    RegistrationStatus,
    TrainingEvent,
)
from models.education_rules import period_containing

from . import step

#: (title, topic, hours) of the demo trainings, in Czech and in Polish.
TOPICS = {
    "cz": [
        ("Vazba a trauma u dětí v pěstounské péči", "Vazba", 4),
        ("Kontakt dítěte s biologickou rodinou", "Kontakty", 3),
        ("Dospívání a identita přijatého dítěte", "Dospívání", 3.5),
        ("Hranice a výchova bez trestů", "Výchova", 2),
        ("Sourozenci v pěstounské péči", "Sourozenci", 2.5),
        ("Škola a učení u dětí s traumatem", "Škola", 3),
        ("Sebepéče pěstouna a prevence vyhoření", "Sebepéče", 4),
        ("Bezpečí dětí na internetu", "Internet", 2),
    ],
    "pl": [
        ("Więź i trauma u dzieci w pieczy zastępczej", "Więź", 4),
        ("Kontakty dziecka z rodziną biologiczną", "Kontakty", 3),
        ("Dorastanie i tożsamość dziecka", "Dorastanie", 3),
        ("Wychowanie bez przemocy", "Wychowanie", 2),
    ],
}
PLACES = ("Pardubice, Lipová 12 – klubovna", "Chrudim, Komunitní centrum", "Gostyń, ul. Sienkiewicza 34")
TRAINERS = ("Mgr. Eva Malá", "PhDr. Tomáš Veselý", "mgr Agnieszka Wójcik", "Mgr. Lucie Horká")


def _event(title, topic, hours, start, capacity=16, place=PLACES[0], trainer=TRAINERS[0], language="cs",
           online=False, event_format="group", created_by=None):
    minutes = int(hours * 60)
    return TrainingEvent.create(
        title=title, topic=topic, starts_at=start, ends_at=start + datetime.timedelta(minutes=minutes + 30),
        duration_minutes=minutes, place="" if online else place, online=online, trainer=trainer,
        capacity=capacity, event_format=event_format, language=language, created_by=created_by,
        description="",
    )


def _at(day, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour))


@step(40)
def demo_education(ctx):
    """Trainings for the demo families: history since the agreements, upcoming events."""
    users = ctx.created["demo_users"]
    jana = users["jana.novakova@opora.example"]
    kasia = users["katarzyna.nowak@opora.example"]
    today = datetime.date.today()
    # The demo families of the case-records step (created first: the lowest ids, before
    # any synthetic family of the same name), and their caregivers by name.
    cases = {}
    for case in Case.select().order_by(Case.id):
        cases.setdefault(case.name, case)
    dvorakovi, svobodovi = cases["Dvořákovi"], cases["Svobodovi"]
    kowalscy, wisniewscy = cases["Rodzina Kowalskich"], cases["Rodzina Wiśniewskich"]
    people = {
        f"{p.first_name} {p.last_name}": p
        for p in Person.select().join(Member).where(
            Member.case.in_([dvorakovi, svobodovi, kowalscy, wisniewscy]) & (Member.role == MemberRole.CAREGIVER))
    }
    petr, lenka = people["Petr Dvořák"], people["Lenka Dvořáková"]
    hana, anna, ewa = people["Hana Svobodová"], people["Anna Kowalska"], people["Ewa Wiśniewska"]

    # History: two trainings a year since the Dvořák agreement (2020), both carers attending.
    cz = TOPICS["cz"]
    past = []
    day = datetime.date(2020, 11, 10)
    n = 0
    while day < today - datetime.timedelta(days=20):
        title, topic, hours = cz[n % len(cz)]
        past.append(_event(title, topic, hours, _at(day), place=PLACES[n % 2], trainer=TRAINERS[n % 4 if n % 4 != 2 else 0],
                           created_by=jana))
        day += datetime.timedelta(days=95 + (n % 3) * 20)
        n += 1
    for i, event in enumerate(past):
        for person, case, skip in ((petr, dvorakovi, 5), (lenka, dvorakovi, 4)):
            if event.starts_at.date() < case.agreement_date:
                continue
            # Now and then someone misses one: a no-show or an excuse, kept on record.
            if i % skip == skip - 1:
                attendance, minutes = (Attendance.EXCUSED if i % 2 else Attendance.NO_SHOW), None
            else:
                attendance, minutes = Attendance.ATTENDED, event.duration_minutes
            Registration.create(event=event, person=person, case=case, status=RegistrationStatus.REGISTERED,
                                queued_at=event.starts_at - datetime.timedelta(days=14), attendance=attendance,
                                attended_minutes=minutes, registered_by=jana)
        if event.starts_at.date() >= svobodovi.agreement_date:
            Registration.create(event=event, person=hana, case=svobodovi, queued_at=event.starts_at - datetime.timedelta(days=10),
                                attendance=Attendance.ATTENDED, attended_minutes=event.duration_minutes, registered_by=jana)

    # External training: a conference each autumn for Petr, a course for Hana (surplus that
    # carries into her next period under the 2025 rules).
    for year in range(2021, today.year + 1):
        day = datetime.date(year, 10, 5)
        if day < today:
            ExternalTraining.create(person=petr, case=dvorakovi, provider="Konference NRP", topic="Náhradní rodinná péče dnes",
                                    date=day, minutes=6 * 60, note="Potvrzení o účasti založeno ve spisu.", recorded_by=jana)
    ExternalTraining.create(person=hana, case=svobodovi, provider="Dobrá rodina, o. p. s.", topic="Kurz první pomoci",
                            date=datetime.date(2025, 9, 20), minutes=16 * 60, note="", recorded_by=jana)
    ExternalTraining.create(person=anna, case=kowalscy, provider="PCPR Gostyń", topic="Szkolenie dla rodzin zastępczych",
                            date=max(kowalscy.opened_on, today - datetime.timedelta(days=200)), minutes=5 * 60,
                            recorded_by=kasia)
    # Ewa Wiśniewska: a few hours only, and her year ends soon: she is on the at-risk list.
    ExternalTraining.create(person=ewa, case=wisniewscy, provider="MGOPS", topic="Warsztaty dla rodziców",
                            date=max(wisniewscy.opened_on, today - datetime.timedelta(days=120)), minutes=2 * 60,
                            recorded_by=kasia)

    # Upcoming trainings: one with places, one nearly full with a waiting list, one online, one Polish.
    upcoming = [
        _event(*cz[0], _at(today + datetime.timedelta(days=9)), capacity=16, created_by=jana),
        _event(*cz[6], _at(today + datetime.timedelta(days=16), 15), capacity=2, created_by=jana),
        _event(*cz[7], _at(today + datetime.timedelta(days=23), 17), online=True, place="", created_by=jana),
        _event(*TOPICS["pl"][0], _at(today + datetime.timedelta(days=12)), place=PLACES[2], trainer=TRAINERS[2],
               language="pl", created_by=kasia),
        _event(*cz[2], _at(today + datetime.timedelta(days=30)), capacity=1, event_format="individual",
               trainer=TRAINERS[3], created_by=jana),
    ]
    soon = datetime.datetime.combine(today, datetime.time()) - datetime.timedelta(days=2)
    Registration.create(event=upcoming[0], person=petr, case=dvorakovi, babysitting=True,
                        babysitting_note="Ema (8) a Tomáš (12), 9–13 h", registered_by=petr.account, queued_at=soon)
    Registration.create(event=upcoming[1], person=lenka, case=dvorakovi, registered_by=jana, queued_at=soon)
    Registration.create(event=upcoming[1], person=hana, case=svobodovi, registered_by=jana,
                        queued_at=soon + datetime.timedelta(hours=1))
    Registration.create(event=upcoming[1], person=petr, case=dvorakovi, status=RegistrationStatus.WAITING,
                        registered_by=petr.account, queued_at=soon + datetime.timedelta(hours=2))
    Registration.create(event=upcoming[3], person=anna, case=kowalscy, registered_by=anna.account, queued_at=soon)

    # Plans agreed for the current period.
    for person, case, topics in (
        (petr, dvorakovi, "Dospívání Tomáše a jeho otázky po původní rodině; kontakty s otcem.\nSebepéče – hlídání při vzdělávání."),
        (lenka, dvorakovi, "Škola a učení (Ema – dyslexie); vazba a trauma."),
        (hana, svobodovi, "Vazba a trauma; kontakty Matěje s matkou."),
    ):
        current = period_containing(case.agreement_date, today)
        EducationPlan.create(person=person, case=case, period_start=current.start, topics=topics,
                             agreed_on=current.start + datetime.timedelta(days=20))
    ctx.created["education_demo_events"] = upcoming


@step(41)
def synthetic_education(ctx):
    """With --scale N: about 150·N past trainings with attendance (several periods of
    history per caregiver), 12·N upcoming ones with registrations, external training."""
    if not ctx.scale:
        return
    rng = ctx.rng
    today = datetime.date.today()
    creator = User.select(User.id).where(User.email == "staff1@synthetic.example").scalar()
    past_count, upcoming_count = ctx.count(150), ctx.count(12)
    event_rows = []
    start = today - datetime.timedelta(days=3 * 365)
    for i in range(past_count + upcoming_count):
        country = "cz" if i % 3 else "pl"
        title, topic, hours = rng.choice(TOPICS[country])
        if i < past_count:
            day = start + datetime.timedelta(days=rng.randrange((today - start).days - 1))
        else:
            day = today + datetime.timedelta(days=1 + rng.randrange(90))
        begins = _at(day, rng.choice((9, 13, 17)))
        minutes = int(hours * 60)
        event_rows.append({
            "title": title, "topic": topic, "description": "", "starts_at": begins,
            "ends_at": begins + datetime.timedelta(minutes=minutes + 30), "duration_minutes": minutes,
            "place": rng.choice(PLACES), "online": False, "trainer": rng.choice(TRAINERS),
            "capacity": 25, "event_format": "group", "language": "cs" if country == "cz" else "pl",
            "created_by": creator, "version": 1,
        })
    first_event = (TrainingEvent.select(TrainingEvent.id).order_by(TrainingEvent.id.desc()).scalar() or 0) + 1
    for chunk in _chunks(event_rows, 500):
        TrainingEvent.insert_many(chunk).execute()
    events = [(first_event + i, row["starts_at"], row["duration_minutes"]) for i, row in enumerate(event_rows)]
    past = sorted((e for e in events if e[1].date() < today), key=lambda e: e[1])
    upcoming = [e for e in events if e[1].date() >= today]

    synthetic_staff = User.select(User.id).where(User.email.endswith("@synthetic.example"))
    caregivers = list(
        Member.select(Member.person, Member.case, Case.agreement_date, Case.opened_on)
        .join(Case)
        .where((Member.role == MemberRole.CAREGIVER) & (Case.status == CaseStatus.ACTIVE)
               & Case.key_worker.in_(synthetic_staff))
        .order_by(Member.id)
        .tuples()
    )
    registration_rows, external_rows = [], []
    for person_id, case_id, agreement, opened in caregivers:
        anchor = agreement or opened
        eligible = [e for e in past if e[1].date() >= anchor]
        # About three trainings a year, some missed; a quarter of the caregivers fall short.
        years = max(1, (today - anchor).days // 365 + 1)
        wanted = min(len(eligible), years * (1 if rng.random() < 0.25 else 3))
        for event_id, begins, minutes in rng.sample(eligible, wanted):
            missed = rng.random() < 0.1
            registration_rows.append({
                "event": event_id, "person": person_id, "case": case_id, "status": RegistrationStatus.REGISTERED,
                "queued_at": begins - datetime.timedelta(days=14), "babysitting": rng.random() < 0.15,
                "babysitting_note": "", "attendance": Attendance.NO_SHOW if missed else Attendance.ATTENDED,
                "attended_minutes": None if missed else minutes, "version": 1,
                "created_at": begins, "updated_at": begins,
            })
        if upcoming and rng.random() < 0.3:
            event_id, begins, minutes = rng.choice(upcoming)
            registration_rows.append({
                "event": event_id, "person": person_id, "case": case_id, "status": RegistrationStatus.REGISTERED,
                "queued_at": datetime.datetime.combine(today, datetime.time()), "babysitting": rng.random() < 0.2,
                "babysitting_note": "", "attendance": None, "attended_minutes": None, "version": 1,
                "created_at": begins, "updated_at": begins,
            })
        if rng.random() < 0.4:
            day = anchor + datetime.timedelta(days=rng.randrange(max(1, (today - anchor).days)))
            external_rows.append({
                "person": person_id, "case": case_id, "provider": "NRP", "topic": "Konference",
                "date": day, "minutes": 60 * rng.choice((2, 4, 6)), "note": "",
                "created_at": _at(day), "updated_at": _at(day),
            })
    for rows, model in ((registration_rows, Registration), (external_rows, ExternalTraining)):
        for chunk in _chunks(rows, 500):
            model.insert_many(chunk).execute()


def _chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]
