"""Blueprints, one per area of the portal."""


def register_blueprints(app):
    """Attach every area's blueprint to ``app``."""
    from . import (
        account, admin, audit, auth, caseload, cases, conflicts, contacts, education, home, notifications, people,
        plans, prefs,
    )

    for module in (auth, prefs, home, account, admin, cases, people, notifications, conflicts, caseload, audit,
                   plans, education, contacts):
        app.register_blueprint(module.bp)
