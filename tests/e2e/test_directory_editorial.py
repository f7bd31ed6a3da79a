"""The directory's editorial workflow in a browser: an editor adds a listing, sees the
plain-English warning and publishes it; a resident suggests a change and an editor accepts
it. The new staff pages meet WCAG 2.2 AA and the residents' pages AAA, as far as axe-core can
tell."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from alongside.accounts.tests.factories import (
    DirectoryEditorFactory,
    OrganisationFactory,
    PartnerFactory,
    TeamFactory,
)
from alongside.directory import services
from alongside.directory.models import Service, Suggestion
from alongside.directory.tests.api_factories import ProviderFactory, PublishedServiceFactory

from .conftest import (
    AXE_TAGS_PUBLIC,
    AXE_TAGS_STAFF,
    BrowserSession,
    axe,
    format_violations,
    sign_in_context,
)

pytestmark = pytest.mark.browser

HARD = (
    "This organisation facilitates a comprehensive programme of intergenerational "
    "activities designed to ameliorate social isolation among residents who may "
    "otherwise experience considerable difficulty accessing community-based "
    "opportunities within the locality and surrounding neighbourhoods of the city."
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor(transactional_db):
    return DirectoryEditorFactory(full_name="Eddie Editor", team=TeamFactory(name="Directory team"))


@pytest.fixture
def provider(transactional_db):
    group = OrganisationFactory(name="Acomb Knitters CIO", kind="vcs")
    return ProviderFactory(name="Acomb Knitters", account_organisation=group)


@pytest.fixture
def listing(provider):
    return PublishedServiceFactory(provider=provider, name="Knit and natter")


def editor_page(session: BrowserSession, user, **options) -> Page:
    page = session.new_page(**options)
    sign_in_context(page.context, user, session.base_url)
    return page


def test_editor_adds_a_listing_sees_the_warning_and_publishes_it(
    browser_session: BrowserSession, editor, provider
):
    page = editor_page(browser_session, editor)
    page.goto("/staff/directory/")
    page.get_by_role("button", name="Add a listing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a listing")

    page.get_by_label("Who runs it?").select_option(label="Acomb Knitters")
    page.get_by_label("Name", exact=True).fill("Intergenerational programme")
    page.get_by_label("Description").fill(f"{HARD} {HARD}")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Intergenerational programme")
    expect(page.locator("[data-plain-english=warning]")).to_contain_text(
        "This description may be hard to read: 2 sentences have more than 25 words"
    )
    page.get_by_role("link", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish this listing")
    expect(page.locator("[data-plain-english=warning]")).to_be_visible()
    page.get_by_label("Note for the history (optional)").fill("Checked with the organiser")
    page.get_by_role("button", name="Publish").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The listing has been published."
    )
    service = Service.objects.get(name="Intergenerational programme")
    assert service.state == Service.State.PUBLISHED
    assert service.last_checked_at is not None

    page.get_by_role("link", name="Change history").click()
    expect(page.locator("main")).to_contain_text("Checked with the organiser")
    expect(page.locator("main")).to_contain_text("Eddie Editor")


def test_a_resident_suggests_a_change_and_an_editor_accepts_it(
    browser_session: BrowserSession, editor, listing
):
    resident = browser_session.new_page()
    resident.goto(f"/directory/listings/{listing.pk}/suggest/")
    expect(resident.get_by_role("heading", level=1)).to_have_text("Suggest a change")
    resident.get_by_label("What needs to change?").fill("The group meets on Thursdays now.")
    resident.get_by_label("Your name (optional)").fill("Ruth")
    resident.get_by_role("button", name="Send").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    suggestion = Suggestion.objects.get()
    assert suggestion.status == Suggestion.Status.OPEN

    page = editor_page(browser_session, editor)
    page.goto("/staff/directory/queues/suggested-changes/")
    page.get_by_role("link", name="Knit and natter").click()
    expect(page.locator("main")).to_contain_text("The group meets on Thursdays now.")
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept this suggestion")
    page.get_by_label("Note for the history (optional)").fill("Changed the schedule")
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The suggestion has been accepted."
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ACCEPTED
    assert suggestion.decided_by == editor


# --- Accessibility -------------------------------------------------------------------------------


def _submit(button: str) -> Callable[[Page], None]:
    def then(page: Page) -> None:
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    return then


def _check_all(session: BrowserSession, pages: list, who, tags: list[str]) -> None:
    problems = []
    for path, h1, then in pages:
        page = (
            editor_page(session, who, bypass_csp=True) if who else session.new_page(bypass_csp=True)
        )
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response.status}"
        if then:
            then(page)
        expect(page.get_by_role("heading", level=1)).to_have_text(h1)
        violations = axe(page, tags)
        if violations:
            problems.append(format_violations(violations, f"{path} ({h1})"))
        page.context.close()
        session.contexts.remove(page.context)
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def test_staff_directory_pages_meet_wcag_aa(browser_session: BrowserSession, editor, listing):
    hard = PublishedServiceFactory(provider=listing.provider, name="Hard words", description=HARD)
    services.listing_update(actor=editor, service=hard, summary="Changed summary")
    change = services.suggestion_resident_change(service=listing, message="Wrong day")
    new = services.suggestion_resident_new(group_name="Haxby Walkers", description="We walk.")
    pages = [
        ("/staff/directory/", "Directory listings", None),
        ("/staff/directory/queues/review-due/", "Review due", None),
        ("/staff/directory/queues/suggested-changes/", "Suggested changes", None),
        ("/staff/directory/queues/new-listings/", "New from partners and residents", None),
        ("/staff/directory/listings/new/", "Add a listing", None),
        ("/staff/directory/listings/new/", "Add a listing", _submit("Save")),
        (f"/staff/directory/listings/{hard.pk}/", "Hard words", None),
        (f"/staff/directory/listings/{hard.pk}/edit/", "Change Hard words", None),
        (f"/staff/directory/listings/{hard.pk}/preview/", "Hard words", None),
        (f"/staff/directory/listings/{hard.pk}/history/", "Change history", None),
        (f"/staff/directory/listings/{hard.pk}/checked/", "Mark as checked", None),
        (f"/staff/directory/listings/{hard.pk}/archive/", "Archive this listing", None),
        (
            f"/staff/directory/suggestions/{change.pk}/",
            "Change to a listing from member of the public",
            None,
        ),
        (f"/staff/directory/suggestions/{new.pk}/", "New listing from member of the public", None),
        (f"/staff/directory/suggestions/{change.pk}/accept/", "Accept this suggestion", None),
        (
            f"/staff/directory/suggestions/{change.pk}/reject/",
            "Do not accept this suggestion",
            _submit("Do not accept"),
        ),
    ]
    _check_all(browser_session, pages, editor, AXE_TAGS_STAFF)


def test_partner_pages_meet_wcag_aa(browser_session: BrowserSession, listing):
    partner = PartnerFactory(
        full_name="Pat Partner", organisation=listing.provider.account_organisation
    )
    pages = [
        ("/staff/directory/partner/", "Your listings", None),
        ("/staff/directory/partner/new/", "Add a listing", _submit("Send to an editor")),
        (f"/staff/directory/partner/{listing.pk}/update/", "Update Knit and natter", None),
    ]
    _check_all(browser_session, pages, partner, AXE_TAGS_STAFF)


def test_residents_pages_meet_wcag_aaa(browser_session: BrowserSession, listing):
    suggest = f"/directory/listings/{listing.pk}/suggest/"
    pages = [
        (suggest, "Suggest a change", None),
        (suggest, "Suggest a change", _submit("Send")),
        (f"{suggest}sent/", "Thank you for telling us", None),
        ("/directory/add-your-group/", "Add your group", None),
        ("/directory/add-your-group/", "Add your group", _submit("Send")),
        ("/directory/add-your-group/sent/", "Thank you for telling us about the group", None),
    ]
    _check_all(browser_session, pages, None, AXE_TAGS_PUBLIC)
