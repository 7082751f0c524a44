"""Plain factory functions with defaults: ``make_user(role="staff")`` and friends."""
import itertools

from models import Organisation, User

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(role="staff", email=None, password=PASSWORD, **fields):
    """An active account with a known password."""
    n = next(_seq)
    user = User(
        email=email or f"{role}{n}@example.org",
        full_name=fields.pop("full_name", f"{role.title()} {n}"),
        role=role,
        **fields,
    )
    user.set_password(password)
    user.save()
    return user


def make_organisation(**fields):
    """The organisation row with the given fields."""
    org = Organisation.current()
    for key, value in fields.items():
        setattr(org, key, value)
    org.save()
    return org


# --- Case records ---------------------------------------------------------------------------

_person_seq = itertools.count(1)
_case_seq = itertools.count(1)


def make_person(first_name=None, last_name=None, **fields):
    """A person record (no account, no case) with a unique name unless one is given."""
    from models import Person

    n = next(_person_seq)
    return Person.create(
        first_name=first_name or f"Person{n}",
        last_name=last_name or f"Surname{n}",
        **fields,
    )


def make_case(key_worker=None, team=(), **fields):
    """A case of the organisation's country, written directly (rules are not applied).

    With ``key_worker`` the hand-over history gets its opening assignment too; ``team``
    is a list of users put on the case's team.
    """
    import datetime

    from models import Case, CaseType, KeyWorkerAssignment, TeamMember

    n = next(_case_seq)
    country = Organisation.current().country
    defaults = {
        "name": f"Family {n}",
        "case_type": CaseType.CZ_FOSTER if country == "cz" else CaseType.PL_ASSISTANT,
        "opened_on": datetime.date(2024, 3, 1),
    }
    defaults.update(fields)
    if defaults["case_type"] == CaseType.CZ_FOSTER:
        defaults.setdefault("agreement_date", defaults["opened_on"])
    elif defaults["case_type"] == CaseType.PL_ASSISTANT:
        defaults.setdefault("consent_date", defaults["opened_on"])
    case = Case.create(key_worker=key_worker, **defaults)
    if key_worker is not None:
        KeyWorkerAssignment.create(case=case, user=key_worker, started_on=case.opened_on)
    for user in team:
        TeamMember.create(case=case, user=user)
    return case


def make_member(case, person=None, role="caregiver", **fields):
    """``person`` (a new one if None) as a member of ``case`` in ``role``."""
    from models import Member

    return Member.create(case=case, person=person or make_person(), role=role, **fields)


def removal_data(member):
    """What the case page's removal form of ``member`` posts: the version it was drawn
    with and the stamp of the relatives' memberships that go with it."""
    from models import Member
    from models.base import versions_stamp

    member = Member.get_by_id(member.id)
    return {"version": str(member.version), "relatives": versions_stamp(Member.select().where(Member.child == member))}
