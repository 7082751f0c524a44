"""``flask users``: account administration from the command line."""
import os

import click

from models import Role, User, audit, db
from models.users import normalise_email
from views.forms import PASSWORD_MIN_LENGTH, password_is_common


@click.group("users")
def users_group():
    """Account commands."""


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "full_name", default=None, help="Full name (default: the e-mail).")
def create_command(email, role, full_name):
    """Create an account. The password comes from OPORA_PASSWORD or a prompt."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    password = os.environ.get("OPORA_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    if len(password) < PASSWORD_MIN_LENGTH or password_is_common(password):
        raise click.ClickException(
            f"the password must have at least {PASSWORD_MIN_LENGTH} characters and not be a common one"
        )
    with db.connection_context(), db.atomic():
        if User.by_email(email):
            raise click.ClickException(f"an account {email} already exists")
        user = User(email=email, role=role, full_name=full_name or email)
        user.set_password(password)
        user.save()
        audit.record(None, "create", user, summary=f"{email} ({role}) from the command line")
    click.echo(f"created {email} ({role})")


@users_group.command("list")
def list_command():
    """One line per account: e-mail, role, active."""
    with db.connection_context():
        for line in account_lines():
            click.echo(line)


def account_lines():
    """The lines ``users list`` prints (later features append a caregiver's case)."""
    for user in User.select().order_by(User.email):
        yield "\t".join([user.email, user.role, "active" if user.active else "inactive"])


@users_group.command("deactivate")
@click.argument("email")
def deactivate_command(email):
    """Deactivate an account; its sessions end at once."""
    with db.connection_context(), db.atomic():
        user = User.by_email(email)
        if user is None:
            raise click.ClickException(f"no account {normalise_email(email)}")
        user.active = False
        user.set_password(os.urandom(16).hex())  # new session token: signed out everywhere
        user.save()
        audit.record(None, "update", user, summary="deactivated from the command line")
    click.echo(f"deactivated {user.email}")
