"""Every casework and grants page meets WCAG 2.2 AA as far as axe-core can tell (issue 6).

Each page is opened as the member of staff who would use it (the coordinator walking
alongside the person, a colleague in her team, the team's manager, or an analyst) with
realistic data: support at Level 2 with a good-life conversation, a shared agreement with a
goal and an action, connections and a gap, contacts (one sensitive, one raising a
safeguarding concern), stories (a draft, one waiting for approval, one approved), community
work, system intelligence, and a fund with a request and an approval. Forms are checked in
the state worth checking, with their errors showing where that matters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alongside.accounts import roles
from alongside.accounts.models import Team, User
from alongside.casework import services
from alongside.casework.models import (
    Action,
    Connection,
    Contact,
    Episode,
    Goal,
    Relationship,
    Story,
)
from alongside.casework.tests.factories import (
    active_episode,
    closed_episode,
    closing_episode,
    coordinator,
    lac_team,
    manager,
)
from alongside.core.models import Ward
from alongside.directory.models import TaxonomyTerm
from alongside.directory.search import index
from alongside.directory.taxonomies import taxonomies_load
from alongside.directory.tests.api_factories import (
    LocationFactory,
    PublishedServiceFactory,
    ServiceAtLocationFactory,
)
from alongside.grants import services as grant_services
from alongside.grants.models import Award, Fund
from alongside.people.models import Consent, Person
from alongside.people.tests.factories import ConsentFactory, make_staff, person_for_team

from .conftest import AXE_TAGS_STAFF, BrowserSession, axe, format_violations, sign_in_context

pytestmark = pytest.mark.browser

CLEAN_STORY = "After years on her own, she now goes to a walking group every week."


# --- Who and what is on the system ---------------------------------------------------------------


@dataclass
class Casebook:
    """The west Local Area Coordination team (Acomb, Westfield) and its work."""

    west: Team
    lena: User  # coordinator walking alongside Margaret
    omar: User  # another coordinator in the team
    morgan: User  # the team's manager
    analyst: User
    margaret: Person
    episode: Episode  # Margaret's support: active, Level 2
    closing: Episode  # someone else's support, about to close
    closed: Episode  # support that has ended
    newcomer: Person  # someone the team works with who has not been introduced yet
    relationship: Relationship
    goal: Goal
    action: Action
    connection: Connection
    contact: Contact  # Lena's visit with a safeguarding concern
    waiting: Story
    fund: Fund
    requested: Award
    approved: Award


def _build_casebook(*, directory: bool) -> Casebook:
    """Everything through the services, as the app would make it. With `directory`, a
    published walking group in Acomb and a rebuilt search index too."""
    today = timezone.localdate()
    wards = {w.name: w for w in Ward.objects.filter(name__in=["Acomb", "Westfield"])}
    acomb = wards["Acomb"]
    west = lac_team(acomb, wards["Westfield"], name="LAC West")
    lena = coordinator(west, full_name="Lena Coordinator")
    omar = coordinator(west, full_name="Omar Coordinator")
    morgan = manager(west, full_name="Morgan Manager")
    analyst = make_staff(roles.ANALYST, full_name="Ana Analyst")
    taxonomies_load()

    margaret = person_for_team(
        west,
        given_name="Margaret",
        family_name="Hall",
        date_of_birth=dt.date(1950, 3, 27),
        ward=acomb,
    )
    closed = closed_episode(
        actor=lena,
        person=person_for_team(west, given_name="Rita", family_name="Lowe", ward=acomb),
        ward=acomb,
    )
    newcomer = person_for_team(
        west, given_name="Peter", family_name="Hall", date_of_birth=dt.date(1948, 6, 2), ward=acomb
    )
    episode = active_episode(actor=lena, person=margaret, ward=acomb, level=2)
    closing = closing_episode(
        actor=lena,
        person=person_for_team(west, given_name="Alan", family_name="Pike", ward=acomb),
        ward=acomb,
        reasons=("isolation", "money"),
    )

    # The good-life conversation and the people around her.
    services.conversation_save(
        actor=lena,
        episode=episode,
        what_matters="My garden and my grandchildren.",
        vision="Having people to talk to who like gardening.",
        strengths="I am patient and I can grow anything.",
        gifts_skills_interests="Gardening, baking, knitting.",
        worries="Going out on my own.",
        held_on=today,
    )
    relationship = services.relationship_add(
        actor=lena, episode=episode, kind="neighbour", name="Jean", about="Pops in most mornings"
    )
    services.relationship_add(actor=lena, episode=episode, kind="family", name="Sarah Moss")

    # The shared agreement.
    services.agreement_save(
        actor=lena,
        episode=episode,
        agreed_on=today,
        review_on=today + dt.timedelta(days=90),
        notes="Prefers mornings.",
    )
    goal = services.goal_add(
        actor=lena, episode=episode, in_own_words="I want to get out of the house more."
    )
    action = services.action_add(
        actor=lena,
        episode=episode,
        goal=goal,
        what="Go along to the Tuesday walking group together",
        who="worker",
        due_on=today + dt.timedelta(days=14),
    )
    services.action_add(
        actor=lena,
        episode=episode,
        goal=goal,
        what="Ask about the allotment waiting list",
        who="person",
        progress="in_progress",
        progress_note="Rang once, will ring again",
    )

    # Connections and a gap.
    walk = PublishedServiceFactory(
        name="Acomb Tuesday Walking Group",
        description="A friendly walk around Acomb, about an hour, with a cup of tea after.",
        summary="",
    )
    ServiceAtLocationFactory(service=walk, location=LocationFactory(name="Acomb Green", ward=acomb))
    if directory:
        PublishedServiceFactory(
            name="Westfield Walk and Talk",
            description="A slow walk and a chat, for anyone who wants company.",
            summary="Gentle walks for anyone.",
        )
        index.rebuild_all()
    connection = services.connection_add(actor=lena, episode=episode, listing=walk)
    services.connection_update(
        actor=lena, connection=connection, status="went", stopped_reason="", note="Enjoyed it"
    )
    stopped = services.connection_add(actor=lena, episode=episode, name="Church coffee morning")
    services.connection_update(
        actor=lena, connection=stopped, status="stopped", stopped_reason="Too noisy", note=""
    )
    need = TaxonomyTerm.objects.filter(taxonomy__code="needs").order_by("name").first()
    services.gap_record(
        actor=lena,
        episode=episode,
        need=need,
        what_would_help="A daytime gardening club for older people",
    )

    # The timeline: a plain call, a sensitive note and a safeguarding concern.
    services.contact_add(
        actor=lena,
        episode=episode,
        kind="call",
        happened_on=today - dt.timedelta(days=2),
        minutes=15,
        summary="Rang to arrange a visit.",
    )
    services.contact_add(
        actor=lena,
        episode=episode,
        kind="visit",
        happened_on=today - dt.timedelta(days=1),
        minutes=60,
        summary="Talked about her late husband and how hard the last year has been.",
        is_sensitive=True,
    )
    contact = services.contact_add(
        actor=lena,
        episode=episode,
        kind="visit",
        happened_on=today,
        minutes=45,
        summary="Her son has been taking her pension and she is frightened of him.",
        safeguarding_concern=True,
        escalation="manager",
        escalated_to="Morgan Manager",
    )

    # Stories: a draft that still names her, one waiting for a manager, one approved.
    consent = ConsentFactory(
        person=margaret, purpose=Consent.Purpose.STORY, agreed="My story may be shared"
    )

    def story(title: str, text: str) -> Story:
        return services.story_save(
            actor=lena,
            episode=episode,
            title=title,
            body="Margaret Hall told us she had not left the house for months.",
            consent_level="anonymised",
            consent=consent,
            publishable_text=text,
        )

    story("A draft", "Margaret Hall now goes to the walking group.")
    waiting = services.story_submit(
        actor=lena, story=story("Finding the walking group", CLEAN_STORY)
    )
    services.story_approve(
        actor=morgan,
        story=services.story_submit(actor=lena, story=story("Back in the garden", CLEAN_STORY)),
    )

    # Work beside casework.
    services.community_work_record(
        actor=lena,
        team=west,
        group_name="Acomb Gardeners",
        kind="volunteers",
        what="Found two volunteers to open the garden on Saturdays",
        happened_on=today,
        minutes=90,
        ward=acomb,
    )
    services.system_intelligence_record(
        actor=lena,
        team=west,
        kind="barrier",
        service="Adult social care front door",
        description="People wait three weeks for a call back and give up.",
        noted_on=today,
        ward=acomb,
        raised_with="Head of adult social care",
    )

    # A fund with a request waiting and an approved grant.
    fund = grant_services.fund_create(
        actor=morgan,
        name="Opportunities Fund",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=335),
        budget=Decimal("1000"),
        max_award=Decimal("150"),
    )

    def request(amount: str, category: str, reason: str) -> Award:
        return grant_services.award_request(
            actor=lena,
            episode=episode,
            fund=fund,
            category=category,
            amount=Decimal(amount),
            reason=reason,
        )

    approved = grant_services.award_approve(
        actor=morgan,
        award=request("30", "transport", "Bus fares to the walking group for a month"),
        note="Paid by card",
    )
    requested = request("45.50", "clothing", "Walking boots for the winter")

    return Casebook(
        west=west,
        lena=lena,
        omar=omar,
        morgan=morgan,
        analyst=analyst,
        margaret=margaret,
        episode=episode,
        closing=closing,
        closed=closed,
        newcomer=newcomer,
        relationship=relationship,
        goal=goal,
        action=action,
        connection=connection,
        contact=contact,
        waiting=waiting,
        fund=fund,
        requested=requested,
        approved=approved,
    )


# --- What to do on a page once it has loaded -----------------------------------------------------

# Brings the page to the state under test; returns problems to report (an empty list if none).
Then = Callable[[Page, "Casebook"], list[str]]


def expect_errors(page: Page, *messages: str) -> list[str]:
    """The error summary shows these messages and the title starts "Error: ". Returns the
    summary's links that go to nothing on the page (the test reports them with what axe
    finds, so one run shows every problem)."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    for message in messages:
        expect(summary.get_by_role("link", name=message, exact=True)).to_be_visible()
    broken = page.evaluate(
        """() => [...document.querySelectorAll('.govuk-error-summary a[href^="#"]')]
            .filter((a) => !document.getElementById(a.getAttribute('href').slice(1)))
            .map((a) => `${a.textContent.trim()} -> ${a.getAttribute('href')}`)"""
    )
    return [f"the error summary links to nothing: {link}" for link in broken]


