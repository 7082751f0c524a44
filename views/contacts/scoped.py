"""Running the contacts pages' prepared queries: raw rows, and queries limited to the
cases a given user may open.

The access rule stays in :mod:`views.permissions`: :class:`ScopedPrepared` is its
:class:`~views.permissions.InVisibleCases` (a query compiled once per kind of access),
run for an explicit user (the panels' loaders receive theirs) and returning raw rows.
"""
import datetime

from models import db

from ..permissions import InVisibleCases, _case_scope


def rows(prepared, **values):
    """The rows of a :class:`~models.base.Prepared` query as the database returns them:
    tuples of plain values, without peewee's conversions (which cost more than the query
    for a page of rows). Times come as stored text: see :func:`as_datetime`."""
    _query, sql, params = prepared._params(values)
    return db.execute_sql(sql, params).fetchall()


def as_datetime(value):
    """A stored time (ISO text, as peewee writes a datetime) as a datetime; None stays."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(value)


class ScopedPrepared(InVisibleCases):
    """:class:`~views.permissions.InVisibleCases` for ``user`` (first argument of each
    method) instead of the signed-in user, with :meth:`rows` for raw rows."""

    def _for(self, user, values):
        scope = _case_scope(user)
        if scope not in ("all", "none"):
            values = {"user_id": user.id, **values}
        return self._prepared(scope), values

    def rows(self, user, **values):
        """The rows for ``user`` without peewee's conversions (see :func:`rows`)."""
        prepared, values = self._for(user, values)
        return rows(prepared, **values)

    def scalar_for(self, user, **values):
        prepared, values = self._for(user, values)
        return prepared.scalar(**values)
