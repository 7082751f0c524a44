"""Sign-in, sign-out, own password, throttling and the session rules."""
import datetime
import time

import pytest

from models import AuditEntry, LoginFailure, User, utcnow

from .conftest import HX, Auth
from .factories import PASSWORD, make_user
from .helpers import field_error, form_error, input_value, location_next, location_path, text

WRONG = "not the right password"
NEW_PASSWORD = "a fresh long passphrase"
BAD_CREDENTIALS = "The e-mail or password is not correct."


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


def signed_in(client, url="/staff"):
    """True when ``client`` reaches ``url`` instead of being sent to the sign-in page."""
    response = client.get(url)
    return response.status_code == 200


# --- Signing in and out ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "home"), [("admin", "/staff"), ("staff", "/staff"), ("caregiver", "/my")]
)
def test_login_lands_on_role_home(client, auth, role, home):
    """Does a successful sign-in land each role on its own home page?"""
    user = make_user(role=role)
    response = auth.login(user)
    assert response.status_code == 303
    assert location_path(response) == home
    assert client.get(home).status_code == 200
    assert location_path(client.get("/")) == home


def test_login_email_is_case_insensitive(client, auth):
    """Does the e-mail match whatever its letter case and surrounding spaces?"""
    make_user(email="jana.novakova@example.org")
    response = auth.login("  JANA.novakova@EXAMPLE.ORG ")
    assert response.status_code == 303
    assert location_path(response) == "/staff"


def test_login_writes_audit_entry_and_last_login(client, auth):
    """Is a sign-in recorded in the audit trail and on the account?"""
    user = make_user()
    auth.login(user)
    entry = AuditEntry.get(AuditEntry.action == "sign-in")
    assert entry.actor_id == user.id and entry.record_id == user.id
    assert User.get_by_id(user.id).last_login_at is not None


def test_login_page_when_signed_in_redirects_home(client, auth):
    """Does the sign-in page send a signed-in user to their home page?"""
    auth.as_role("caregiver")
    response = client.get("/auth/login")
    assert response.status_code == 302
    assert location_path(response) == "/my"


def test_logout_get_not_allowed(client, auth):
    """Is sign-out refused for GET, so a link elsewhere cannot sign anyone out?"""
    auth.as_role("staff")
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert signed_in(client)


def test_logout_post_ends_session(client, auth):
    """Does POST /auth/logout sign out and return to the sign-in page?"""
    auth.as_role("staff")
    response = auth.logout()
    assert response.status_code == 303
    assert location_path(response) == "/auth/login"
    assert "You have been signed out." in text(client.get("/auth/login"))
    assert location_path(client.get("/staff")) == "/auth/login"


# --- Errors that must not reveal which accounts exist ---------------------------------


def test_login_unknown_email_and_wrong_password_look_identical(client, auth):
    """Do an unknown e-mail and a wrong password get the same message and status?"""
    user = make_user()
    wrong_password = auth.login(user, WRONG)
    unknown_email = auth.login("nobody@example.org", WRONG)
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert form_error(text(wrong_password)) == form_error(text(unknown_email)) == BAD_CREDENTIALS
    assert location_path(client.get("/staff")) == "/auth/login"


def test_login_deactivated_account_gets_same_message(client, auth):
    """Is a deactivated account refused with the same message as a wrong password?"""
    user = make_user(active=False)
    response = auth.login(user)
    assert response.status_code == 200
    assert form_error(text(response)) == BAD_CREDENTIALS
    assert location_path(client.get("/staff")) == "/auth/login"


def test_login_account_without_password_gets_same_message(client, auth):
    """Is an invited account that has not chosen a password refused like any other?"""
    user = make_user()
    User.update(password_hash=None).where(User.id == user.id).execute()
    response = auth.login(user, WRONG)
    assert response.status_code == 200
    assert form_error(text(response)) == BAD_CREDENTIALS


class CountingHasher:
    """Wraps the password hasher and counts verifications."""

    def __init__(self, hasher):
        self.hasher, self.verifications = hasher, 0

    def verify(self, *args):
        self.verifications += 1
        return self.hasher.verify(*args)

    def __getattr__(self, name):
        return getattr(self.hasher, name)


@pytest.mark.parametrize("case", ["unknown", "wrong password", "deactivated", "no password yet"])
def test_login_failure_costs_one_hash_verification(client, auth, monkeypatch, case):
    """Does every failed sign-in verify one hash, so its timing reveals nothing?"""
    import models.users

    user = make_user(active=case != "deactivated")
    if case == "no password yet":
        User.update(password_hash=None).where(User.id == user.id).execute()
    counter = CountingHasher(models.users._hasher)
    monkeypatch.setattr(models.users, "_hasher", counter)
    email = "nobody@example.org" if case == "unknown" else user.email
    password = WRONG if case == "wrong password" else PASSWORD
    response = auth.login(email, password)
    assert form_error(text(response)) == BAD_CREDENTIALS
    assert counter.verifications == 1


