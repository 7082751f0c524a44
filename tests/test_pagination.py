"""views.pagination.paginate: one statement per page (rows with a window count), the same
rows and numbers as counting separately, for every kind of row a query returns."""
import pytest
from peewee import fn

from models import Notification, User
from models.base import count_queries, query_counter
from views.pagination import paginate

from .factories import make_user


@pytest.fixture
def users(app):
    return [make_user("staff", full_name=f"User {i:02d}") for i in range(7)]


def _page(app, query, per_page, page):
    with app.test_request_context(f"/?page={page}"):
        return paginate(query, per_page)


def test_rows_total_and_pages_in_one_statement(app, users):
    """Are page 2 of 3 the right rows, with the total, in a single query?"""
    query = User.select().order_by(User.full_name)
    count_queries()
    before = query_counter.count
    listing = _page(app, query, 3, 2)
    assert query_counter.count - before == 1
    assert [u.full_name for u in listing.rows] == ["User 03", "User 04", "User 05"]
    assert (listing.page, listing.pages, listing.total) == (2, 3, 7)
    assert not hasattr(listing.rows[0], "_page_total")


@pytest.mark.parametrize("shape", ["tuples", "dicts", "namedtuples"])
def test_every_row_shape_comes_back_without_the_count(app, users, shape):
    """Do tuple, dict and named-tuple rows keep exactly their own columns?"""
    query = getattr(User.select(User.id, User.full_name).order_by(User.full_name), shape)()
    listing = _page(app, query, 5, 1)
    first = listing.rows[0]
    if shape == "dicts":
        assert set(first) == {"id", "full_name"} and first["full_name"] == "User 00"
    elif shape == "namedtuples":
        assert first._fields == ("id", "full_name") and first.full_name == "User 00"
    else:
        assert len(first) == 2 and first[1] == "User 00"
    assert (listing.total, listing.pages) == (7, 2)


def test_joined_models_stay_attached(app, users):
    """Does a row keep its joined model when the count rides along?"""
    for user in users[:3]:
        Notification.send(user, "k")
    query = Notification.select(Notification, User).join(User).order_by(User.full_name)
    listing = _page(app, query, 2, 2)
    assert [n.user.full_name for n in listing.rows] == ["User 02"]
    assert listing.total == 3


def test_an_outdated_page_shows_the_last_one_and_an_empty_list_one_empty_page(app, users):
    """Does page 9 of a 3-page list show page 3, and an empty list page 1 of 1?"""
    query = User.select().order_by(User.full_name)
    listing = _page(app, query, 3, 9)
    assert (listing.page, listing.pages, listing.total) == (3, 3, 7)
    assert [u.full_name for u in listing.rows] == ["User 06"]
    empty = _page(app, User.select().where(User.id < 0).order_by(User.id), 3, 1)
    assert (empty.rows, empty.page, empty.pages, empty.total) == ([], 1, 1, 0)


def test_grouped_and_distinct_queries_count_their_own_rows(app, users):
    """Are groups (and distinct rows) counted, not the rows before grouping?"""
    grouped = (User.select(User.role, fn.COUNT(User.id)).group_by(User.role).order_by(User.role).tuples())
    assert _page(app, grouped, 10, 1).total == 1
    distinct = User.select(User.role).distinct().order_by(User.role).tuples()
    listing = _page(app, distinct, 10, 1)
    assert listing.total == 1 and listing.rows == [("staff",)]
