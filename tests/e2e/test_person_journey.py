"""A front-door officer adds a person using only the keyboard. The duplicate check finds a
record that is nearly the same; they add a new one anyway. Opening the new record is audited,
and their team manager sees it in "Who has looked at this record"."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from alongside.accounts.tests.factories import (
    FrontDoorOfficerFactory,
    OrganisationFactory,
    TalkingPointPractitionerFactory,
    TeamFactory,
    TeamManagerFactory,
)

from .conftest import BrowserSession, sign_in_context
from .test_sign_in_journey import (
    current_code,
    focused,
    focused_description,
    sign_in_with_password,
    tab_to,
)

pytestmark = pytest.mark.browser

STAFF_SERVICE = settings.COUNCIL["staff_service_name"]
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def council(transactional_db):
    return OrganisationFactory(name="City of York Council")


@pytest.fixture
def front_door(york_places, council):
    from alongside.core.models import Ward

    team = TeamFactory(name="York Front Door", organisation=council)
    team.wards.set(Ward.objects.order_by("name")[:2])
    return team


@pytest.fixture
def officer(front_door, council):
    """A front-door officer in the team, with a confirmed authenticator app."""
    user = FrontDoorOfficerFactory(
        email="morgan.hale@example.org",
        full_name="Morgan Hale",
        organisation=council,
        team=front_door,
    )
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


@pytest.fixture
def manager(front_door, council):
    return TeamManagerFactory(
        email="priya.shah@example.org",
        full_name="Priya Shah",
        organisation=council,
        team=front_door,
    )


@pytest.fixture
def john_smith(council):
    """John Smith, born 4 April 1961, whom another team works with: the officer cannot see
    his record, but the duplicate check looks at every record."""
    from alongside.people import services

    talking_points = TeamFactory(name="York Talking Points", organisation=council)
    practitioner = TalkingPointPractitionerFactory(
        email="ash.ng@example.org", full_name="Ash Ng", organisation=council, team=talking_points
    )
    return services.person_create(
        actor=practitioner,
        team=talking_points,
        given_name="John",
        family_name="Smith",
        date_of_birth=datetime.date(1961, 4, 4),
        reason="Booked a Talking Point conversation",
    )


# --- Helpers -------------------------------------------------------------------------------------


def press_enter_on(page: Page, selector: str) -> None:
    """Tab to the element and press Enter (links and buttons both answer Enter)."""
    tab_to(page, selector, limit=80)
    page.keyboard.press("Enter")


def type_after_tab(page: Page, selector: str, text: str) -> None:
    """Press Tab once, check it reached `selector`, and type."""
    page.keyboard.press("Tab")
    assert focused(page, selector), (
        f"Tab should reach {selector}; focus is on {focused_description(page)}"
    )
    page.keyboard.type(text)


def access_log_rows(page: Page) -> list[tuple[str, str]]:
    """(who, what) for each row of the access log, newest first, first line of each."""
    rows = page.evaluate(
        """() => [...document.querySelectorAll('main table tbody tr')].map((row) => {
            const cells = [...row.querySelectorAll('td')].map((td) => td.innerText.trim());
            return [cells[1].split('\\n')[0], cells[2].split('\\n')[0]];
        })"""
    )
    return [(who, what) for who, what in rows]


# --- The journey ---------------------------------------------------------------------------------


def test_officer_adds_a_near_match_as_a_new_record_and_their_manager_sees_the_view(
    browser_session: BrowserSession, page: Page, officer, manager, john_smith
):
    from alongside.core.models import AuditEvent
    from alongside.people.models import Person

    # Sign in: password, then the authenticator code.
    sign_in_with_password(page, officer.email)
    tab_to(page, "input[name=code]")
    page.keyboard.type(current_code(TOTPDevice.objects.get(user=officer)))
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Morgan")

    # People, from the staff menu.
    press_enter_on(page, "nav[aria-label='Staff menu'] a[href$='/staff/people/']")
    page.wait_for_url("**/staff/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.locator("main")).to_contain_text("There are no records you can see yet.")

    # Add a person whose details nearly match John Smith's.
    press_enter_on(page, "main a.govuk-button[href$='/staff/people/new/']")
    page.wait_for_url("**/staff/people/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Their details")
    tab_to(page, "#id_given_name")
    page.keyboard.type("Jon")
    type_after_tab(page, "#id_family_name", "Smyth")
    tab_to(page, "#id_date_of_birth_0")
    page.keyboard.type("4")
    type_after_tab(page, "#id_date_of_birth_1", "4")
    type_after_tab(page, "#id_date_of_birth_2", "1961")
    tab_to(page, "#id_reason", limit=80)
    page.keyboard.type("Phoned the front door: caring for his wife")
    press_enter_on(page, "main form button[type=submit], main form input[type=submit]")

    # The duplicate check: a likely match, with its reasons, tied to the choice.
    page.wait_for_url("**/staff/people/new/check/")
    expect(page).to_have_title(f"Check if they are already on the system – {STAFF_SERVICE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("They may already be on the system")
    summary = page.locator("main .govuk-summary-list")
    expect(summary).to_contain_text("Jon Smyth")
    expect(summary).to_contain_text("4 April 1961")
    expect(summary).to_contain_text("York Front Door")
    expect(page.locator("main")).to_contain_text("We found a record that may be the same person.")
    existing = page.get_by_role("radio", name="Use the record for John Smith")
    new_record = page.get_by_role("radio", name="None of these: add a new record")
    expect(existing).to_have_accessible_description(
        "Born 4 April 1961. Likely the same person (same date of birth, similar name)."
    )
    expect(page.get_by_role("radio")).to_have_count(2)

    # Choose to add a new record: Tab into the radios, arrow to the last, Tab to Continue.
    tab_to(page, "input[name=choice]")
    expect(existing).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(new_record).to_be_focused()
    expect(new_record).to_be_checked()
    expect(existing).not_to_be_checked()
    press_enter_on(page, "main form button[type=submit], main form input[type=submit]")

    # The new person's page.
    page.wait_for_url(re.compile(rf"/staff/people/({UUID})/$"))
    person_pk = re.search(rf"/staff/people/({UUID})/$", page.url).group(1)
    expect(page).to_have_title(f"Jon Smyth – {STAFF_SERVICE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jon Smyth")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Jon Smyth has been added.")
    expect(page.locator("main")).to_contain_text("4 April 1961")
    expect(page.locator("main")).to_contain_text("Phoned the front door: caring for his wife")

    # A new record, not John Smith's: his team alone still works with him.
    jon = Person.objects.get(pk=person_pk)
    assert (jon.given_name, jon.family_name, jon.date_of_birth) == (
        "Jon",
        "Smyth",
        datetime.date(1961, 4, 4),
    )
    assert Person.objects.count() == 2
    assert [i.team.name for i in john_smith.involvements.all()] == ["York Talking Points"]
    assert [i.team.name for i in jon.involvements.all()] == ["York Front Door"]

    # The audit trail: one "view" of the new record by the officer, and John Smith's record
    # recorded as shown to them by the duplicate check (but never opened).
    views = AuditEvent.objects.filter(action="view", person_id=jon.pk)
    assert [(e.actor, e.object_type, e.object_id) for e in views] == [
        (officer, "people.person", str(jon.pk))
    ]
    shown = AuditEvent.objects.filter(person_id=john_smith.pk, actor=officer)
    assert [(e.action, e.reason) for e in shown] == [
        ("search", "Shown as a possible match while adding a person")
    ]

    # Their team manager opens the record, then "Who has looked at this record".
    manager_page = browser_session.new_page()
    sign_in_context(manager_page.context, manager, browser_session.base_url)
    manager_page.goto(f"/staff/people/{jon.pk}/")
    expect(manager_page.get_by_role("heading", level=1)).to_have_text("Jon Smyth")
    press_enter_on(manager_page, "main a[href$='/access-log/']")
    manager_page.wait_for_url(f"**/staff/people/{jon.pk}/access-log/")
    expect(manager_page.get_by_role("heading", level=1)).to_have_text(
        "Who has looked at this record"
    )
    expect(manager_page.locator("main table caption")).to_have_text("4 events")
    assert access_log_rows(manager_page) == [
        ("Priya Shah", "Viewed: record"),
        ("Morgan Hale", "Viewed: record"),
        ("Morgan Hale", "Created: team working with them"),
        ("Morgan Hale", "Created: record"),
    ]
    officer_view = manager_page.locator("main table tbody tr").nth(1)
    expect(officer_view).to_contain_text("City of York Council")
    assert AuditEvent.objects.filter(action="view", person_id=jon.pk).count() == 2
