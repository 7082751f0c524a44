"""Language choice, Czech and Polish texts and plural forms."""
import datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale

from models import LoginFailure, User, utcnow
from views.formatting import hours

from .conftest import Auth
from .factories import make_organisation, make_user
from .helpers import html_lang, location_path, po_translation, text

THROTTLE = "Too many failed attempts. Please wait %(num)d second and try again."


@pytest.mark.parametrize(
    ("header", "lang"),
    [("cs", "cs"), ("pl", "pl"), ("en", "en"), ("pl-PL,pl;q=0.9,en;q=0.5", "pl"), ("cs-CZ", "cs")],
)
def test_accept_language_selects_page_language(client, header, lang):
    """Does the browser's Accept-Language choose the page language?"""
    html = text(client.get("/auth/login", headers={"Accept-Language": header}))
    assert f'<html lang="{lang}"' in html


@pytest.mark.parametrize("lang", ["cs", "pl"])
def test_login_page_translated(client, lang):
    """Is the sign-in page actually translated, not only labelled with a language?"""
    html = text(client.get("/auth/login", headers={"Accept-Language": lang}))
    assert po_translation(lang, "Sign in") in html
    assert po_translation(lang, "Password") in html
    assert ">Sign in<" not in html


def test_unknown_browser_language_uses_organisation_default(client):
    """Without a supported browser language, is the organisation's language used?"""
    make_organisation(default_language="pl")
    html = text(client.get("/auth/login", headers={"Accept-Language": "de"}))
    assert html_lang(html) == "pl"


