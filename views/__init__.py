"""Blueprints, one per area of the portal."""


def register_blueprints(app):
    """Attach every area's blueprint to ``app``."""
    from . import account, admin, auth, cases, home, people, prefs

    for module in (auth, prefs, home, account, admin, cases, people):
        app.register_blueprint(module.bp)
