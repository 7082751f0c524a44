"""models.base.Prepared: queries compiled once, run with new values as bound parameters."""
import pytest
from peewee import JOIN, SQL, fn

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


def test_all_keeps_joined_models_and_takes_id_lists_of_any_length(app):
    """Does all() return rows as peewee builds them (the joined model attached), and does
    one compiled statement serve id lists of different lengths?"""
    from models.base import id_list

    one, two, three = (make_user("staff", full_name=n) for n in ("Alena", "Bohdan", "Cyril"))
    for user in (one, two, three):
        Notification.send(user, "k")
    by_users = Prepared(
        lambda ids: Notification.select(Notification, User).join(User)
        .where(Notification.user.in_(id_list(ids))).order_by(User.full_name),
        "ids",
    )
    assert [n.user.full_name for n in by_users.all(ids=[one.id, three.id])] == ["Alena", "Cyril"]
    assert [n.user.full_name for n in by_users.all(ids=[two.id])] == ["Bohdan"]
    assert by_users.all(ids=[]) == []


def test_a_parameter_used_twice_is_filled_in_both_places(app):
    """Is a name that appears twice in the query bound in both positions?"""
    user = make_user("staff", full_name="Dana")
    other = make_user("staff", full_name="Emil")
    both = Prepared(
        lambda user_id: User.select().where((User.id <= user_id) & (User.id >= user_id)).order_by(User.id),
        "user_id",
    )
    assert [u.full_name for u in both.all(user_id=user.id)] == ["Dana"]
    assert [u.full_name for u in both.all(user_id=other.id)] == ["Emil"]


def test_rows_are_plain_database_values(app):
    """Does rows() return the stored values as tuples, without peewee's conversions?"""
    user = make_user("staff", full_name="Filip")
    by_id = Prepared(lambda user_id: User.select(User.full_name, User.created_at).where(User.id == user_id), "user_id")
    [(name, created)] = by_id.rows(user_id=user.id)
    assert name == "Filip" and isinstance(created, str) and created.startswith(str(user.created_at.date()))


@pytest.mark.parametrize("shape", ["models", "joined", "dicts", "tuples", "namedtuples", "aliased",
                                   "joined-some-columns", "joined-annotated", "outer-missing", "counted"])
def test_later_runs_build_rows_exactly_as_peewee_does(app, shape):
    """The column mapping is worked out on the first run and reused (and plain model rows are
    built directly): are the second and third runs' rows the same as peewee's own, for each
    kind of row, with nothing marked dirty and the joined model attached?"""
    make_user("staff", full_name="Alena")
    user = make_user("caregiver", full_name="Bohdan")
    Notification.send(user, "a")
    Notification.send(user, "b")

    def build(user_id):
        if shape == "joined":
            query = Notification.select(Notification, User).join(User)
        elif shape == "aliased":
            query = Notification.select(Notification.id, User.full_name.alias("who")).join(User)
        elif shape == "joined-some-columns":
            query = Notification.select(Notification, User.id, User.full_name).join(User)
        elif shape == "joined-annotated":
            query = Notification.select(Notification, User, fn.LENGTH(Notification.kind).alias("kind_length")).join(User)
        elif shape == "counted":  # a list page's total beside each row
            query = Notification.select(Notification, fn.COUNT(SQL("*")).over().alias("total"))
        elif shape == "outer-missing":
            # A LEFT OUTER JOIN that finds nothing: the attribute is None, not an empty model.
            query = (Notification.select(Notification, User).join(User, JOIN.LEFT_OUTER,
                                                                   on=(Notification.link == User.email)))
        else:
            query = Notification.select()
        query = query.where(Notification.user == user_id).order_by(Notification.id)
        return {"dicts": query.dicts(), "tuples": query.tuples(), "namedtuples": query.namedtuples()}.get(shape, query)

    prepared = Prepared(build, "user_id")
    expected = list(build(user.id))
    for _run in range(3):
        rows = prepared.all(user_id=user.id)
        assert len(rows) == len(expected) == 2
        for row, peewee_row in zip(rows, expected):
            if shape not in ("dicts", "tuples", "namedtuples"):
                assert type(row) is type(peewee_row)
                assert row.__data__ == peewee_row.__data__ and vars(row).keys() == vars(peewee_row).keys()
                others = [name for name in vars(row) if name not in ("__data__", "__rel__", "_dirty")]
                assert [getattr(row, n) for n in others] == [getattr(peewee_row, n) for n in others]
                assert not row.is_dirty() and row.__rel__.keys() == peewee_row.__rel__.keys()
                for name, related in row.__rel__.items():
                    if related is None:  # an outer join's missing row
                        assert peewee_row.__rel__[name] is None
                    else:
                        assert vars(related) == vars(peewee_row.__rel__[name])
            elif shape == "namedtuples":  # peewee makes a new class per result
                assert row._fields == peewee_row._fields and tuple(row) == tuple(peewee_row)
            else:
                assert row == peewee_row
    # The shapes of models are built by models.base's own row functions, not peewee's.
    fast = prepared._wrapper_state.get("process_row")
    expected_builder = {"models": "_plain_model_rows", "counted": "_plain_model_rows", "joined": "_joined_model_rows",
                        "joined-some-columns": "_joined_model_rows", "joined-annotated": "_joined_model_rows",
                        "outer-missing": "_joined_model_rows", "aliased": "_joined_model_rows"}.get(shape)
    assert (fast.__qualname__.split(".")[0] if fast else None) == expected_builder
    if shape == "joined":
        assert rows[0].user.full_name == "Bohdan" and "user" in rows[0].__rel__
    if shape == "aliased":
        assert rows[0].user.who == "Bohdan"
    if shape == "joined-some-columns":
        assert rows[0].user.full_name == "Bohdan" and rows[0].user.email is None
    if shape == "joined-annotated":
        # (peewee gives a function of a field that field's type: text here)
        assert rows[0].kind_length == "1" and rows[0].user.full_name == "Bohdan"
    if shape == "outer-missing":
        assert rows[0].user is None and rows[0].kind == "a"
    if shape == "counted":
        assert [row.total for row in rows] == [2, 2] and "total" not in rows[0].__data__
    if shape == "namedtuples":
        assert rows[1].kind == "b"
    # A row built directly still saves like one peewee built.
    if shape == "models":
        rows[0].kind = "c"
        assert rows[0].is_dirty()
        rows[0].save()
        assert Notification.get_by_id(rows[0].id).kind == "c"