def test_deactivation_ends_existing_session(client, auth):
    """Is a signed-in session ended as soon as the account is deactivated?"""
    user = auth.as_role("staff")
    assert signed_in(client)
    user = User.get_by_id(user.id)
    user.active = False
    user.save()
    response = client.get("/staff")
    assert response.status_code == 303
    assert location_path(response) == "/auth/login"


# --- Bad input -------------------------------------------------------------------------


def test_login_empty_fields_give_field_errors(client):
    """Do empty fields give 422 with an error beside each field?"""
    response = client.post("/auth/login", data={"email": "", "password": ""})
    html = text(response)
    assert response.status_code == 422
    assert field_error(html, "email")
    assert field_error(html, "password")
    assert LoginFailure.select().count() == 0


def test_login_overlong_email_gives_422(client):
    """Is an e-mail longer than 254 characters refused with 422, never a 500?"""
    email = "a" * 250 + "@example.org"
    response = client.post("/auth/login", data={"email": email, "password": WRONG})
    assert response.status_code == 422
    assert field_error(text(response), "email")


def test_login_overlong_password_gives_422(client):
    """Is an absurdly long password refused before it is hashed?"""
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "x" * 5000})
    assert response.status_code == 422
    assert field_error(text(response), "password")


def test_login_missing_fields_give_422(client):
    """Does a POST without any form fields give 422 instead of an error?"""
    response = client.post("/auth/login")
    assert response.status_code == 422


# --- Throttling ------------------------------------------------------------------------


def _age_failures(key, seconds):
    """Move the last failure of ``key`` ``seconds`` into the past."""
    LoginFailure.update(last_failure_at=utcnow() - datetime.timedelta(seconds=seconds)).where(
        LoginFailure.key == key
    ).execute()


def test_login_failures_counted_per_account_and_address(client, auth):
    """Is each failed sign-in counted for the e-mail and for the client address?"""
    user = make_user()
    auth.login(user.email.upper(), WRONG)
    rows = {row.key: row.count for row in LoginFailure.select()}
    assert rows == {f"email:{user.email}": 1, "ip:127.0.0.1": 1}


def test_login_fourth_attempt_on_account_is_throttled(client, auth):
    """After three failures, must the next attempt wait, even with the right password?"""
    user = make_user()
    for _ in range(LoginFailure.FREE_ATTEMPTS):
        response = auth.login(user, WRONG)
        assert response.status_code == 200
    LoginFailure.update(last_failure_at=utcnow()).execute()
    response = auth.login(user)  # the right password, too soon
    assert response.status_code == 429
    assert "Too many failed attempts. Please wait 2 seconds and try again." in text(response)
    assert location_path(client.get("/staff")) == "/auth/login"
    # A refused attempt is not counted as another failure.
    assert LoginFailure.get(LoginFailure.key == f"email:{user.email}").count == 3


def test_login_after_wait_succeeds_and_clears_account_count(client, auth):
    """Once the delay has passed, does the right password sign in and reset the count?"""
    user = make_user()
    for _ in range(LoginFailure.FREE_ATTEMPTS):
        auth.login(user, WRONG)
    _age_failures(f"email:{user.email}", 3)
    _age_failures("ip:127.0.0.1", 3)
    response = auth.login(user)
    assert response.status_code == 303
    assert not LoginFailure.select().where(LoginFailure.key == f"email:{user.email}").exists()


def test_login_throttle_delay_grows(client, auth):
    """Does the wait grow with each further failure (4 s after four failures)?"""
    user = make_user()
    LoginFailure.create(key=f"email:{user.email}", count=4, last_failure_at=utcnow())
    response = auth.login(user)
    assert response.status_code == 429
    assert "Please wait 4 seconds" in text(response)


def test_login_throttle_one_second_singular(client, auth):
    """Is a one-second wait worded in the singular?"""
    user = make_user()
    LoginFailure.create(key=f"email:{user.email}", count=3, last_failure_at=utcnow())
    _age_failures(f"email:{user.email}", 1)
    response = auth.login(user)
    assert response.status_code == 429
    assert "Please wait 1 second and try again." in text(response)


