"""Administration: accounts with a first password, deactivation, the organisation profile."""
import datetime
import json
import re
from urllib.parse import urlsplit

import pytest

from models import AuditEntry, Organisation, PasswordToken, User, utcnow

from .conftest import HX, Auth
from .factories import PASSWORD, make_user
from .helpers import english_client, field_error, input_value, location_path, text

NEW_PASSWORD = "my own long passphrase"


@pytest.fixture
def accept_language():
    return "en"


@pytest.fixture
def admin(auth):
    """A signed-in administrator."""
    return auth.as_role("admin")


def create_account(client, role="staff", mode="link", **fields):
    data = {
        "full_name": "Marie Svobodová",
        "email": "marie.svobodova@example.org",
        "role": role,
        "password_mode": mode,
        **fields,
    }
    return client.post("/admin/users/new", data=data)


def shown_secret(response):
    """The one-time link (its path) or the temporary password shown after creation."""
    match = re.search(r'<code class="secret">([^<]+)</code>', text(response))
    assert match, "no secret shown"
    value = match.group(1)
    return urlsplit(value).path if value.startswith("http") else value


def set_password(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(
        path, data={"new_password": password, "confirm_password": confirm or password}
    )


# --- Creating accounts -----------------------------------------------------------------


@pytest.mark.parametrize(("role", "home"), [("staff", "/staff"), ("caregiver", "/my"), ("admin", "/staff")])
def test_create_account_with_one_time_link(app, client, admin, role, home):
    """Does a new account get a link that sets its password once, then signs in?"""
    response = create_account(client, role=role)
    assert response.status_code == 200
    path = shown_secret(response)
    assert path.startswith("/auth/set-password/")
    user = User.get(User.email == "marie.svobodova@example.org")
    assert user.role == role and user.active and user.password_hash is None
    entry = AuditEntry.get((AuditEntry.action == "create") & (AuditEntry.record_id == user.id))
    assert entry.actor_id == admin.id and entry.table == "user"

    visitor = english_client(app)
    page = visitor.get(path)
    assert page.status_code == 200
    assert "marie.svobodova@example.org" in text(page)
    done = set_password(visitor, path)
    assert done.status_code == 303
    assert location_path(done) == "/auth/login"
    assert visitor.get(path).status_code == 404  # used up
    assert set_password(visitor, path, "another long passphrase").status_code == 404
    signed_in = Auth(visitor).login(user, NEW_PASSWORD)
    assert location_path(signed_in) == home
    assert visitor.get(home).status_code == 200


def test_one_time_link_never_stored_in_clear(client, admin):
    """Is only a hash of the link's token stored?"""
    token = shown_secret(create_account(client)).rsplit("/", 1)[1]
    row = PasswordToken.get()
    assert row.token_hash != token and token not in row.token_hash
    assert len(row.token_hash) == 64


def test_one_time_link_expired_gives_404(app, client, admin):
    """Does an expired link answer 404 and leave the account without a password?"""
    path = shown_secret(create_account(client))
    PasswordToken.update(expires_at=utcnow() - datetime.timedelta(minutes=1)).execute()
    visitor = english_client(app)
    assert visitor.get(path).status_code == 404
    assert set_password(visitor, path).status_code == 404
    assert User.get(User.email == "marie.svobodova@example.org").password_hash is None


def test_new_link_replaces_older_one(app, client, admin):
    """Does issuing a new link make the older one stop working?"""
    first = shown_secret(create_account(client))
    user = User.get(User.email == "marie.svobodova@example.org")
    second = shown_secret(client.post(f"/admin/users/{user.id}/reset", data={"password_mode": "link"}))
    visitor = english_client(app)
    assert visitor.get(first).status_code == 404
    assert visitor.get(second).status_code == 200


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("short", None, "new_password", "Use at least 10 characters."),
        ("password123", None, "new_password", "This password is too common. Choose another one."),
        ("marie.svobodova", None, "new_password", "The password must not be your e-mail address."),
        (NEW_PASSWORD, "something else entirely", "confirm_password", "The passwords do not match."),
    ],
)
def test_one_time_link_password_policy(app, client, admin, password, confirm, field, message):
    """Does the link page apply the password policy and keep the link usable?"""
    path = shown_secret(create_account(client))
    visitor = english_client(app)
    response = set_password(visitor, path, password, confirm)
    assert response.status_code == 422
    assert field_error(text(response), field) == message
    assert visitor.get(path).status_code == 200


