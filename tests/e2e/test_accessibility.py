"""Every page meets WCAG (AA for staff pages, AAA where axe can check it on public pages), works
without JavaScript, and loads nothing from anywhere but our own server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from alongside.accounts.tests.factories import AnalystFactory, FrontDoorOfficerFactory, TeamFactory

from .conftest import (
    AXE_TAGS_PUBLIC,
    AXE_TAGS_STAFF,
    BrowserSession,
    PageProblems,
    assert_no_axe_violations,
    is_local,
    load_york_places,
    sign_in_context,
)

pytestmark = pytest.mark.browser

PUBLIC_SERVICE = settings.COUNCIL["public_service_name"]
STAFF_SERVICE = settings.COUNCIL["staff_service_name"]


# --- Who is looking ------------------------------------------------------------------------------


def officer_in_a_team():
    from alongside.core.models import Ward

    load_york_places()  # the team covers real wards, which the staff home lists
    team = TeamFactory(name="York Front Door")
    team.wards.set(Ward.objects.order_by("name")[:2])
    return FrontDoorOfficerFactory(full_name="Morgan Hale", team=team)


def officer_with_authenticator():
    user = FrontDoorOfficerFactory(full_name="Morgan Hale")
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


def analyst():
    return AnalystFactory(full_name="Ash Patel")


# --- The pages -----------------------------------------------------------------------------------


def submit_empty(page: Page) -> None:
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


@dataclass(frozen=True)
class PageUnderTest:
    id: str
    path: str
    h1: str
    public: bool
    status: int = 200
    user: Callable | None = None  # makes the signed-in user; None for anonymous
    then: Callable[[Page], None] | None = None  # what to do after the page loads

    @property
    def axe_tags(self) -> list[str]:
        return AXE_TAGS_PUBLIC if self.public else AXE_TAGS_STAFF


PAGES = [
    PageUnderTest("sign-in", "/staff/sign-in/", f"Sign in to {STAFF_SERVICE}", public=False),
    PageUnderTest(
        "sign-in-errors",
        "/staff/sign-in/",
        f"Sign in to {STAFF_SERVICE}",
        public=False,
        then=submit_empty,
    ),
    PageUnderTest(
        "code",
        "/staff/sign-in/code/",
        "Enter your security code",
        public=False,
        user=officer_with_authenticator,
    ),
    PageUnderTest("staff-home", "/staff/", "Hello, Morgan", public=False, user=officer_in_a_team),
    PageUnderTest(
        "account", "/staff/account/", "Your account", public=False, user=officer_in_a_team
    ),
    PageUnderTest(
        "403",
        "/staff/admin/users/",
        "You cannot see this page",
        public=False,
        status=403,
        user=analyst,
    ),
    PageUnderTest("404", "/no-such-page/", "Page not found", public=True, status=404),
    PageUnderTest("home", "/", PUBLIC_SERVICE, public=True),
    PageUnderTest("accessibility", "/accessibility/", "Accessibility statement", public=True),
    PageUnderTest("privacy", "/privacy/", "Privacy notice", public=True),
    PageUnderTest("cookies", "/cookies/", "Cookies", public=True),
]


def open_page(
    session: BrowserSession, problems: PageProblems, spec: PageUnderTest, **context_options
) -> Page:
    """Open the page as its user in a new context, and check it came back as expected."""
    page = session.new_page(**context_options)
    if spec.status >= 400:
        # Chromium logs an error for any response with an error status, the page itself
        # included. That one is expected; anything else still fails the test.
        problems.allow(
            rf"Failed to load resource: the server responded with a status of {spec.status}\b.*"
            rf"\({session.base_url}{spec.path}\)$"
        )
    if spec.user:
        sign_in_context(page.context, spec.user(), session.base_url)
    response = page.goto(spec.path)
    assert response is not None
    assert response.status == spec.status, f"{spec.path} answered {response.status}"
    if spec.then:
        spec.then(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(spec.h1)
    return page


# --- Tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", PAGES, ids=[p.id for p in PAGES])
def test_axe_finds_no_violations(browser_session, page_problems, spec: PageUnderTest):
    # bypass_csp only so axe-core can be injected: see conftest.axe. The other tests here load
    # the same pages with the CSP enforced.
    page = open_page(browser_session, page_problems, spec, bypass_csp=True)
    assert_no_axe_violations(page, spec.axe_tags)


@pytest.mark.parametrize("spec", PAGES, ids=[p.id for p in PAGES])
def test_works_without_javascript(browser_session, page_problems, spec: PageUnderTest):
    page = open_page(browser_session, page_problems, spec, java_script_enabled=False)
    expect(page.locator("body")).not_to_have_class("js-enabled")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The stylesheet still loads and applies.
    assert page.evaluate(
        """() => [...document.styleSheets].some(
            (sheet) => (sheet.href || "").endsWith("/static/alongside/app.css")
                && sheet.cssRules.length > 0
        )"""
    ), "app.css did not load"


@pytest.mark.parametrize("spec", PAGES, ids=[p.id for p in PAGES])
def test_loads_nothing_from_elsewhere_and_keeps_to_its_csp(
    browser_session, page_problems, spec: PageUnderTest
):
    """With JavaScript on and the CSP enforced: every request stays on this server, and the
    page logs no errors (a CSP violation would be one, and `page_problems` fails the test)."""
    page = open_page(browser_session, page_problems, spec)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => document.body.classList.contains('js-enabled')"), (
        "app.js did not run"
    )
    requests = browser_session.requests
    assert any(url.endswith("/static/alongside/app.js") for url in requests), requests
    elsewhere = [url for url in requests if not is_local(url)]
    assert not elsewhere, "Requests left the server:\n  " + "\n  ".join(elsewhere)


def test_console_errors_and_csp_violations_are_caught(page: Page, page_problems: PageProblems):
    """The guard the other tests rely on: the site's CSP refuses inline script, Chromium logs
    that as a console error, and `page_problems` sees it (it would fail the test)."""
    page.goto("/")
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        page.add_script_tag(content="document.body.dataset.inline = 'ran'")
    assert page.evaluate("() => document.body.dataset.inline") is None
    page.evaluate("() => console.error('something broke')")
    page.wait_for_timeout(100)  # console events arrive asynchronously
    unexpected = page_problems.unexpected()
    assert any("Content Security Policy" in e for e in unexpected), unexpected
    assert any("something broke" in e for e in unexpected), unexpected
    page_problems.errors.clear()  # seen and expected: let this test pass