def submit(label: str, *messages: str) -> Then:
    """Press the form's button without filling anything in, and expect these errors."""

    def then(page: Page, book: Casebook) -> list[str]:
        page.get_by_role("button", name=label, exact=True).click()
        page.wait_for_load_state()
        return expect_errors(page, *messages)

    return then


def shows(*texts: str) -> Then:
    def then(page: Page, book: Casebook) -> list[str]:
        main = page.locator("main")
        for text in texts:
            expect(main).to_contain_text(text)
        return []

    return then


# --- The pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseworkPage:
    id: str
    who: str  # an attribute of Casebook: the member of staff opening the page
    path: Callable[[Casebook], str]
    h1: str | re.Pattern[str]
    then: Then | None = None
    directory: bool = False  # needs the directory's search index


def fixed(path: str) -> Callable[[Casebook], str]:
    return lambda book: path


def episode(suffix: str = "", which: str = "episode") -> Callable[[Casebook], str]:
    return lambda book: f"/staff/casework/episodes/{getattr(book, which).pk}/{suffix}"


def item(template: str, name: str) -> Callable[[Casebook], str]:
    """An episode page about one of its items, e.g. item("agreement/goals/{}/", "goal")."""
    return lambda book: episode(template.format(getattr(book, name).pk))(book)