def test_language_switch_before_sign_in_kept_in_session(client):
    """Does the switch before sign-in override the browser language for this visitor?"""
    headers = {"Accept-Language": "cs"}
    response = client.post(
        "/prefs/language", data={"lang": "pl", "next": "/auth/login"}, headers=headers
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert html_lang(text(client.get("/auth/login", headers=headers))) == "pl"


def test_language_switch_ignores_off_site_next(client):
    """Does the switch never send the visitor to another site?"""
    response = client.post("/prefs/language", data={"lang": "pl", "next": "//evil.example/"})
    assert response.status_code == 303
    assert location_path(response) == "/"


def test_language_chosen_before_sign_in_survives_sign_in(client, auth):
    """Is the language chosen on the sign-in page still used after signing in?"""
    client.post("/prefs/language", data={"lang": "pl"})
    auth.as_role("staff")
    assert html_lang(text(client.get("/staff", headers={"Accept-Language": "cs"}))) == "pl"


def test_language_switch_signed_in_saved_on_account(app, client, auth):
    """Is the language saved on the account, so another device gets it too?"""
    user = auth.as_role("staff")
    client.post("/prefs/language", data={"lang": "pl"})
    assert User.get_by_id(user.id).language == "pl"
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cs"
    assert html_lang(text(other.get("/auth/login"))) == "cs"
    Auth(other).login(user)
    assert html_lang(text(other.get("/staff"))) == "pl"


def test_main_menu_follows_the_language_switch(client, auth):
    """The menu's entries (remembered per role and language) change with the language."""
    auth.as_role("staff")
    menus = {}
    for lang in ("cs", "pl", "en", "cs"):
        client.post("/prefs/language", data={"lang": lang})
        html = text(client.get("/staff"))
        menus.setdefault(lang, html[html.index('class="main-nav"'):html.index("</nav>")])
        assert menus[lang] == html[html.index('class="main-nav"'):html.index("</nav>")]
    assert ">Rodiny<" in menus["cs"] and ">Rodziny<" in menus["pl"] and ">Families<" in menus["en"]


@pytest.mark.parametrize("lang", ["de", "", "CS", "cs; drop table"])
def test_language_switch_invalid_gives_400(client, lang):
    """Is an unsupported language refused with 400 and nothing stored?"""
    response = client.post("/prefs/language", data={"lang": lang})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "lang" not in session


HOURS = [
    ("cs", 1, "1 hodina"),
    ("cs", 2, "2 hodiny"),
    ("cs", 5, "5 hodin"),
    ("cs", 1.5, "1,5 hodiny"),
    # The catalog's plural rule follows CLDR and gettext: 22 takes the "5 and more" form.
    ("cs", 22, "22 hodin"),
    ("pl", 1, "1 godzina"),
    ("pl", 2, "2 godziny"),
    ("pl", 5, "5 godzin"),
    ("pl", 1.5, "1,5 godziny"),
    ("pl", 22, "22 godziny"),
    ("pl", 12, "12 godzin"),
    ("en", 1, "1 hour"),
    ("en", 1.5, "1.5 hours"),
]


@pytest.mark.parametrize(("lang", "value", "expected"), HOURS)
def test_hours_filter_plural_forms(app, lang, value, expected):
    """Does the hours filter use the right plural form and decimal sign?"""
    with app.test_request_context(), force_locale(lang):
        assert hours(value) == expected
        assert render_template_string("{{ v|hours }}", v=value) == expected


# (language, seconds to wait, plural form of the catalog that must be used)
THROTTLE_FORMS = [
    ("cs", 1, 0),
    ("cs", 2, 1),
    ("cs", 5, 2),
    ("cs", 22, 2),
    ("pl", 1, 0),
    ("pl", 2, 1),
    ("pl", 5, 2),
    ("pl", 22, 1),
]


def _failures_leaving(seconds, key):
    """A failure row for ``key`` that leaves exactly ``seconds`` to wait."""
    count = {1: 3, 2: 3, 5: 5, 22: 7}[seconds]
    delay = LoginFailure.BASE_DELAY * 2 ** (count - LoginFailure.FREE_ATTEMPTS)
    LoginFailure.create(
        key=key,
        count=count,
        last_failure_at=utcnow() - datetime.timedelta(seconds=delay - seconds),
    )


@pytest.mark.parametrize(("lang", "seconds", "form"), THROTTLE_FORMS)
def test_throttle_message_plural_forms(client, auth, lang, seconds, form):
    """Is the throttling message in the visitor's language with the right plural form?"""
    user = make_user()
    _failures_leaving(seconds, f"email:{user.email}")
    response = auth.login(user, headers={"Accept-Language": lang})
    assert response.status_code == 429
    assert po_translation(lang, THROTTLE, form=form, num=seconds) in text(response)


@pytest.mark.parametrize("lang", ["cs", "pl"])
def test_bad_credentials_message_localised(client, auth, lang):
    """Is the wrong-password message translated?"""
    user = make_user()
    response = auth.login(user, "wrong password here", headers={"Accept-Language": lang})
    assert po_translation(lang, "The e-mail or password is not correct.") in text(response)


def test_translations_found_once_per_request_still_follow_force_locale_and_refresh(app):
    """With the request's catalog kept (app._RequestTranslations), does a message in
    another language within the request (force_locale) come out in that language, the
    page's language come back after it, and a language switch (refresh) take effect?"""
    from flask import session
    from flask_babel import force_locale, gettext, refresh

    with app.test_request_context("/", headers={"Accept-Language": "cs"}):
        assert gettext("Sign out") == "Odhlásit se"
        with force_locale("pl"):
            assert gettext("Sign out") == "Wyloguj się"
        assert gettext("Sign out") == "Odhlásit se"
        session["lang"] = "pl"  # the language switch, then Flask-Babel's refresh
        refresh()
        assert gettext("Sign out") == "Wyloguj się"


def test_wtforms_messages_come_from_one_parsed_catalog_per_language(app):
    """Are WTForms' own messages in the request's language, from a catalog parsed once per
    language for the process rather than on every request (app._Request)?"""
    catalogs = []
    for lang, expected in (("cs", "Neplatná hodnota pro datum."), ("cs", None), ("pl", None)):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            from flask import request
            from flask_wtf.i18n import translations

            catalogs.append(request.wtforms_translations)
            message = translations.gettext("Not a valid date value.")
            if expected:
                assert message == expected
            else:
                assert message != "Not a valid date value."
    assert catalogs[0] is catalogs[1] and catalogs[0] is not catalogs[2]


@pytest.mark.parametrize("lang", ["cs", "pl", "en"])
@pytest.mark.parametrize("fmt", ["short", "medium", "long", "full", "d.M.yyyy", "LLLL yyyy", "EEEE d. MMMM"])
def test_date_filter_writes_what_flask_babel_writes(app, lang, fmt):
    """Does the date filter (patterns looked up once per language) give exactly Flask-Babel's
    text, for dates and for datetimes (moved into the user's time zone first)?"""
    import datetime

    from flask_babel import format_date

    from views.formatting import date

    with app.test_request_context(), force_locale(lang):
        for value in (datetime.date(2026, 2, 28), datetime.date(2024, 12, 1),
                      datetime.datetime(2026, 3, 31, 23, 30)):
            assert date(value, fmt) == format_date(value, fmt)
            assert render_template_string("{{ v|date(f) }}", v=value, f=fmt) == format_date(value, fmt)
        assert date(None) == ""


@pytest.mark.parametrize("lang", ["cs", "pl", "en"])
@pytest.mark.parametrize("fmt", ["short", "medium", "long", "full", "d.M.yyyy HH:mm"])
@pytest.mark.parametrize("zone", ["Europe/Prague", "Europe/Warsaw", "America/New_York"])
def test_datetime_filter_writes_what_flask_babel_writes(app, lang, fmt, zone):
    """Does the datetime filter give exactly Flask-Babel's format_datetime, in the
    organisation's time zone, across the changes to and from summer time, for stored
    (naive UTC) and zone-aware values?"""
    import datetime

    from flask_babel import format_datetime

    from models import Organisation
    from views.formatting import datetime_text

    with app.app_context():
        Organisation.update(timezone=zone).execute()
    starts = (datetime.datetime(2026, 10, 24, 22), datetime.datetime(2027, 3, 27, 22), datetime.datetime(2026, 12, 31, 22))
    values = [start + datetime.timedelta(minutes=37 * i) for start in starts for i in range(20)]
    values.append(datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-3))))
    with app.test_request_context(), force_locale(lang):
        for value in values:
            assert datetime_text(value, fmt) == format_datetime(value, fmt)
        assert render_template_string("{{ v|datetime }}", v=values[0]) == format_datetime(values[0], "short")
        assert datetime_text(None) == ""


