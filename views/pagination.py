"""One page of a list: every paginated view of the portal goes through :func:`paginate`."""
from dataclasses import dataclass

from flask import request


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
    total = query.count()
    pages = max(1, -(-total // per_page))
    page = min(requested, pages)
    return Page(list(query.paginate(page, per_page)), page, pages, total)
