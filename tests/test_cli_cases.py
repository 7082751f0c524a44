"""``flask users list`` with case records: a caregiver's line names their family or families."""
import logging

from cli.users import account_lines
from models import MemberRole

from .factories import make_case, make_member, make_person, make_user


def listed(runner):
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_users_list_names_a_caregivers_families(runner):
    """Does a caregiver's line end with the families they are a caregiver of, by name and number?"""
    carer = make_user("caregiver", email="a.carer@example.org")
    person = make_person("Jana", "Nováková", account=carer)
    first = make_case(name="Novák family")
    second = make_case(name="Adamec family")
    other = make_case(name="Child's own family")
    make_member(first, person, MemberRole.CAREGIVER)
    make_member(second, person, MemberRole.CAREGIVER)
    make_member(other, person, MemberRole.RELATIVE)  # not a caregiver there: not listed
    make_user("staff", email="b.staff@example.org")
    assert listed(runner) == [
        f"a.carer@example.org\tcaregiver\tactive\tAdamec family (case {second.id}); Novák family (case {first.id})",
        "b.staff@example.org\tstaff\tactive",
    ]


def test_users_list_caregiver_without_family_and_staff_unchanged(runner):
    """Do a caregiver with no family (or no person record) and staff keep the three columns,
    even when staff are key workers?"""
    make_user("caregiver", email="a.carer@example.org", active=False)
    lone = make_user("caregiver", email="c.lone@example.org")
    make_person("Lone", "Carer", account=lone)
    staff = make_user("staff", email="b.staff@example.org")
    make_case(key_worker=staff, name="Novák family")
    assert listed(runner) == [
        "a.carer@example.org\tcaregiver\tinactive",
        "b.staff@example.org\tstaff\tactive",
        "c.lone@example.org\tcaregiver\tactive",
    ]


def test_users_list_one_query_for_any_number_of_caregivers(app):
    """Is the list made with one query, however many caregivers and families there are?"""
    for n in range(8):
        carer = make_user("caregiver", email=f"carer{n}@example.org")
        person = make_person(account=carer)
        make_member(make_case(), person, MemberRole.CAREGIVER)
        make_member(make_case(), person, MemberRole.CAREGIVER)
    statements = []

    class Handler(logging.Handler):
        def emit(self, record):
            statements.append(record.msg)

    logger = logging.getLogger("peewee")
    handler, level = Handler(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        with app.app_context():
            lines = list(account_lines())
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(lines) == 8 and all(line.count("(case ") == 2 for line in lines)
    assert len(statements) == 1
