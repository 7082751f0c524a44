"""The rules of case records (models.case_rules): key workers and their hand-overs,
conflicts of interest, the caseload limit of the country profile, the members a family
must keep, and finding possible duplicates of a person."""
import datetime

import pytest

from models import (
    AuditEntry,
    Case,
    CaseStatus,
    ConflictDeclaration,
    ConflictKind,
    KeyWorkerAssignment,
    Member,
    MemberRole,
    Person,
    TeamMember,
)
from models.case_rules import (
    CaseRuleError,
    add_team_member,
    assign_key_worker,
    caseload_limit,
    check_member_removal,
    check_new_member,
)

from .factories import make_case, make_member, make_organisation, make_person, make_user

DAY_1 = datetime.date(2025, 3, 1)
DAY_2 = datetime.date(2025, 9, 15)
#: The Polish profile's limit, written out here on purpose: the test checks the profile.
POLISH_LIMIT = 15


@pytest.fixture
def ctx(app):
    """A request context in English, so the rules' messages can be read."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def admin(ctx):
    return make_user("admin", full_name="Alena Správcová")


def open_assignments(case):
    return list(
        KeyWorkerAssignment.select().where(
            (KeyWorkerAssignment.case == case) & KeyWorkerAssignment.ended_on.is_null()
        )
    )


def declare_conflict(user, person, kind=ConflictKind.FAMILY):
    return ConflictDeclaration.create(user=user, person=person, kind=kind)


def fill_caseload(user, count, **fields):
    """``count`` cases with ``user`` as key worker (active unless ``status`` says otherwise)."""
    return [make_case(key_worker=user, **fields) for _ in range(count)]


# --- One key worker at a time, with the hand-over history -----------------------------------


def test_assign_key_worker_first_time_opens_history(admin):
    """Does the first key worker get one open assignment recorded by the actor?"""
    worker = make_user("staff")
    case = make_case()
    assignment = assign_key_worker(case, worker, admin, today=DAY_1)
    assert Case.get_by_id(case.id).key_worker_id == worker.id
    assert [a.id for a in open_assignments(case)] == [assignment.id]
    assert assignment.started_on == DAY_1 and assignment.assigned_by_id == admin.id


def test_assign_key_worker_hand_over_ends_previous(admin):
    """Does a hand-over end the previous assignment on the day and leave one open?"""
    first, second = make_user("staff"), make_user("staff")
    case = make_case()
    assign_key_worker(case, first, admin, today=DAY_1)
    assign_key_worker(case, second, admin, today=DAY_2)

    history = list(KeyWorkerAssignment.select().where(KeyWorkerAssignment.case == case)
                   .order_by(KeyWorkerAssignment.id))
    assert [(a.user_id, a.started_on, a.ended_on) for a in history] == [
        (first.id, DAY_1, DAY_2),
        (second.id, DAY_2, None),
    ]
    assert Case.get_by_id(case.id).key_worker_id == second.id


def test_assign_key_worker_hand_over_audited(admin):
    """Is a hand-over written to the case's audit trail with the old and new names?"""
    first = make_user("staff", full_name="Jana Nováková")
    second = make_user("staff", full_name="Petra Malá")
    case = make_case()
    assign_key_worker(case, first, admin, today=DAY_1)
    assign_key_worker(case, second, admin, today=DAY_2)
    entry = AuditEntry.select().where(AuditEntry.case_id == case.id).order_by(AuditEntry.id.desc()).get()
    assert entry.action == "update" and entry.actor_id == admin.id
    assert entry.change_dict == {"key_worker": ["Jana Nováková", "Petra Malá"]}


def test_assign_same_key_worker_again_records_nothing(admin):
    """Does assigning the current key worker again leave the history untouched?"""
    worker = make_user("staff")
    case = make_case()
    assign_key_worker(case, worker, admin, today=DAY_1)
    assert assign_key_worker(case, worker, admin, today=DAY_2) is None
    history = list(KeyWorkerAssignment.select().where(KeyWorkerAssignment.case == case))
    assert [(a.started_on, a.ended_on) for a in history] == [(DAY_1, None)]


def test_assign_key_worker_caregiver_refused(admin):
    """Is a caregiver's account refused as key worker?"""
    case = make_case()
    with pytest.raises(CaseRuleError, match="Only a staff member"):
        assign_key_worker(case, make_user("caregiver"), admin)
    assert Case.get_by_id(case.id).key_worker_id is None
    assert open_assignments(case) == []


def test_assign_key_worker_deactivated_refused(admin):
    """Is a deactivated account refused as key worker?"""
    case = make_case()
    with pytest.raises(CaseRuleError, match="deactivated"):
        assign_key_worker(case, make_user("staff", active=False), admin)
    assert open_assignments(case) == []


