"""Every staff administration and people page meets WCAG 2.2 AA as far as axe-core can tell,
works without JavaScript, and keeps to its Content Security Policy with JavaScript on.

Each page is opened as the member of staff who would use it (an administrator, a front-door
officer in a team, or that team's manager), in the state worth checking: forms with their
errors showing, a search with results, the duplicate check with a likely match.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from alongside.accounts.models import Organisation, Team, User
from alongside.accounts.tests.factories import (
    AdministratorFactory,
    FrontDoorOfficerFactory,
    OrganisationFactory,
    TeamFactory,
    TeamManagerFactory,
)
from alongside.core.models import Neighbourhood
from alongside.people.models import Consent, Person

from .conftest import (
    AXE_TAGS_STAFF,
    BrowserSession,
    PageProblems,
    assert_no_axe_violations,
    is_local,
    sign_in_context,
)

pytestmark = pytest.mark.browser

STAFF_SERVICE = settings.COUNCIL["staff_service_name"]
JOHN_BORN = datetime.date(1961, 4, 4)


# --- Who and what is on the system ---------------------------------------------------------------


@dataclass
class Office:
    """A front-door team at the council, its people, and the records it works with."""

    council: Organisation
    partner: Organisation
    team: Team
    administrator: User
    officer: User
    manager: User
    officer_without_team: User
    john: Person  # John Smith, born 4 April 1961: the record a new "Jon Smyth" nearly matches
    joan: Person  # Joan Smith: another record the team works with, found by searching "Smith"
    consent: Consent
    neighbourhood: Neighbourhood


@pytest.fixture
def office(york_places) -> Office:
    from alongside.accounts.models import Programme
    from alongside.core.models import Ward
    from alongside.people import services

    council = OrganisationFactory(name="City of York Council")
    partner = OrganisationFactory(name="York CVS", kind="vcs")
    team = TeamFactory(name="York Front Door", organisation=council, email="frontdoor@example.org")
    team.wards.set(Ward.objects.order_by("name")[:2])
    team.programmes.set(Programme.objects.filter(code="front_door"))
    administrator = AdministratorFactory(
        full_name="Alex Reed", email="alex.reed@example.org", organisation=council
    )
    officer = FrontDoorOfficerFactory(
        full_name="Morgan Hale", email="morgan.hale@example.org", organisation=council, team=team
    )
    manager = TeamManagerFactory(
        full_name="Priya Shah", email="priya.shah@example.org", organisation=council, team=team
    )
    officer_without_team = FrontDoorOfficerFactory(
        full_name="Sam Cole", email="sam.cole@example.org", organisation=council
    )
    john = services.person_create(
        actor=officer,
        team=team,
        given_name="John",
        family_name="Smith",
        date_of_birth=JOHN_BORN,
        reason="Phoned the front door about help at home",
        address_line_1="1 Main Street",
        town="York",
        phone="01904 000000",
    )
    joan = services.person_create(
        actor=officer,
        team=team,
        given_name="Joan",
        family_name="Smith",
        date_of_birth=datetime.date(1970, 1, 1),
        reason="Asked about lunch clubs",
    )
    consent = services.consent_record(
        actor=officer,
        person=john,
        purpose=Consent.Purpose.SHARE_PARTNERS,
        agreed="Happy for the CVS to see my details",
        given_at=datetime.date(2025, 3, 27),
        shared_with=[partner],
    )
    services.person_record_view(actor=officer, person=john)
    neighbourhood = Neighbourhood.objects.order_by("name").first()
    assert neighbourhood is not None, "load_york_places made no neighbourhoods"
    return Office(
        council=council,
        partner=partner,
        team=team,
        administrator=administrator,
        officer=officer,
        manager=manager,
        officer_without_team=officer_without_team,
        john=john,
        joan=joan,
        consent=consent,
        neighbourhood=neighbourhood,
    )


# --- What to do on a page once it has loaded -----------------------------------------------------


def expect_error_summary(page: Page, *messages: str) -> None:
    """The page shows "There is a problem" with these messages (at least), in its title too,
    and every link in the summary goes to something on the page."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    for message in messages:
        expect(summary.get_by_role("link", name=message, exact=True)).to_be_visible()
    broken = page.evaluate(
        """() => [...document.querySelectorAll('.govuk-error-summary a[href^="#"]')]
            .filter((a) => !document.getElementById(a.getAttribute('href').slice(1)))
            .map((a) => `${a.textContent.trim()} -> ${a.getAttribute('href')}`)"""
    )
    assert not broken, f"error summary links to nothing: {broken}"