@pytest.mark.parametrize("lang", ["cs", "pl", "en"])
@pytest.mark.parametrize("fmt", ["short", "medium", "long", "HH:mm"])
def test_clock_text_writes_what_babel_writes(app, lang, fmt):
    """Is a wall-clock time (remembered per language and time) Babel's format_time text?"""
    import datetime

    from babel.dates import format_time
    from flask_babel import get_locale

    from views.formatting import clock_text

    with app.test_request_context(), force_locale(lang):
        for minutes in range(0, 24 * 60, 53):
            clock = datetime.time(minutes // 60, minutes % 60, minutes % 7)
            for _round in range(2):
                assert clock_text(clock, fmt) == format_time(clock, fmt, locale=get_locale())
        assert clock_text(None) == ""


_GETTEXT_TEMPLATE = """
{%- for n in counts %}{% set label = n * 2 %}
{{ _('%(name)s has %(n)d of %(label)d', name=name, n=n, label=label) }}|{{ _('100%% done') }}|{{ _('Sign out') }}
{{ ngettext('%(num)d year', '%(num)d years', n) }}|{{ ngettext('%(num)d year of %(name)s', '%(num)d years of %(name)s', n, name=name) }}
{%- endfor %}
{%- autoescape false %}{% set raw = 1 %}{{ _('%(name)s has %(n)d of %(label)d', name=name, n=raw, label=raw) }}{% endautoescape %}"""


@pytest.mark.parametrize("lang", ["cs", "pl", "en"])
def test_template_gettext_writes_what_jinjas_newstyle_gettext_writes(app, lang, monkeypatch):
    """Do the page's ``_`` and ``ngettext`` (app._bound_gettext) give exactly what Jinja's
    new-style callables give (escaping of values, ``%%``, plural forms, ``num``, a part
    without autoescape), and do they do it without copying the template context in a
    loop that sets a variable (Jinja's ``Context.derived``)?"""
    import jinja2.runtime
    from flask_babel import get_translations
    from jinja2.ext import _make_new_gettext, _make_new_ngettext

    values = {"counts": [0, 1, 2, 5, 22], "name": "<b>Anna & Petr</b>"}
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        translations = get_translations()
        jinja_gettext = _make_new_gettext(translations.ugettext)
        expected = render_template_string(
            _GETTEXT_TEMPLATE, _=jinja_gettext, gettext=jinja_gettext,
            ngettext=_make_new_ngettext(translations.ungettext), **values)

        def no_copies(*args, **kwargs):
            raise AssertionError("the template context was copied for a gettext call")

        monkeypatch.setattr(jinja2.runtime.Context, "derived", no_copies)
        ours = render_template_string(_GETTEXT_TEMPLATE, **values)
    assert ours == expected
    assert "&lt;b&gt;Anna &amp; Petr&lt;/b&gt;" in ours and "<b>Anna & Petr</b>" in ours  # escaped, then raw
    assert "100% done" in ours and "100%% done" not in ours
