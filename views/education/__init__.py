"""The education area (see models/education.py)."""
from flask import Blueprint

bp = Blueprint("education", __name__, url_prefix="/education")
