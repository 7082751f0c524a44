"""End-to-end tests in Debian's Chromium, driven by Playwright (sync API).

`playwright install` cannot download browsers on our machines, so the
browser is always the system one (`apt-get install chromium`, done by
.ci/run).  Without it the tests are skipped locally and fail under CI.

Fixtures provided here:

* ``app_config``  -- config overrides merged by tests/conftest.py's ``app``.
* ``browser``     -- one headless Chromium for the whole session.
* ``live_server`` -- the ``app`` fixture served on 127.0.0.1:<free port>;
                     ``live_server.url`` is e.g. "http://127.0.0.1:43211".
* ``page_factory``-- ``page_factory("cs-CZ")`` -> a Page in a fresh browser
                     context whose locale (and so Accept-Language) is
                     "cs-CZ"; its base_url is the live server, so
                     ``page.goto("/")`` works.
* ``page``        -- ``page_factory("en-GB")``.
* ``assert_no_axe_violations`` -- ``assert_no_axe_violations(page)`` runs
                     axe-core on the current page and fails with a readable
                     list of violations.
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

BROWSER_DIR = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

DEFAULT_LOCALE = "en-GB"
# Chromium on a 2-core machine: generous, but far below pytest's patience.
DEFAULT_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected item of the session, not just ours.
    marker = pytest.mark.browser
    for item in items:
        if BROWSER_DIR in Path(item.path).resolve().parents:
            item.add_marker(marker)


@pytest.fixture
def app_config():
    """Overrides merged into the app config by tests/conftest.py's ``app``."""
    return {"WTF_CSRF_ENABLED": True}


def _chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if not executable:
        message = (
            "Debian's chromium is not installed (apt-get install chromium); "
            "browser tests need it"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class LiveServer:
    url: str
    host: str
    port: int


@pytest.fixture
def live_server(app):
    """Serve ``app`` (from tests/conftest.py) in a daemon thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, name="live-server", daemon=True
    )
    thread.start()
    host, port = "127.0.0.1", server.server_port
    try:
        yield LiveServer(url=f"http://{host}:{port}", host=host, port=port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def page_factory(browser, live_server):
    """``page_factory(locale, **context_options)`` -> new Page in a new context."""
    contexts = []

    def make_page(locale: str = DEFAULT_LOCALE, **context_options):
        context_options.setdefault("base_url", live_server.url)
        context = browser.new_context(locale=locale, **context_options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_factory):
    return page_factory(DEFAULT_LOCALE)


_axe = Axe()


def format_axe_violations(violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe violation(s):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact') or 'n/a'}]: "
            f"{violation.get('help', '')} ({violation.get('helpUrl', '')})"
        )
        for node in violation.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}")
            html = (node.get("html") or "").replace("\n", " ")
            if html:
                lines.append(f"       {html[:200]}")
            summary = (node.get("failureSummary") or "").strip()
            for summary_line in summary.splitlines():
                lines.append(f"       {summary_line.strip()}")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, context=None, options=None) -> None:
    """Run axe-core on the page's current DOM; fail listing any violations.

    ``context``/``options`` are passed to ``axe.run`` (see axe-core docs),
    e.g. ``options={"rules": {"color-contrast": {"enabled": False}}}``.
    """
    run_options = {"resultTypes": ["violations"]}
    if options:
        run_options.update(options)
    results = _axe.run(page, context=context, options=run_options)
    violations = results.response["violations"]
    if violations:
        pytest.fail(
            f"{page.url}\n{format_axe_violations(violations)}", pytrace=False
        )


@pytest.fixture(name="assert_no_axe_violations")
def assert_no_axe_violations_fixture():
    """The ``assert_no_axe_violations(page)`` helper, as a fixture."""
    return assert_no_axe_violations
