"""One page of a list: every paginated view of the portal goes through :func:`paginate`."""
from collections import namedtuple
from dataclasses import dataclass

from flask import request
from peewee import ROW, SQL, fn

#: The window column that carries the total number of rows along with each row.
_TOTAL = "_page_total"


@dataclass
class Page:
    """The rows of one page and the numbers the pager macro needs."""

    rows: list
    page: int
    pages: int
    total: int


def paginate(query, per_page, arg="page"):
    """The page named by the request argument ``arg`` of an ordered ``query``.

    The page number is clamped to 1 … the last page, so an outdated link (the list got
    shorter) shows the last page instead of an empty one.
    """
    requested = max(1, request.args.get(arg, 1, type=int))
    if query._simple_distinct or query._distinct is not None or query._group_by:
        # A window count would count the rows before DISTINCT (and is simpler to reason
        # about without groups): count separately.
        return _page_of(query, per_page, requested, query.count())
    # One statement: the rows of the page and, beside each, the total (COUNT(*) OVER ()).
    rows = list(with_total(query).paginate(requested, per_page))
    if not rows:
        # Past the end (an outdated link) or an empty list: count, then show the last page.
        return _page_of(query, per_page, requested, query.count() if requested > 1 else 0)
    total = _strip_total(rows, query._row_type)
    return Page(rows, requested, max(1, -(-total // per_page)), total)


def with_total(query):
    """``query`` with the total number of its rows beside each row (a window count), as
    :func:`paginate_prepared` expects it."""
    return query.select_extend(fn.COUNT(SQL("*")).over().alias(_TOTAL))


def paginate_prepared(run, per_page, arg="page", row_type=ROW.MODEL):
    """:func:`paginate` for a list whose statement is compiled once (models.base.Prepared).

    ``run(limit=…, offset=…)`` runs it: a :func:`with_total` query ordered and ending in
    ``.limit(limit).offset(offset)`` with both as parameters. A page past the end asks for
    the first row to learn the total, then shows the last page, as :func:`paginate` does.
    """
    requested = max(1, request.args.get(arg, 1, type=int))
    rows = run(limit=per_page, offset=(requested - 1) * per_page)
    if not rows and requested > 1:
        first = run(limit=1, offset=0)
        total = _strip_total(first, row_type) if first else 0
        requested = min(requested, max(1, -(-total // per_page)))
        rows = run(limit=per_page, offset=(requested - 1) * per_page) if total else []
    total = _strip_total(rows, row_type) if rows else 0
    return Page(rows, requested, max(1, -(-total // per_page)), total)


def _page_of(query, per_page, requested, total):
    pages = max(1, -(-total // per_page))
    page = min(requested, pages)
    rows = list(query.paginate(page, per_page)) if total else []
    return Page(rows, page, pages, total)


def _strip_total(rows, row_type):
    """Remove the window column from ``rows`` (in place) and return its value."""
    if row_type == ROW.TUPLE:
        total = rows[0][-1]
        rows[:] = [row[:-1] for row in rows]
    elif row_type == ROW.NAMED_TUPLE:
        total = rows[0][-1]
        # The same kind of row without the count (namedtuple renames a leading underscore).
        row_class = namedtuple("Row", type(rows[0])._fields[:-1])
        rows[:] = [row_class._make(row[:-1]) for row in rows]
    elif row_type == ROW.DICT:
        total = rows[0][_TOTAL]
        for row in rows:
            del row[_TOTAL]
    else:  # model instances
        total = getattr(rows[0], _TOTAL)
        for row in rows:
            delattr(row, _TOTAL)
    return total