def test_create_account_with_temporary_password_forces_change(app, client, admin):
    """Must someone signing in with a temporary password change it before anything else?"""
    temporary = shown_secret(create_account(client, role="caregiver", mode="temporary"))
    user = User.get(User.email == "marie.svobodova@example.org")
    assert user.must_change_password
    assert user.check_password(temporary)

    visitor = english_client(app)
    assert Auth(visitor).login(user, temporary).status_code == 303
    for url in ("/", "/my", "/staff", "/admin/users", "/admin/organisation"):
        response = visitor.get(url)
        assert response.status_code == 302, url
        assert location_path(response) == "/account/password", url
    htmx = visitor.get("/my", headers=HX)
    assert location_path(htmx) == "/account/password"
    assert visitor.get("/account/password").status_code == 200

    changed = visitor.post(
        "/account/password",
        data={
            "current_password": temporary,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303
    assert visitor.get("/my").status_code == 200
    assert not User.get_by_id(user.id).must_change_password


def test_temporary_password_shown_once(client, admin):
    """Is the temporary password shown on creation only, never on the account list?"""
    temporary = shown_secret(create_account(client, mode="temporary"))
    assert temporary not in text(client.get("/admin/users"))
    assert temporary not in json.dumps([e.summary + e.changes for e in AuditEntry.select()])


def test_create_account_htmx_returns_fragment(client, admin):
    """Does the htmx form get the result card only, not a page?"""
    response = client.post(
        "/admin/users/new",
        headers=HX,
        data={
            "full_name": "Eva Malá",
            "email": "eva@example.org",
            "role": "staff",
            "password_mode": "link",
        },
    )
    assert response.status_code == 200
    assert User.select().where(User.email == "eva@example.org").exists()
    assert "/auth/set-password/" in text(response)


def test_create_account_email_stored_lower_case(client, admin):
    """Is a new account's e-mail stored lower-cased and trimmed?"""
    create_account(client, email="  Marie.Svobodova@EXAMPLE.org ")
    assert User.select().where(User.email == "marie.svobodova@example.org").count() == 1


def test_create_account_duplicate_email_refused(client, admin):
    """Is an e-mail already in use refused, whatever its case, with the input kept?"""
    make_user(email="taken@example.org", full_name="First Holder")
    response = create_account(client, email="Taken@Example.org", full_name="Second Person")
    html = text(response)
    assert response.status_code == 422
    assert field_error(html, "email") == "An account with this e-mail already exists."
    assert input_value(html, "email") == "Taken@Example.org"
    assert input_value(html, "full_name") == "Second Person"
    assert User.select().where(User.email == "taken@example.org").count() == 1
    assert User.get(User.email == "taken@example.org").full_name == "First Holder"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"email": "not-an-email"}, {"email": "Enter a valid e-mail address."}),
        ({"email": "a@b"}, {"email": "Enter a valid e-mail address."}),
        ({"full_name": "", "email": ""}, {"full_name": None, "email": None}),
        ({"full_name": "N" * 201}, {"full_name": None}),
        ({"email": "a" * 250 + "@example.org"}, {"email": None}),
        ({"role": "superuser"}, {"role": None}),
        ({"password_mode": "mail"}, {"password_mode": None}),
    ],
)
def test_create_account_bad_input_gives_field_errors(client, admin, fields, errors):
    """Is bad input refused with 422 and an error beside the field concerned?"""
    before = User.select().count()
    response = create_account(client, **fields)
    html = text(response)
    assert response.status_code == 422
    for field, message in errors.items():
        shown = field_error(html, field)
        assert shown, field
        if message:
            assert shown == message
    assert User.select().count() == before
    assert not AuditEntry.select().where(AuditEntry.action == "create").exists()


def test_create_account_bad_input_htmx_returns_form_block(client, admin):
    """Does an htmx create with errors get only the form back?"""
    response = client.post("/admin/users/new", headers=HX, data={"full_name": "", "email": ""})
    assert response.status_code == 422
    assert "<html" not in text(response)
    assert 'id="create-user-form"' in text(response)


# --- Deactivating ----------------------------------------------------------------------


def test_deactivate_signs_out_and_blocks_sign_in(app, client, admin):
    """Does deactivation end the user's session, refuse sign-in and write an audit entry?"""
    user = make_user()
    other = english_client(app)
    Auth(other).login(user)
    assert other.get("/staff").status_code == 200

    response = client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert response.status_code == 303
    assert location_path(response) == "/admin/users"
    assert not User.get_by_id(user.id).active
    assert location_path(other.get("/staff")) == "/auth/login"
    again = Auth(other).login(user)
    assert again.status_code == 200
    assert "The e-mail or password is not correct." in text(again)
    entry = AuditEntry.get((AuditEntry.record_id == user.id) & (AuditEntry.action == "update"))
    assert entry.actor_id == admin.id
    assert entry.change_dict == {"active": [True, False]}
    assert "has been deactivated" in text(client.get("/admin/users"))


def test_reactivate_allows_sign_in(app, client, admin):
    """Can a reactivated account sign in again?"""
    user = make_user(active=False)
    response = client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert response.status_code == 303
    assert User.get_by_id(user.id).active
    assert Auth(english_client(app)).login(user).status_code == 303
    assert AuditEntry.get(AuditEntry.record_id == user.id).change_dict == {"active": [False, True]}


def test_cannot_deactivate_oneself(client, admin):
    """Is an administrator stopped from deactivating their own account?"""
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 303
    assert User.get_by_id(admin.id).active
    assert "You cannot deactivate your own account." in text(client.get("/admin/users"))
    assert client.get("/staff").status_code == 200
    assert not AuditEntry.select().where(AuditEntry.action == "update").exists()


