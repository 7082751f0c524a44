"""``flask db``: schema migrations (peewee's playhouse.migrations runner)."""
import os

import click
from playhouse.migrations import Runner

from models import db

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "models", "migrations")


def upgrade():
    """Apply every pending migration; return the names applied."""
    db.connect(reuse_if_open=True)
    try:
        return Runner(db, MIGRATIONS_DIR).up()
    finally:
        db.close()


@click.group("db")
def db_group():
    """Database schema commands."""


@db_group.command("upgrade")
def upgrade_command():
    """Apply pending migrations."""
    applied = upgrade()
    for name in applied:
        click.echo(f"applied: {name}")
    if not applied:
        click.echo("database is up to date")


@db_group.command("status")
def status_command():
    """List migrations; exit 1 when some are pending."""
    db.connect(reuse_if_open=True)
    rows = Runner(db, MIGRATIONS_DIR).status()
    db.close()
    for row in rows:
        click.echo(f"[{'x' if row.applied else ' '}] {row.name}")
    if any(not row.applied for row in rows):
        raise SystemExit(1)
