"""A week of Local Area Coordination in Chromium against the real server (issue 6).

A coordinator in the team covering Acomb records an introduction for someone her team works
with, reaches them, moves to Level 2, writes down the good-life conversation and a shared
agreement (and downloads it for the person), connects them to a group from the directory,
records a gap, a 45-minute visit with a safeguarding concern and a grant request. Her manager
approves the grant and finds the concern. She closes the support in the person's words. A
coordinator from another team cannot open it; an analyst sees only rounded figures.

Everything after the setup happens through the pages, as staff would do it. A second test
records an introduction, changes the status and adds a contact with JavaScript off.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from alongside.accounts import roles
from alongside.accounts.models import Team, User
from alongside.casework.models import Contact, Episode
from alongside.casework.tests.factories import coordinator, lac_team, manager
from alongside.core.models import Ward
from alongside.directory.search import index
from alongside.directory.taxonomies import taxonomies_load
from alongside.directory.tests.api_factories import (
    LocationFactory,
    PublishedServiceFactory,
    ServiceAtLocationFactory,
)
from alongside.grants import services as grant_services
from alongside.grants.models import Award, Fund
from alongside.people.models import Person
from alongside.people.tests.factories import make_staff, person_for_team

from .conftest import BrowserSession, PageProblems, sign_in_context

pytestmark = pytest.mark.browser

GOAL = "I want to get out of the house and meet people who like gardening"
OUTCOME = "I go to the walking group every Tuesday and I have made two friends there."


@dataclass
class Week:
    """Who and what exists before the coordinator starts."""

    west: Team
    lena: User  # Local Area Coordinator in the west team (Acomb, Westfield)
    morgan: User  # the west team's manager
    erin: User  # a coordinator in the east team (Heworth)
    analyst: User
    margaret: Person  # someone the west team works with, not yet introduced
    fund: Fund
    acomb: Ward


@pytest.fixture
def week(york_places) -> Week:
    wards = {w.name: w for w in Ward.objects.filter(name__in=["Acomb", "Westfield", "Heworth"])}
    west = lac_team(wards["Acomb"], wards["Westfield"], name="LAC West")
    east = lac_team(wards["Heworth"], name="LAC East")
    lena = coordinator(west, full_name="Lena Coordinator")
    morgan = manager(west, full_name="Morgan Manager")
    erin = coordinator(east, full_name="Erin Eastcoordinator")
    analyst = make_staff(roles.ANALYST, full_name="Ana Analyst")
    margaret = person_for_team(
        west,
        given_name="Margaret",
        family_name="Hall",
        date_of_birth=dt.date(1950, 3, 27),
        ward=wards["Acomb"],
    )
    today = timezone.localdate()
    fund = grant_services.fund_create(
        actor=morgan,
        name="Opportunities Fund",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=335),
        budget=Decimal("1000"),
        max_award=Decimal("150"),
    )
    # The directory: the needs (for gaps) and one published walking group in Acomb.
    taxonomies_load()
    walk = PublishedServiceFactory(
        name="Acomb Tuesday Walking Group",
        description="A friendly walk around Acomb, about an hour, with a cup of tea after.",
        summary="",
    )
    ServiceAtLocationFactory(
        service=walk, location=LocationFactory(name="Acomb Green", ward=wards["Acomb"])
    )
    index.rebuild_all()
    return Week(
        west=west,
        lena=lena,
        morgan=morgan,
        erin=erin,
        analyst=analyst,
        margaret=margaret,
        fund=fund,
        acomb=wards["Acomb"],
    )


def signed_in(session: BrowserSession, user: User, **context_options) -> Page:
    page = session.new_page(**context_options)
    sign_in_context(page.context, user, session.base_url)
    return page


def hidden_suffix(shown: str, hidden: str) -> re.Pattern[str]:
    """The accessible name of a link or button ending in visually hidden text: Chromium puts a
    space before the hidden part (it is positioned absolutely), so allow one."""
    return re.compile(rf"^{re.escape(shown)}\s*{re.escape(hidden.strip())}$")


def expect_h1(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def expect_success(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def section(page: Page, name: str) -> None:
    """Follow a link in the episode's section navigation."""
    page.get_by_role("navigation", name="Parts of this person's support").get_by_role(
        "link", name=name, exact=True
    ).click()


