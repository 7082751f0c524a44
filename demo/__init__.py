"""Demo and synthetic data: ``flask --app app seed-demo [--scale N] [--seed S]``.

One generator serves both: the demo organisation a developer or a tester signs in to, and
(with ``--scale``) a large synthetic organisation for the benchmark. Each feature adds
its own step with :func:`step`; the steps run in order over a shared :class:`SeedContext`,
so a later feature can use what an earlier one created (cases, staff, caregivers …).
"""
import random
from dataclasses import dataclass, field

import click
from flask import current_app

from models import User, db

_STEPS = []


def step(order):
    """Register a seeding step; steps run in ascending ``order``."""

    def decorator(fn):
        _STEPS.append((order, fn.__name__, fn))
        _STEPS.sort(key=lambda item: (item[0], item[1]))
        return fn

    return decorator


@dataclass
class SeedContext:
    """What the steps share: the random source, the scale and what was created so far."""

    rng: random.Random
    scale: float
    password: str
    created: dict = field(default_factory=dict)

    def count(self, base):
        """``base`` items at scale 1, scaled (at least one)."""
        return max(1, round(base * self.scale))


def seed(scale=0.0, seed_value=2026, password=None):
    """Run every step. ``scale`` 0 builds the small demo organisation only."""
    # Import the step modules so that they register themselves.
    from . import accounts, cases, contacts, education, plans  # noqa: F401

    ctx = SeedContext(
        rng=random.Random(seed_value),
        scale=scale,
        password=password or current_app.config["DEMO_PASSWORD"],
    )
    for _order, _name, fn in _STEPS:
        with db.atomic():
            fn(ctx)
    return ctx


@click.command("seed-demo")
@click.option("--scale", type=float, default=0.0, help="Also build a synthetic organisation of this size (1 = about 300 active cases).")
@click.option("--seed", "seed_value", type=int, default=2026, help="Random seed (the output is deterministic for a seed).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
def seed_demo_command(scale, seed_value, if_empty):
    """Create the demo organisation and accounts."""
    with db.connection_context():
        if if_empty and User.select().exists():
            click.echo("database already has data: demo not loaded")
            return
        if User.select().exists():
            raise click.ClickException("the database already has data; use a new database for demo data")
        seed(scale=scale, seed_value=seed_value)
    click.echo("demo data loaded; accounts: see README (password from OPORA_DEMO_PASSWORD or the README)")