def test_login_throttle_by_account_holds_from_other_address(client, auth):
    """Does changing the client address not escape the per-account throttle?"""
    user = make_user()
    LoginFailure.create(key=f"email:{user.email}", count=5, last_failure_at=utcnow())
    response = auth.login(user, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 429


def test_login_throttle_per_address_blocks_other_accounts(client, auth):
    """Are many failures from one address throttled whatever e-mail is tried next?"""
    user = make_user()
    LoginFailure.create(
        key="ip:10.0.0.1", count=LoginFailure.IP_FREE_ATTEMPTS, last_failure_at=utcnow()
    )
    blocked = auth.login(user, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in text(blocked)
    other_address = auth.login(user, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other_address.status_code == 303


def test_login_address_allows_more_failures_than_account(client, auth):
    """Does a shared office address get more free attempts than a single account?"""
    user = make_user()
    for n in range(LoginFailure.FREE_ATTEMPTS + 1):
        response = auth.login(f"typo{n}@example.org", WRONG)
        assert response.status_code == 200, n
    assert LoginFailure.get(LoginFailure.key == "ip:127.0.0.1").count == 4
    assert auth.login(user).status_code == 303


def test_login_failure_wait_seconds_grows_and_caps():
    """Does the delay double per failure beyond the free ones, up to the maximum?"""
    start = datetime.datetime(2026, 1, 1, 12, 0, 0)
    waits = {
        count: LoginFailure(key="email:a@b.c", count=count, last_failure_at=start).wait_seconds(
            now=start
        )
        for count in range(1, 16)
    }
    # Three failures are free: the third one makes the fourth attempt wait.
    assert [waits[n] for n in (1, 2)] == [0, 0]
    assert [waits[n] for n in (3, 4, 5, 6)] == [2, 4, 8, 16]
    assert waits[15] == LoginFailure.MAX_DELAY == max(waits.values())


def test_login_failure_wait_for_ip_uses_larger_allowance():
    """Are address keys given IP_FREE_ATTEMPTS free failures before any delay?"""
    start = datetime.datetime(2026, 1, 1, 12, 0, 0)
    allowance = LoginFailure.IP_FREE_ATTEMPTS
    assert allowance > LoginFailure.FREE_ATTEMPTS
    under = LoginFailure(key="ip:10.0.0.1", count=allowance - 1, last_failure_at=start)
    at = LoginFailure(key="ip:10.0.0.1", count=allowance, last_failure_at=start)
    assert under.wait_seconds(now=start) == 0
    assert at.wait_seconds(now=start) == LoginFailure.BASE_DELAY


def test_login_failure_wait_counts_down_and_resets_after_quiet_hour():
    """Does the wait shrink as time passes and vanish after a quiet hour?"""
    start = datetime.datetime(2026, 1, 1, 12, 0, 0)
    row = LoginFailure(key="email:a@b.c", count=6, last_failure_at=start)  # 16 s
    assert row.wait_seconds(now=start + datetime.timedelta(seconds=10)) == 6
    assert row.wait_seconds(now=start + datetime.timedelta(seconds=16)) == 0
    row.count = 20
    assert row.wait_seconds(now=start + datetime.timedelta(minutes=14)) > 0
    assert row.wait_seconds(now=start + datetime.timedelta(hours=1, seconds=1)) == 0


def test_login_failure_record_restarts_count_after_quiet_hour(app):
    """Does a failure after a quiet hour start counting from one again?"""
    start = datetime.datetime(2026, 1, 1, 12, 0, 0)
    for _ in range(5):
        LoginFailure.record(["email:a@b.c"], now=start)
    assert LoginFailure.get(LoginFailure.key == "email:a@b.c").count == 5
    LoginFailure.record(["email:a@b.c"], now=start + datetime.timedelta(hours=2))
    assert LoginFailure.get(LoginFailure.key == "email:a@b.c").count == 1


# --- Session rules ---------------------------------------------------------------------


def test_login_renews_session(client, auth):
    """Are session values from before sign-in gone, except language and text size?"""
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "pl"
        session["text_size"] = 2
    auth.as_role("staff")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "pl"
        assert session["text_size"] == 2
        assert session.permanent


def test_idle_session_times_out(client, auth, app):
    """Is a session idle longer than the limit sent back to the sign-in page?"""
    auth.as_role("staff")
    idle = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    with client.session_transaction() as session:
        session["seen"] = time.time() - idle - 60
    response = client.get("/staff")
    assert response.status_code == 303
    assert location_path(response) == "/auth/login"
    assert location_next(response) == "/staff"
    assert location_path(client.get("/staff")) == "/auth/login"  # signed out for good


def test_recent_session_not_timed_out(client, auth, app):
    """Is a session seen within the limit kept (and its clock refreshed)?"""
    auth.as_role("staff")
    idle = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    stale = time.time() - idle + 60
    with client.session_transaction() as session:
        session["seen"] = stale
    assert client.get("/staff").status_code == 200
    with client.session_transaction() as session:
        assert session["seen"] > stale + 30


@pytest.fixture
def prague_time(monkeypatch):
    """Run the test with the process in a time zone other than UTC."""
    monkeypatch.setenv("TZ", "Europe/Prague")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_idle_timeout_independent_of_server_time_zone(client, auth, app, prague_time):
    """Do idle timeout and a fresh session behave the same off UTC?"""
    auth.as_role("staff")
    assert client.get("/staff").status_code == 200
    idle = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    with client.session_transaction() as session:
        session["seen"] = time.time() - idle - 60
    assert location_path(client.get("/staff")) == "/auth/login"


def test_idle_htmx_request_gets_hx_redirect(client, auth, app):
    """Does an htmx request of a timed-out session get an HX-Redirect to sign in?"""
    auth.as_role("admin")
    with client.session_transaction() as session:
        session["seen"] = time.time() - 24 * 3600
    response = client.get("/admin/users", headers=HX)
    assert location_path(response) == "/auth/login"
    assert "HX-Redirect" in response.headers
    assert "<form" not in text(response)


def test_protected_page_redirect_carries_next(client):
    """Does an anonymous visit to a page send to sign-in with that page as next?"""
    response = client.get("/account/password")
    assert location_path(response) == "/auth/login"
    assert location_next(response) == "/account/password"
    page = text(client.get(response.headers["Location"]))
    assert input_value(page, "next") == "/account/password"


def test_login_follows_next_on_this_site(client, auth):
    """Does sign-in continue to a local ``next`` page?"""
    user = make_user()
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD, "next": "/account/password"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/password"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/x",
        "/\\evil",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_login_refuses_next_off_site(client, auth, target):
    """Is a ``next`` pointing off this site ignored in favour of the home page?"""
    user = make_user()
    page = text(client.get("/auth/login", query_string={"next": target}))
    assert input_value(page, "next") in ("", None)
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff"


# --- Own password ----------------------------------------------------------------------


def _change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None, **kwargs):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
        **kwargs,
    )


def test_change_password_succeeds(client, auth):
    """Does a correct change store the new password and write an audit entry?"""
    user = auth.as_role("staff")
    response = _change(client)
    assert response.status_code == 303
    assert location_path(response) == "/account/password"
    fresh = User.get_by_id(user.id)
    assert fresh.check_password(NEW_PASSWORD)
    assert not fresh.check_password(PASSWORD)
    assert AuditEntry.select().where(
        (AuditEntry.summary == "password changed") & (AuditEntry.actor == user.id)
    ).exists()
    assert "Your password has been changed." in text(client.get("/account/password"))


def test_change_password_wrong_current_refused(client, auth):
    """Is a change with the wrong current password refused beside that field?"""
    user = auth.as_role("staff")
    response = _change(client, current=WRONG)
    assert response.status_code == 422
    assert field_error(text(response), "current_password") == "The current password is not correct."
    assert User.get_by_id(user.id).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("short1!", None, "Use at least 10 characters."),
        ("password123", None, "This password is too common. Choose another one."),
        ("Password1234", None, "This password is too common. Choose another one."),
        ("aaaaaaaaaaaa", None, "This password is too common. Choose another one."),
        (NEW_PASSWORD, NEW_PASSWORD + "x", None),
    ],
)
def test_change_password_policy_enforced(client, auth, new, confirm, message):
    """Are short, common and mismatched new passwords refused with a field error?"""
    user = auth.as_role("staff")
    response = _change(client, new=new, confirm=confirm)
    html = text(response)
    assert response.status_code == 422
    if message:
        assert field_error(html, "new_password") == message
    else:
        assert field_error(html, "confirm_password") == "The passwords do not match."
    assert User.get_by_id(user.id).check_password(PASSWORD)