def record_introduction(page: Page, week: Week) -> None:
    """Find Margaret by name on the introduction page and record her GP's introduction."""
    page.goto("/staff/casework/introductions/new/")
    expect_h1(page, "Who has been introduced?")
    page.get_by_label("Search by name, NHS number, postcode or date of birth").fill("Hall")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="1 record found for ‘Hall’")).to_be_visible()
    page.get_by_role(
        "link", name=hidden_suffix("Hall, Margaret", ": record an introduction")
    ).click()
    expect_h1(page, "Record an introduction")
    page.get_by_role("radio", name="GP practice", exact=True).check()
    # "Other" is not used, so its question stays empty.
    expect(page.get_by_role("radio", name="Other", exact=True).first).not_to_be_checked()
    page.get_by_role("checkbox", name="Loneliness or isolation").check()
    page.get_by_role("checkbox", name="Poverty and money").check()
    page.get_by_label("Which ward do they live in?").select_option(label="Acomb")
    page.get_by_label("What did the introducer tell us? (optional)").fill(
        "Dr Patel says Margaret has not been out since her husband died."
    )
    page.get_by_role("button", name="Record the introduction").click()
    expect_h1(page, "Overview")
    expect_success(page, "Lena Coordinator will walk alongside")


def change_status(page: Page, to: str) -> None:
    """From the overview, follow "Change to <to>" and confirm it."""
    page.get_by_role("link", name=f"Change to {to}", exact=True).click()
    expect_h1(page, "Change the status")
    expect(page.get_by_role("radio", name=to.capitalize())).to_be_checked()
    page.get_by_role("button", name="Change status").click()


def add_concerning_visit(page: Page) -> None:
    """A 45-minute visit with a safeguarding concern that needs a manager today."""
    page.get_by_role("button", name="Add a contact").or_(
        page.get_by_role("link", name="Add a contact")
    ).click()
    expect_h1(page, "Add a contact")
    page.get_by_role("radio", name="Visit", exact=True).check()
    page.get_by_label("Time spent, in minutes").fill("45")
    page.get_by_label("What happened?").fill(
        "Visited at home. Her son has been taking her pension and she is frightened of him."
    )
    page.get_by_role("checkbox", name="There is a safeguarding concern").check()
    page.get_by_role("radio", name="Talk to a manager today").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect_h1(page, "Timeline")
    expect_success(page, "The contact has been added to the timeline.")


