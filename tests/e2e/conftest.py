"""Browser tests: headless Chromium driven by Playwright against pytest-django's live server.

Run with `pytest -m browser` after `node frontend/build.mjs` (the pages load the built
app.css and app.js). Every test here is marked `browser` so `pytest -m "not browser"` skips them.

What every test gets for free:

- `page` fails the test when the page logs a console error (Chromium reports Content Security
  Policy violations as console errors) or throws an uncaught exception.
- Live-server tests are transactional: the database is flushed after each test. We request
  serialized rollback so the reference data created by data migrations (the staff roles and
  their permissions, programmes) is restored before each test; York's places are not in that
  snapshot, so fixtures that need them call `load_york_places` themselves.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

# Playwright's sync API runs an asyncio event loop in this thread; Django would otherwise refuse
# to touch the database from "async" code (our fixtures create users while the browser is open).
# Django reads this when a query runs, so setting it here, before any test, is enough.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ALONGSIDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the test machine runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_CANDIDATES = [ROOT / "node_modules/axe-core/axe.min.js", ROOT / "var/axe.min.js"]
STATIC_BUILD = ROOT / "src/alongside/core/static/alongside/app.css"

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

# axe-core rule tags. Staff pages meet WCAG 2.2 AA; public pages also aim for AAA.
AXE_TAGS_STAFF = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_TAGS_PUBLIC = [*AXE_TAGS_STAFF, "wcag2aaa"]

DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/e2e drives a browser: mark it, so `-m "not browser"` skips it
    even if a new module forgets its `pytestmark`."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


# --- Browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not STATIC_BUILD.exists():
        pytest.fail(
            f"{STATIC_BUILD.relative_to(ROOT)} is missing: run `node frontend/build.mjs` first."
        )
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _restore_reference_data(django_db_serialized_rollback: None) -> None:
    """Bring back the roles, permissions and programmes that data migrations created, which
    the live server's flush after the previous test removed."""


@pytest.fixture(scope="session", autouse=True)
def _serialized_contents_survive_playwright(django_db_setup) -> Iterator[None]:
    """Let serialized rollback find the snapshot once Playwright is running.

    Django keeps database connections in an asgiref `Local(thread_critical=True)`: plain
    thread-local storage while no event loop runs, context-variable storage once one does.
    Playwright's sync API runs an event loop in this thread, so after it starts the tests see
    a new `connections["default"]` object, not the one `setup_databases` hung the snapshot
    (`_test_serialized_contents`) on, and `TransactionTestCase._fixture_setup` quietly skips
    the restore: the second test onwards finds no roles. Both objects open the same in-memory
    database, so putting the snapshot on the wrapper class lets every one of them restore it.
    This runs before Playwright starts (autouse session fixtures come first in their scope).
    """
    from django.db import connections

    patched = []
    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        wrapper_class = type(connection)
        if contents is not None and "_test_serialized_contents" not in vars(wrapper_class):
            wrapper_class._test_serialized_contents = contents
            patched.append(wrapper_class)
    yield
    for wrapper_class in patched:
        del wrapper_class._test_serialized_contents


@pytest.fixture(autouse=True)
def _live_server_requests_finish() -> Iterator[None]:
    """After each test (and after `browser_session` closed its contexts), wait for the live
    server's request threads to finish. Each closes its database connection as it ends; if
    the session's last one is still running when the live server stops, it finds the shared
    in-memory connection no longer shareable and raises in its thread (a
    PytestUnhandledThreadExceptionWarning). Closing a context ends its threads in
    milliseconds."""
    yield
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=2)


@dataclass
class PageProblems:
    """What a page reported that it should not have: console errors (including CSP
    violations) and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Expect a console error matching `pattern` (a regular expression), for example the
        "Failed to load resource: ... 404" Chromium logs when a page is served with status 404."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


def _watch(page: Page, problems: PageProblems) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location or {}
            where = location.get("url", "")
            problems.errors.append(f"console error: {message.text} ({where})")

    def on_page_error(error: PlaywrightError) -> None:
        problems.errors.append(f"uncaught exception: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)


@dataclass
class BrowserSession:
    """Makes contexts on demand for one test and closes them all afterwards. Every page it
    makes is watched for console errors and uncaught exceptions, and its requests recorded."""

    browser: Browser
    base_url: str
    problems: PageProblems
    contexts: list[BrowserContext] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL any of its pages asked for

    def new_page(self, **context_options: object) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, locale="en-GB", **context_options
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.on("request", lambda request: self.requests.append(request.url))
        self.contexts.append(context)
        page = context.new_page()
        _watch(page, self.problems)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def browser_session(browser: Browser, live_server, page_problems) -> Iterator[BrowserSession]:
    session = BrowserSession(browser=browser, base_url=live_server.url, problems=page_problems)
    yield session
    session.close()


@pytest.fixture
def page(browser_session: BrowserSession) -> Page:
    """A page in a fresh context (no cookies), with the site's CSP enforced. Relative URLs in
    `page.goto` resolve against the live server."""
    return browser_session.new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test (not its teardown) when any watched page reported a problem."""
    result = yield
    problems = getattr(item, "funcargs", {}).get("page_problems")
    if problems is not None:
        unexpected = problems.unexpected()
        if unexpected:
            pytest.fail("The page reported problems:\n  " + "\n  ".join(unexpected), False)
    return result


# --- Signing in without the browser ----------------------------------------------------------


def sign_in_context(context: BrowserContext, user, base_url: str) -> None:
    """Give a browser context a signed-in session for `user`, as if they had signed in (no
    second factor: the test settings do not require one for users without a device)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def load_york_places() -> None:
    """York's wards, small areas and neighbourhoods; safe to run again."""
    call_command("load_york_places", verbosity=0, stdout=io.StringIO())


@pytest.fixture
def york_places(transactional_db) -> None:
    """York's places, reloaded after the previous test's flush removed them."""
    load_york_places()


# --- axe-core ----------------------------------------------------------------------------------


def _axe_source_path() -> Path:
    for candidate in AXE_CANDIDATES:
        if candidate.exists():
            return candidate
    pytest.fail("axe-core is missing: run `npm ci` (and `node frontend/build.mjs`).")


def axe(page: Page, tags: list[str] | None = None) -> list[dict]:
    """Run axe-core on the page as it is now and return its violations.

    `page.add_script_tag(path=...)` inlines the file into a <script> element, which the
    site's Content Security Policy (script-src 'self', nothing inline) rightly blocks, so pages
    checked with axe must come from a context made with `bypass_csp=True` (the `axe_page`
    fixture). Only that context bypasses the CSP; every other page in these tests enforces it.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(_axe_source_path()))
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                tags: v.tags,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(" "),
                    html: n.html,
                    summary: n.failureSummary,
                })),
            }));
        }""",
        tags or AXE_TAGS_STAFF,
    )


def format_violations(violations: list[dict], where: str = "") -> str:
    place = f" on {where}" if where else ""
    lines = [f"axe found {len(violations)} accessibility violation(s){place}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            if node.get("summary"):
                for summary_line in node["summary"].splitlines():
                    lines.append(f"        {summary_line}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, tags: list[str] | None = None) -> None:
    violations = axe(page, tags)
    if violations:
        pytest.fail(format_violations(violations, page.url), pytrace=False)


@pytest.fixture
def axe_page(browser_session: BrowserSession) -> Page:
    """A page whose context bypasses the CSP, only so that axe-core can be injected.
    Console errors and exceptions still fail the test."""
    return browser_session.new_page(bypass_csp=True)


# --- Hosts -------------------------------------------------------------------------------------


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.hostname in LOCAL_HOSTS