def award(suffix: str = "", which: str = "requested") -> Callable[[Casebook], str]:
    return lambda book: f"/staff/grants/awards/{getattr(book, which).pk}/{suffix}"


CASEWORK = "/staff/casework/"

EPISODE_PAGES = [
    CaseworkPage(
        "caseload",
        "lena",
        fixed(CASEWORK),
        "Your caseload",
        shows("Margaret", "Level 2"),
    ),
    CaseworkPage(
        "team", "morgan", fixed(f"{CASEWORK}team/"), "LAC West", shows("Lena Coordinator")
    ),
    CaseworkPage(
        "capacity",
        "morgan",
        lambda b: f"{CASEWORK}team/capacity/{b.lena.pk}/",
        "Level 2 capacity",
    ),
    CaseworkPage(
        "introduction-find",
        "lena",
        fixed(f"{CASEWORK}introductions/new/?q=Hall"),
        "Who has been introduced?",
        shows("2 records found for ‘Hall’"),
    ),
    CaseworkPage(
        "introduction-form",
        "lena",
        lambda b: f"{CASEWORK}introductions/new/?person={b.newcomer.pk}",
        "Record an introduction",
    ),
    CaseworkPage(
        "introduction-form-errors",
        "lena",
        lambda b: f"{CASEWORK}introductions/new/?person={b.newcomer.pk}",
        "Record an introduction",
        submit(
            "Record the introduction", "Choose who introduced them", "Choose at least one reason"
        ),
    ),
    CaseworkPage(
        "overview",
        "lena",
        episode(),
        "Overview",
        shows("A safeguarding concern recorded on", "Loneliness or isolation"),
    ),
    CaseworkPage(
        "overview-closed",
        "lena",
        episode(which="closed"),
        "Overview",
        shows("How support ended", "I go to the walking group every week now.", "GP visits"),
    ),
    CaseworkPage("status", "lena", episode("status/"), "Change the status"),
    CaseworkPage("level", "lena", episode("level/"), "Change the level"),
    CaseworkPage(
        "handover",
        "lena",
        episode("handover/"),
        "Hand over to another coordinator",
        shows("Omar Coordinator"),
    ),
    CaseworkPage(
        "close-errors",
        "lena",
        episode("close/", which="closing"),
        "Close support",
        submit(
            "Close support",
            "Choose why support is ending",
            "Enter what changed, in the person's own words",
        ),
    ),
    CaseworkPage("history", "lena", episode("history/"), "History"),
    CaseworkPage(
        "conversation",
        "lena",
        episode("conversation/"),
        "Good-life conversation",
        shows("My garden and my grandchildren.", "Jean", "Sarah Moss"),
    ),
    CaseworkPage(
        "conversation-edit",
        "lena",
        episode("conversation/edit/"),
        "Write down the good-life conversation",
    ),
    CaseworkPage(
        "relationship-add",
        "lena",
        episode("conversation/people/add/"),
        "Add someone to the people around Margaret Hall",
    ),
    CaseworkPage(
        "relationship-remove",
        "lena",
        item("conversation/people/{}/remove/", "relationship"),
        re.compile(r"^Are you sure you want to remove Jean"),
    ),
    CaseworkPage(
        "agreement",
        "lena",
        episode("agreement/"),
        "Shared agreement",
        shows("I want to get out of the house more.", "Rang once, will ring again"),
    ),
    CaseworkPage("agreement-edit", "lena", episode("agreement/edit/"), "The shared agreement"),
    CaseworkPage("goal-add", "lena", episode("agreement/goals/add/"), "Add a goal"),
    CaseworkPage("goal-edit", "lena", item("agreement/goals/{}/", "goal"), "Change a goal"),
    CaseworkPage(
        "action-add", "lena", item("agreement/goals/{}/actions/add/", "goal"), "Add an action"
    ),
    CaseworkPage(
        "action-edit", "lena", item("agreement/actions/{}/", "action"), "Change an action"
    ),
    CaseworkPage(
        "connections",
        "lena",
        episode("connections/"),
        "Connections",
        shows("Acomb Tuesday Walking Group", "Why they stopped: Too noisy", "gardening club"),
    ),
    CaseworkPage(
        "connection-add-results",
        "lena",
        episode("connections/add/?q=walk"),
        "Find a connection",
        shows("Already connected", "Westfield Walk and Talk"),
        directory=True,
    ),
    CaseworkPage(
        "connection-update",
        "lena",
        item("connections/{}/", "connection"),
        "How is Acomb Tuesday Walking Group going?",
    ),
    CaseworkPage("gap-add", "lena", episode("gaps/add/"), "Record a gap"),
    CaseworkPage(
        "gaps",
        "lena",
        fixed(f"{CASEWORK}gaps/"),
        "Gaps",
        shows("A daytime gardening club for older people"),
    ),
    CaseworkPage(
        "timeline",
        "lena",
        episode("timeline/"),
        "Timeline",
        shows("3 contacts, 2 hours in all.", "Safeguarding concern: Talk to a manager today."),
    ),
    CaseworkPage(
        "timeline-colleague",
        "omar",
        episode("timeline/"),
        "Timeline",
        shows("Sensitive note by Lena Coordinator"),
    ),
    CaseworkPage(
        "contact-add-errors",
        "lena",
        episode("timeline/add/"),
        "Add a contact",
        submit(
            "Save",
            "Choose the kind of contact",
            "Enter the time spent in minutes",
            "Enter a summary of the contact",
        ),
    ),
    CaseworkPage("contact-correct", "lena", item("contacts/{}/", "contact"), "Correct a contact"),
    CaseworkPage(
        "concerns",
        "morgan",
        fixed(f"{CASEWORK}concerns/"),
        "Open safeguarding concerns",
        shows("Margaret", "Talk to a manager today"),
    ),
]

