"""What the layout needs on every page: navigation, static URLs, labels."""
import hashlib
import os
from functools import lru_cache

from flask import current_app, url_for
from flask.globals import _cv_request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import Organisation, Role

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "staff": _l("Staff member"),
    "caregiver": _l("Caregiver"),
}

ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflicting change"),
    413: _l("Request too large"),
    422: _l("The input could not be processed"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}
ERROR_TEXTS = {
    400: _l("The request was not valid."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist, or it is not available to you."),
    405: _l("This action is not possible here."),
    409: _l("Someone else changed this record in the meantime."),
    413: _l("The request was too large."),
    422: _l("Please check your input and try again."),
    429: _l("Please wait a moment and try again."),
    500: _l("An unexpected error occurred. It has been logged; please try again later."),
}

AUDIT_ACTIONS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "view": _l("opened"),
    "sign-in": _l("signed in"),
}

#: The main menu: (endpoint, label, roles that see it). Later areas add their entries.
NAV = [
    ("home.staff", _l("Home"), (Role.ADMIN, Role.STAFF)),
    ("home.caregiver", _l("My family"), (Role.CAREGIVER,)),
    ("cases.index", _l("Families"), (Role.ADMIN, Role.STAFF)),
    ("caseload.mine", _l("My caseload"), (Role.ADMIN, Role.STAFF)),
    ("contacts.week", _l("Contacts"), (Role.ADMIN, Role.STAFF)),
    ("contacts.my_contacts", _l("Contacts"), (Role.CAREGIVER,)),
    ("conflicts.index", _l("Conflicts of interest"), (Role.ADMIN, Role.STAFF)),
    ("education.events", _l("Training"), (Role.ADMIN, Role.STAFF)),
    ("education.my_home", _l("My training"), (Role.CAREGIVER,)),
    ("admin.users", _l("Accounts"), (Role.ADMIN,)),
    ("admin.organisation", _l("Organisation"), (Role.ADMIN,)),
    ("plans.areas", _l("Areas of needs"), (Role.ADMIN,)),
    ("audit.index", _l("Audit log"), (Role.ADMIN,)),
    ("account.password", _l("Change password"), (Role.ADMIN, Role.STAFF, Role.CAREGIVER)),
]


class NavItem:
    def __init__(self, url, label, current):
        self.url, self.label, self.current = url, label, current


def nav_items():
    """The menu entries for the signed-in user's role."""
    role = current_user.role_enum
    req = _cv_request.get()  # the request itself: the proxy would be looked up per entry
    # The entries' URLs and labels are the same on every page: built once per role,
    # mount point and language (the catalogs do not change while the server runs).
    cache = req.app.extensions.setdefault("opora_nav", {})
    key = (role, req.request.script_root, str(get_locale()))
    entries = cache.get(key)
    if entries is None:
        entries = cache[key] = [(endpoint, url_for(endpoint), str(label))
                                for endpoint, label, roles in NAV if role in roles]
    here = req.request.endpoint
    return [NavItem(url, label, here == endpoint) for endpoint, url, label in entries]


@lru_cache(maxsize=256)
def _file_hash(path, mtime):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def static_url(filename):
    """URL of a static file with a content hash, so it can be cached for a long time.

    Outside debug mode the files do not change while the server runs (a deployment
    restarts it): the URL is worked out once per file instead of on every page.
    """
    app = current_app._get_current_object()
    req_ctx = _cv_request.get(None)
    cache = None if app.debug else app.extensions.setdefault("opora_static_urls", {})
    key = (req_ctx.request.script_root if req_ctx is not None else "", filename)
    if cache is not None and key in cache:
        return cache[key]
    path = os.path.join(app.static_folder, filename)
    try:
        version = _file_hash(path, os.path.getmtime(path))
    except OSError:
        version = "missing"
    url = url_for("static", filename=filename, v=version)
    if cache is not None and version != "missing":
        cache[key] = url
    return url


def id_url(endpoint, name, **values):
    """A function giving ``url_for(endpoint, **values, name=id)`` for any id, from one
    ``url_for`` call: pages that link many rows to the same endpoint would otherwise build a
    URL per row, which costs more than the row's other markup. The application's prefix and
    whatever follows the id stay as ``url_for`` gives them."""
    mark = 987654321
    head, found, tail = url_for(endpoint, **values, **{name: mark}).rpartition(str(mark))
    if not found:  # cannot happen with an <int:> rule; stay correct anyway
        return lambda item_id: url_for(endpoint, **values, **{name: item_id})
    return lambda item_id: f"{head}{item_id}{tail}"


