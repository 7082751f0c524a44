"""The text-size switch (A− / A+), signed in or not."""
import re

import pytest

from models import User

from .conftest import Auth
from .helpers import text


def size_class(client, url="/auth/login"):
    """The text-size class on the <html> element of ``url``."""
    match = re.search(r'<html lang="[^"]*" class="(text-size-[^"]*)"', text(client.get(url)))
    assert match, "no text-size class on <html>"
    return match.group(1)


def change(client, how, next_url="/auth/login"):
    response = client.post("/prefs/text-size", data={"change": how, "next": next_url})
    assert response.status_code == 303
    assert response.headers["Location"] == next_url
    return response


def test_text_size_default(client):
    """Does a new visitor get the default size?"""
    assert size_class(client) == "text-size-0"


def test_text_size_larger_and_smaller(client):
    """Do A+ and A− change the class on <html> one step at a time?"""
    change(client, "larger")
    assert size_class(client) == "text-size-1"
    change(client, "larger")
    assert size_class(client) == "text-size-2"
    change(client, "smaller")
    assert size_class(client) == "text-size-1"


def test_text_size_clamped_at_largest(client):
    """Does the size stop at +3 however often A+ is pressed?"""
    for _ in range(6):
        change(client, "larger")
    assert size_class(client) == "text-size-3"


def test_text_size_clamped_at_smallest(client):
    """Does the size stop at −1 (class text-size-m1)?"""
    for _ in range(3):
        change(client, "smaller")
    assert size_class(client) == "text-size-m1"


def test_text_size_reset(client):
    """Does reset return to the default size?"""
    change(client, "larger")
    change(client, "larger")
    change(client, "reset")
    assert size_class(client) == "text-size-0"


@pytest.mark.parametrize("how", ["huge", "", "1"])
def test_text_size_invalid_change_gives_400(client, how):
    """Is an unknown change refused with 400?"""
    response = client.post("/prefs/text-size", data={"change": how})
    assert response.status_code == 400
    assert size_class(client) == "text-size-0"


def test_text_size_tampered_session_value_ignored(client):
    """Is a nonsense value in the session treated as the default size?"""
    with client.session_transaction() as session:
        session["text_size"] = "big"
    assert size_class(client) == "text-size-0"
    change(client, "larger")
    assert size_class(client) == "text-size-1"


def test_text_size_signed_in_saved_on_account(app, client, auth):
    """Is the size saved on the account and used on another device after sign-in?"""
    user = auth.as_role("staff")
    change(client, "larger", "/staff")
    change(client, "larger", "/staff")
    assert size_class(client, "/staff") == "text-size-2"
    assert User.get_by_id(user.id).text_size == 2
    other = app.test_client()
    assert size_class(other) == "text-size-0"
    Auth(other).login(user)
    assert size_class(other, "/staff") == "text-size-2"


def test_text_size_signed_in_clamped_on_account(client, auth):
    """Is the stored size clamped too?"""
    user = auth.as_role("caregiver")
    for _ in range(3):
        change(client, "smaller", "/my")
    assert User.get_by_id(user.id).text_size == User.TEXT_SIZE_MIN == -1
    assert size_class(client, "/my") == "text-size-m1"
