"""Caseloads: a staff member's own, every staff member's for administrators, the figures of
the country profile, and the Polish limit enforced on the case pages."""
import logging
from contextlib import contextmanager

import pytest

from models import Case, CaseStatus, CaseType, KeyWorkerAssignment, User
from models.jurisdiction import PROFILES

from .factories import make_case, make_organisation, make_user
from .helpers import text

#: The Polish profile's limit, written out here on purpose: the tests check the profile.
POLISH_LIMIT = 15


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


@pytest.fixture
def polish():
    """The organisation works under the Polish rules."""
    return make_organisation(country="pl", timezone="Europe/Warsaw")


def fill(user, count, **fields):
    return [make_case(key_worker=user, **fields) for _ in range(count)]


def new_case_form(worker, **extra):
    """The fields of POST /cases/new for a Polish foster family."""
    data = {"name": "Kowalski family", "case_type": "pl_foster", "status": "active",
            "opened_on": "2025-02-01", "key_worker": worker.id}
    data.update(extra)
    return data


@contextmanager
def counted_selects():
    """Count the SELECT statements peewee runs inside the block (its DEBUG log)."""
    selects = []

    class Handler(logging.Handler):
        def emit(self, record):
            sql = record.msg[0] if isinstance(record.msg, tuple) else str(record.msg)
            if sql.lstrip().upper().startswith("SELECT"):
                selects.append(sql)

    logger = logging.getLogger("peewee")
    handler, level = Handler(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield selects
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


# --- My caseload ----------------------------------------------------------------------------


def test_my_caseload_polish_counts_against_the_limit(client, auth, polish):
    """Does a Polish staff member see "N of 15 families" and only their active cases?"""
    staff = auth.as_role("staff")
    fill(staff, 3)
    make_case(key_worker=staff, name="Closed one", status=CaseStatus.CLOSED)
    make_case(key_worker=make_user("staff"), name="Someone else's")
    html = text(client.get("/caseload/"))
    assert f"3 of {POLISH_LIMIT} families" in html
    assert "Near the limit" not in html and "Closed one" not in html and "Someone else" not in html
    assert f"The law allows at most {POLISH_LIMIT} families per worker at a time." in html


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (POLISH_LIMIT - 3, None),
        (POLISH_LIMIT - 2, "Near the limit: 2 places left."),
        (POLISH_LIMIT - 1, "Near the limit: 1 place left."),
        (POLISH_LIMIT, "At the legal limit: only an administrator can assign another family"),
        (POLISH_LIMIT + 1, "Above the legal limit"),
    ],
)
def test_my_caseload_polish_warns_near_the_limit(client, auth, polish, count, message):
    """Is a warning shown from two places before the limit, at it and above it?"""
    staff = auth.as_role("staff")
    fill(staff, count)
    html = text(client.get("/caseload/"))
    assert f"{count} of {POLISH_LIMIT} families" in html
    if message:
        assert message in html
    else:
        assert "Near the limit" not in html and "legal limit:" not in html


def test_my_caseload_czech_shows_recommendation_not_limit(client, auth):
    """Does a Czech staff member see the 18–23 recommendation, not a legal limit?"""
    staff = auth.as_role("staff")
    fill(staff, 24)
    html = text(client.get("/caseload/"))
    assert "24 families" in html and " of " not in html.split("Active families as key worker")[1][:200]
    assert "Recommended: 18–23 families per full-time key worker. This is a recommendation, not a legal limit." in html
    assert "Above the recommended range." in html
    assert "legal limit:" not in html


def test_my_caseload_figures_come_from_the_profile(client, auth, polish, monkeypatch):
    """Do the limit and the warning follow the profile's figures (no literal in the views)?"""
    monkeypatch.setitem(PROFILES["pl"].figures, "caseload_hard_limit", 5)
    monkeypatch.setitem(PROFILES["pl"].figures, "caseload_warning_margin", 1)
    staff = auth.as_role("staff")
    fill(staff, 4)
    html = text(client.get("/caseload/"))
    assert "4 of 5 families" in html and "Near the limit: 1 place left." in html