#: Stand-ins for whole-number values while a URL's shape is found: no URL holds them otherwise.
_URL_MARKERS = tuple(9_876_543_210_000 + i for i in range(8))


def _url_shape(app, adapter, endpoint, names):
    """How ``url_for(endpoint, **values)`` is written for any whole numbers given as
    ``names``: (texts between the values, the order the values appear in), or None when
    the URL cannot be written that way (see :func:`template_url_for`)."""
    from werkzeug.routing.converters import IntegerConverter, PathConverter, UnicodeConverter

    rules = app.url_map._rules_by_endpoint.get(endpoint, [])
    if len(rules) != 1 or rules[0].defaults or len(names) > len(_URL_MARKERS):
        return None  # werkzeug would choose between rules, or by a default value
    for converter in rules[0]._converters.values():
        if type(converter) is IntegerConverter:
            if converter.fixed_digits or converter.signed:
                return None
        elif type(converter) not in (UnicodeConverter, PathConverter):
            return None
    stand_ins = [str(marker) for marker in _URL_MARKERS[:len(names)]]
    built = adapter.build(endpoint, dict(zip(names, _URL_MARKERS)))
    if any(built.count(text) != 1 for text in stand_ins):
        return None
    # The values in the order the URL shows them (the path's order, then the query's).
    order = sorted(range(len(names)), key=lambda i: built.index(stand_ins[i]))
    texts, rest = [], built
    for i in order:
        head, _sep, rest = rest.partition(stand_ins[i])
        texts.append(head)
    texts.append(rest)
    return tuple(texts), tuple(order)


def template_url_for(endpoint, **values):
    """``url_for`` for templates: Flask's, with the URL for whole-number values (ids, page
    numbers) written from the shape found once per endpoint and set of names.

    A page builds a URL for every link and form; Flask's ``url_for`` goes through the URL
    map each time (about 6 µs; 10 µs without values). The shape is Flask's own output for
    stand-in numbers (for no values, the URL itself). It is used only where that is
    exact: in a request, for an endpoint of a single rule without defaults, with only
    non-negative ``int`` values (no ``_anchor``, ``_external`` …), converters that write a
    number as its digits, and no URL default functions; any other call goes to Flask.
    tests/test_layout_urls.py compares the two for every rule.
    """
    req_ctx = _cv_request.get(None)
    if req_ctx is None or endpoint[:1] == ".":
        return url_for(endpoint, **values)
    app = req_ctx.app
    if app.url_default_functions:
        return url_for(endpoint, **values)
    for value in values.values():
        if type(value) is not int or value < 0:
            return url_for(endpoint, **values)
    adapter = req_ctx.url_adapter
    names = tuple(values)
    key = (endpoint, names, adapter.script_name, adapter.subdomain)
    shapes = app.extensions.setdefault("opora_url_shapes", {})
    shape = shapes.get(key, False)
    if shape is False:
        if any(name.startswith("_") for name in names):
            shape = None
        else:
            try:
                shape = _url_shape(app, adapter, endpoint, names)
            except Exception:  # a BuildError: Flask's url_for reports it properly
                shape = None
        shapes[key] = shape
    if shape is None:
        return url_for(endpoint, **values)
    texts, order = shape
    numbers = list(values.values())
    parts = [texts[0]]
    for position, index in enumerate(order):
        parts.append(str(numbers[index]))
        parts.append(texts[position + 1])
    return "".join(parts)


def template_globals(bp, **values):
    """Make ``values`` (labels, helpers) global in every template of the application once
    ``bp`` is registered. Jinja looks a global up where a template uses it; a context
    processor would build its dictionary again for every render."""
    bp.record_once(lambda state: state.app.jinja_env.globals.update(values))


def init_app(app):
    """Register the layout's template globals."""
    app.jinja_env.globals.update(
        url_for=template_url_for,
        nav_items=nav_items,
        static_url=static_url,
        organisation_name=lambda: Organisation.current().name,
        role_label=lambda role: ROLE_LABELS.get(role, role),
        error_title=lambda code: ERROR_TITLES.get(code, _("Error")),
        error_text=lambda code: ERROR_TEXTS.get(code, ""),
        audit_action_label=lambda action: AUDIT_ACTIONS.get(action, action),
    )
