"""Command-line tools: ``flask --app app db|users|translate|seed-demo``."""


def init_app(app):
    """Register every command group with ``app``."""
    from . import database, translate, users
    from demo import seed_demo_command

    app.cli.add_command(database.db_group)
    app.cli.add_command(users.users_group)
    app.cli.add_command(translate.translate_group)
    app.cli.add_command(seed_demo_command)