STORY_AND_TEAM_PAGES = [
    CaseworkPage(
        "stories",
        "lena",
        episode("stories/"),
        "Stories",
        shows("Finding the walking group", "Back in the garden", "A draft"),
    ),
    CaseworkPage("story-add", "lena", episode("stories/add/"), "Write a story"),
    CaseworkPage(
        "story-review",
        "morgan",
        lambda b: f"{CASEWORK}stories/{b.waiting.pk}/review/",
        "Review ‘Finding the walking group’",
    ),
    CaseworkPage(
        "stories-queue",
        "morgan",
        fixed(f"{CASEWORK}stories/"),
        "Stories waiting for approval",
        shows("Finding the walking group"),
    ),
    CaseworkPage(
        "stories-published",
        "lena",
        fixed(f"{CASEWORK}stories/approved/"),
        "Approved stories",
        shows("Back in the garden", CLEAN_STORY),
    ),
    CaseworkPage(
        "community-work",
        "lena",
        fixed(f"{CASEWORK}community-work/"),
        "Community work",
        shows("Acomb Gardeners"),
    ),
    CaseworkPage(
        "community-work-add",
        "lena",
        fixed(f"{CASEWORK}community-work/add/"),
        "Record community work",
    ),
    CaseworkPage(
        "intelligence",
        "lena",
        fixed(f"{CASEWORK}system-intelligence/"),
        "System intelligence",
        shows("Adult social care front door"),
    ),
    CaseworkPage(
        "intelligence-add",
        "lena",
        fixed(f"{CASEWORK}system-intelligence/add/"),
        "Record system intelligence",
    ),
    CaseworkPage(
        "figures-analyst",
        "analyst",
        fixed(f"{CASEWORK}figures/"),
        re.compile(r"^Casework figures: "),
        shows("fewer than 5"),
    ),
    CaseworkPage(
        "figures-manager",
        "morgan",
        fixed(f"{CASEWORK}figures/"),
        re.compile(r"^Casework figures: "),
    ),
]

