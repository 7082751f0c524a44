"""The plans area (see models/plans.py)."""
from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")
