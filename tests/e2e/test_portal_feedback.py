"""'Is this page useful?' in a browser: a resident rates a listing by keyboard alone, the pages
meet WCAG (AAA where axe can tell on public pages, AA for the editors' page), an editor
decides on the comment, and a listing prints without the site's header and footer."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from alongside.accounts.tests.factories import DirectoryEditorFactory
from alongside.directory.tests.api_factories import (
    LocationFactory,
    ProviderFactory,
    PublishedServiceFactory,
    ServiceAtLocationFactory,
)
from alongside.portal import feedback
from alongside.portal.models import Rating

from .conftest import (
    AXE_TAGS_PUBLIC,
    AXE_TAGS_STAFF,
    BrowserSession,
    assert_no_axe_violations,
    sign_in_context,
)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listing(transactional_db):
    service = PublishedServiceFactory(
        name="Knit and Natter",
        provider=ProviderFactory(name="Acomb Knitters"),
        description="Bring your knitting and have a chat. Tea and cake provided.",
        url="https://knitters.example.org/natter",
    )
    ServiceAtLocationFactory(service=service, location=LocationFactory(name="Acomb Library"))
    return service


@pytest.fixture
def editor(transactional_db):
    return DirectoryEditorFactory(full_name="Eddie Editor")


def tab_to(page: Page, element_id: str, most: int = 60) -> None:
    """Press Tab until the element with this id has focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} could not be reached with the Tab key")


def test_a_resident_rates_a_listing_by_keyboard_alone(page: Page, listing):
    page.goto(f"/listings/{listing.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Knit and Natter")
    expect(page.get_by_role("heading", name="Is this page useful?")).to_be_visible()

    tab_to(page, "rating-stars-1")
    page.keyboard.press("Space")
    for _ in range(3):  # arrow keys move through the scores: 1 → 4
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("4 stars – Useful")).to_be_checked()

    page.keyboard.press("Tab")
    expect(page.get_by_label("Tell us more (optional)")).to_be_focused()
    page.keyboard.type("Friendly group. The room was hard to find.")
    expect(page.locator(".govuk-character-count__status")).to_contain_text(
        "You have 1,958 characters remaining"
    )
    page.keyboard.press("Tab")  # past the hidden field robots fill in, to the button
    expect(page.get_by_role("button", name="Send your rating")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your rating")
    rating = Rating.objects.get()
    assert (rating.stars, rating.comment) == (4, "Friendly group. The room was hard to find.")
    assert rating.state == Rating.State.PENDING


def test_the_rating_form_and_thanks_page_pass_axe(axe_page: Page, listing):
    axe_page.goto(f"/listings/{listing.pk}/rate/")
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Is this page useful?")
    assert_no_axe_violations(axe_page, AXE_TAGS_PUBLIC)

    # With errors: the summary, the messages, and what was typed kept.
    axe_page.get_by_label("Tell us more (optional)").fill("The bus times are wrong.")
    axe_page.get_by_role("button", name="Send your rating").click()
    summary = axe_page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select how useful this page is")
    expect(summary).to_be_focused()
    expect(axe_page.get_by_label("Tell us more (optional)")).to_have_value(
        "The bus times are wrong."
    )
    assert_no_axe_violations(axe_page, AXE_TAGS_PUBLIC)
    summary.get_by_role("link", name="Select how useful this page is").click()
    expect(axe_page.get_by_label("1 star – Not at all useful")).to_be_focused()

    axe_page.get_by_label("5 stars – Very useful").check()
    axe_page.get_by_role("button", name="Send your rating").click()
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Thank you for your rating")
    assert_no_axe_violations(axe_page, AXE_TAGS_PUBLIC)
    assert Rating.objects.get().stars == 5


def test_the_rating_form_works_without_javascript(browser_session: BrowserSession, listing):
    page = browser_session.new_page(java_script_enabled=False)
    page.goto(f"/listings/{listing.pk}/rate/")
    page.get_by_label("2 stars – Not very useful").check()
    page.get_by_role("button", name="Send your rating").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your rating")
    assert Rating.objects.get().stars == 2


def test_an_editor_decides_on_comments_and_the_page_passes_axe(
    browser_session: BrowserSession, editor, listing
):
    feedback.rating_create(service=listing, stars=5)
    kind = feedback.rating_create(service=listing, stars=4, comment="Lovely, warm people.")
    feedback.rating_create(service=listing, stars=1, comment="Buy cheap watches here")
    page = browser_session.new_page(bypass_csp=True)
    sign_in_context(page.context, editor, browser_session.base_url)

    page.goto("/staff/feedback/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ratings and comments")
    expect(page.get_by_role("heading", name="Comments waiting (2)")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Knit and Natter")
    expect(row).to_contain_text("3.3")
    assert_no_axe_violations(page, AXE_TAGS_STAFF)

    spam = page.locator(".app-rating-card").filter(has_text="Buy cheap watches")
    spam.get_by_role("button", name="Reject").click()  # no reason chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select why you are rejecting this comment"
    )
    assert_no_axe_violations(page, AXE_TAGS_STAFF)
    spam = page.locator(".app-rating-card").filter(has_text="Buy cheap watches")
    spam.get_by_label("Spam or advertising").check()
    spam.get_by_role("button", name="Reject").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Comment about Knit and Natter rejected."
    )

    page.locator(".app-rating-card").filter(has_text="Lovely, warm people.").get_by_role(
        "button", name="Accept"
    ).click()
    expect(page.get_by_role("heading", name="Comments waiting (0)")).to_be_visible()
    kind.refresh_from_db()
    assert kind.state == Rating.State.ACCEPTED
    assert kind.moderated_by == editor

    page.get_by_role("link", name="1 accepted comment about Knit and Natter").click()
    expect(page.get_by_role("heading", name="Comments about Knit and Natter")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Lovely, warm people.")
    assert_no_axe_violations(page, AXE_TAGS_STAFF)


def test_a_listing_prints_without_the_header_footer_and_forms(page: Page, listing):
    page.goto(f"/listings/{listing.pk}/")
    expect(page.locator("header[role=banner]")).to_be_visible()
    expect(page.locator("footer")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator("header[role=banner]")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.locator(".govuk-phase-banner")).to_be_hidden()
    expect(page.locator(".govuk-skip-link")).to_be_hidden()
    expect(page.locator(".app-rating")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knit and Natter")
    expect(page.locator("main")).to_contain_text("Bring your knitting")

    styles = page.evaluate(
        """() => {
            const body = getComputedStyle(document.body);
            const link = document.querySelector('main a[href^="https://knitters"]');
            return {
                size: body.fontSize,
                colour: getComputedStyle(document.querySelector("main p")).color,
                after: link ? getComputedStyle(link, "::after").content : null,
            };
        }"""
    )
    assert styles["size"] == "16px"  # 12pt
    assert styles["colour"] == "rgb(0, 0, 0)"
    assert styles["after"] == '" (https://knitters.example.org/natter)"'

    page.emulate_media(media="screen")
    expect(page.locator("header[role=banner]")).to_be_visible()
