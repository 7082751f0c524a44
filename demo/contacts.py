"""Demo and synthetic data of the contacts area: rooms, orders and contacts, past and
upcoming, placed relative to the day the data is built (so the demo always has a contact
today, upcoming ones to confirm or cancel and past ones with outcomes). The scaled part
bulk-inserts (``insert_many``) and gives every booking its own room slot, so the synthetic
organisation has no double bookings either.
"""
import datetime
from zoneinfo import ZoneInfo

from models import Case, CaseStatus, Member, MemberRole, Organisation, Person, User
from models.contact_rules import to_utc
from models.contacts import (
    Contact,
    ContactOrder,
    ContactParticipant,
    ContactSeries,
    ContactStatus,
    EndedEarlyReason,
    OrderIssuer,
    ParticipantKind,
    Party,
    RepeatPattern,
    Room,
)

from . import step

ROOMS = [
    ("Modrá místnost", "Lipová 12, Pardubice", 6),
    ("Zelená místnost", "Lipová 12, Pardubice", 4),
    ("Pokój spotkań", "ul. Sienkiewicza 34, Gostyń", 6),
]


def _contact(case, day, hour, minute=0, minutes=90, room=None, place="", status=ContactStatus.PLANNED,
             workers=(), children=(), visitors=(), caregivers=(), before=0, after=0, zone=None, **fields):
    start = to_utc(datetime.datetime.combine(day, datetime.time(hour, minute)), zone)
    end = start + datetime.timedelta(minutes=minutes)
    contact = Contact.create(
        case=case, room=room, place=place, starts_at=start, ends_at=end,
        span_start=start - datetime.timedelta(minutes=before), span_end=end + datetime.timedelta(minutes=after),
        visitors_arrive_before=before, visitors_leave_after=after, status=status, **fields)
    rows = [{"contact": contact.id, "kind": ParticipantKind.WORKER, "user": u.id, "member": None, "person": None}
            for u in workers]
    for kind, members in ((ParticipantKind.CHILD, children), (ParticipantKind.VISITOR, visitors),
                          (ParticipantKind.CAREGIVER, caregivers)):
        rows += [{"contact": contact.id, "kind": kind, "member": m.id, "person": m.person_id, "user": None}
                 for m in members]
    ContactParticipant.insert_many(rows).execute()
    return contact


def _member(case, first_name, role):
    return (Member.select(Member).join(Person)
            .where((Member.case == case) & (Person.first_name == first_name) & (Member.role == role)).get())


