"""The Live Well journey the portal exists for (issue 4), in Chromium against the real server:
a resident searches "lonely" in their ward, narrows it to free things on Tuesdays, opens a
listing, puts it and another in My list, downloads the large-print booklet, rates the listing,
and an editor finds the rating."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from alongside.accounts.tests.factories import DirectoryEditorFactory
from alongside.directory.models import TaxonomyTerm
from alongside.directory.search import index
from alongside.directory.tests.api_factories import (
    LocationFactory,
    PublishedServiceFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
)
from alongside.directory.tests.conftest import little  # noqa: F401
from alongside.portal.models import Rating

from .conftest import BrowserSession, sign_in_context

pytestmark = pytest.mark.browser


@pytest.fixture
def directory(york_places, little):  # noqa: F811
    """The small test directory, plus one free Tuesday group for lonely people in Acomb."""
    from alongside.core.models import Ward

    cache.clear()  # rate limits from other tests
    tea = PublishedServiceFactory(
        name="Tuesday Tea and Chat",
        description="Come for a cup of tea and a chat with friendly people. It is free.",
        summary="",
        is_free=True,
    )
    tea.terms.set(
        [TaxonomyTerm.objects.get(taxonomy__code="needs", code="loneliness-and-isolation")]
    )
    venue = LocationFactory(name="Acomb Explore Library", ward=Ward.objects.get(name="Acomb"))
    ScheduleFactory(
        service=tea,
        service_at_location=ServiceAtLocationFactory(service=tea, location=venue),
        byday="TU",
        dtstart=dt.date(2026, 1, 6),
        opens_at=dt.time(14, 0),
        closes_at=dt.time(16, 0),
    )
    index.rebuild_all()
    return {"tea": tea, **little}


def test_search_filter_list_booklet_rate_and_the_editor_sees_it(
    page: Page, browser_session: BrowserSession, directory
):
    tea, lunch = directory["tea"], directory["lunch"]

    # Search from the home page.
    page.goto("/")
    page.get_by_label("What are you looking for?").fill("lonely")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="results for ‘lonely’")).to_be_visible()

    # In a ward, free, on Tuesdays.
    page.locator("summary", has_text="Where").click()
    page.get_by_label("Area").select_option(label="Acomb")
    page.locator("summary", has_text="Cost").click()
    page.get_by_label("Free only").check()
    page.locator("summary", has_text="Day").first.click()
    page.get_by_label("Tuesday").check()
    page.get_by_role("button", name="Apply filters").click()
    for part in ("q=lonely", "free=yes", "day=tue", "area="):
        assert part in page.url, f"{part} should be in the shareable address {page.url}"
    expect(page.get_by_role("heading", name="1 result for ‘lonely’")).to_be_visible()

    # Open the listing and keep it.
    page.get_by_role("link", name="Tuesday Tea and Chat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuesday Tea and Chat")
    expect(page.locator("main")).to_contain_text("Every Tuesday")
    page.get_by_role("button", name="Add to My list").click()
    expect(page.get_by_role("button", name="Remove from My list")).to_be_visible()

    # And another.
    page.goto(f"/listings/{lunch.pk}/")
    page.get_by_role("button", name="Add to My list").click()

    # The large-print booklet holds both.
    page.goto("/my-list/")
    items = page.get_by_role("list", name="Things in my list")
    expect(items).to_contain_text("Tuesday Tea and Chat")
    expect(items).to_contain_text("Friday Lunch Club")
    page.get_by_label("Large print").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the booklet (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "my-list-large-print.pdf"
    pdf = open(download.path(), "rb").read()  # noqa: SIM115 - read at once
    assert pdf.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Tuesday Tea and Chat" in text and "Friday Lunch Club" in text

    # Rate the listing.
    page.goto(f"/listings/{tea.pk}/")
    five = page.locator("#rating-stars-5")
    expect(five).to_have_accessible_name("5 stars – Very useful")
    five.check()
    page.get_by_role("button", name="Send your rating").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert Rating.objects.filter(service=tea, stars=5).count() == 1

    # An editor finds it.
    editor_page = browser_session.new_page()
    sign_in_context(editor_page.context, DirectoryEditorFactory(), browser_session.base_url)
    editor_page.goto("/staff/feedback/")
    row = editor_page.get_by_role("row").filter(has_text="Tuesday Tea and Chat")
    expect(row).to_contain_text("5")
    expect(row).to_contain_text("1")
