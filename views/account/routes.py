"""Own account: change password."""
from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from models import audit, db

from ..htmx import render
from .forms import ChangePasswordForm

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
def password():
    """Change one's own password; other sessions of the account end."""
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is not correct."))
        else:
            user = current_user._get_current_object()
            with db.atomic():
                user.set_password(form.new_password.data)
                user.save()
                audit.record(user, "update", user, summary="password changed")
            # The new session token ends other sessions; keep this one signed in.
            login_user(user)
            session["seen"] = session.get("seen")
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("account.password"), 303)
    status = 422 if request.method == "POST" else 200
    return render("account/password.html", form=form, block="form", status=status)
