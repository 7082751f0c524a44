"""``flask users``: account administration from the command line."""
import os

import click

from peewee import JOIN

from models import Case, Member, MemberRole, Person, Role, User, audit, db
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
    """The lines ``users list`` prints; a caregiver's line ends with their family or families.

    One query: each account joined to its person record and that person's caregiver
    memberships (an account without them gives one row with no case).
    """
    rows = (
        User.select(User.id, User.email, User.role, User.active, Case.id, Case.name)
        .join(Person, JOIN.LEFT_OUTER, on=(Person.account == User.id))
        .join(Member, JOIN.LEFT_OUTER, on=((Member.person == Person.id) & (Member.role == MemberRole.CAREGIVER)))
        .join(Case, JOIN.LEFT_OUTER, on=(Member.case == Case.id))
        .order_by(User.email, Case.name, Case.id)
        .tuples()
    )
    accounts = {}
    for user_id, email, role, active, case_id, case_name in rows:
        line = accounts.setdefault(user_id, ([email, role, "active" if active else "inactive"], []))
        if case_id is not None:
            line[1].append(f"{case_name} (case {case_id})")
    for fields, cases in accounts.values():
        if fields[1] == Role.CAREGIVER:
            fields.extend(["; ".join(cases)] if cases else [])
        yield "\t".join(fields)


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
