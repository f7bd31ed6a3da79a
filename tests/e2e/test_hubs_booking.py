"""Booking a Talking Point in the browser (issue 5): a front-door officer books for a person
in a few clicks, and a resident books online, then opens the link from the confirmation.
Every public page meets WCAG AAA as far as axe-core can tell."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from alongside.core.models import Ward
from alongside.hubs.models import Booking
from alongside.hubs.tests.factories import (
    front_door_team,
    hub_team,
    make_hub,
    make_session,
    make_slot,
    officer,
)
from alongside.hubs.tokens import make_token
from alongside.people.tests.factories import person_for_team

from .conftest import (
    AXE_TAGS_PUBLIC,
    AXE_TAGS_STAFF,
    BrowserSession,
    axe,
    format_violations,
    sign_in_context,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def hub(york_places):
    cache.clear()
    acomb = Ward.objects.get(name="Acomb")
    hub = make_hub(team=hub_team("Talking Points West"), ward=acomb, name="Acomb Explore Library")
    session = make_session(hub)
    for day in (2, 3, 9):
        make_slot(session, days_ahead=day)
    return hub


def _check(page: Page, tags: list[str]) -> None:
    violations = axe(page, tags)
    assert not violations, format_violations(violations, page.url)


def test_front_door_officer_books_for_a_person(browser_session: BrowserSession, hub):
    team = front_door_team()
    fay = officer(team, full_name="Fay Frontdoor")
    ada = person_for_team(team, given_name="Ada", family_name="Lovelace", email="ada@example.org")
    page = browser_session.new_page(bypass_csp=True)
    sign_in_context(page.context, fay, browser_session.base_url)

    page.goto(f"/staff/talking-points/book/?person={ada.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a Talking Point")
    _check(page, AXE_TAGS_STAFF)
    page.get_by_role("button", name=re.compile(r"^Book .* at Acomb Explore Library")).first.click()

    expect(page.get_by_text("Booked for")).to_be_visible()
    expect(page.get_by_role("cell", name="Email")).to_be_visible()
    _check(page, AXE_TAGS_STAFF)
    assert Booking.objects.get().person_id == ada.pk


def test_resident_books_online_and_manages_the_booking(browser_session: BrowserSession, hub):
    # A form with errors answers 400, and an out-of-date link 410: both on purpose.
    browser_session.problems.allow(r"status of 400")
    browser_session.problems.allow(r"status of 410")
    page = browser_session.new_page(bypass_csp=True)
    page.goto("/talking-points/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a Talking Point")
    _check(page, AXE_TAGS_PUBLIC)

    page.get_by_label("Where would you like to go?").select_option(label="Acomb Explore Library")
    page.get_by_label("Step-free access").check()
    page.get_by_role("button", name="Show free times").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    _check(page, AXE_TAGS_PUBLIC)
    page.get_by_role("link", name=re.compile("at Acomb Explore Library")).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    _check(page, AXE_TAGS_PUBLIC)
    page.get_by_role("button", name="Book this time").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _check(page, AXE_TAGS_PUBLIC)

    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Postcode").fill("YO24 3AB")
    page.get_by_label("Email address (optional)").fill("ada@example.org")
    page.get_by_role("button", name="Book this time").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your Talking Point is booked")
    _check(page, AXE_TAGS_PUBLIC)
    booking = Booking.objects.get()
    assert booking.channel == "online"

    page.get_by_role("link", name="Cancel or change your booking").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your Talking Point")
    _check(page, AXE_TAGS_PUBLIC)
    page.get_by_role("link", name="Choose another time").click()
    _check(page, AXE_TAGS_PUBLIC)
    page.get_by_role("button", name=re.compile(r"^\d")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your Talking Point is booked")
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.rebooked_as_id

    stale = make_token("manage", booking.pk, 1)
    page.goto(f"/talking-points/booking/{stale}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    _check(page, AXE_TAGS_PUBLIC)