# --- Conflicts of interest --------------------------------------------------------------------


def test_assign_key_worker_with_conflict_refused(admin):
    """Is a staff member who declared a relationship with a member refused as key worker?"""
    current, conflicted = make_user("staff"), make_user("staff", full_name="Eva Horáková")
    case = make_case()
    assign_key_worker(case, current, admin, today=DAY_1)
    granny = make_person("Věra", "Horáková")
    make_member(case, granny, role=MemberRole.RELATIVE)
    declare_conflict(conflicted, granny)

    with pytest.raises(CaseRuleError) as exc:
        assign_key_worker(case, conflicted, admin, today=DAY_2)
    assert "conflict of interest" in str(exc.value) and "Věra Horáková" in str(exc.value)
    assert Case.get_by_id(case.id).key_worker_id == current.id
    assert [a.user_id for a in open_assignments(case)] == [current.id]


def test_assign_key_worker_conflict_with_other_family_allowed(admin):
    """Does a declaration about someone outside the family leave the key worker allowed?"""
    worker = make_user("staff")
    case = make_case()
    make_member(case)
    declare_conflict(worker, make_person())
    assign_key_worker(case, worker, admin)
    assert Case.get_by_id(case.id).key_worker_id == worker.id


def test_add_team_member_with_conflict_refused(admin):
    """Is a staff member with a declared conflict refused on the case's team?"""
    case = make_case(key_worker=make_user("staff"))
    colleague = make_user("staff")
    child = make_member(case, role=MemberRole.CHILD)
    declare_conflict(colleague, child.person, ConflictKind.PERSONAL)
    with pytest.raises(CaseRuleError, match="conflict of interest"):
        add_team_member(case, colleague, admin)
    assert not TeamMember.select().where(TeamMember.case == case).exists()


def test_add_team_member_without_conflict_accepted_and_audited(admin):
    """Does a staff member without a conflict join the team, with an audit entry?"""
    case = make_case(key_worker=make_user("staff"))
    colleague = make_user("staff", full_name="Tomáš Veselý")
    member = add_team_member(case, colleague, admin)
    assert TeamMember.get_by_id(member.id).user_id == colleague.id
    entry = AuditEntry.get((AuditEntry.table == "team_member") & (AuditEntry.record_id == member.id))
    assert entry.case_id == case.id and entry.action == "create" and "Tomáš Veselý" in entry.summary


def test_add_team_member_twice_refused(admin):
    """Is a staff member already on the team refused a second time?"""
    case = make_case(key_worker=make_user("staff"))
    colleague = make_user("staff")
    add_team_member(case, colleague, admin)
    with pytest.raises(CaseRuleError, match="already on the team"):
        add_team_member(case, colleague, admin)
    assert TeamMember.select().where(TeamMember.case == case).count() == 1


def test_add_team_member_key_worker_refused(admin):
    """Is the key worker refused as a member of their own case's team?"""
    worker = make_user("staff")
    case = make_case(key_worker=worker)
    with pytest.raises(CaseRuleError, match="already the key worker"):
        add_team_member(case, worker, admin)
    assert not TeamMember.select().where(TeamMember.case == case).exists()


def test_check_new_member_conflicted_with_case_staff_refused(ctx):
    """Is a person refused as member when the case's key worker declared a conflict with them?"""
    worker = make_user("staff")
    case = make_case(key_worker=worker)
    neighbour = make_person()
    declare_conflict(worker, neighbour, ConflictKind.PROPERTY)
    with pytest.raises(CaseRuleError, match="Hand the case over first"):
        check_new_member(case, neighbour, MemberRole.HOUSEHOLD)


# --- Caseload limit of the country profile ----------------------------------------------------


def test_caseload_limit_polish_profile_is_fifteen(ctx):
    """Does the Polish profile carry the statutory limit of 15 families?"""
    make_organisation(country="pl")
    assert caseload_limit() == POLISH_LIMIT


def test_caseload_polish_fifteenth_case_accepted(admin):
    """Is a 15th active case accepted for a Polish key worker (the limit itself)?"""
    make_organisation(country="pl")
    worker = make_user("staff")
    fill_caseload(worker, POLISH_LIMIT - 1)
    case = make_case()
    assign_key_worker(case, worker, admin)
    assert Case.active_count_for(worker) == POLISH_LIMIT


