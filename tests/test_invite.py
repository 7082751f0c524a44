"""Inviting a caregiver to the portal from the case page: the account, the one-time link
shown once, the refusals, and who may do it."""
import re
from urllib.parse import urlsplit

import pytest

from models import AuditEntry, Member, MemberRole, PasswordToken, Person, Role, User

from .conftest import HX
from .factories import make_case, make_member, make_person, make_user
from .families import make_family
from .helpers import location_path, text

NEW_PASSWORD = "a long new caregiver passphrase"


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


@pytest.fixture
def family(app):
    """A family whose caregiver has no account yet."""
    return make_family(tag="A", caregiver_account=False)


def _member(case, person, role=MemberRole.CAREGIVER):
    """The Member row of ``person`` in ``case``."""
    return Member.get((Member.case == case) & (Member.person == person) & (Member.role == role))


def invite_url(case, member):
    return f"/cases/{case.id}/members/{member.id}/invite"


def set_password_link(html):
    match = re.search(r'<code class="secret">([^<]+)</code>', html)
    assert match, "no one-time link on the page"
    return match.group(1)


def member_error(html):
    match = re.search(r'<p class="form-error" role="alert">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else None


# --- The invitation ------------------------------------------------------------------------


def test_key_worker_invites_caregiver(client, auth, family):
    """Does the key worker's invitation create a caregiver account for the person's e-mail,
    link the person to it, and show a one-time link that works?"""
    auth.login(family.key_worker)
    member = _member(family.case, family.caregiver)
    response = client.post(invite_url(family.case, member))
    assert response.status_code == 200
    html = text(response)
    user = User.get(User.email == "jana.a@example.org")
    assert user.role == Role.CAREGIVER
    assert user.full_name == "Jana CarerA"
    assert user.password_hash is None
    assert Person.get_by_id(family.caregiver.id).account_id == user.id
    link = set_password_link(html)
    path = urlsplit(link).path
    assert path.startswith("/auth/set-password/")
    token = path.rsplit("/", 1)[1]
    assert PasswordToken.find_valid(token).user_id == user.id
    assert "Has an account in the portal." not in html  # the link is shown instead, once
    # Shown once: the case page afterwards has no link, and no invite button.
    again = text(client.get(f"/cases/{family.case.id}"))
    assert token not in again
    assert "Has an account in the portal." in again
    assert invite_url(family.case, member) not in again


def test_invited_caregiver_sets_password_and_sees_family(client, auth, family):
    """Can the invited caregiver set a password with the link and see their family?"""
    auth.login(family.key_worker)
    member = _member(family.case, family.caregiver)
    link = set_password_link(text(client.post(invite_url(family.case, member))))
    auth.logout()
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    response = client.post(path, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 303
    response = auth.login("jana.a@example.org", password=NEW_PASSWORD)
    assert location_path(response) == "/my"
    html = text(client.get("/my"))
    assert "Family A" in html and family.key_worker.full_name in html


def test_invite_is_audited_in_case_history(client, auth, family):
    """Are the new account and the link to the person in the case's history?"""
    auth.login(family.key_worker)
    client.post(invite_url(family.case, _member(family.case, family.caregiver)))
    user = User.get(User.email == "jana.a@example.org")
    created = AuditEntry.get((AuditEntry.table == "user") & (AuditEntry.action == "create"))
    assert created.record_id == user.id
    assert created.case_id == family.case.id
    assert created.actor_id == family.key_worker.id
    linked = AuditEntry.get((AuditEntry.table == "person") & (AuditEntry.action == "update"))
    assert linked.case_id == family.case.id
    assert linked.change_dict == {"account": [None, user.id]}


def test_invite_htmx_returns_members_section(client, auth, family):
    """Does an htmx invitation answer with the members section only, link included?"""
    auth.login(family.key_worker)
    response = client.post(invite_url(family.case, _member(family.case, family.caregiver)), headers=HX)
    assert response.status_code == 200
    html = text(response)
    assert "<html" not in html
    assert html.strip().startswith('<section class="card" id="members"')
    assert "/auth/set-password/" in set_password_link(html)


def test_admin_may_invite(client, auth, family):
    """May an administrator, not on the case's team, invite?"""
    auth.as_role("admin")
    response = client.post(invite_url(family.case, _member(family.case, family.caregiver)))
    assert response.status_code == 200
    assert User.by_email("jana.a@example.org") is not None


def test_team_member_may_invite(client, auth, family):
    """May a staff member on the case's team invite?"""
    from models import TeamMember

    colleague = make_user("staff")
    TeamMember.create(case=family.case, user=colleague)
    auth.login(colleague)
    assert client.post(invite_url(family.case, _member(family.case, family.caregiver))).status_code == 200


def test_invite_button_shown_only_where_it_applies(client, auth, family):
    """Is "Invite to the portal" offered for a caregiver without an account, and not for
    other members or staff who cannot edit the case?"""
    auth.login(family.key_worker)
    html = text(client.get(f"/cases/{family.case.id}"))
    member = _member(family.case, family.caregiver)
    assert f'action="{invite_url(family.case, member)}"' in html
    assert html.count("Invite to the portal") == 1
    child = _member(family.case, family.child, MemberRole.CHILD)
    assert invite_url(family.case, child) not in html
    auth.logout()
    auth.as_role("staff", can_read_all_cases=True)
    html = text(client.get(f"/cases/{family.case.id}"))
    assert "Invite to the portal" not in html


# --- Refusals ------------------------------------------------------------------------------


def test_refused_without_email(client, auth, family):
    """Is a caregiver without an e-mail refused with a clear message (422)?"""
    Person.update(email="").where(Person.id == family.caregiver.id).execute()
    auth.login(family.key_worker)
    users_before = User.select().count()
    for headers in ({}, HX):
        response = client.post(invite_url(family.case, _member(family.case, family.caregiver)), headers=headers)
        assert response.status_code == 422
        assert "has no e-mail address" in member_error(text(response))
    assert User.select().count() == users_before
    assert Person.get_by_id(family.caregiver.id).account_id is None
    assert PasswordToken.select().count() == 0


def test_refused_when_email_has_an_account(client, auth, family):
    """Is the invitation refused when an account with that e-mail (any case) exists?"""
    existing = make_user("staff", email="jana.a@example.org")
    Person.update(email="  Jana.A@Example.org ").where(Person.id == family.caregiver.id).execute()
    auth.login(family.key_worker)
    response = client.post(invite_url(family.case, _member(family.case, family.caregiver)))
    assert response.status_code == 422
    message = member_error(text(response))
    assert "already exists" in message and "jana.a@example.org" in message
    assert Person.get_by_id(family.caregiver.id).account_id is None
    assert User.get_by_id(existing.id).role == "staff"
    assert PasswordToken.select().count() == 0


def test_refused_when_person_already_has_account(client, auth):
    """Is a second invitation of the same caregiver refused?"""
    family = make_family(tag="B")  # the caregiver has an account
    auth.login(family.key_worker)
    response = client.post(invite_url(family.case, _member(family.case, family.caregiver)))
    assert response.status_code == 422
    assert "already has an account" in member_error(text(response))
    assert PasswordToken.select().where(PasswordToken.user == family.user).count() == 0


@pytest.mark.parametrize("role", [MemberRole.CHILD, MemberRole.RELATIVE, MemberRole.BIRTH_PARENT])
def test_refused_for_other_roles(client, auth, family, role):
    """Are only caregivers invited, never a child, relative or birth parent?"""
    person = make_person("Petr", "Other", email="petr@example.org")
    member = make_member(family.case, person, role)
    auth.login(family.key_worker)
    response = client.post(invite_url(family.case, member))
    assert response.status_code == 422
    assert "Only caregivers" in member_error(text(response))
    assert User.by_email("petr@example.org") is None


def test_member_of_another_case_is_404(client, auth, family):
    """Is a member id of another family answered 404, even for a case one may edit?"""
    other = make_family(tag="C", key_worker=family.key_worker, caregiver_account=False)
    auth.login(family.key_worker)
    foreign = _member(other.case, other.caregiver)
    assert client.post(invite_url(family.case, foreign)).status_code == 404
    assert User.by_email("jana.c@example.org") is None


def test_staff_who_cannot_edit_get_403(client, auth, family):
    """Is staff with reading rights only refused with 403?"""
    auth.as_role("staff", can_read_all_cases=True)
    response = client.post(invite_url(family.case, _member(family.case, family.caregiver)))
    assert response.status_code == 403
    assert User.by_email("jana.a@example.org") is None


def test_staff_who_cannot_see_case_get_404(client, auth, family):
    """Is a case the staff member cannot see answered 404 (its existence not revealed)?"""
    auth.as_role("staff")
    assert client.post(invite_url(family.case, _member(family.case, family.caregiver))).status_code == 404


def test_caregiver_cannot_invite(client, auth, family):
    """Is the invitation closed to caregivers?"""
    other = make_family(tag="D")
    auth.login(other.user)
    assert client.post(invite_url(family.case, _member(family.case, family.caregiver))).status_code == 403
    assert User.by_email("jana.a@example.org") is None


def test_invite_needs_post(client, auth, family):
    """Is GET refused, so a link cannot create accounts?"""
    auth.login(family.key_worker)
    assert client.get(invite_url(family.case, _member(family.case, family.caregiver))).status_code == 405


def test_invite_second_caregiver_of_a_couple(client, auth):
    """Is each caregiver of a couple invited to their own account?"""
    worker = make_user("staff")
    case = make_case(worker, name="Kinship family")
    olga = make_member(case, make_person("Olga", "Kin", email="olga@example.org"), MemberRole.CAREGIVER)
    jan = make_member(case, make_person("Jan", "Kin", email="jan@example.org"), MemberRole.CAREGIVER)
    auth.login(worker)
    assert client.post(invite_url(case, olga)).status_code == 200
    assert client.post(invite_url(case, jan)).status_code == 200
    assert Person.get_by_id(olga.person_id).account.email == "olga@example.org"
    assert Person.get_by_id(jan.person_id).account.email == "jan@example.org"
