"""Account management and the organisation profile (administrators only)."""
import secrets

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import Organisation, PasswordToken, Role, User, audit, db
from models.users import normalise_email

from ..pagination import paginate
from ..forms import copy_fields
from ..htmx import render
from ..permissions import blueprint_requires
from .forms import OrganisationForm, PasswordResetForm, UserCreateForm, UserEditForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
blueprint_requires(bp, Role.ADMIN)

USERS_PER_PAGE = 50


def _issue_first_password(user, mode):
    """Give ``user`` a one-time link or a temporary password; return what to show once."""
    if mode == "temporary":
        temporary = secrets.token_urlsafe(9)
        user.set_password(temporary)
        user.must_change_password = True
        user.save()
        return {"temporary_password": temporary}
    token = PasswordToken.issue(user)
    return {"link": url_for("auth.set_password", token=token, _external=True)}


@bp.route("/users")
def users():
    """All accounts, paginated, with the form to add one."""
    listing = paginate(User.select().order_by(User.active.desc(), User.role, User.full_name), USERS_PER_PAGE)
    return render(
        "admin/users.html",
        block="users",
        users=listing.rows,
        page=listing.page,
        pages=listing.pages,
        form=UserCreateForm(),
    )


@bp.route("/users/new", methods=["POST"])
def user_create():
    """Create an account and show its first password or link once."""
    form = UserCreateForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        if User.by_email(email) is not None:
            form.email.errors.append(_("An account with this e-mail already exists."))
        else:
            with db.atomic():
                user = User.create(
                    email=email, full_name=form.full_name.data.strip(), role=form.role.data
                )
                secret = _issue_first_password(user, form.password_mode.data)
                audit.record(current_user, "create", user, summary=f"{user.email} ({user.role})")
            return render("admin/user_secret.html", user=user, created=True, **secret)
    page = 1
    rows = list(User.select().order_by(User.active.desc(), User.role, User.full_name).paginate(1, USERS_PER_PAGE))
    return render(
        "admin/users.html", block="create_form", users=rows, page=page, pages=1, form=form, status=422
    )


def _get_user_or_404(user_id):
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id):
    """Deactivate or reactivate an account. A deactivated account is signed out at once."""
    user = _get_user_or_404(user_id)
    activate = request.form.get("active") == "1"
    if user.id == current_user.id and not activate:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users"), 303)
    with db.atomic():
        user.active = activate
        user.session_token = secrets.token_hex(16)
        user.save()
        audit.record(current_user, "update", user, summary=f"active={activate}", changes={"active": [not activate, activate]})
    flash(_("The account of %(name)s is active again.", name=user.full_name) if activate
          else _("The account of %(name)s has been deactivated.", name=user.full_name), "success")
    return redirect(url_for("admin.users"), 303)


@bp.route("/users/<int:user_id>/read-all", methods=["POST"])
def user_read_all(user_id):
    """Grant or revoke a staff member's right to read every case (not to edit them)."""
    user = _get_user_or_404(user_id)
    if user.role_enum is not Role.STAFF:
        abort(400)  # administrators read everything; caregivers never do
    grant = request.form.get("read_all") == "1"
    if user.can_read_all_cases != grant:
        with db.atomic():
            user.can_read_all_cases = grant
            user.save()
            audit.record(current_user, "update", user, summary=f"read all cases={grant}",
                         changes={"can_read_all_cases": [not grant, grant]})
    flash(_("%(name)s can now read every family's record.", name=user.full_name) if grant
          else _("%(name)s can now read only the families they work with.", name=user.full_name), "success")
    return redirect(url_for("admin.users", page=request.form.get("page", 1, type=int)), 303)


USER_EDIT_FIELDS = ("full_name", "phone")


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id):
    """Change an account's name and, for staff and administrators, their phone number."""
    user = _get_user_or_404(user_id)
    form = UserEditForm(obj=user)
    staff = user.role_enum in (Role.STAFF, Role.ADMIN)
    if not staff:
        del form.phone  # caregivers' contact details live on their person record
    if form.validate_on_submit():
        before = audit.snapshot(user)
        copy_fields(form, user, [name for name in USER_EDIT_FIELDS if name in form])
        changes = audit.diff(user, before)
        if changes:
            with db.atomic():
                user.save()
                audit.record(current_user, "update", user, summary=user.email, changes=changes)
        flash(_("The account of %(name)s has been saved.", name=user.full_name), "success")
        return redirect(url_for("admin.users"), 303)
    return render("admin/user_edit.html", block="form", user=user, form=form,
                  status=422 if request.method == "POST" else 200)


@bp.route("/users/<int:user_id>/reset", methods=["GET", "POST"])
def user_reset(user_id):
    """Give a user a new password by a one-time link or a temporary password."""
    user = _get_user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        with db.atomic():
            secret = _issue_first_password(user, form.password_mode.data)
            audit.record(current_user, "update", user, summary=f"password reset ({form.password_mode.data})")
        return render("admin/user_secret.html", user=user, created=False, **secret)
    return render("admin/user_reset.html", user=user, form=form, status=422 if request.method == "POST" else 200)


ORGANISATION_FIELDS = ("name", "country", "default_language", "timezone")


@bp.route("/organisation", methods=["GET", "POST"])
def organisation():
    """The organisation profile and the country rules in force."""
    org = Organisation.current()
    form = OrganisationForm(obj=org)
    stale = False
    if request.method == "GET":
        form.version.data = org.version
    elif form.validate_on_submit():
        expected = form.expected_version()
        before = audit.snapshot(org)
        form.copy_to(org, ORGANISATION_FIELDS)
        saved = audit.save_versioned(current_user, org, before, expected)
        if saved:
            flash(_("The organisation profile has been saved."), "success")
            return redirect(url_for("admin.organisation"), 303)
        # Someone saved in between: keep this user's input, show the stored values, and
        # let a second save (now based on the current version) apply it knowingly.
        stale = True
        # Re-read the row: ``org`` (also the request's cached organisation) now holds this
        # user's input, not what is stored.
        org = Organisation.get_by_id(org.id)
        g.organisation = org
        form.version.data = org.version
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render(
        "admin/organisation.html", block="form", form=form, org=org, stale=stale, status=status
    )
