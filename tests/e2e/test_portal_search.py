"""Finding things in Chromium: the home and results pages meet WCAG 2.2 AAA as far as axe-core
can tell, a search works by keyboard alone, the map draws itself when JavaScript runs (and
stays out of the way of keyboards and screen readers), and nothing is fetched from anywhere
but our own server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from alongside.directory.tests.conftest import little  # noqa: F401  (a fixture)

from .conftest import AXE_TAGS_PUBLIC, BrowserSession, assert_no_axe_violations, is_local

pytestmark = pytest.mark.browser

ACOMB = (53.9560, -1.1260)
NEAR_ACOMB = f"lat={ACOMB[0]}&lng={ACOMB[1]}&sort=distance"


@pytest.fixture
def directory(york_places, little):  # noqa: F811
    """The directory's small test directory, in the live server's database (York's places
    first: the live server's flush removed them)."""
    return little


def focused(page: Page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def wait_for_map(page: Page) -> None:
    expect(page.locator("#results-map.leaflet-container")).to_be_visible()


PAGES = [
    ("home", "/", None),
    ("results", "/search/?q=lonely", "2 results for ‘lonely’"),
    ("results-near", f"/search/?{NEAR_ACOMB}", "5 results"),
    ("no-results", "/search/?q=walk&day=sat", "0 results for ‘walk’"),
    ("bad-parameters", "/search/?area=nowhere&age=old", None),
    ("near-me-error", "/near-me/?postcode=nonsense", None),
]


@pytest.mark.parametrize(("path", "count"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_pages_pass_axe_aaa(browser_session: BrowserSession, directory, path, count):
    # bypass_csp only so axe-core can be injected (see conftest.axe).
    page = browser_session.new_page(bypass_csp=True)
    page.goto(path)
    if count:
        expect(page.locator("#results-count")).to_have_text(count)
    if page.locator("[data-map-marker]").count():
        wait_for_map(page)  # check the map's markup too
    assert_no_axe_violations(page, AXE_TAGS_PUBLIC)


def test_search_and_filter_by_keyboard_alone(page: Page, directory):
    page.goto("/")
    tab_to(page, "input#q")
    page.keyboard.type("lonely")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=lonely$"))
    expect(page.locator("#results-count")).to_have_text("2 results for ‘lonely’")

    # Sort by keyboard: the search is kept.
    tab_to(page, "select#sort")
    page.keyboard.press("ArrowDown")  # a closed select changes its value with the arrows
    tab_to(page, "button.app-sort__button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=soonest"))
    assert "q=lonely" in page.url
    expect(page.locator(".app-result h3 a")).to_have_text(
        ["Friday Lunch Club", "Telephone Befriending"]
    )

    # Open the "Cost" filters, tick "Free only" and apply: all by keyboard.
    tab_to(page, "details:has(#free) > summary")
    page.keyboard.press("Enter")
    tab_to(page, "input#free")
    page.keyboard.press("Space")
    expect(page.locator("input#free")).to_be_checked()
    tab_to(page, ".app-filters .govuk-button-group button")  # Apply filters
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"free=yes"))
    assert "sort=soonest" in page.url
    expect(page.locator("#results-count")).to_have_text("1 result for ‘lonely’")
    expect(page.locator(".app-result h3 a")).to_have_text(["Telephone Befriending"])

    # The result's link and its "Add to My list" button are next in line; the map is never.
    tab_to(page, ".app-result h3 a")
    page.keyboard.press("Tab")
    assert focused(page, "button.app-result__add"), "Add to My list should follow the link"


def test_the_map_draws_the_results_when_javascript_runs(
    page: Page, browser_session: BrowserSession, directory
):
    page.goto(f"/search/?q=lonely&{NEAR_ACOMB}")
    wait_for_map(page)
    results = page.locator("[data-map-marker]")
    expect(results).to_have_count(2)
    markers = page.locator("#results-map .app-map__marker")
    expect(markers).to_have_count(2)
    expect(markers.first).to_have_text("1")
    expect(page.locator("#results-map .app-map__here")).to_have_count(1)  # where "you" are

    # Hidden from screen readers, and nothing in it can take keyboard focus.
    expect(page.locator("#results-map")).to_have_attribute("aria-hidden", "true")
    focusable = page.evaluate(
        """() => [...document.querySelectorAll('#results-map *, #results-map')]
            .filter((el) => el.tabIndex >= 0 && (el.matches('a, button, input, [tabindex]')))
            .map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert focusable == []

    # A marker's popup links to its listing.
    markers.first.click()
    first = results.first
    link = page.locator("#results-map .leaflet-popup-content a")
    expect(link).to_have_text(first.get_attribute("data-name"))
    expect(link).to_have_attribute("href", first.get_attribute("data-href"))
    expect(link).to_have_attribute("tabindex", "-1")

    # With no tile server set, the background is the wards' outlines from our own server;
    # no request leaves this server.
    outlines = page.locator("#results-map").get_attribute("data-outlines-url")
    assert outlines
    page.wait_for_load_state("networkidle")
    assert any(url.endswith(outlines) for url in browser_session.requests)
    expect(
        page.locator("#results-map .leaflet-overlay-pane path:not(.app-map__here)")
    ).to_have_count(21)
    elsewhere = [url for url in browser_session.requests if not is_local(url)]
    assert not elsewhere, "Requests left the server:\n  " + "\n  ".join(elsewhere)
    assert not any("tile" in url for url in browser_session.requests)


def test_without_javascript_the_list_is_the_page(browser_session: BrowserSession, directory):
    page = browser_session.new_page(java_script_enabled=False)
    page.goto(f"/search/?q=lonely&{NEAR_ACOMB}")
    expect(page.locator("#results-count")).to_have_text("2 results for ‘lonely’")
    expect(page.locator(".app-result h3 a")).to_have_count(2)
    expect(page.locator("#results-map")).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile("^Add to My list"))).to_have_count(2)
    # Filters still work: they are a plain GET form.
    page.locator("details:has(#free) > summary").click()
    page.locator("input#free").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"free=yes"))
    expect(page.locator(".app-result h3 a")).to_have_text(["Telephone Befriending"])
    # "Use my location" needs JavaScript, so it is not offered.
    page.goto("/")
    expect(page.get_by_role("button", name="Use my location")).to_be_hidden()


def test_use_my_location_finds_what_is_nearest(browser_session: BrowserSession, directory):
    page = browser_session.new_page(
        geolocation={"latitude": ACOMB[0], "longitude": ACOMB[1]}, permissions=["geolocation"]
    )
    page.goto("/")
    button = page.get_by_role("button", name="Use my location")
    expect(button).to_be_visible()
    button.click()
    page.wait_for_url(re.compile(r"/search/\?lat=53\.956\d*&lng=-1\.126\d*&sort=distance"))
    expect(page.locator("main")).to_contain_text("Your location is in Acomb ward.")
    expect(page.locator(".app-result h3 a").first).to_have_text("Acomb Health Walk")


def test_near_me_by_postcode_keeps_a_bad_postcode(page: Page, directory):
    page.goto("/")
    page.get_by_label("Postcode").fill("YO1 9ZZ")
    page.get_by_role("button", name="Find places near this postcode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find things near you")
    expect(page.locator(".govuk-error-summary")).to_contain_text("We do not know the postcode")
    expect(page.get_by_label("Postcode")).to_have_value("YO1 9ZZ")
