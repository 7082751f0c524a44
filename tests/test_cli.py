"""Command-line tools: users create/list/deactivate, db upgrade, seed-demo."""
import pytest

from demo.accounts import DEMO_ACCOUNTS
from models import AuditEntry, Organisation, User

from .factories import make_user
from .helpers import english_client, location_path

CLI_PASSWORD = "a long command-line secret"
DEMO_PASSWORD = "demo passphrase for tests"


@pytest.fixture
def app_config(monkeypatch):
    """The demo password comes from the environment, read when the app is built."""
    monkeypatch.setenv("OPORA_DEMO_PASSWORD", DEMO_PASSWORD)
    return {}


def test_users_create_with_env_password(runner):
    """Does ``users create`` make an account with OPORA_PASSWORD and audit it?"""
    result = runner.invoke(
        args=["users", "create", "Eva.Admin@Example.org", "--role", "admin", "--name", "Eva Admin"],
        env={"OPORA_PASSWORD": CLI_PASSWORD},
    )
    assert result.exit_code == 0, result.output
    assert "created eva.admin@example.org (admin)" in result.output
    user = User.get(User.email == "eva.admin@example.org")
    assert (user.role, user.full_name, user.active) == ("admin", "Eva Admin", True)
    assert user.password_hash.startswith("$argon2id$")
    assert user.check_password(CLI_PASSWORD)
    assert AuditEntry.get(AuditEntry.record_id == user.id).action == "create"


def test_users_create_account_can_sign_in(app, runner):
    """Can the account made on the command line sign in on the web?"""
    runner.invoke(
        args=["users", "create", "staff@example.org", "--role", "staff"],
        env={"OPORA_PASSWORD": CLI_PASSWORD},
    )
    client = english_client(app)
    response = client.post("/auth/login", data={"email": "staff@example.org", "password": CLI_PASSWORD})
    assert location_path(response) == "/staff"


@pytest.mark.parametrize("password", ["password123", "short", "qwertyuiop"])
def test_users_create_refuses_weak_password(runner, password):
    """Is a short or very common password refused, and no account made?"""
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "staff"],
        env={"OPORA_PASSWORD": password},
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert User.select().count() == 0


def test_users_create_refuses_duplicate_and_bad_input(runner):
    """Are an existing e-mail, a non-address and an unknown role refused?"""
    make_user(email="taken@example.org")
    env = {"OPORA_PASSWORD": CLI_PASSWORD}
    duplicate = runner.invoke(args=["users", "create", "TAKEN@example.org", "--role", "staff"], env=env)
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    not_email = runner.invoke(args=["users", "create", "nobody", "--role", "staff"], env=env)
    assert not_email.exit_code != 0
    bad_role = runner.invoke(args=["users", "create", "b@example.org", "--role", "root"], env=env)
    assert bad_role.exit_code != 0
    assert User.select().count() == 1


def test_users_list_prints_one_line_per_account(runner):
    """Does ``users list`` print e-mail, role and state, one account per line?"""
    make_user(role="staff", email="b.staff@example.org")
    make_user(role="caregiver", email="a.carer@example.org", active=False)
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    # Later features may append columns; the first three are e-mail, role and state.
    assert [line.split("\t")[:3] for line in result.output.splitlines()] == [
        ["a.carer@example.org", "caregiver", "inactive"],
        ["b.staff@example.org", "staff", "active"],
    ]


def test_users_deactivate_ends_sessions(app, runner):
    """Does ``users deactivate`` deactivate the account and sign it out everywhere?"""
    user = make_user(email="leaving@example.org")
    client = english_client(app)
    client.post("/auth/login", data={"email": user.email, "password": "correct horse battery"})
    assert client.get("/staff").status_code == 200
    result = runner.invoke(args=["users", "deactivate", "Leaving@Example.org"])
    assert result.exit_code == 0
    assert "deactivated leaving@example.org" in result.output
    assert not User.get_by_id(user.id).active
    assert location_path(client.get("/staff")) == "/auth/login"
    assert AuditEntry.select().where(
        (AuditEntry.record_id == user.id) & (AuditEntry.action == "update")
    ).exists()


def test_users_deactivate_unknown_fails(runner):
    """Does deactivating an unknown e-mail fail with a message?"""
    result = runner.invoke(args=["users", "deactivate", "ghost@example.org"])
    assert result.exit_code != 0
    assert "no account ghost@example.org" in result.output


def test_db_upgrade_idempotent(runner):
    """Is ``db upgrade`` on an up-to-date database a harmless no-op?"""
    make_user()
    for _ in range(2):
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0
        assert "database is up to date" in result.output
    status = runner.invoke(args=["db", "status"])
    assert status.exit_code == 0
    assert "[ ]" not in status.output and "[x] 0001_initial" in status.output
    assert User.select().count() == 1


def seed_demo(app, runner, *args):
    # `flask seed-demo` runs inside the app context FlaskGroup pushes; the test runner
    # invokes the command group directly, so the test pushes it.
    with app.app_context():
        return runner.invoke(args=["seed-demo", *args])


def test_seed_demo_creates_accounts(app, runner):
    """Does ``seed-demo`` create the admin, two staff and two caregivers?"""
    result = seed_demo(app, runner)
    assert result.exit_code == 0, result.output
    demo_emails = {email for email, _name, _role in DEMO_ACCOUNTS}
    users = list(User.select().where(User.email.in_(demo_emails)))
    roles = sorted(user.role for user in users)
    assert roles == ["admin", "caregiver", "caregiver", "staff", "staff"]
    assert all(user.active and user.check_password(DEMO_PASSWORD) for user in users)
    assert Organisation.get().country == "cz"
    client = english_client(app)
    response = client.post(
        "/auth/login", data={"email": "admin@opora.example", "password": DEMO_PASSWORD}
    )
    assert location_path(response) == "/staff"


def test_seed_demo_if_empty_second_time_does_nothing(app, runner):
    """Does ``seed-demo --if-empty`` leave a database with accounts alone?"""
    first = seed_demo(app, runner, "--if-empty")
    assert first.exit_code == 0, first.output
    count = User.select().count()
    assert count >= 5
    second = seed_demo(app, runner, "--if-empty")
    assert second.exit_code == 0
    assert "already has data" in second.output
    assert User.select().count() == count


def test_seed_demo_refuses_database_with_data(app, runner):
    """Does plain ``seed-demo`` refuse to mix demo data into real data?"""
    make_user()
    result = seed_demo(app, runner)
    assert result.exit_code != 0
    assert User.select().count() == 1