GRANT_PAGES = [
    CaseworkPage(
        "episode-grants",
        "lena",
        episode("grants/"),
        "Grants",
        shows("£45.50", "£30", "Requested", "Approved"),
    ),
    CaseworkPage(
        "grant-request-errors",
        "lena",
        episode("grants/request/"),
        "Request a grant",
        submit(
            "Send the request",
            "Choose what the grant is for",
            "Enter the amount in pounds, like 45 or 45.50",
            "Enter what it is for and how it helps",
        ),
    ),
    CaseworkPage("funds", "morgan", fixed("/staff/grants/"), "Funds", shows("Opportunities Fund")),
    CaseworkPage(
        "fund-detail",
        "morgan",
        lambda b: f"/staff/grants/{b.fund.pk}/",
        "Opportunities Fund",
        shows("Margaret"),
    ),
    CaseworkPage("fund-create", "morgan", fixed("/staff/grants/new/"), "Set up a fund"),
    CaseworkPage(
        "fund-create-errors",
        "morgan",
        fixed("/staff/grants/new/"),
        "Set up a fund",
        submit("Set up the fund", "Enter a name for the fund"),
    ),
    CaseworkPage(
        "fund-edit",
        "morgan",
        lambda b: f"/staff/grants/{b.fund.pk}/edit/",
        "Change Opportunities Fund",
    ),
    CaseworkPage(
        "decisions",
        "morgan",
        fixed("/staff/grants/decisions/"),
        "Requests to decide",
        shows("Margaret", "£45.50"),
    ),
    CaseworkPage(
        "award",
        "morgan",
        award(),
        re.compile(r"^Grant for Margaret"),
        shows("Walking boots for the winter"),
    ),
    CaseworkPage("award-approve", "morgan", award("approve/"), "Approve this request"),
    CaseworkPage("award-decline", "morgan", award("decline/"), "Decline this request"),
    CaseworkPage(
        "award-decline-errors",
        "morgan",
        award("decline/"),
        "Decline this request",
        submit("Decline the request", "Enter why the request is declined"),
    ),
    CaseworkPage(
        "award-paid", "morgan", award("paid/", which="approved"), "Mark this grant as paid"
    ),
]

