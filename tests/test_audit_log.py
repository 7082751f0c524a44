"""The audit log for administrators: newest first, filters, pages, read only."""
import datetime
import re

import pytest

from models import AuditEntry, Person, audit

from .conftest import HX
from .factories import make_case, make_person, make_user
from .helpers import field_error, text


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


def entry(actor, action="update", table="person", summary="", at=None, case_id=None, record_id=1):
    return AuditEntry.create(actor=actor, action=action, table=table, summary=summary,
                             at=at or datetime.datetime(2025, 3, 10, 12, 0), case_id=case_id, record_id=record_id)


def summaries(html):
    """The summaries of the listed entries (those starting with "E-"), in page order."""
    return re.findall(r"<td>(E-[^<]*)</td>", html)


def test_admin_sees_entries_newest_first(client, auth):
    """Are entries listed newest first, with the kind of record and a link to the family?"""
    admin = auth.as_role("admin")
    case = make_case(name="Novák family")
    entry(admin, summary="E-old", at=datetime.datetime(2025, 1, 1, 9, 0))
    entry(admin, summary="E-new", at=datetime.datetime(2025, 2, 1, 9, 0), table="family_case", case_id=case.id,
          record_id=case.id)
    html = text(client.get("/audit/"))
    assert summaries(html) == ["E-new", "E-old"]
    assert f"Families #{case.id}" in html and f'<a href="/cases/{case.id}">#{case.id}</a>' in html


@pytest.mark.parametrize("role", ["staff", "caregiver"])
def test_audit_log_admin_only(client, auth, role):
    """Are staff members and caregivers refused the audit log?"""
    auth.as_role(role)
    assert client.get("/audit/").status_code == 403


def test_audit_log_is_read_only(client, auth, app):
    """Does the audit area answer only GET: nothing edits or deletes an entry?"""
    auth.as_role("admin")
    assert client.post("/audit/").status_code == 405
    methods = {m for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.") for m in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS"}


def test_filter_by_actor(client, auth):
    """Does the actor filter show one person's entries, and "System" those without actor?"""
    admin = auth.as_role("admin")
    other = make_user("staff", full_name="Olga Other")
    entry(admin, summary="E-admin")
    entry(other, summary="E-olga")
    entry(None, summary="E-system")
    html = text(client.get("/audit/"))
    assert "Olga Other &lt;" in html  # offered in the select
    assert summaries(text(client.get(f"/audit/?actor={other.id}"))) == ["E-olga"]
    assert summaries(text(client.get("/audit/?actor=0"))) == ["E-system"]


def test_filter_by_action_table_and_case(client, auth):
    """Do the action, kind-of-record and case filters narrow the list, also combined?"""
    admin = auth.as_role("admin")
    entry(admin, action="create", table="person", summary="E-create-person")
    entry(admin, action="delete", table="member", summary="E-delete-member", case_id=7)
    entry(admin, action="delete", table="person", summary="E-delete-person", case_id=8)
    assert sorted(summaries(text(client.get("/audit/?action=delete")))) == ["E-delete-member", "E-delete-person"]
    assert sorted(summaries(text(client.get("/audit/?table=person")))) == ["E-create-person", "E-delete-person"]
    assert summaries(text(client.get("/audit/?case=7"))) == ["E-delete-member"]
    assert summaries(text(client.get("/audit/?action=delete&table=person"))) == ["E-delete-person"]


def test_filter_by_dates_in_the_organisations_time_zone(client, auth):
    """Do the dates follow the organisation's time zone (23:30 UTC on 10 March is 11 March in Prague)?"""
    admin = auth.as_role("admin")
    entry(admin, summary="E-late", at=datetime.datetime(2025, 3, 10, 23, 30))
    entry(admin, summary="E-morning", at=datetime.datetime(2025, 3, 10, 8, 0))
    entry(admin, summary="E-april", at=datetime.datetime(2025, 4, 2, 8, 0))
    assert summaries(text(client.get("/audit/?date_from=2025-03-11"))) == ["E-april", "E-late"]
    assert summaries(text(client.get("/audit/?date_to=2025-03-10"))) == ["E-morning"]
    assert summaries(text(client.get("/audit/?date_from=2025-03-10&date_to=2025-03-11"))) == ["E-late", "E-morning"]