def test_caseload_polish_sixteenth_case_refused_without_reason(admin):
    """Is a 16th active case refused, asking for an override, and nothing is written?"""
    make_organisation(country="pl")
    worker = make_user("staff")
    fill_caseload(worker, POLISH_LIMIT)
    case = make_case()
    with pytest.raises(CaseRuleError) as exc:
        assign_key_worker(case, worker, admin)
    assert exc.value.needs_override
    assert "15" in str(exc.value)
    assert Case.get_by_id(case.id).key_worker_id is None
    assert open_assignments(case) == []
    assert Case.active_count_for(worker) == POLISH_LIMIT


def test_caseload_polish_sixteenth_case_blank_reason_refused(admin):
    """Does a reason of only spaces count as no reason?"""
    make_organisation(country="pl")
    worker = make_user("staff")
    fill_caseload(worker, POLISH_LIMIT)
    with pytest.raises(CaseRuleError):
        assign_key_worker(make_case(), worker, admin, override_reason="   ")


def test_caseload_polish_sixteenth_case_admin_reason_accepted(admin):
    """Does an administrator's recorded reason allow the 16th case, and is it kept?"""
    make_organisation(country="pl")
    worker = make_user("staff")
    fill_caseload(worker, POLISH_LIMIT)
    case = make_case()
    assignment = assign_key_worker(case, worker, admin, override_reason=" Temporary cover for a sick colleague ")
    assert KeyWorkerAssignment.get_by_id(assignment.id).override_reason == "Temporary cover for a sick colleague"
    assert Case.active_count_for(worker) == POLISH_LIMIT + 1
    entry = AuditEntry.select().where(AuditEntry.case_id == case.id).order_by(AuditEntry.id.desc()).get()
    assert "Temporary cover" in entry.summary


def test_caseload_polish_staff_reason_refused(ctx):
    """Is an override reason given by a staff member (not an admin) refused?"""
    make_organisation(country="pl")
    lead, worker = make_user("staff"), make_user("staff")
    fill_caseload(worker, POLISH_LIMIT)
    case = make_case()
    with pytest.raises(CaseRuleError, match="Only an administrator"):
        assign_key_worker(case, worker, lead, override_reason="Urgent")
    assert open_assignments(case) == []


def test_caseload_polish_closed_cases_not_counted(admin):
    """Do closed and monitored cases stay out of the Polish caseload count?"""
    make_organisation(country="pl")
    worker = make_user("staff")
    fill_caseload(worker, POLISH_LIMIT - 1)
    fill_caseload(worker, 3, status=CaseStatus.CLOSED, closed_on=DAY_1)
    fill_caseload(worker, 2, status=CaseStatus.MONITORING, closed_on=DAY_1, monitoring_until=DAY_2)
    case = make_case()
    assign_key_worker(case, worker, admin)
    assert Case.get_by_id(case.id).key_worker_id == worker.id


def test_caseload_czech_profile_has_no_hard_limit(admin):
    """Is a Czech key worker given a 31st family without any reason (18–23 is advice only)?"""
    make_organisation(country="cz")
    worker = make_user("staff")
    fill_caseload(worker, 30)
    assert caseload_limit() is None
    case = make_case()
    assignment = assign_key_worker(case, worker, worker)
    assert assignment.override_reason == ""
    assert Case.active_count_for(worker) == 31


# --- Members a family must keep -------------------------------------------------------------


def test_check_new_member_third_caregiver_refused(ctx):
    """Is a third caregiver refused (one carer or a couple)?"""
    case = make_case()
    make_member(case, role=MemberRole.CAREGIVER)
    check_new_member(case, make_person(), MemberRole.CAREGIVER)  # the second is fine
    make_member(case, role=MemberRole.CAREGIVER)
    with pytest.raises(CaseRuleError, match="at most two caregivers"):
        check_new_member(case, make_person(), MemberRole.CAREGIVER)


def test_check_new_member_many_children_accepted(ctx):
    """Does the caregiver limit leave other roles alone (a third child is fine)?"""
    case = make_case()
    for _ in range(2):
        make_member(case, role=MemberRole.CAREGIVER)
    for _ in range(3):
        make_member(case, role=MemberRole.CHILD)
    check_new_member(case, make_person(), MemberRole.CHILD)


def test_check_new_member_same_person_same_role_refused(ctx):
    """Is the same person refused twice in the same role of a family?"""
    case = make_case()
    granny = make_person("Věra", "Horáková")
    make_member(case, granny, role=MemberRole.RELATIVE)
    with pytest.raises(CaseRuleError, match="already a member of this family in this role"):
        check_new_member(case, granny, MemberRole.RELATIVE)