def submit(label: str, *messages: str) -> Callable[[Page, Office], None]:
    """Press the form's button without filling anything in, and expect these errors."""

    def then(page: Page, office: Office) -> None:
        page.get_by_role("button", name=label, exact=True).click()
        page.wait_for_load_state()
        expect_error_summary(page, *messages)

    return then


def shows(*texts: str) -> Callable[[Page, Office], None]:
    def then(page: Page, office: Office) -> None:
        main = page.locator("main")
        for text in texts:
            expect(main).to_contain_text(text)

    return then


def audit_search_with_impossible_date(page: Page, office: Office) -> None:
    date_from = page.get_by_role("group", name="Date from")
    date_from.get_by_label("Day").fill("31")
    date_from.get_by_label("Month").fill("2")
    date_from.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    expect_error_summary(page, "Date from must be a real date")
    expect(page.locator("main")).to_contain_text("Correct the search to see events.")


def add_jon_smyth(page: Page, office: Office) -> None:
    """Type details that nearly match John Smith's, so the duplicate check stops to ask."""
    page.get_by_label("First name", exact=True).fill("Jon")
    page.get_by_label("Last name", exact=True).fill("Smyth")
    born = page.get_by_role("group", name="Date of birth (optional)")
    born.get_by_label("Day").fill("4")
    born.get_by_label("Month").fill("4")
    born.get_by_label("Year").fill("1961")
    page.get_by_label("Why is your team working with this person?").fill("Phoned about a carer")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url("**/staff/people/new/check/")
    match = page.get_by_role("radio", name="Use the record for John Smith")
    expect(match).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "Born 4 April 1961. Likely the same person (same date of birth, similar name)."
    )
    expect(page.get_by_role("radio", name="None of these: add a new record")).to_be_visible()
    expect(page.locator("main")).to_contain_text("We found a record that may be the same person.")


# --- The pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffPage:
    id: str
    who: str  # an attribute of Office: the member of staff opening the page
    path: Callable[[Office], str]
    h1: Callable[[Office], str]
    then: Callable[[Page, Office], None] | None = None


def fixed(text: str) -> Callable[[Office], str]:
    return lambda office: text


def person_page(suffix: str = "", person: str = "john") -> Callable[[Office], str]:
    return lambda office: f"/staff/people/{getattr(office, person).pk}/{suffix}"