def test_invalid_filters_refused_beside_the_field(client, auth):
    """Are an end before the start and a bad case number refused with 422 beside the field,
    the valid filters still applied?"""
    admin = auth.as_role("admin")
    entry(admin, action="create", summary="E-create")
    entry(admin, action="delete", summary="E-delete")
    response = client.get("/audit/?date_from=2025-03-11&date_to=2025-03-01")
    assert response.status_code == 422
    assert field_error(text(response), "date_to") == "The end date cannot be before the start date."
    response = client.get("/audit/?case=abc&action=delete")
    assert response.status_code == 422
    assert field_error(text(response), "case") == "Not a valid integer value."
    assert summaries(text(response)) == ["E-delete"]
    response = client.get("/audit/?case=0&action=delete")
    assert field_error(text(response), "case") == "Enter the number of a family (1 or more)."
    assert summaries(text(response)) == ["E-delete"]
    assert client.get("/audit/?action=explode").status_code == 422


def test_paginated_fifty_per_page_with_filters_kept(client, auth):
    """Are entries split into pages of 50, the pager keeping the filters?"""
    admin = auth.as_role("admin")
    start = datetime.datetime(2025, 3, 1, 8, 0)
    for n in range(60):
        entry(admin, action="view", summary=f"E-{n:02d}", at=start + datetime.timedelta(minutes=n))
    first = text(client.get("/audit/?action=view"))
    second = text(client.get("/audit/?action=view&page=2"))
    assert len(summaries(first)) == 50 and summaries(first)[0] == "E-59"
    assert summaries(second) == [f"E-{n:02d}" for n in range(9, -1, -1)]
    assert "Page 1 of 2" in first and 'href="/audit/?action=view&amp;page=2"' in first


def test_htmx_swaps_filters_and_results(client, auth):
    """Does an htmx request get the content of the log (filters and results) to swap into it,
    not the page and not a second log container?"""
    admin = auth.as_role("admin")
    entry(admin, summary="E-one")
    html = text(client.get("/audit/?action=update", headers=HX))
    assert "<html" not in html and 'id="audit-log"' not in html
    assert 'id="actor"' in html and summaries(html) == ["E-one"]


def test_real_actions_are_listed(client, auth):
    """Do entries written by the portal itself (a sign-in) appear in the log?"""
    auth.as_role("admin")
    with client.application.test_request_context():
        audit.record(None, "create", table="user", record_id=1, summary="E-from-cli")
    html = text(client.get("/audit/"))
    assert "E-from-cli" in html and "signed in" in html


def test_audit_log_in_admin_menu_only(client, auth):
    """Is "Audit log" in the administrators' menu and not in the staff menu?"""
    auth.as_role("admin")
    assert 'href="/audit/"' in text(client.get("/staff"))
    auth.logout()
    auth.as_role("staff")
    assert 'href="/audit/"' not in text(client.get("/staff"))


def test_every_table_has_a_label_in_the_audit_log():
    """Does the audit log name every kind of record in words, not by its table name?"""
    from models import ALL_MODELS
    from views.audit.routes import TABLE_LABELS

    unlabelled = {m._meta.table_name for m in ALL_MODELS} - set(TABLE_LABELS) - {"login_failure", "password_token", "audit_entry"}
    assert unlabelled == set()


def test_save_versioned_writes_the_change_and_its_entry_or_nothing(app):
    """Is a save at the expected version stored with its audit entry, and a stale one refused
    without a trace?"""
    actor, person = make_user("staff"), make_person("Eva", "Malá")
    before = audit.snapshot(person)
    person.first_name = "Ema"
    assert audit.save_versioned(actor, person, before, person.version) is True
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).get()
    assert entry.action == "update" and "Ema" in entry.changes
    entries = AuditEntry.select().count()
    stale = Person.get_by_id(person.id)
    stale.first_name = "Olga"
    assert audit.save_versioned(actor, stale, audit.snapshot(stale), 1) is False  # now at 2
    assert audit.save_versioned(actor, stale, audit.snapshot(stale), None) is False
    assert Person.get_by_id(person.id).first_name == "Ema"
    assert AuditEntry.select().count() == entries
