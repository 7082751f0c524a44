"""The landing page of each role."""
from flask import Blueprint, redirect, url_for
from flask_login import current_user

from models import Organisation, Role

from ..htmx import render
from ..permissions import home_endpoint, role_required

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    """Send the user to the home page of their role."""
    return redirect(url_for(home_endpoint(current_user)))


@bp.route("/staff")
@role_required(Role.ADMIN, Role.STAFF)
def staff():
    """Home of staff and administrators."""
    return render("home/staff.html", org=Organisation.current())


@bp.route("/my")
@role_required(Role.CAREGIVER)
def caregiver():
    """Home of a caregiver."""
    return render("home/caregiver.html", org=Organisation.current())