def test_my_caseload_lists_team_cases_separately(client, auth, polish):
    """Are families where the user is on the team listed apart and left out of the count?"""
    staff = auth.as_role("staff")
    fill(staff, 2)
    other = make_user("staff", full_name="Olga Other")
    make_case(key_worker=other, team=[staff], name="Team family")
    make_case(key_worker=other, team=[staff], name="Old team family", status=CaseStatus.CLOSED)
    html = text(client.get("/caseload/"))
    assert f"2 of {POLISH_LIMIT} families" in html
    team_part = html.split("Families where I am on the team")[1]
    assert "(1)" in team_part[:20] and "Team family" in team_part and "Olga Other" in team_part
    assert "Old team family" not in html


def test_my_caseload_paginated(client, auth):
    """Are the user's families split into pages, each list with its own page number?"""
    staff = auth.as_role("staff")
    fill(staff, 30)
    first = text(client.get("/caseload/"))
    assert "Page 1 of 2" in first and "team_page=1" in first
    second = text(client.get("/caseload/?page=2"))
    assert "Page 2 of 2" in second


def test_caseload_in_the_menu(client, auth):
    """Is "My caseload" in the staff menu?"""
    auth.as_role("staff")
    html = text(client.get("/caseload/"))
    assert '<a href="/caseload/" aria-current="page">My caseload</a>' in html


# --- Every staff member's caseload ------------------------------------------------------------


def test_all_caseloads_lists_active_staff_with_counts_and_links(client, auth, polish):
    """Does the admin page show each active staff member's count, linked to their families?"""
    anna = make_user("staff", full_name="Anna Ant")
    boris = make_user("staff", full_name="Boris Bear")
    make_user("staff", full_name="Gone Away", active=False)
    make_user("caregiver", full_name="Carla Carer")
    fill(anna, POLISH_LIMIT - 1)
    fill(boris, 1)
    auth.as_role("admin")
    html = text(client.get("/caseload/all"))
    assert f'/cases/?key_worker={anna.id}&amp;status=active">{POLISH_LIMIT - 1} of {POLISH_LIMIT} families' in html
    assert f'/cases/?key_worker={boris.id}&amp;status=active">1 of {POLISH_LIMIT} families' in html
    assert "Near the limit: 1 place left." in html
    assert "Gone Away" not in html and "Carla Carer" not in html


def test_all_caseloads_czech_shows_recommendation(client, auth):
    """Does the admin page show the Czech recommendation as guidance?"""
    fill(make_user("staff", full_name="Anna Ant"), 2)
    auth.as_role("admin")
    html = text(client.get("/caseload/all"))
    assert "2 families" in html
    assert "This is a recommendation, not a legal limit." in html


def test_all_caseloads_names_deactivated_key_workers(client, auth):
    """Are deactivated accounts still holding active families named for a hand-over?"""
    gone = make_user("staff", full_name="Gone Away", active=False)
    fill(gone, 2)
    auth.as_role("admin")
    html = text(client.get("/caseload/all"))
    assert "Deactivated accounts still key worker of active families" in html
    assert f'/cases/?key_worker={gone.id}&amp;status=active">Gone Away: 2 families' in html


def test_all_caseloads_query_count_does_not_grow_with_staff(client, auth):
    """Is the number of SELECTs the same for 2 and for 12 staff members (one grouped count)?"""
    auth.as_role("admin")
    for _ in range(2):
        fill(make_user("staff"), 2)
    client.get("/caseload/all")  # the same caches (if any) warm for both counts
    with counted_selects() as few:
        assert client.get("/caseload/all").status_code == 200
    for _ in range(10):
        fill(make_user("staff"), 3)
    with counted_selects() as many:
        html = text(client.get("/caseload/all"))
    assert "12 active staff members" in html
    assert len(few) == len(many)
    assert len(many) <= 12


