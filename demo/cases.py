"""Demo step: families in both country profiles, and (with --scale) a large organisation.

The demo part is hand-shaped so that every page has something real to show: each demo
staff member has their own caseload, the two demo caregivers belong to different
families, a child has contact restrictions, one case is closed and one in monitoring.
The scaled part uses bulk inserts so that N = 10 builds in minutes.
"""
import datetime

from models import (
    AuditEntry,
    Case,
    CaseStatus,
    CaseType,
    ConflictDeclaration,
    ExcludedPerson,
    KeyWorkerAssignment,
    Member,
    MemberRole,
    Person,
    Role,
    TeamMember,
    User,
)
from models.text import fold

from . import step
from .names import NAMES, RELATIONS

TODAY = datetime.date(2026, 11, 1)  # fixed, so the generator is deterministic


def _person(first, last, born=None, **fields):
    return Person.create(first_name=first, last_name=last, date_of_birth=born, **fields)


def _family(name, case_type, worker, caregivers, children, relatives=(), **case_fields):
    """Create a case with its members; return (case, {first name: member})."""
    case = Case.create(name=name, case_type=case_type, key_worker=worker, **case_fields)
    KeyWorkerAssignment.create(case=case, user=worker, started_on=case.opened_on)
    members = {}
    for person in caregivers:
        members[person.first_name] = Member.create(case=case, person=person, role=MemberRole.CAREGIVER)
    for person, placed in children:
        members[person.first_name] = Member.create(case=case, person=person, role=MemberRole.CHILD, placed_on=placed)
    for person, role, relation, child_first in relatives:
        members[person.first_name] = Member.create(
            case=case, person=person, role=role, relation=relation, child=members[child_first]
        )
    return case, members