def test_a_week_of_walking_alongside(
    browser_session: BrowserSession, page_problems: PageProblems, week: Week
):
    page = signed_in(browser_session, week.lena)

    # An introduction from her GP, for isolation and money, in Acomb.
    record_introduction(page, week)
    episode = Episode.objects.get(person=week.margaret)
    assert page.url.endswith(f"/staff/casework/episodes/{episode.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("GP practice")
    expect(main).to_contain_text("Loneliness or isolation")
    expect(main).to_contain_text("Poverty and money")
    expect(main).to_contain_text("Acomb")
    assert episode.introduction.source == "gp" and episode.introduction.source_other == ""

    # She reaches Margaret, then starts walking alongside her.
    change_status(page, "contacted")
    expect_success(page, "The status is now contacted.")
    change_status(page, "active")
    expect_success(page, "The status is now active.")

    # Level 2, with a reason.
    page.get_by_role("link", name="Change level").click()
    expect_h1(page, "Change the level")
    page.get_by_role("radio", name="Level 2: ongoing support with a shared agreement").check()
    page.get_by_label("Why is the level changing?").fill("She wants ongoing support to get out.")
    page.get_by_role("button", name="Change level").click()
    expect_success(page, "The support is now at Level 2.")

    # The good-life conversation, in her words, and someone around her.
    section(page, "Good-life conversation")
    page.get_by_role("link", name="Write down the conversation").click()
    page.get_by_label("What matters to me (optional)").fill("My garden and my grandchildren.")
    page.get_by_label("My vision for a good life (optional)").fill(
        "Having people to talk to who like gardening."
    )
    page.get_by_label("What worries me (optional)").fill("Going out on my own.")
    page.get_by_role("button", name="Save the conversation").click()
    expect_success(page, "The conversation has been saved.")
    expect(page.locator("main")).to_contain_text("My garden and my grandchildren.")
    page.get_by_role("link", name="Add someone").click()
    page.get_by_role("radio", name="Neighbour", exact=True).check()
    page.get_by_label("Name", exact=True).fill("Jean next door")
    page.get_by_label("What they mean to the person (optional)").fill("Pops in most mornings")
    page.get_by_role("button", name="Add to the people around them").click()
    expect_success(page, "Jean next door has been added to the people around them.")

    # A goal and an action in the shared agreement, and the PDF she keeps.
    section(page, "Shared agreement")
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("The goal").fill(GOAL)
    page.get_by_role("button", name="Save the goal").click()
    expect_success(page, "The goal has been added.")
    page.get_by_role("link", name="Add an action to goal 1").click()
    expect_h1(page, "Add an action")
    page.get_by_label("What will happen").fill("Go along to the Tuesday walking group together")
    page.get_by_role("radio", name="Their coordinator or link worker").check()
    page.get_by_role("button", name="Save the action").click()
    expect_success(page, "The action has been added.")
    expect(page.locator("main")).to_contain_text("Go along to the Tuesday walking group together")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the agreement (PDF)").click()
    pdf = open(download_info.value.path(), "rb").read()  # noqa: SIM115 - read at once
    assert pdf.startswith(b"%PDF-")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert GOAL in text, f"the goal is not in the agreement PDF: {text[:500]}"

    # A walking group from the directory: suggested, then she went.
    section(page, "Connections")
    page.get_by_role("button", name="Find a connection").or_(
        page.get_by_role("link", name="Find a connection")
    ).click()
    expect_h1(page, "Find a connection")
    page.get_by_label("What could help?").fill("walking")
    expect(page.get_by_role("checkbox", name="Only in or near Acomb")).to_be_checked()
    page.get_by_role("button", name="Search the directory").click()
    expect(page.get_by_role("heading", name=re.compile(r"^1 listing found"))).to_be_visible()
    page.get_by_role(
        "button", name=hidden_suffix("Suggest this", ": Acomb Tuesday Walking Group")
    ).click()
    expect_h1(page, "Connections")
    expect_success(page, "Acomb Tuesday Walking Group has been suggested.")
    page.get_by_role("link", name="Update Acomb Tuesday Walking Group").click()
    expect_h1(page, "How is Acomb Tuesday Walking Group going?")
    page.get_by_role("radio", name="Went", exact=True).check()
    page.get_by_role("button", name="Save", exact=True).click()
    row = page.get_by_role("row").filter(has_text="Acomb Tuesday Walking Group")
    expect(row).to_contain_text("Went")

    # Nothing in the directory for gardening: a gap.
    page.get_by_role("link", name="Record a gap: nothing suitable exists").click()
    expect_h1(page, "Record a gap")
    need = page.get_by_label("What was needed?")
    need.select_option(index=1)
    expect(page.get_by_label("Where?")).to_have_value(week.acomb.code)
    page.get_by_label("What would help?").fill("A daytime gardening club for older people")
    page.get_by_role("button", name="Record the gap").click()
    expect_success(page, "The gap has been recorded.")
    expect(page.locator("main")).to_contain_text("A daytime gardening club for older people")

    # A 45-minute visit with a safeguarding concern.
    section(page, "Timeline")
    add_concerning_visit(page)
    expect(page.locator("main")).to_contain_text("1 contact, 45 minutes in all.")
    expect(page.locator("main")).to_contain_text("Safeguarding concern: Talk to a manager today.")

    # A grant from the Opportunities Fund.
    section(page, "Grants")
    page.get_by_role("button", name="Request a grant").or_(
        page.get_by_role("link", name="Request a grant")
    ).click()
    expect_h1(page, "Request a grant")
    expect(page.get_by_role("radio", name=re.compile(r"^Opportunities Fund"))).to_be_checked()
    page.get_by_role("radio", name="Clothing", exact=True).check()
    page.get_by_label("How much?").fill("45.50")
    page.get_by_label("What is it for and how will it help?").fill(
        "Walking boots, so she can go to the walking group in the winter"
    )
    page.get_by_role("button", name="Send the request").click()
    expect_success(page, "Your request for £45.50 has been sent to a manager to decide.")
    expect(page.get_by_role("row").filter(has_text="Clothing")).to_contain_text("Requested")

    # Her manager approves it from the queue and finds the concern.
    boss = signed_in(browser_session, week.morgan)
    boss.goto("/staff/grants/decisions/")
    expect_h1(boss, "Requests to decide")
    queued = boss.get_by_role("row").filter(has_text="Margaret")
    expect(queued).to_contain_text("£45.50")
    queued.get_by_role("link").click()
    expect_h1(boss, re.compile(r"^Grant for Margaret"))
    boss.get_by_role("button", name="Approve").or_(
        boss.get_by_role("link", name="Approve", exact=True)
    ).click()
    expect_h1(boss, "Approve this request")
    boss.get_by_role("button", name="Approve the grant").click()
    expect_success(boss, "You approved £45.50 for Margaret")
    award = Award.objects.get(episode=episode)
    assert award.status == Award.Status.APPROVED and award.amount == Decimal("45.50")
    week.fund.refresh_from_db()
    assert week.fund.committed == Decimal("45.50")
    boss.goto("/staff/casework/concerns/")
    expect_h1(boss, "Open safeguarding concerns")
    concern = boss.get_by_role("row").filter(has_text="Margaret")
    expect(concern).to_contain_text("Talk to a manager today")
    expect(concern).to_contain_text("Lena Coordinator")

    # The coordinator sees the approval, then closes the support in Margaret's words.
    page.reload()
    expect(page.get_by_role("row").filter(has_text="Clothing")).to_contain_text("Approved")
    section(page, "Overview")
    change_status(page, "closing")
    expect_h1(page, "Close support")
    page.get_by_role("radio", name="Reached what they wanted").check()
    page.get_by_label("What changed, in their own words?").fill(OUTCOME)
    page.get_by_role("group", name="GP visits", exact=True).get_by_role(
        "radio", name="Avoided"
    ).check()
    page.get_by_role("button", name="Close support").click()
    expect_h1(page, "Overview")
    expect_success(page, "Support has been closed.")
    ended = page.locator(".govuk-summary-card").filter(has_text="How support ended")
    expect(ended).to_contain_text(OUTCOME)
    expect(ended).to_contain_text("GP visits: avoided")
    episode.refresh_from_db()
    assert episode.status == Episode.Status.CLOSED

    # A coordinator in another team cannot open it.
    page_problems.allow(r"status of 404")
    other = signed_in(browser_session, week.erin)
    response = other.goto(f"/staff/casework/episodes/{episode.pk}/")
    assert response is not None and response.status == 404
    expect_h1(other, "Page not found")
    expect(other.locator("main")).not_to_contain_text("Margaret")

    # An analyst sees the quarter's figures, small counts hidden.
    analyst = signed_in(browser_session, week.analyst)
    analyst.goto("/staff/casework/figures/")
    expect_h1(analyst, re.compile(r"^Casework figures: "))
    expect(analyst.locator("main")).to_contain_text("fewer than 5")
    expect(analyst.locator("main")).not_to_contain_text("Margaret")


def test_the_core_forms_work_without_javascript(browser_session: BrowserSession, week: Week):
    page = signed_in(browser_session, week.lena, java_script_enabled=False)

    record_introduction(page, week)
    expect(page.locator("body")).not_to_have_class(re.compile(r"js-enabled"))
    episode = Episode.objects.get(person=week.margaret)

    change_status(page, "contacted")
    expect_success(page, "The status is now contacted.")
    episode.refresh_from_db()
    assert episode.status == Episode.Status.CONTACTED

    section(page, "Timeline")
    add_concerning_visit(page)
    contact = Contact.objects.get(episode=episode)
    assert contact.minutes == 45 and contact.safeguarding_concern
    assert contact.escalation == Contact.Escalation.MANAGER
