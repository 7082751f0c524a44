"""The care-plans area (see models/plans.py and models/plan_rules.py)."""
from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")

from . import panels, routes  # noqa: E402,F401  (register the routes and the panels)