@step(20)
def demo_families(ctx):
    """Hand-made families for the demo accounts."""
    users = ctx.created["demo_users"]
    jana = users["jana.novakova@opora.example"]
    kasia = users["katarzyna.nowak@opora.example"]
    jana.phone, kasia.phone = "+420 601 234 567", "+48 601 234 567"
    jana.save()
    kasia.save()
    petr_user = users["petr.dvorak@opora.example"]
    anna_user = users["anna.kowalska@opora.example"]

    # Czech foster family of the demo caregiver Petr Dvořák, under Jana Nováková.
    petr = _person("Petr", "Dvořák", datetime.date(1979, 4, 12), phone="+420 777 111 222",
                   email=petr_user.email, address="Lipová 12, 530 02 Pardubice", account=petr_user)
    lenka = _person("Lenka", "Dvořáková", datetime.date(1981, 9, 3), phone="+420 777 111 223")
    tomas = _person("Tomáš", "Horák", datetime.date(2014, 6, 20))
    ema = _person("Ema", "Horáková", datetime.date(2018, 2, 2))
    mother = _person("Kristýna", "Horáková", datetime.date(1992, 1, 15), address="Polní 5, Chrudim",
                     staff_notes="Kontakty jen v neutrálním prostoru.")
    father = _person("Roman", "Horák", datetime.date(1988, 7, 30), address="neznámá")
    granny = _person("Věra", "Horáková", datetime.date(1960, 11, 11), phone="+420 604 555 666",
                     address="Zahradní 8, Přelouč")
    case, members = _family(
        "Dvořákovi", CaseType.CZ_FOSTER, jana, [petr, lenka],
        [(tomas, datetime.date(2020, 9, 1)), (ema, datetime.date(2020, 9, 1))],
        [(mother, MemberRole.BIRTH_PARENT, "matka", "Tomáš"), (father, MemberRole.BIRTH_PARENT, "otec", "Tomáš"),
         (granny, MemberRole.RELATIVE, "babička", "Tomáš")],
        opened_on=datetime.date(2020, 9, 15), agreement_date=datetime.date(2020, 9, 15), new_rules=False,
        mediated=False, notes="Pravidelné návštěvy jednou za 2 měsíce.",
    )
    tomas_member = members["Tomáš"]
    tomas_member.restriction_text = "Kontakt s otcem jen za přítomnosti pracovníka; otec se nesmí účastnit bez rozhodnutí soudu."
    tomas_member.restriction_source = "Okresní soud v Pardubicích, 12 P 34/2023"
    tomas_member.save()
    ExcludedPerson.create(child=tomas_member, person=father)

    # Two more Czech families for Jana: one active (new rules), one closed.
    _family("Svobodovi", CaseType.CZ_FOSTER, jana,
            [_person("Hana", "Svobodová", datetime.date(1975, 3, 3), phone="+420 606 000 111")],
            [(_person("Matěj", "Svoboda", datetime.date(2016, 5, 5)), datetime.date(2025, 3, 15))],
            opened_on=datetime.date(2025, 3, 15), agreement_date=datetime.date(2025, 3, 15))
    _family("Černí", CaseType.CZ_FOSTER, jana,
            [_person("Karel", "Černý", datetime.date(1965, 8, 8))],
            [(_person("Adéla", "Černá", datetime.date(2006, 1, 1)), datetime.date(2012, 1, 1))],
            opened_on=datetime.date(2013, 2, 1), agreement_date=datetime.date(2013, 2, 1), new_rules=False,
            status=CaseStatus.CLOSED, closed_on=datetime.date(2024, 12, 31))

    # Polish foster family of the demo caregiver Anna Kowalska, under Katarzyna Nowak.
    anna = _person("Anna", "Kowalska", datetime.date(1983, 5, 17), phone="+48 600 100 200",
                   email=anna_user.email, address="ul. Lipowa 3, 63-800 Gostyń", account=anna_user)
    _family("Rodzina Kowalskich", CaseType.PL_FOSTER, kasia, [anna],
            [(_person("Julia", "Zielińska", datetime.date(2015, 10, 10)), datetime.date(2022, 4, 1))],
            [(_person("Marta", "Zielińska", datetime.date(1994, 6, 6), address="ul. Polna 9, Leszno"),
              MemberRole.BIRTH_PARENT, "matka", "Julia")],
            opened_on=datetime.date(2022, 4, 1))
    _family("Rodzina Wiśniewskich", CaseType.PL_ASSISTANT, kasia,
            [_person("Ewa", "Wiśniewska", datetime.date(1990, 2, 2), phone="+48 600 300 400")],
            [(_person("Szymon", "Wiśniewski", datetime.date(2017, 3, 3)), None)],
            opened_on=datetime.date(2025, 1, 10), consent_date=datetime.date(2025, 1, 8),
            referral_approved_on=datetime.date(2025, 1, 9))
    _family("Rodzina Mazurów", CaseType.PL_ASSISTANT, kasia,
            [_person("Joanna", "Mazur", datetime.date(1987, 7, 7))],
            [(_person("Antoni", "Mazur", datetime.date(2012, 12, 12)), None)],
            opened_on=datetime.date(2023, 5, 1), consent_date=datetime.date(2023, 4, 20),
            referral_approved_on=datetime.date(2023, 4, 25), status=CaseStatus.MONITORING,
            closed_on=datetime.date(2026, 6, 30), monitoring_until=datetime.date(2026, 12, 31))
    # Katarzyna also helps on one Czech family; she declared a working relationship with
    # the Svobodová family's neighbour-colleague, recorded for the admin to see.
    TeamMember.create(case=case, user=kasia)
    ConflictDeclaration.create(user=kasia, person=granny, kind="working",
                               note="Bývalá kolegyně z Charity (fiktivní).")
    ctx.created["demo_case"] = case


