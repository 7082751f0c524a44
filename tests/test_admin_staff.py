"""Administration of staff accounts for case records: reading rights to every family, and a
staff member's name and phone number."""
import pytest

from models import AuditEntry, User

from .conftest import Auth
from .factories import make_case, make_user
from .helpers import english_client, field_error, input_value, text


@pytest.fixture
def accept_language():
    return "en"


@pytest.fixture
def admin(auth):
    """A signed-in administrator."""
    return auth.as_role("admin")


# --- Reading rights to every family -----------------------------------------------------------


def test_grant_read_all_lets_staff_open_any_family(app, client, admin):
    """Does granting reading rights let the staff member open a family they do not work on,
    with an audit entry, and does revoking take it away again?"""
    staff = make_user("staff", full_name="Olga Reader")
    case = make_case(key_worker=make_user("staff"))
    other = english_client(app)
    Auth(other).login(staff)
    assert other.get(f"/cases/{case.id}").status_code == 404

    response = client.post(f"/admin/users/{staff.id}/read-all", data={"read_all": "1"})
    assert response.status_code == 303
    assert User.get_by_id(staff.id).can_read_all_cases is True
    entry = AuditEntry.select().where(AuditEntry.table == "user", AuditEntry.action == "update").order_by(AuditEntry.id.desc()).get()
    assert entry.record_id == staff.id and entry.change_dict == {"can_read_all_cases": [False, True]}
    assert other.get(f"/cases/{case.id}").status_code == 200
    # Reading, not editing.
    assert other.get(f"/cases/{case.id}/edit").status_code == 403

    assert client.post(f"/admin/users/{staff.id}/read-all", data={"read_all": "0"}).status_code == 303
    assert User.get_by_id(staff.id).can_read_all_cases is False
    assert other.get(f"/cases/{case.id}").status_code == 404


def test_read_all_form_on_staff_rows_only(client, admin):
    """Does the accounts page offer the reading-rights button on staff rows only?"""
    staff = make_user("staff", full_name="Olga Reader")
    carer = make_user("caregiver", full_name="Carla Carer")
    html = text(client.get("/admin/users"))
    assert f'/admin/users/{staff.id}/read-all"' in html
    assert f'/admin/users/{carer.id}/read-all"' not in html
    assert f'/admin/users/{admin.id}/read-all"' not in html
    assert "Allow reading every family" in html
    client.post(f"/admin/users/{staff.id}/read-all", data={"read_all": "1"})
    html = text(client.get("/admin/users"))
    assert "Revoke reading of every family" in html and "reads every family" in html


@pytest.mark.parametrize("role", ["caregiver", "admin"])
def test_read_all_refused_for_other_roles(client, admin, role):
    """Is the right refused for caregivers (never) and administrators (always read all)?"""
    user = make_user(role)
    assert client.post(f"/admin/users/{user.id}/read-all", data={"read_all": "1"}).status_code == 400
    assert User.get_by_id(user.id).can_read_all_cases is False


@pytest.mark.parametrize("role", ["staff", "caregiver"])
def test_read_all_admin_only(client, auth, role):
    """Can only an administrator grant the right (a staff member cannot grant it to themselves)?"""
    user = auth.as_role(role)
    assert client.post(f"/admin/users/{user.id}/read-all", data={"read_all": "1"}).status_code == 403
    assert User.get_by_id(user.id).can_read_all_cases is False


# --- Name and phone -----------------------------------------------------------------------------


def test_edit_staff_name_and_phone(client, admin):
    """Are a staff member's name and phone saved, trimmed and audited?"""
    staff = make_user("staff", full_name="Olga Old")
    response = client.get(f"/admin/users/{staff.id}/edit")
    assert response.status_code == 200 and input_value(text(response), "full_name") == "Olga Old"
    response = client.post(f"/admin/users/{staff.id}/edit",
                           data={"full_name": " Olga New ", "phone": "+420 601 234 567"})
    assert response.status_code == 303
    saved = User.get_by_id(staff.id)
    assert (saved.full_name, saved.phone) == ("Olga New", "+420 601 234 567")
    entry = AuditEntry.select().where(AuditEntry.table == "user", AuditEntry.record_id == staff.id,
                                      AuditEntry.action == "update").get()
    assert entry.change_dict == {"full_name": ["Olga Old", "Olga New"], "phone": ["", "+420 601 234 567"]}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"full_name": "", "phone": ""}, "full_name", "This field is required."),
        ({"full_name": "Olga", "phone": "call me maybe"}, "phone", "Use only digits, spaces and + ( ) / . -"),
        ({"full_name": "Olga", "phone": "1" * 41}, "phone", "Field cannot be longer than 40 characters."),
    ],
)
def test_edit_invalid_input_refused_beside_field(client, admin, data, field, message):
    """Is invalid input refused with 422 and the error beside the field, nothing saved?"""
    staff = make_user("staff", full_name="Olga Old")
    response = client.post(f"/admin/users/{staff.id}/edit", data=data)
    assert response.status_code == 422
    assert field_error(text(response), field) == message
    assert User.get_by_id(staff.id).full_name == "Olga Old"


def test_edit_caregiver_has_no_phone_field(client, admin):
    """Does a caregiver's account offer only the name (their phone is on their person record)?"""
    carer = make_user("caregiver")
    html = text(client.get(f"/admin/users/{carer.id}/edit"))
    assert 'id="full_name"' in html and 'id="phone"' not in html
    client.post(f"/admin/users/{carer.id}/edit", data={"full_name": "Carla", "phone": "123"})
    assert User.get_by_id(carer.id).phone == ""


def test_edit_unknown_account_404_and_admin_only(client, auth):
    """Is an unknown account 404 for an admin, and the page refused to staff?"""
    staff = auth.as_role("staff")
    assert client.get(f"/admin/users/{staff.id}/edit").status_code == 403
    auth.logout()
    auth.as_role("admin")
    assert client.get("/admin/users/9999/edit").status_code == 404