@step(50)
def demo_contacts(ctx):
    """Rooms, orders and contacts of the demo families."""
    zone = ZoneInfo(Organisation.current().timezone)
    users = ctx.created["demo_users"]
    jana, kasia = users["jana.novakova@opora.example"], users["katarzyna.nowak@opora.example"]
    rooms = [Room.create(name=n, address=a, capacity=c, buffer_minutes=15) for n, a, c in ROOMS]
    today = datetime.date.today()

    case = Case.get(Case.name == "Dvořákovi")
    tomas = _member(case, "Tomáš", MemberRole.CHILD)
    petr = _member(case, "Petr", MemberRole.CAREGIVER)
    granny = _member(case, "Věra", MemberRole.RELATIVE)
    mother = _member(case, "Kristýna", MemberRole.BIRTH_PARENT)
    order = ContactOrder.create(case=case, child=tomas, issuer=OrderIssuer.COURT, per_month=2,
                                reference="Okresní soud v Pardubicích, 12 P 34/2023",
                                note="Otec se kontaktů neúčastní.")
    people = {"workers": [jana], "children": [tomas], "caregivers": [petr], "zone": zone}
    # Past: held with an outcome shared with the caregivers, one cancelled late by the
    # mother, one ended early (intoxication).
    last_month = today - datetime.timedelta(days=28)
    _contact(case, last_month, 15, room=rooms[0], status=ContactStatus.HELD, visitors=[granny, mother],
             order=order, before=15, after=10, actual_minutes=85, outcome_recorded_at=datetime.datetime(2026, 1, 1),
             child_reactions="Tomáš se na babičku těšil, na konci byl smutný.",
             child_view="Chce babičku vídat častěji.", summary="Klidné setkání, Tomáš si s babičkou hrál.",
             summary_shared=True, purpose="Pravidelný kontakt s babičkou a matkou", **people)
    _contact(case, today - datetime.timedelta(days=14), 15, room=rooms[0], status=ContactStatus.CANCELLED,
             visitors=[mother], order=order, cancelled_by=Party.VISITOR, cancel_reason="Matka onemocněla.",
             cancelled_at=datetime.datetime.combine(today - datetime.timedelta(days=14), datetime.time(8)),
             cancelled_late=True, **people)
    _contact(case, today - datetime.timedelta(days=7), 15, room=rooms[1], status=ContactStatus.ENDED_EARLY,
             visitors=[mother], order=order, ended_early_reason=EndedEarlyReason.INTOXICATION,
             incidents="Matka přišla pod vlivem alkoholu, kontakt ukončen po 10 minutách.", **people)
    # Today (for Jana's home page) and a fortnightly series ahead, the first confirmed.
    _contact(case, today, 16, room=rooms[1], status=ContactStatus.CONFIRMED, visitors=[granny], order=order,
             before=15, after=10, purpose="Kontakt s babičkou", prep_caregivers="Vezměte prosím fotoalbum.",
             **people)
    series = ContactSeries.create(case=case, order=order, pattern=RepeatPattern.FORTNIGHTLY, count=4,
                                  created_by=jana)
    first = today + datetime.timedelta(days=(1 - today.weekday()) % 7 + 7)
    for i in range(4):
        _contact(case, first + datetime.timedelta(weeks=2 * i), 15, room=rooms[0], series=series, order=order,
                 status=ContactStatus.CONFIRMED if i == 0 else ContactStatus.PLANNED, visitors=[granny, mother],
                 before=15, after=10, purpose="Pravidelný kontakt s babičkou a matkou",
                 prep_child="Připomenout Tomášovi, že maminka přijde taky.", **people)

    polish = Case.get(Case.name == "Rodzina Kowalskich")
    julia = _member(polish, "Julia", MemberRole.CHILD)
    anna = _member(polish, "Anna", MemberRole.CAREGIVER)
    marta = _member(polish, "Marta", MemberRole.BIRTH_PARENT)
    pl_order = ContactOrder.create(case=polish, child=julia, issuer=OrderIssuer.COURT, per_month=1,
                                   reference="Sąd Rejonowy w Gostyniu, III Nsm 45/24")
    pl_people = {"workers": [kasia], "children": [julia], "caregivers": [anna], "visitors": [marta], "zone": zone,
                 "order": pl_order}
    _contact(polish, today - datetime.timedelta(days=21), 11, room=rooms[2], status=ContactStatus.HELD,
             actual_minutes=60, outcome_recorded_at=datetime.datetime(2026, 1, 1),
             summary="Spokojne spotkanie z mamą.", summary_shared=True, **pl_people)
    _contact(polish, today + datetime.timedelta(days=9), 11, room=rooms[2], before=10,
             purpose="Spotkanie z mamą", **pl_people)
    ctx.created["contact_rooms"] = rooms