PAGES = EPISODE_PAGES + STORY_AND_TEAM_PAGES + GRANT_PAGES
IDS = [p.id for p in PAGES]


def open_page(
    session: BrowserSession, book: Casebook, spec: CaseworkPage
) -> tuple[Page, list[str]]:
    """Open the page as its member of staff (in a context that lets axe-core in) and bring
    it to the state under test; with the problems that found."""
    page = session.new_page(bypass_csp=True)
    sign_in_context(page.context, getattr(book, spec.who), session.base_url)
    path = spec.path(book)
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    assert page.url.endswith(path), f"{path} went to {page.url}"
    problems = spec.then(page, book) if spec.then else []
    expect(page.get_by_role("heading", level=1)).to_have_text(spec.h1)
    return page, problems


# --- Tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", PAGES, ids=IDS)
def test_axe_finds_no_violations(browser_session: BrowserSession, york_places, spec: CaseworkPage):
    """axe-core finds nothing against WCAG 2.2 AA, and nothing else on the page is broken
    (such as an error summary linking to nothing)."""
    book = _build_casebook(directory=spec.directory)
    page, problems = open_page(browser_session, book, spec)
    violations = axe(page, AXE_TAGS_STAFF)
    if violations:
        problems.append(format_violations(violations, page.url))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
