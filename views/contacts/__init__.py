"""The contacts area (see models/contacts.py)."""
from flask import Blueprint

bp = Blueprint("contacts", __name__, url_prefix="/contacts")
