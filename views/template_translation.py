"""Templates compiled once per language, with their fixed texts already translated.

A page's fixed texts (``{{ _("Sign out") }}``) are the same for every request in a
language, yet Jinja looks each one up at every render: a call into the template context,
the catalog lookup, a ``Markup`` and a ``%`` formatting, a few microseconds each and a few
hundred per page. Here every template is compiled separately for each language, and a
``_("…")`` or ``gettext("…")`` call with one literal text and no placeholders becomes that
text translated, so Jinja's optimiser writes it into the compiled template. Everything
else (texts with placeholders, ``ngettext``, messages from views) is translated at render
time as before.

The result is what Jinja's new-style gettext gives at render time (``app._bound_gettext``):
the translation marked safe and passed through ``% {}``. A template without autoescape,
and any render outside a request (no language), is compiled the ordinary way.
"""
import threading

from flask import has_request_context
from flask.templating import Environment
from flask_babel import get_locale, get_translations
from jinja2.ext import Extension
from jinja2.lexer import Token
from markupsafe import Markup

from .template_calls import RoutineCallContext

#: The names under which templates call the translation function.
_GETTEXT_NAMES = ("_", "gettext")


class TranslatedTemplates(Environment):
    """Flask's template environment, keeping one compiled template per language (and
    calling plain functions the short way, views.template_calls)."""

    context_class = RoutineCallContext

    def __init__(self, app, **options):
        super().__init__(app, **options)
        self.add_extension(FixedTexts)
        self._by_language = {}
        self._compile_lock = threading.Lock()
        #: The translations a compilation in progress folds in (None: fold nothing).
        self.folding = None

    def make_globals(self, d):
        """A template's globals as one plain dictionary (the environment's, then its own).

        Jinja keeps them as a ``ChainMap`` over the environment's, which it turns into a
        set at every render and every include, and compares key by key at every
        ``{% from … import %}`` (about 70 µs each with our 50 globals). A dictionary does
        both at C speed. The difference: a global added to the environment after a
        template was loaded is not seen by it. The application registers every global
        while it is created, before any template loads.
        """
        return {**self.globals, **(d or {})}

    def _load_template(self, name, globals):
        if self.loader is None or not has_request_context():
            return super()._load_template(name, globals)
        locale = get_locale()
        if locale is None:
            return super()._load_template(name, globals)
        key = (str(locale), name)
        template = self._by_language.get(key)
        if template is not None and (not self.auto_reload or template.is_up_to_date):
            if globals:
                template.globals.update(globals)
            return template
        with self._compile_lock:
            self.folding = get_translations()
            try:
                template = self.loader.load(self, name, self.make_globals(globals))
            finally:
                self.folding = None
        self._by_language[key] = template
        return template


class FixedTexts(Extension):
    """Replaces ``_("text")`` by the translated text while a language's template compiles."""

    def filter_stream(self, stream):
        translations = getattr(self.environment, "folding", None)
        autoescape = self.environment.autoescape
        if callable(autoescape):
            autoescape = autoescape(stream.name)
        if translations is None or not autoescape:
            yield from stream
            return
        window = []
        previous = None
        for token in stream:
            window.append(token)
            if len(window) < 4:
                continue
            name, opening, text, closing = window
            if (name.type == "name" and name.value in _GETTEXT_NAMES and opening.type == "lparen"
                    and text.type == "string" and closing.type == "rparen"
                    and (previous is None or previous.type != "dot")):
                folded = _translated(translations, text.value)
                if folded is not None:
                    # ("translated"|safe): a constant Jinja folds; the parentheses keep
                    # any attribute access or filter that follows applying to the whole.
                    lineno = name.lineno
                    yield Token(lineno, "lparen", "(")
                    yield Token(lineno, "string", folded)
                    yield Token(lineno, "pipe", "|")
                    yield Token(lineno, "name", "safe")
                    yield Token(lineno, "rparen", ")")
                    previous = closing
                    window = []
                    continue
            previous = window.pop(0)
            yield previous
        yield from window


def _translated(translations, text):
    """``text`` translated exactly as new-style gettext renders it without placeholders
    (``Markup(…) % {}``, which turns ``%%`` into ``%``), or None where that would fail at
    render time too (which then happens at render time, as before)."""
    try:
        return str(Markup(translations.ugettext(text)) % {})
    except (TypeError, ValueError, KeyError):
        return None
