"""Blueprints, one per area of the portal."""


def register_blueprints(app):
    """Attach every area's blueprint to ``app``."""
    from . import account, admin, auth, home, prefs

    for module in (auth, prefs, home, account, admin):
        app.register_blueprint(module.bp)