@step(21)
def synthetic_organisation(ctx):
    """With --scale N: about 300·N active and 200·N closed cases, 1,500·N people, 40·N staff."""
    if not ctx.scale:
        return
    rng = ctx.rng
    password_hash = ctx.created["demo_users"]["jana.novakova@opora.example"].password_hash
    staff_count = ctx.count(40)
    staff_rows = []
    for i in range(staff_count):
        country = "cz" if i % 2 == 0 else "pl"
        male, female, surnames, *_rest = NAMES[country]
        first = rng.choice(female)
        last = rng.choice(surnames)[1]
        staff_rows.append({
            "email": f"staff{i + 1}@synthetic.example", "full_name": f"{first} {last}",
            "role": Role.STAFF, "password_hash": password_hash, "session_token": f"synthetic{i}",
        })
    for chunk in _chunks(staff_rows, 200):
        User.insert_many(chunk).execute()
    staff_ids = [u.id for u in User.select(User.id).where(User.email.endswith("@synthetic.example")).order_by(User.id)]

    active, closed = ctx.count(300), ctx.count(200)
    start = datetime.date(TODAY.year - 5, 1, 1)
    span = (TODAY - start).days
    case_rows, specs = [], []
    for n in range(active + closed):
        country = "cz" if n % 2 == 0 else "pl"
        male, female, surnames, streets, towns = NAMES[country]
        surname = rng.choice(surnames)
        opened = start + datetime.timedelta(days=rng.randrange(span - 60))
        is_closed = n >= active
        closed_on = min(TODAY, opened + datetime.timedelta(days=rng.randrange(60, 1500))) if is_closed else None
        if country == "cz":
            case_type, name = CaseType.CZ_FOSTER, f"{surname[0]} – rodina {n + 1}"
        else:
            case_type = CaseType.PL_ASSISTANT if rng.random() < 0.5 else CaseType.PL_FOSTER
            name = f"{surname[1]} – rodzina {n + 1}"
        worker = staff_ids[n % len(staff_ids)]
        case_rows.append({
            "name": name, "search_name": fold(name), "case_type": case_type,
            "status": CaseStatus.CLOSED if is_closed else CaseStatus.ACTIVE,
            "opened_on": opened, "closed_on": closed_on,
            "agreement_date": opened if country == "cz" else None,
            "new_rules": opened >= datetime.date(2025, 1, 1), "mediated": rng.random() < 0.6,
            "consent_date": opened if case_type == CaseType.PL_ASSISTANT else None,
            "referral_approved_on": opened if case_type == CaseType.PL_ASSISTANT else None,
            "key_worker": worker, "notes": "",
        })
        specs.append((country, surname, streets, towns, opened, worker))
    first_case = (Case.select(Case.id).order_by(Case.id.desc()).scalar() or 0) + 1
    for chunk in _chunks(case_rows, 500):
        Case.insert_many(chunk).execute()
    case_ids = range(first_case, first_case + len(case_rows))

    # Three people a case on average: one or two caregivers, one or two children, a relative.
    person_rows, member_plan, assignment_rows, audit_rows = [], [], [], []
    for case_id, (country, surname, streets, towns, opened, worker) in zip(case_ids, specs):
        male, female, *_ = NAMES[country]
        people = [("caregiver", rng.choice(female), surname[1], 1965 + rng.randrange(25))]
        if rng.random() < 0.3:
            people.append(("caregiver", rng.choice(male), surname[0], 1965 + rng.randrange(25)))
        people.append(("child", rng.choice(male + female), rng.choice(NAMES[country][2])[0], 2008 + rng.randrange(16)))
        if rng.random() < 0.7:
            people.append(("relative", rng.choice(female), surname[1], 1950 + rng.randrange(20)))
        for role, first, last, year in people:
            born = datetime.date(year, 1 + rng.randrange(12), 1 + rng.randrange(28))
            person_rows.append({
                "first_name": first, "last_name": last, "date_of_birth": born,
                "search_name": fold(f"{last} {first}"),
                "phone": f"+4{'20' if country == 'cz' else '8'} {rng.randrange(600, 799)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}",
                "email": "", "address": f"{rng.choice(streets)} {rng.randrange(1, 99)}, {rng.choice(towns)}",
                "staff_notes": "",
            })
            member_plan.append((case_id, role, opened, RELATIONS[country][0] if role == "relative" else ""))
        assignment_rows.append({"case": case_id, "user": worker, "started_on": opened})
        # History: the creation and a handful of views and changes spread over the years.
        for k in range(5):
            audit_rows.append({
                "at": datetime.datetime.combine(opened, datetime.time(9)) + datetime.timedelta(days=60 * k),
                "actor": worker, "action": "create" if k == 0 else ("view" if k % 2 else "update"),
                "table": "family_case", "record_id": case_id, "case_id": case_id, "summary": "", "changes": "",
            })
    first_person = (Person.select(Person.id).order_by(Person.id.desc()).scalar() or 0) + 1
    for chunk in _chunks(person_rows, 500):
        Person.insert_many(chunk).execute()
    member_rows = [
        {"case": case_id, "person": first_person + i, "role": role, "relation": relation,
         "placed_on": opened if role == "child" else None}
        for i, (case_id, role, opened, relation) in enumerate(member_plan)
    ]
    for rows, model in ((member_rows, Member), (assignment_rows, KeyWorkerAssignment), (audit_rows, AuditEntry)):
        for chunk in _chunks(rows, 500):
            model.insert_many(chunk).execute()


def _chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]

