"""The contacts area (see models/contacts.py): staff scheduling, the caregivers' portal,
calendar feeds and the panels on the case page and the home pages."""
from flask import Blueprint

bp = Blueprint("contacts", __name__, url_prefix="/contacts")

from . import feeds, panels, portal, routes  # noqa: E402,F401  (routes register on bp)
