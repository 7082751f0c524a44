"""The education area: training events, registrations and attendance, caregivers' hours
against the requirement of their agreement (see models/education.py, models/education_rules.py)."""
from flask import Blueprint

bp = Blueprint("education", __name__, url_prefix="/education")

from . import panels, routes  # noqa: E402,F401  (register the views and the panels)