@step(51)
def synthetic_contacts(ctx):
    """With --scale N: rooms and about six contacts per active synthetic case, past and
    upcoming, each in its own room slot (no double bookings)."""
    if not ctx.scale:
        return
    rng = ctx.rng
    zone = ZoneInfo(Organisation.current().timezone)
    room_rows = [{"name": f"Místnost {i + 1}", "address": f"Synthetic {i + 1}", "capacity": 6, "buffer_minutes": 15}
                 for i in range(ctx.count(8))]
    first_room = (Room.select(Room.id).order_by(Room.id.desc()).scalar() or 0) + 1
    Room.insert_many(room_rows).execute()
    room_ids = list(range(first_room, first_room + len(room_rows)))

    synthetic = User.select(User.id).where(User.email.endswith("@synthetic.example"))
    cases = list(Case.select(Case.id, Case.key_worker)
                 .where((Case.status == CaseStatus.ACTIVE) & Case.key_worker.in_(synthetic))
                 .order_by(Case.id).tuples())
    members = {}
    for case_id, member_id, person_id, role in (
        Member.select(Member.case, Member.id, Member.person, Member.role)
        .where(Member.case.in_([c for c, _w in cases])).order_by(Member.id).tuples()
    ):
        members.setdefault(case_id, {}).setdefault(role, []).append((member_id, person_id))

    today = datetime.date.today()
    monday = today - datetime.timedelta(days=today.weekday())
    slots_per_day = 4  # 9:00, 11:00, 13:00, 15:00 in every room
    # Days used: the past eight weeks and the next six, working days only.
    days = [monday + datetime.timedelta(days=d) for d in range(-56, 42) if (monday + datetime.timedelta(days=d)).weekday() < 5]
    slots = [(day, hour, room) for day in days for hour in (9, 11, 13, 15)[:slots_per_day] for room in room_ids]
    rng.shuffle(slots)
    used = set()  # (worker, day, hour): a worker supervises one contact at a time
    contact_rows, plan = [], []
    slot_iter = iter(slots)
    for case_id, worker in cases:
        people = members.get(case_id, {})
        children = people.get(MemberRole.CHILD, [])
        if not children:
            continue
        visitors = people.get(MemberRole.RELATIVE, [])
        caregivers = people.get(MemberRole.CAREGIVER, [])[:1]
        for _k in range(6):
            for day, hour, room in slot_iter:
                if (worker, day, hour) not in used:
                    break
            else:
                break
            used.add((worker, day, hour))
            start = to_utc(datetime.datetime.combine(day, datetime.time(hour)), zone)
            end = start + datetime.timedelta(minutes=90)
            past = day < today
            status = (rng.choice([ContactStatus.HELD] * 6 + [ContactStatus.CANCELLED, ContactStatus.NO_SHOW])
                      if past else rng.choice([ContactStatus.PLANNED, ContactStatus.CONFIRMED]))
            contact_rows.append({
                "case": case_id, "room": room, "place": "", "starts_at": start, "ends_at": end,
                "span_start": start, "span_end": end, "status": status, "purpose": "",
                "cancelled_by": Party.VISITOR if status == ContactStatus.CANCELLED else "",
                "no_show_party": Party.VISITOR if status == ContactStatus.NO_SHOW else "",
                "actual_minutes": 90 if status == ContactStatus.HELD else None,
                "created_by": worker,
            })
            plan.append((worker, children[:1], visitors[:1], caregivers))
    first_contact = (Contact.select(Contact.id).order_by(Contact.id.desc()).scalar() or 0) + 1
    for chunk in _chunks(contact_rows, 500):
        Contact.insert_many(chunk).execute()
    participant_rows = []
    for i, (worker, children, visitors, caregivers) in enumerate(plan):
        contact_id = first_contact + i
        participant_rows.append({"contact": contact_id, "kind": ParticipantKind.WORKER, "user": worker,
                                 "member": None, "person": None})
        for kind, group in ((ParticipantKind.CHILD, children), (ParticipantKind.VISITOR, visitors),
                            (ParticipantKind.CAREGIVER, caregivers)):
            participant_rows += [{"contact": contact_id, "kind": kind, "member": m, "person": p, "user": None}
                                 for m, p in group]
    for chunk in _chunks(participant_rows, 500):
        ContactParticipant.insert_many(chunk).execute()
    order_rows = [{"case": case_id, "child": members[case_id][MemberRole.CHILD][0][0], "issuer": OrderIssuer.COURT,
                   "per_month": 1 + rng.randrange(2), "reference": f"{rng.randrange(1, 40)} P {rng.randrange(1, 300)}/2025"}
                  for case_id, _w in cases if members.get(case_id, {}).get(MemberRole.CHILD)]
    for chunk in _chunks(order_rows, 500):
        ContactOrder.insert_many(chunk).execute()


def _chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]
