"""Small helpers the foundation tests share: reading pages, headers and the catalogs."""
import os
import re
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from babel.messages.pofile import read_po
from markupsafe import escape

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def text(response):
    """The response body as text."""
    return response.get_data(as_text=True)


def location_path(response):
    """The path of the redirect target (Location, or HX-Redirect for htmx)."""
    target = response.headers.get("Location") or response.headers.get("HX-Redirect") or ""
    return urlsplit(target).path


def location_next(response):
    """The ``next`` query value of the redirect target, or None."""
    target = response.headers.get("Location") or response.headers.get("HX-Redirect") or ""
    return parse_qs(urlsplit(target).query).get("next", [None])[0]


def form_error(html):
    """The message of the form-wide error box, or None."""
    match = re.search(r'<p class="form-error" role="alert">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else None


def field_error(html, field_id):
    """The error shown beside the field with ``field_id`` (ids may carry a form's prefix), or None."""
    match = re.search(rf'<p class="error" id="(?:[\w-]+-)?{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else None


def input_value(html, name):
    """The value of the form field ``name``: the input with that id, else (an inline form
    whose ids carry a prefix) the input posted under that name; or None."""
    tag = re.search(rf'<input[^>]*\bid="{re.escape(name)}"[^>]*>', html) or \
        re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    if not tag:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def hidden_fields(html, action):
    """The hidden fields ({name: value}) of the form posting to ``action`` on a page, as
    a browser would send them; fails when the page has no such form."""
    form = re.search(r'<form method="post" action="' + re.escape(action) + r'".*?</form>', html, re.S)
    assert form, action
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(0)))


def html_lang(html):
    """The lang attribute of the <html> element."""
    match = re.search(r'<html lang="([^"]*)"', html)
    return match.group(1) if match else None


@lru_cache(maxsize=None)
def _catalog(lang):
    with open(os.path.join(ROOT, "translations", lang, "LC_MESSAGES", "messages.po"), "rb") as fh:
        return read_po(fh, locale=lang)


def po_translation(lang, msgid, form=None, **variables):
    """The translation of ``msgid`` in ``lang`` as the page shows it (HTML-escaped).

    ``form`` picks a plural form. Fails when the catalog has no translation, or when the
    compiled catalog (``make translations``) is missing or older than the .po file.
    """
    message = _catalog(lang).get(msgid)
    assert message is not None, f"{msgid!r} is not in the {lang} catalog"
    string = message.string[form] if form is not None else message.string
    assert string, f"{msgid!r} has no {lang} translation yet"
    po = os.path.join(ROOT, "translations", lang, "LC_MESSAGES", "messages.po")
    mo = po[:-2] + "mo"
    assert os.path.exists(mo) and os.path.getmtime(mo) >= os.path.getmtime(po), (
        f"{mo} is missing or older than the .po file: run `make translations`"
    )
    return str(escape(string % variables if variables else string))


def english_client(app):
    """A new test client (another browser) that asks for English pages."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