def test_change_password_htmx_returns_form_fragment(client, auth):
    """Does an htmx change with errors return only the form, not the page?"""
    auth.as_role("staff")
    response = _change(client, new="short", headers=HX)
    assert response.status_code == 422
    assert "<html" not in text(response)
    assert 'id="password-form"' in text(response)


def test_change_password_ends_other_sessions_keeps_this_one(app, client, auth):
    """After a password change, is every other session signed out and this one kept?"""
    user = auth.as_role("staff")
    other = app.test_client()
    assert Auth(other).login(user).status_code == 303
    assert signed_in(other)
    assert _change(client).status_code == 303
    assert signed_in(client)
    response = other.get("/staff")
    assert response.status_code == 303
    assert location_path(response) == "/auth/login"


def test_session_cookie_is_written_again_only_when_the_idle_clock_moves(client, auth, app):
    """Within a minute of the last write, does a page leave the cookie alone (no signing
    on every request), and after a minute move the clock and send the cookie again?"""
    auth.as_role("staff")
    client.get("/staff")
    assert "Set-Cookie" not in client.get("/staff").headers
    with client.session_transaction() as session:
        session["seen"] = time.time() - 120
    response = client.get("/staff")
    assert "session=" in response.headers.get("Set-Cookie", "")
    with client.session_transaction() as session:
        assert session["seen"] > time.time() - 30