@pytest.mark.parametrize("url", ["/caseload/", "/caseload/all"])
def test_caregiver_refused(client, auth, url):
    """Are caregivers refused on both caseload pages?"""
    auth.as_role("caregiver")
    assert client.get(url).status_code == 403


def test_all_caseloads_admin_only(client, auth):
    """Is the page of every caseload refused to staff members?"""
    auth.as_role("staff")
    assert client.get("/caseload/all").status_code == 403


# --- The Polish limit on the case pages ------------------------------------------------------


def test_polish_sixteenth_case_refused_without_override(client, auth, polish):
    """Is a 16th active family for a Polish key worker refused, asking for a reason?"""
    worker = make_user("staff", full_name="Piotr Worker")
    fill(worker, POLISH_LIMIT)
    auth.as_role("admin")
    response = client.post("/cases/new", data=new_case_form(worker))
    assert response.status_code == 422
    assert f"Piotr Worker already works with {POLISH_LIMIT} families; the law allows at most {POLISH_LIMIT}." in text(response)
    assert not Case.select().where(Case.name == "Kowalski family").exists()


def test_polish_sixteenth_case_admin_override_recorded(client, auth, polish):
    """Does an administrator's reason allow the 16th family and is the reason kept?"""
    worker = make_user("staff")
    fill(worker, POLISH_LIMIT)
    auth.as_role("admin")
    response = client.post("/cases/new", data=new_case_form(worker, override_reason="Siblings of a family she has."))
    assert response.status_code == 303
    case = Case.get(Case.name == "Kowalski family")
    assignment = KeyWorkerAssignment.get(KeyWorkerAssignment.case == case)
    assert assignment.user_id == worker.id and assignment.override_reason == "Siblings of a family she has."
    html = text(client.get(f"/cases/{case.id}"))
    assert "Caseload limit overridden: Siblings of a family she has." in html


def test_polish_hand_over_over_limit_refused_then_overridden(client, auth, polish):
    """Is a hand-over to a full key worker refused without a reason and accepted with one?"""
    worker = make_user("staff")
    fill(worker, POLISH_LIMIT)
    case = make_case(key_worker=make_user("staff"), case_type=CaseType.PL_ASSISTANT)
    auth.as_role("admin")
    refused = client.post(f"/cases/{case.id}/key-worker", data={"key_worker": worker.id})
    assert refused.status_code == 422 and "the law allows at most" in text(refused)
    accepted = client.post(f"/cases/{case.id}/key-worker",
                           data={"key_worker": worker.id, "override_reason": "Temporary cover."})
    assert accepted.status_code == 303
    assert Case.get_by_id(case.id).key_worker_id == worker.id
    assert KeyWorkerAssignment.get(KeyWorkerAssignment.case == case, KeyWorkerAssignment.user == worker).override_reason == "Temporary cover."


def test_polish_staff_cannot_override(client, auth, polish):
    """Is a reason given by a staff member refused: only administrators may override?"""
    worker = make_user("staff")
    fill(worker, POLISH_LIMIT)
    auth.as_role("staff")
    response = client.post("/cases/new", data=new_case_form(worker, override_reason="I say so."))
    assert response.status_code == 422
    assert "Only an administrator can override the caseload limit." in text(response)
    assert Case.select().where(Case.key_worker == worker).count() == POLISH_LIMIT
    assert not KeyWorkerAssignment.select().where(KeyWorkerAssignment.override_reason != "").exists()
    assert User.get_by_id(worker.id).active


def test_all_caseloads_htmx_page_returns_rows_only(client, auth):
    """Does htmx paging get the content of the list to swap into it (not a nested list)?"""
    make_user("staff", full_name="Anna Ant")
    auth.as_role("admin")
    html = text(client.get("/caseload/all", headers={"HX-Request": "true"}))
    assert "<html" not in html and 'id="caseload-results"' not in html and "Anna Ant" in html
