"""models.base.Prepared: queries compiled once, run with new values as bound parameters."""
import pytest
from peewee import fn

from models import Notification, Organisation, User
from models.base import Prepared, count_queries, query_counter

from .factories import make_user


def test_first_returns_the_matching_model_instance(app):
    """Does the compiled query find each user by the value given, not the first one?"""
    one, two = make_user("staff", full_name="Jana Nováková"), make_user("caregiver", full_name="Petr Dvořák")
    by_id = Prepared(lambda user_id: User.select().where(User.id == user_id).limit(1), "user_id")
    assert by_id.first(user_id=two.id).full_name == "Petr Dvořák"
    assert by_id.first(user_id=one.id).full_name == "Jana Nováková"
    assert isinstance(by_id.first(user_id=one.id), User)
    assert by_id.first(user_id=10**9) is None


def test_values_are_parameters_not_sql(app):
    """Is a hostile value compared as data (no match), never spliced into the SQL?"""
    make_user("staff", email="a@example.org")
    by_email = Prepared(lambda email: User.select().where(User.email == email), "email")
    assert by_email.first(email="x' OR '1'='1") is None
    assert by_email.first(email="a@example.org").email == "a@example.org"


def test_scalar_and_several_parameters(app):
    """Does a count with two parameters use each in its place, and is it one query?"""
    user = make_user("staff")
    for kind in ("a", "a", "b"):
        Notification.send(user, kind)
    count = Prepared(
        lambda user_id, kind: Notification.select(fn.COUNT(Notification.id)).where(
            (Notification.user == user_id) & (Notification.kind == kind)),
        "user_id", "kind",
    )
    count_queries()
    before = query_counter.count
    assert count.scalar(user_id=user.id, kind="a") == 2
    assert count.scalar(user_id=user.id, kind="b") == 1
    assert query_counter.count - before == 2
    assert Notification.unread_count(user) == 3


def test_a_parameter_the_query_does_not_use_is_refused(app):
    """Is a misdeclared parameter caught instead of silently ignored?"""
    broken = Prepared(lambda user_id: Organisation.select(), "user_id")
    with pytest.raises(ValueError):
        broken.first(user_id=1)
