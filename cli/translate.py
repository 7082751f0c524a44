"""``flask translate``: extract, update and compile the message catalogs."""
import os
import subprocess
import sys

import click

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATIONS = os.path.join(ROOT, "translations")
POT = os.path.join(TRANSLATIONS, "messages.pot")
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-k", "lazy_ngettext:1,2"]


def _pybabel(*args):
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@click.group("translate")
def translate_group():
    """Translation commands."""


@translate_group.command("extract")
def extract_command():
    """Extract messages into translations/messages.pot."""
    _pybabel("extract", "-F", "pyproject.toml", *KEYWORDS, "--no-location", "--sort-output",
             "--project", "Opora", "-o", POT, ".")


@translate_group.command("update")
def update_command():
    """Extract, then merge new messages into every language's catalog."""
    extract_command.callback()
    _pybabel("update", "-i", POT, "-d", TRANSLATIONS, "--no-fuzzy-matching", "--ignore-obsolete")


@translate_group.command("init")
@click.argument("lang")
def init_command(lang):
    """Start a catalog for a new language."""
    _pybabel("init", "-i", POT, "-d", TRANSLATIONS, "-l", lang)


@translate_group.command("compile")
def compile_command():
    """Build the .mo files the application reads."""
    _pybabel("compile", "-d", TRANSLATIONS, "--statistics")
