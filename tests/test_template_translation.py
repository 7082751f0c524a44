"""views.template_translation: templates compiled per language with their fixed texts
translated in. The pages must come out exactly as when every text is translated at render
time."""
import re

import pytest
from flask import render_template_string
from flask.templating import Environment

from app import create_app
from bench.run import PAGES, SEARCH_TERM
from models import Case, Member, MemberRole, db
from views.template_translation import TranslatedTemplates

from .conftest import copy_database
from .test_bench import CAREGIVER, STAFF, _build

_TOKEN = re.compile(r'(csrf_token" type="hidden" value="|csrf_token" value="|"X-CSRFToken": ")[^"]+')
#: Times of day: the history lists the pages' own opening, a few seconds apart in the two runs.
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")


def _pages(app):
    """Every benchmarked page in Czech, Polish and English, CSRF tokens blanked."""
    with app.app_context(), db.connection_context():
        case = Case.get(Case.name == "Dvořákovi")
        person_id = (Member.select(Member.person)
                     .where((Member.case == case) & (Member.role == MemberRole.CAREGIVER))
                     .order_by(Member.id).scalar())
    params = {"case_id": case.id, "person_id": person_id, "q": SEARCH_TERM, "family_case_id": case.id}
    clients = {None: app.test_client()}
    for who, email in (("staff", STAFF), ("caregiver", CAREGIVER)):
        clients[who] = app.test_client()
        response = clients[who].post("/auth/login", data={"email": email, "password": app.config["DEMO_PASSWORD"]})
        assert response.status_code == 303
    pages = {}
    for lang in ("cs", "pl", "en"):
        for client in clients.values():
            assert client.post("/prefs/language", data={"lang": lang}).status_code == 303
        for page in PAGES:
            if page.path.startswith("/_bench"):
                continue
            path = page.path.format(**params)
            response = clients[page.who].get(path)
            assert response.status_code == 200, path
            pages[lang, path] = _TIME.sub("HH:MM", _TOKEN.sub(r"\1TOKEN", response.get_data(as_text=True)))
    db.close()
    return pages


def test_pages_are_the_same_as_translated_at_render_time(tmp_path, monkeypatch):
    """Is every benchmarked page, in each language, byte for byte what the templates give
    when each text is translated while rendering (the way Jinja does it by default)?"""
    database = tmp_path / "demo.sqlite3"
    _build(database, 0.05, 2026)
    # Opening a page is recorded in the history the next page shows: each run starts from
    # its own copy of the same organisation.
    copy_database(str(database), str(tmp_path / "copy.sqlite3"))
    folded = _pages(_app(database))
    assert "Odhlásit se" in folded["cs", "/staff"] and "Wyloguj" in folded["pl", "/staff"]
    assert "Sign out" in folded["en", "/staff"]
    # The folding switched off: Jinja's own template loading.
    monkeypatch.setattr(TranslatedTemplates, "_load_template", Environment._load_template)
    assert _pages(_app(tmp_path / "copy.sqlite3")) == folded


def _app(database):
    return create_app({"TESTING": True, "DATABASE": str(database), "WTF_CSRF_ENABLED": False, "SERVER_NAME": None})


@pytest.fixture
def fold(app):
    """Compile a template source with the Czech catalog folded in, and render it."""
    from flask_babel import force_locale, get_translations

    def render(source, **context):
        with app.test_request_context("/"), force_locale("cs"):
            env = app.jinja_env
            env.folding = get_translations()
            try:
                template = env.from_string(source)
            finally:
                env.folding = None
            return template.render(**context), render_template_string(source, **context)

    return render


@pytest.mark.parametrize("source", [
    "{{ _('Sign out') }}",
    "<b title=\"{{ _('Sign out') }}\">{{ _('Sign out')|upper }} {{ _('Sign out').lower() }}</b>",
    "{{ 'x ' ~ _('Sign out') ~ ' y' }}{% set t = _('Sign out') %}[{{ t }}]",
    "{{ _('%(num)s hour', num=3) }} {{ gettext('Sign out') }}",
])
def test_folded_texts_render_as_at_render_time(fold, source):
    """Does a folded text stay what render-time gettext gives, in attributes, with filters
    and methods applied, concatenated, assigned, and next to texts that keep placeholders?"""
    folded, reference = fold(source)
    assert "Odhlásit se" in folded or "hodin" in folded
    assert folded == reference


def test_only_a_lone_literal_is_folded(app):
    """Are calls with placeholders, on an attribute, or not of gettext left alone?"""
    from flask_babel import force_locale, get_translations

    with app.test_request_context("/"), force_locale("cs"):
        env = app.jinja_env
        env.folding = get_translations()
        try:
            source = env.compile("{{ obj._('Sign out') }}{{ _('Sign out', x=1) }}{{ f('Sign out') }}"
                                 "{{ _('Sign out') }}", raw=True)
        finally:
            env.folding = None
    assert source.count("Odhlásit se") == 1
    assert source.count("'Sign out'") == 3