def test_check_new_member_same_person_other_role_accepted(ctx):
    """May the same person hold a second, different role (relative and household member)?"""
    case = make_case()
    granny = make_person()
    make_member(case, granny, role=MemberRole.RELATIVE)
    check_new_member(case, granny, MemberRole.HOUSEHOLD)


def test_check_new_member_same_person_other_family_accepted(ctx):
    """May a person be a member of two families in the same role?"""
    person = make_person()
    make_member(make_case(), person, role=MemberRole.RELATIVE)
    check_new_member(make_case(), person, MemberRole.RELATIVE)


def test_check_member_removal_last_caregiver_of_active_case_refused(ctx):
    """Is removing the only caregiver of an active family refused?"""
    case = make_case()
    only = make_member(case, role=MemberRole.CAREGIVER)
    with pytest.raises(CaseRuleError, match="at least one caregiver"):
        check_member_removal(only)


def test_check_member_removal_one_of_two_caregivers_allowed(ctx):
    """May one of two caregivers be removed from an active family?"""
    case = make_case()
    first = make_member(case, role=MemberRole.CAREGIVER)
    make_member(case, role=MemberRole.CAREGIVER)
    check_member_removal(first)


@pytest.mark.parametrize("status", [CaseStatus.CLOSED, CaseStatus.MONITORING])
def test_check_member_removal_last_caregiver_of_ended_case_allowed(ctx, status):
    """May the last caregiver be removed once the work has ended?"""
    case = make_case(status=status, closed_on=DAY_1, monitoring_until=DAY_2)
    only = make_member(case, role=MemberRole.CAREGIVER)
    check_member_removal(only)


def test_check_member_removal_child_allowed(ctx):
    """Does the caregiver rule leave the removal of a child alone?"""
    case = make_case()
    make_member(case, role=MemberRole.CAREGIVER)
    child = make_member(case, role=MemberRole.CHILD)
    check_member_removal(child)


# --- Possible duplicates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last"),
    [("Jana", "Novakova"), ("JANA", "NOVÁKOVÁ"), ("jána", "nóvaková"), ("Jana ", " Novakova")],
)
def test_possible_duplicates_ignore_case_and_diacritics(ctx, first, last):
    """Is "Nováková" found when typed without accents, in capitals or with stray spaces?"""
    stored = make_person("Jana", "Nováková", date_of_birth=datetime.date(1980, 5, 4))
    make_person("Jana", "Novák", date_of_birth=datetime.date(1980, 5, 4))
    found = list(Person.possible_duplicates(first, last, datetime.date(1980, 5, 4)))
    assert [p.id for p in found] == [stored.id]


def test_possible_duplicates_polish_letters_folded(ctx):
    """Is "Łukasz Wiśniewski" found as "Lukasz Wisniewski"?"""
    stored = make_person("Łukasz", "Wiśniewski")
    assert [p.id for p in Person.possible_duplicates("Lukasz", "Wisniewski", None)] == [stored.id]


def test_possible_duplicates_other_birth_date_not_offered(ctx):
    """Is a namesake with another date of birth left out?"""
    make_person("Jana", "Nováková", date_of_birth=datetime.date(1980, 5, 4))
    assert list(Person.possible_duplicates("Jana", "Novakova", datetime.date(1991, 1, 1))) == []


def test_possible_duplicates_unknown_birth_date_offered(ctx):
    """Is a namesake whose date of birth is not recorded offered (it may be the same person)?"""
    stored = make_person("Jana", "Nováková")
    found = Person.possible_duplicates("Jana", "Novakova", datetime.date(1991, 1, 1))
    assert [p.id for p in found] == [stored.id]


def test_possible_duplicates_exclude_self(ctx):
    """Is the person being edited not offered as their own duplicate?"""
    stored = make_person("Jana", "Nováková")
    assert list(Person.possible_duplicates("Jana", "Nováková", None, exclude_id=stored.id)) == []


def test_possible_duplicates_after_rename_found_by_new_name(ctx):
    """Does a renamed person's search key follow the new name (versioned save included)?"""
    person = make_person("Jana", "Nováková")
    person.last_name = "Dvořáková"
    assert person.save_if_version(person.version)
    found = Person.possible_duplicates("Jana", "Dvorakova", None)
    assert [p.id for p in found] == [person.id]
    assert list(Person.possible_duplicates("Jana", "Novakova", None)) == []


def test_member_unique_per_case_person_role_in_database(ctx):
    """Does the database itself refuse a duplicate (case, person, role) row?"""
    from peewee import IntegrityError

    case, person = make_case(), make_person()
    make_member(case, person, role=MemberRole.CHILD)
    with pytest.raises(IntegrityError):
        Member.create(case=case, person=person, role=MemberRole.CHILD)