ADMIN_PAGES = [
    StaffPage(
        "users",
        "administrator",
        fixed("/staff/admin/users/?q=Hale"),
        fixed("Users"),
        shows("1 user", "Morgan Hale", "morgan.hale@example.org", "Front-door officer"),
    ),
    StaffPage(
        "user-create-errors",
        "administrator",
        fixed("/staff/admin/users/new/"),
        fixed("Add a user"),
        submit(
            "Add user",
            "Enter their email address",
            "Enter their full name",
            "Select the organisation they work for",
            "Enter a password for them",
            "Enter the password again",
        ),
    ),
    StaffPage(
        "user-detail",
        "administrator",
        lambda o: f"/staff/admin/users/{o.officer.pk}/",
        fixed("Morgan Hale"),
        shows("morgan.hale@example.org", "Front-door officer", "York Front Door"),
    ),
    StaffPage(
        "user-edit",
        "administrator",
        lambda o: f"/staff/admin/users/{o.officer.pk}/edit/",
        fixed("Change Morgan Hale"),
        shows("Details, roles and teams", "Account status", "Password"),
    ),
    StaffPage(
        "teams",
        "administrator",
        fixed("/staff/admin/teams/"),
        fixed("Teams"),
        shows("York Front Door", "Front door"),
    ),
    StaffPage(
        "team-create", "administrator", fixed("/staff/admin/teams/new/"), fixed("Add a team")
    ),
    StaffPage(
        "team-create-errors",
        "administrator",
        fixed("/staff/admin/teams/new/"),
        fixed("Add a team"),
        submit("Add team"),
    ),
    StaffPage(
        "team-detail",
        "administrator",
        lambda o: f"/staff/admin/teams/{o.team.pk}/",
        fixed("York Front Door"),
        shows("Morgan Hale", "Priya Shah", "frontdoor@example.org"),
    ),
    StaffPage(
        "team-edit",
        "administrator",
        lambda o: f"/staff/admin/teams/{o.team.pk}/edit/",
        fixed("Change York Front Door"),
    ),
    StaffPage(
        "organisations",
        "administrator",
        fixed("/staff/admin/organisations/"),
        fixed("Organisations"),
        shows("City of York Council", "York CVS"),
    ),
    StaffPage(
        "organisation-create",
        "administrator",
        fixed("/staff/admin/organisations/new/"),
        fixed("Add an organisation"),
    ),
    StaffPage(
        "organisation-create-errors",
        "administrator",
        fixed("/staff/admin/organisations/new/"),
        fixed("Add an organisation"),
        submit("Add organisation"),
    ),
    StaffPage(
        "organisation-edit",
        "administrator",
        lambda o: f"/staff/admin/organisations/{o.council.pk}/edit/",
        fixed("Change City of York Council"),
    ),
    StaffPage(
        "roles",
        "administrator",
        fixed("/staff/admin/roles/"),
        fixed("Roles"),
        shows("Administrator", "Front-door officer", "Team manager"),
    ),
    StaffPage(
        "neighbourhoods",
        "administrator",
        fixed("/staff/admin/neighbourhoods/"),
        fixed("Neighbourhoods"),
        lambda page, o: shows(o.neighbourhood.name)(page, o),
    ),
    StaffPage(
        "neighbourhood-edit",
        "administrator",
        lambda o: f"/staff/admin/neighbourhoods/{o.neighbourhood.pk}/edit/",
        lambda o: f"Change {o.neighbourhood.name}",
    ),
    StaffPage(
        "audit-log-errors",
        "administrator",
        fixed("/staff/audit/"),
        fixed("Audit log"),
        audit_search_with_impossible_date,
    ),
]

