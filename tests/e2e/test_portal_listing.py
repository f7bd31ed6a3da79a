"""A listing's page and What's on in a browser: both meet WCAG 2.2 AAA as far as axe-core can
tell, work by keyboard alone and without JavaScript, keep to the site's Content Security
Policy (the structured data block carries its nonce) and load nothing from elsewhere."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alongside.accounts.tests.factories import TeamFactory
from alongside.core.models import Ward
from alongside.directory.models import Service
from alongside.directory.search import index
from alongside.directory.taxonomies import taxonomies_load
from alongside.directory.tests.api_factories import (
    AccessibilityFeatureFactory,
    AddressFactory,
    ContactFactory,
    LocationFactory,
    PhoneFactory,
    PublishedServiceFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
)

from .conftest import AXE_TAGS_PUBLIC, BrowserSession, assert_no_axe_violations, is_local

pytestmark = pytest.mark.browser


@pytest.fixture
def listings(york_places) -> dict[str, Service]:
    """A weekly lunch club and a one-off fair in Acomb, dated from today, and indexed."""
    taxonomies_load()
    today = timezone.localdate()
    acomb = Ward.objects.get(name="Acomb")
    hall = LocationFactory(name="Acomb Explore Library", ward=acomb)
    AddressFactory(location=hall, address_1="Front Street", postal_code="YO24 3BZ")
    AccessibilityFeatureFactory(location=hall, feature="step_free")
    AccessibilityFeatureFactory(location=hall, feature="hearing_loop", details="")
    team = TeamFactory(name="Live Well York editors")
    lunch = PublishedServiceFactory(
        name="Friday Lunch Club",
        summary="A hot lunch and good company, every Friday.",
        description="A two-course lunch cooked by volunteers.\n\nCome alone or bring a friend.",
        fees="£4 for lunch",
        last_checked_at=today - dt.timedelta(days=30),
        last_checked_by=team,
    )
    ScheduleFactory(
        service=lunch,
        service_at_location=ServiceAtLocationFactory(service=lunch, location=hall),
        byday="FR",
        dtstart=today - dt.timedelta(days=60),
        opens_at=dt.time(12),
        closes_at=dt.time(14),
        skip_bank_holidays=True,
    )
    person = ContactFactory(service=lunch, name="Sam", title="Organiser")
    PhoneFactory(contact=person)
    PhoneFactory(service=lunch)
    fair = PublishedServiceFactory(
        name="Winter Fair", kind=Service.Kind.EVENT, is_free=True, summary="Stalls and music."
    )
    ServiceAtLocationFactory(service=fair, location=hall)
    ScheduleFactory(service=fair, freq="", byday="", dtstart=today, opens_at=dt.time(11))
    index.rebuild_all(today=today)
    return {"lunch": lunch, "fair": fair}


def listing_path(service: Service) -> str:
    return f"/listings/{service.pk}/"


def test_the_listing_page_meets_wcag_aaa(axe_page: Page, listings):
    axe_page.goto(listing_path(listings["lunch"]))
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Friday Lunch Club")
    assert_no_axe_violations(axe_page, AXE_TAGS_PUBLIC)


def test_an_event_page_meets_wcag_aaa(axe_page: Page, listings):
    axe_page.goto(listing_path(listings["fair"]))
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Winter Fair")
    assert_no_axe_violations(axe_page, AXE_TAGS_PUBLIC)


@pytest.mark.parametrize(
    "query", ["", "?show=all", "?ward=nowhere"], ids=["events", "all", "error"]
)
def test_whats_on_meets_wcag_aaa(browser_session: BrowserSession, listings, query):
    if query == "?ward=nowhere":
        browser_session.problems.allow(r"status of 400")
    page = browser_session.new_page(bypass_csp=True)
    page.goto(f"/whats-on/{query}")
    expect(page.get_by_role("heading", level=1)).to_have_text("What’s on")
    assert_no_axe_violations(page, AXE_TAGS_PUBLIC)


def test_the_listing_page_keeps_to_its_csp_and_to_this_server(
    page: Page, browser_session: BrowserSession, listings
):
    """With the CSP enforced, the structured data is allowed by its nonce (a refused script
    would be a console error, which fails the test) and parses as schema.org data."""
    page.goto(listing_path(listings["fair"]))
    page.wait_for_load_state("networkidle")
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@graph"][0]["@type"] == "Event"
    assert page.evaluate("() => document.body.classList.contains('js-enabled')")
    elsewhere = [url for url in browser_session.requests if not is_local(url)]
    assert not elsewhere, elsewhere


def test_the_listing_page_works_by_keyboard(page: Page, listings):
    lunch = listings["lunch"]
    page.goto(listing_path(lunch))
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        name = page.evaluate(
            "() => (document.activeElement.innerText || document.activeElement.value || '').trim()"
        )
        reached.append(name)
        if name.startswith("Add to my calendar"):
            break
    assert reached[0] == "Skip to main content"
    assert any(name.startswith("Add to My list") for name in reached), reached
    # The focused link shows where focus is (GOV.UK's yellow focus style).
    background = page.evaluate("() => getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 221, 0)"
    # Enter on the calendar link downloads the listing's calendar.
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "friday-lunch-club.ics"
    with open(download.value.path(), "rb") as calendar:
        assert calendar.read().startswith(b"BEGIN:VCALENDAR\r\n")


def test_whats_on_works_by_keyboard(page: Page, listings):
    page.goto("/whats-on/")
    page.get_by_label("Week", exact=True).focus()
    page.keyboard.press("ArrowDown")  # next week
    page.get_by_label("Events, activities and groups").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Show what’s on").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/whats-on/?week=*show=all*")
    expect(page.locator("h2#week-heading")).not_to_contain_text("This week")
    expect(page.get_by_label("Events, activities and groups")).to_be_checked()


@pytest.mark.parametrize("which", ["lunch", "fair"])
def test_the_listing_page_works_without_javascript(
    browser_session: BrowserSession, listings, which
):
    page = browser_session.new_page(java_script_enabled=False)
    page.goto(listing_path(listings[which]))
    expect(page.locator("body")).not_to_have_class("js-enabled")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Map of the area")).to_be_visible()
    expect(page.get_by_role("button", name="Add to My list")).to_be_visible()


def test_whats_on_works_without_javascript(browser_session: BrowserSession, listings):
    page = browser_session.new_page(java_script_enabled=False)
    page.goto("/whats-on/")
    expect(page.get_by_role("link", name="Winter Fair")).to_be_visible()
    page.get_by_label("Events, activities and groups").check()
    page.get_by_role("button", name="Show what’s on").click()
    page.wait_for_url("**/whats-on/?*show=all*")
    expect(page.get_by_role("link", name="Friday Lunch Club").first).to_be_visible()
    page.get_by_role("link", name="Winter Fair").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Winter Fair")


def test_add_to_my_list_works_without_javascript(browser_session: BrowserSession, listings):
    """The button sits outside its form (joined by form="…"): without JavaScript it still
    sends the form, and My list brings the visitor back here."""
    page = browser_session.new_page(java_script_enabled=False)
    page.goto(listing_path(listings["lunch"]))
    page.get_by_role("button", name="Add to My list").click()
    page.wait_for_url(f"**{listing_path(listings['lunch'])}")
    expect(page.get_by_text("This is in your list.")).to_be_visible()
    page.get_by_role("button", name="Remove from My list").click()
    page.wait_for_url(f"**{listing_path(listings['lunch'])}")
    expect(page.get_by_role("button", name="Add to My list")).to_be_visible()
