"""Families for the notification, caregiver-home and invitation tests.

``make_family`` builds a whole case the way the case pages would: a key worker, a
caregiver with an account, a child, and a relative whose contact details, staff notes and
the child's contact restrictions hold marker strings a caregiver must never see.
"""
import datetime
from contextlib import contextmanager
from types import SimpleNamespace

from models import MemberRole, db

from .factories import make_case, make_member, make_person, make_user


def make_family(key_worker=None, caregiver_account=True, tag="A", **case_fields):
    """A complete family; secrets of the relative and staff notes carry ``tag``.

    Returns a namespace with ``case``, ``key_worker``, ``caregiver`` (person), ``user``
    (the caregiver's account or None), ``child``/``child_member``, ``relative`` and
    ``secrets`` (strings that must never reach a caregiver's page).
    """
    key_worker = key_worker or make_user("staff", full_name=f"Klára Worker{tag}", phone=f"+420 600 000 00{len(tag)}")
    secrets = {
        "relative_address": f"Secret Street {tag} 12, Brno",
        "relative_phone": f"+420 777 111 {tag}",
        "relative_email": f"relative.{tag.lower()}@example.org",
        "person_notes": f"Staff note about the caregiver {tag}",
        "relative_notes": f"Staff note about the relative {tag}",
        "case_notes": f"Case note for staff {tag}",
        "restriction": f"Court order {tag}: supervised contact only",
        "restriction_source": f"District court {tag} ref 12 P 34/2025",
    }
    case = make_case(key_worker, name=f"Family {tag}", notes=secrets["case_notes"], **case_fields)
    user = make_user("caregiver", full_name=f"Jana Carer{tag}") if caregiver_account else None
    caregiver = make_person(
        "Jana", f"Carer{tag}", phone="+420 600 123 456", email=f"jana.{tag.lower()}@example.org",
        address=f"Home Street {tag} 1", staff_notes=secrets["person_notes"], account=user,
    )
    make_member(case, caregiver, MemberRole.CAREGIVER)
    today = datetime.date.today()
    # Seven years old today (the 28th at most, so no leap-day surprises).
    born = datetime.date(today.year - 7, today.month, min(today.day, 28))
    child = make_person("Tomáš", f"Child{tag}", date_of_birth=born)
    child_member = make_member(case, child, MemberRole.CHILD, restriction_text=secrets["restriction"],
                              restriction_source=secrets["restriction_source"])
    relative = make_person(
        "Marie", f"Relative{tag}", phone=secrets["relative_phone"], email=secrets["relative_email"],
        address=secrets["relative_address"], staff_notes=secrets["relative_notes"],
    )
    make_member(case, relative, MemberRole.RELATIVE, child=child_member, relation="grandmother")
    return SimpleNamespace(case=case, key_worker=key_worker, caregiver=caregiver, user=user, child=child,
                           child_member=child_member, relative=relative, secrets=secrets)


@contextmanager
def count_queries(monkeypatch):
    """Record the SQL statements run inside the block: ``with count_queries(mp) as sql:``."""
    statements = []
    original = db.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(db, "execute_sql", recording)
    try:
        yield statements
    finally:
        monkeypatch.setattr(db, "execute_sql", original)