def test_deactivate_unknown_account_404(client, admin):
    """Does an unknown account id answer 404?"""
    assert client.post("/admin/users/9999/active", data={"active": "0"}).status_code == 404


def test_account_list_shows_accounts(client, admin):
    """Does the account list show each account with its role and state?"""
    make_user(role="caregiver", full_name="Petr Dvořák", active=False)
    html = text(client.get("/admin/users"))
    assert "Petr Dvořák" in html
    assert "Caregiver" in html and "deactivated" in html
    assert "Reactivate" in html


def test_reset_with_temporary_password_ends_sessions(app, client, admin):
    """Does a temporary-password reset sign the user out and force a change?"""
    user = make_user()
    other = english_client(app)
    Auth(other).login(user)
    response = client.post(f"/admin/users/{user.id}/reset", data={"password_mode": "temporary"})
    temporary = shown_secret(response)
    assert location_path(other.get("/staff")) == "/auth/login"
    fresh = User.get_by_id(user.id)
    assert fresh.must_change_password and fresh.check_password(temporary)
    assert not fresh.check_password(PASSWORD)
    assert AuditEntry.select().where(
        (AuditEntry.record_id == user.id) & (AuditEntry.summary == "password reset (temporary)")
    ).exists()


# --- Organisation profile --------------------------------------------------------------


def org_form(html):
    return {name: input_value(html, name) for name in ("name", "version")}


def save_org(client, version, name, **fields):
    data = {
        "name": name,
        "country": "cz",
        "default_language": "cs",
        "timezone": "Europe/Prague",
        "version": version,
        **fields,
    }
    return client.post("/admin/organisation", data=data)


def test_organisation_save(client, admin):
    """Does saving the profile store it, bump the version and write an audit entry?"""
    page = org_form(text(client.get("/admin/organisation")))
    assert page["version"] == "1"
    response = save_org(client, page["version"], "Rodina v centru", country="pl", timezone="Europe/Warsaw")
    assert response.status_code == 303
    org = Organisation.get()
    assert (org.name, org.country, org.timezone, org.version) == ("Rodina v centru", "pl", "Europe/Warsaw", 2)
    entry = AuditEntry.get((AuditEntry.table == "organisation") & (AuditEntry.action == "update"))
    assert entry.actor_id == admin.id
    assert entry.change_dict["name"] == ["Opora", "Rodina v centru"]
    assert entry.change_dict["country"] == ["cz", "pl"]
    assert "has been saved" in text(client.get("/admin/organisation"))


def test_organisation_invalid_gives_422(client, admin):
    """Are an empty name and an unknown country refused beside the fields?"""
    response = save_org(client, 1, "", country="de")
    html = text(response)
    assert response.status_code == 422
    assert field_error(html, "name") and field_error(html, "country")
    assert Organisation.get().version == 1


def test_organisation_concurrent_edit_detected(app, client, admin):
    """Does the second of two saves from the same version get 409, losing nothing?"""
    second_admin = english_client(app)
    Auth(second_admin).login(make_user(role="admin"))
    first_form = org_form(text(client.get("/admin/organisation")))
    second_form = org_form(text(second_admin.get("/admin/organisation")))
    assert first_form["version"] == second_form["version"] == "1"

    # The first administrator saves twice while the second one is still typing.
    assert save_org(client, first_form["version"], "Interim").status_code == 303
    assert save_org(client, "2", "Saved First").status_code == 303
    response = save_org(second_admin, second_form["version"], "Saved Second", country="pl")
    html = text(response)
    assert response.status_code == 409
    assert "Someone else saved this profile" in html
    assert "Name of the organisation: Saved First" in html  # the stored values
    assert "Name of the organisation: Saved Second" not in html
    assert input_value(html, "name") == "Saved Second"  # this user's input kept
    assert input_value(html, "version") == "3"  # a second save is based on the stored row
    org = Organisation.get()
    assert (org.name, org.country, org.version) == ("Saved First", "cz", 3)
    assert AuditEntry.select().where(AuditEntry.table == "organisation").count() == 2

    # Saving again, knowingly, now applies.
    assert save_org(second_admin, input_value(html, "version"), "Saved Second").status_code == 303
    assert Organisation.get().name == "Saved Second"


def test_organisation_concurrent_edit_htmx_returns_form(app, client, admin):
    """Does an htmx save from a stale version get the form block with the warning?"""
    save_org(client, 1, "Newer Name")
    response = client.post(
        "/admin/organisation",
        headers=HX,
        data={
            "name": "Stale",
            "country": "cz",
            "default_language": "cs",
            "timezone": "Europe/Prague",
            "version": 1,
        },
    )
    assert response.status_code == 409
    assert "<html" not in text(response)
    assert "Someone else saved" in text(response)
    assert Organisation.get().name == "Newer Name"


def test_organisation_missing_version_not_saved(client, admin):
    """Is a save without the version refused instead of overwriting blindly?"""
    response = save_org(client, "", "No Version")
    assert response.status_code == 409
    assert Organisation.get().name == "Opora"