PEOPLE_PAGES = [
    StaffPage(
        "people-search",
        "officer",
        fixed("/staff/people/?q=Smith"),
        fixed("People"),
        shows("2 people found for ‘Smith’", "Smith, John", "Smith, Joan", "4 Apr 1961"),
    ),
    StaffPage(
        "person-create-errors",
        "officer",
        fixed("/staff/people/new/"),
        fixed("Their details"),
        submit(
            "Continue",
            "Enter a first name",
            "Enter a last name",
            "Enter why your team is working with this person",
        ),
    ),
    StaffPage(
        "person-create-likely-match",
        "officer",
        fixed("/staff/people/new/"),
        fixed("They may already be on the system"),
        add_jon_smyth,
    ),
    StaffPage(
        "person-create-no-details",
        "officer",
        fixed("/staff/people/new/check/"),
        fixed("There are no details to check"),
    ),
    StaffPage(
        "person-create-no-team",
        "officer_without_team",
        fixed("/staff/people/new/"),
        fixed("You need to be in a team to add a person"),
    ),
    StaffPage(
        "person-detail",
        "officer",
        person_page(),
        fixed("John Smith"),
        shows(
            "4 April 1961",
            "Sharing with partner organisations",
            "York CVS",
            "York Front Door",
            "Phoned the front door about help at home",
        ),
    ),
    StaffPage(
        "person-edit",
        "officer",
        person_page("edit/"),
        fixed("Change details"),
        lambda page, o: expect(page.get_by_label("First name", exact=True)).to_have_value("John"),
    ),
    StaffPage("consent-add", "officer", person_page("consents/new/"), fixed("Record a consent")),
    StaffPage(
        "consent-withdraw",
        "officer",
        lambda o: f"/staff/people/{o.john.pk}/consents/{o.consent.pk}/withdraw/",
        fixed("Withdraw consent: sharing with partner organisations"),
        shows("Happy for the CVS to see my details"),
    ),
    StaffPage(
        "person-link",
        "officer",
        person_page("link/?q=Smith"),
        fixed("Link to another record"),
        lambda page, o: expect(page.get_by_role("radio", name="Joan Smith")).to_be_visible(),
    ),
    StaffPage(
        "access-log",
        "manager",
        person_page("access-log/"),
        fixed("Who has looked at this record"),
        shows("Morgan Hale", "Viewed: record", "City of York Council"),
    ),
    StaffPage(
        "export-json",
        "manager",
        person_page("export/json/"),
        fixed("Export everything held (JSON)"),
    ),
    StaffPage(
        "export-pdf",
        "manager",
        person_page("export/pdf/"),
        fixed("Export everything held (PDF)"),
    ),
    StaffPage("archive", "manager", person_page("archive/"), fixed("Archive this record")),
    StaffPage(
        "erase",
        "administrator",
        person_page("erase/"),
        fixed("Erase this record"),
        shows("Erasing cannot be undone."),
    ),
]

PAGES = ADMIN_PAGES + PEOPLE_PAGES
IDS = [p.id for p in PAGES]


def open_page(session: BrowserSession, office: Office, spec: StaffPage, **context_options) -> Page:
    """Open the page as its member of staff in a new context and bring it to the state
    under test."""
    page = session.new_page(**context_options)
    sign_in_context(page.context, getattr(office, spec.who), session.base_url)
    path = spec.path(office)
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    assert page.url.endswith(path), f"{path} went to {page.url}"
    if spec.then:
        spec.then(page, office)
    expect(page.get_by_role("heading", level=1)).to_have_text(spec.h1(office))
    return page


# --- Tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", PAGES, ids=IDS)
def test_axe_finds_no_violations(browser_session, office, spec: StaffPage):
    # bypass_csp only so axe-core can be injected: see conftest.axe. The CSP test below
    # loads the same pages with it enforced.
    page = open_page(browser_session, office, spec, bypass_csp=True)
    assert_no_axe_violations(page, AXE_TAGS_STAFF)


@pytest.mark.parametrize("spec", PAGES, ids=IDS)
def test_works_without_javascript(browser_session, office, spec: StaffPage):
    page = open_page(browser_session, office, spec, java_script_enabled=False)
    expect(page.locator("body")).not_to_have_class("js-enabled")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).to_have_title(re.compile(rf".+ – {re.escape(STAFF_SERVICE)}$"))


@pytest.mark.parametrize("spec", PAGES, ids=IDS)
def test_keeps_to_its_csp_with_javascript_on(
    browser_session, page_problems: PageProblems, office, spec: StaffPage
):
    """Every request stays on this server and the page logs no errors (a CSP violation
    would be one, and `page_problems` fails the test)."""
    page = open_page(browser_session, office, spec)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => document.body.classList.contains('js-enabled')"), (
        "app.js did not run"
    )
    elsewhere = [url for url in browser_session.requests if not is_local(url)]
    assert not elsewhere, "Requests left the server:\n  " + "\n  ".join(elsewhere)
