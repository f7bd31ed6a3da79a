"""Social prescribing in Chromium against the real server (issue 7).

A GP at Acomb Surgery (a practice in West York PCN, whose link worker team takes its
referrals) refers Margaret on the one-page form, filling in only what the form cannot know,
and gets a reference. Lin, a link worker in that team, finds the referral in the intake
queue, accepts it as a new record (the possible match offered is someone else), phones
Margaret and so makes first contact; the GP's list of referrals says so, and the outbox holds
both messages to her. Lin books an appointment at the practice and sets up daily welfare
calls with Vera, a volunteer. Vera signs in, finds Margaret on today's calls and gets no
answer; Lin sees that on her follow-up list and follows it up. Lin records what Margaret says
about the support, moves it to closing and closes it; the GP sees it closed. A link worker in
another team gets "Page not found" for the referral.

A second test has a resident refer themselves on the public form (no sign-in) and a link
worker decline a GP's referral because the person declined (SNOMED CT 871711000000103 is
recorded). A third sends the GP's form and the self-referral with JavaScript off.

Everything after the setup happens through the pages, as the people would do it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from alongside.accounts import roles
from alongside.accounts.models import Organisation, Team, User
from alongside.accounts.tests.factories import (
    PASSWORD,
    HealthReferrerFactory,
    OrganisationFactory,
)
from alongside.casework.models import (
    CodedEvent,
    Episode,
    Pathway,
    PathwayQuestion,
    ProgrammeOutcome,
    Referral,
    WelfareCall,
)
from alongside.casework.referrals_selectors import reference
from alongside.casework.services import pathways as pathway_services
from alongside.casework.services import referrals as referral_services
from alongside.casework.tests.factories import manager, sp_team
from alongside.notify.models import OutboxMessage
from alongside.people.models import Person
from alongside.people.tests.factories import PersonFactory, make_staff

from .conftest import BrowserSession, PageProblems, sign_in_context

pytestmark = pytest.mark.browser

REFERRAL_CODE = "871731000000106"  # Referral to social prescribing service
DECLINED_CODE = "871711000000103"  # Social prescribing declined
CARER_QUESTION = "Are they a carer for someone?"
WHAT_MATTERS = "Getting back to her allotment and seeing people again"
OWN_WORDS = "I go to the allotment group twice a week and I have people to talk to."


@dataclass
class Network:
    """West York PCN, its practice and link worker team, and who is on the system."""

    team: Team
    pathway: Pathway
    question: PathwayQuestion
    gp: User  # Health referrer at Acomb Surgery
    lin: User  # link worker in the PCN's team
    ola: User  # link worker in another team
    vera: User  # volunteer welfare caller
    namesake: Person  # a Margaret Hall already on record, who is someone else


@pytest.fixture(autouse=True)
def _no_rate_limits_from_other_tests():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def network(transactional_db, settings) -> Network:
    pcn = OrganisationFactory(name="West York PCN", kind=Organisation.Kind.PCN)
    practice = OrganisationFactory(
        name="Acomb Surgery", kind=Organisation.Kind.GP_PRACTICE, parent=pcn
    )
    # A team of another organisation comes first by name, so the GP's team is chosen for
    # her because her practice is in its network, not by luck.
    east = sp_team(name="East link workers")
    team = sp_team(
        name="West link workers",
        organisation=pcn,
        email="west.linkworkers@example.org",
        phone="01904 555 010",
    )
    settings.CASEWORK_SELF_REFERRAL_TEAM = team.name  # residents' own referrals go here
    lead = manager(team, full_name="Morgan Manager")
    pathway = pathway_services.pathway_create(
        actor=lead,
        team=team,
        name="Primary care",
        target_days=10,
        description="People their GP thinks would benefit from community support.",
    )
    question = pathway_services.pathway_question_add(
        actor=lead,
        pathway=pathway,
        text=CARER_QUESTION,
        hint="For example, for a partner or a parent",
        required=True,
        order=10,
    )
    return Network(
        team=team,
        pathway=pathway,
        question=question,
        gp=HealthReferrerFactory(
            organisation=practice,
            full_name="Dr Gita Patel",
            job_title="GP",
            email="gita.patel@example.nhs.uk",
        ),
        lin=make_staff(
            roles.LINK_WORKER,
            team=team,
            full_name="Lin Linkworker",
            email="lin.linkworker@example.org",
        ),
        ola=make_staff(roles.LINK_WORKER, team=east, full_name="Ola Eastlinkworker"),
        vera=make_staff(roles.WELFARE_CALLER, full_name="Vera Volunteer", email="vera@example.org"),
        namesake=PersonFactory(given_name="Margaret", family_name="Hall", date_of_birth=None),
    )


# --- Helpers -----------------------------------------------------------------------------------


def signed_in(session: BrowserSession, user: User, **context_options) -> Page:
    page = session.new_page(**context_options)
    sign_in_context(page.context, user, session.base_url)
    return page


def hidden_suffix(shown: str, hidden: str) -> re.Pattern[str]:
    """The accessible name of a link or button ending in visually hidden text (Chromium may
    put a space before the hidden part)."""
    return re.compile(rf"^{re.escape(shown)}\s*{re.escape(hidden.strip())}$")


def expect_h1(page: Page, text: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def expect_success(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def fill_date(group: Locator, day: dt.date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def short_date(day: dt.date) -> str:
    return f"{day.day} {day:%B}"


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def section(page: Page, name: str) -> None:
    """Follow a link in the episode's section navigation."""
    page.get_by_role("navigation", name="Parts of this person's support").get_by_role(
        "link", name=name, exact=True
    ).click()
    expect_h1(page, name)


def click_button_or_link(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).or_(
        page.get_by_role("link", name=name, exact=True)
    ).click()


def refer_margaret(page: Page, network: Network) -> Referral:
    """The GP opens the form from her list of referrals and fills in only what it cannot
    know: the answer to the pathway's question, who (name, date of birth, phone), why, and
    that Margaret agreed. The pathway, where the referral is from, the urgency and her own
    details are already filled in."""
    page.goto("/staff/")
    page.get_by_role("navigation", name="Staff menu").get_by_role(
        "link", name="Referrals", exact=True
    ).click()
    expect_h1(page, "Your referrals")
    page.get_by_role("button", name="Refer someone").or_(
        page.get_by_role("link", name="Refer someone")
    ).click()
    expect_h1(page, "Refer someone to social prescribing")
    expect(page.locator("main")).to_contain_text("To West link workers")
    expect(page.get_by_role("radio", name="Primary care", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name="GP practice", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name="Routine", exact=True)).to_be_checked()
    expect(page.get_by_label("Your name", exact=True)).to_have_value("Dr Gita Patel")
    expect(page.get_by_label("Your email address (optional)")).to_have_value(network.gp.email)

    started = timezone.now()
    page.get_by_label(CARER_QUESTION).fill("Yes, for her husband, who has dementia")
    page.get_by_label("First name", exact=True).fill("Margaret")
    page.get_by_label("Last name", exact=True).fill("Hall")
    fill_date(page.get_by_role("group", name="Date of birth"), dt.date(1948, 3, 27))
    page.get_by_label("Phone number", exact=True).fill("07700 900 982")
    page.get_by_role("checkbox", name="Loneliness or isolation").check()
    page.get_by_label("What matters to them? (optional)").fill(WHAT_MATTERS)
    page.get_by_role("checkbox", name="The person agreed to this referral").check()
    page.get_by_role("button", name="Send referral").click()

    expect_h1(page, "Referral sent")
    referral = Referral.objects.get(family_name="Hall", given_name="Margaret")
    assert timezone.now() - started < dt.timedelta(minutes=1)
    panel = page.locator(".govuk-panel__body")
    expect(panel).to_contain_text("Your reference")
    expect(panel.locator("strong")).to_have_text(reference(referral))
    expect(page.locator("main")).to_contain_text("to West link workers")
    return referral


def referral_status_row(page: Page, referral: Referral) -> Locator:
    """The GP's row for the referral on "Your referrals", freshly loaded."""
    page.goto("/staff/casework/referrals/sent/")
    expect_h1(page, "Your referrals")
    return page.get_by_role("row").filter(has_text=reference(referral))


def refer_myself(page: Page) -> None:
    """A resident's own referral, on the public form."""
    page.goto("/social-prescribing/")
    expect_h1(page, "Ask for help from a link worker")
    page.get_by_label("Your first name").fill("Derek")
    page.get_by_label("Your last name").fill("Lamb")
    fill_date(page.get_by_role("group", name="Your date of birth"), dt.date(1956, 11, 4))
    page.get_by_label("Phone number", exact=True).fill("07700 900 461")
    page.get_by_label("What matters to you? (optional)").fill(
        "Since I retired I do not see anyone from one week to the next."
    )
    page.get_by_role("checkbox", name="Loneliness or isolation").check()
    page.get_by_role(
        "checkbox",
        name="I agree that the social prescribing team can keep these details and contact me",
    ).check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect_h1(page, "Thank you")
    expect(page.locator("main")).to_contain_text("We have your details")


def sign_in_with_password(page: Page, user: User) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


# --- Tests -------------------------------------------------------------------------------------


def test_from_the_gps_referral_to_closing_the_loop(
    browser_session: BrowserSession, page_problems: PageProblems, network: Network
):
    today = timezone.localdate()

    # The GP refers Margaret.
    gp = signed_in(browser_session, network.gp)
    referral = refer_margaret(gp, network)
    assert referral.team == network.team and referral.pathway == network.pathway
    assert referral.source == Referral.Source.GP_PRACTICE
    assert referral.referring_organisation.name == "Acomb Surgery"
    assert list(referral.answers.values()) == [
        {"question": CARER_QUESTION, "answer": "Yes, for her husband, who has dementia"}
    ]
    expect(referral_status_row(gp, referral)).to_contain_text("Waiting")

    # Lin finds it in the intake queue and accepts it as a new record.
    lin = signed_in(browser_session, network.lin)
    lin.goto("/staff/casework/")
    lin.get_by_role("link", name="Referrals waiting to be triaged").click()
    expect_h1(lin, "Referrals waiting")
    row = lin.get_by_role("row").filter(has_text="Margaret Hall")
    expect(row).to_contain_text("Primary care")
    expect(row).to_contain_text("GP practice")
    expect(row).to_contain_text("Loneliness or isolation")
    row.get_by_role("link", name="Margaret Hall").click()
    expect_h1(lin, "Margaret Hall")
    main = lin.locator("main")
    expect(main).to_contain_text(CARER_QUESTION)
    expect(main).to_contain_text("Yes, for her husband, who has dementia")
    expect(main).to_contain_text("Dr Gita Patel, GP")
    lin.get_by_role("link", name=hidden_suffix("Accept", "the referral of Margaret Hall")).click()
    expect_h1(lin, "Accept the referral")
    expect(lin.get_by_role("radio", name="Use the record for Margaret Hall")).to_be_visible()
    lin.get_by_role("radio", name="None of these: add a new record").check()
    expect(lin.get_by_label("Who will be their link worker?")).to_have_value(str(network.lin.pk))
    lin.get_by_role("button", name="Accept and open support").click()
    expect_h1(lin, "Overview")
    expect_success(lin, "Referral accepted. Lin Linkworker will be Margaret's link worker.")
    referral.refresh_from_db()
    episode = referral.episode
    assert referral.status == Referral.Status.ACCEPTED and episode is not None
    assert lin.url.endswith(f"/staff/casework/episodes/{episode.pk}/")
    assert episode.person != network.namesake
    assert Person.objects.filter(given_name="Margaret", family_name="Hall").count() == 2
    assert [e.code_id for e in CodedEvent.objects.filter(referral=referral)] == [REFERRAL_CODE]
    expect(lin.locator("main")).to_contain_text("Pathway: Primary care")

    # She phones Margaret: the first contact.
    section(lin, "Timeline")
    click_button_or_link(lin, "Add a contact")
    expect_h1(lin, "Add a contact")
    lin.get_by_role("radio", name="Phone call", exact=True).check()
    lin.get_by_label("Time spent, in minutes").fill("20")
    lin.get_by_label("What happened?").fill(
        "Rang Margaret. She would like to meet at the surgery, and some company on the phone."
    )
    lin.get_by_role("button", name="Save", exact=True).click()
    expect_h1(lin, "Timeline")
    expect_success(lin, "The contact has been added to the timeline.")
    section(lin, "Overview")
    expect(
        lin.locator(".govuk-summary-list__row").filter(has_text="First contact")
    ).to_contain_text(long_date(today))
    episode.refresh_from_db()
    assert episode.first_contact_on == today

    # The GP sees it accepted and contacted, and was told both by email.
    expect(referral_status_row(gp, referral)).to_contain_text(
        f"Accepted: first contact on {short_date(today)}"
    )
    to_gp = OutboxMessage.objects.filter(to=network.gp.email)
    assert set(to_gp.values_list("kind", flat=True)) == {
        "casework.referral_accepted",
        "casework.referral_first_contact",
    }
    assert all(reference(referral) in m.subject for m in to_gp)
    assert not any(WHAT_MATTERS in m.body or "dementia" in m.body for m in to_gp)

    # An appointment at the practice tomorrow.
    section(lin, "Appointments")
    click_button_or_link(lin, "Book an appointment")
    expect_h1(lin, "Book an appointment")
    tomorrow = today + dt.timedelta(days=1)
    fill_date(lin.get_by_role("group", name="Date", exact=True), tomorrow)
    lin.get_by_label("Time", exact=True).fill("10:30am")
    lin.get_by_role("radio", name="At the GP practice").check()
    lin.get_by_label("Where exactly (optional)").fill("Room 4, Acomb Surgery")
    lin.get_by_role("button", name="Book it").click()
    expect_h1(lin, "Appointments")
    expect_success(lin, f"The appointment on {long_date(tomorrow)} has been booked.")
    coming_up = lin.get_by_role("table", name="Coming up")
    expect(coming_up).to_contain_text("At the GP practice")
    expect(coming_up).to_contain_text("Room 4, Acomb Surgery")
    expect(coming_up).to_contain_text("10:30am")

    # Daily welfare calls with Vera, a volunteer.
    section(lin, "Welfare calls")
    click_button_or_link(lin, "Plan welfare calls")
    expect_h1(lin, "Plan welfare calls")
    lin.get_by_label("Who will make the calls?").select_option(label="Vera Volunteer")
    lin.get_by_role("radio", name="Every day").check()
    lin.get_by_label("Best time to call (optional)").fill("Mornings before 11am")
    lin.get_by_label("What the caller should know (optional)").fill(
        "She likes to talk about her allotment."
    )
    lin.get_by_role("button", name="Save the plan").click()
    expect_h1(lin, "Welfare calls")
    expect_success(lin, "The welfare call plan has been saved.")
    expect(lin.get_by_role("table", name="Plans")).to_contain_text("Vera Volunteer")

    # Vera signs in and finds Margaret on today's calls; nobody answers.
    vera = browser_session.new_page()
    sign_in_with_password(vera, network.vera)
    vera.get_by_role("navigation", name="Staff menu").get_by_role(
        "link", name="Welfare calls", exact=True
    ).click()
    expect_h1(vera, "Welfare calls today")
    card = vera.locator(".govuk-summary-card").filter(has_text="Margaret")
    expect(card).to_contain_text("07700 900 982")
    expect(card).to_contain_text("Mornings before 11am")
    expect(card).to_contain_text("She likes to talk about her allotment.")
    expect(vera.locator("main")).not_to_contain_text("Hall")  # first name only
    card.get_by_role("link", name=hidden_suffix("Record the call", "to Margaret")).click()
    expect_h1(vera, "Call to Margaret")
    vera.get_by_role("radio", name="No answer").check()
    vera.get_by_role("button", name="Save the call").click()
    expect_h1(vera, "Welfare calls today")
    expect_success(vera, "The call to Margaret has been saved. Their link worker has been told.")
    expect(vera.get_by_role("table", name=re.compile(r"^Recorded"))).to_contain_text("No answer")
    assert OutboxMessage.objects.filter(
        to=network.lin.email, kind="casework.welfare_escalation"
    ).exists()

    # Lin sees it on her follow-up list and follows it up.
    lin.goto("/staff/casework/")
    lin.get_by_role("link", name="Welfare calls that need you").click()
    expect_h1(lin, "Welfare calls to follow up")
    call_row = lin.get_by_role("row").filter(has_text="Margaret Hall")
    expect(call_row).to_contain_text("No answer")
    expect(call_row).to_contain_text("Vera Volunteer")
    call_row.get_by_role("button", name=re.compile(r"^Followed up")).click()
    expect_success(
        lin, f"The call to Margaret Hall on {long_date(today)} is marked as followed up."
    )
    expect(lin.locator("main")).to_contain_text("There are no welfare calls for you to follow up.")
    call = WelfareCall.objects.get(plan__episode=episode)
    assert call.outcome == WelfareCall.Outcome.NO_ANSWER and call.followed_up_by == network.lin

    # What Margaret says about the support, then closing.
    lin.goto(f"/staff/casework/episodes/{episode.pk}/")
    section(lin, "Outcome")
    lin.get_by_role("group", name="Did they achieve their goals?").get_by_role(
        "radio", name="Partly"
    ).check()
    lin.get_by_role(
        "group", name="“I feel more able to manage my own health and wellbeing”"
    ).get_by_role("radio", name="Agree", exact=True).check()
    lin.get_by_role(
        "group", name="“I would not have made these changes without my link worker”"
    ).get_by_role("radio", name="Agree", exact=True).check()
    expect(lin.get_by_label("Months counted before and after")).to_have_value("6")
    lin.get_by_label("GP visits in those months before the referral (optional)").fill("6")
    lin.get_by_label("GP visits in those months after (optional)").fill("3")
    lin.get_by_role("button", name="Save the outcome").click()
    expect_success(lin, "The outcome has been saved.")
    outcome = ProgrammeOutcome.objects.get(episode=episode)
    assert (outcome.goals_achieved, outcome.more_able, outcome.would_not_have) == (
        "partly",
        "agree",
        "agree",
    )
    assert (outcome.gp_months, outcome.gp_visits_before, outcome.gp_visits_after) == (6, 6, 3)

    section(lin, "Overview")
    lin.get_by_role("link", name="Change to closing", exact=True).click()
    expect_h1(lin, "Change the status")
    expect(lin.get_by_role("radio", name="Closing")).to_be_checked()
    lin.get_by_role("button", name="Change status").click()
    expect_h1(lin, "Close support")
    lin.get_by_role("radio", name="Reached what they wanted").check()
    lin.get_by_label("What changed, in their own words?").fill(OWN_WORDS)
    lin.get_by_role("button", name="Close support").click()
    expect_h1(lin, "Overview")
    expect_success(lin, "Support has been closed.")
    episode.refresh_from_db()
    assert episode.status == Episode.Status.CLOSED

    # The GP sees it closed, and was told.
    expect(referral_status_row(gp, referral)).to_contain_text(f"Closed on {short_date(today)}")
    assert OutboxMessage.objects.filter(
        to=network.gp.email, kind="casework.referral_closed"
    ).exists()
    expect(gp.locator("main")).not_to_contain_text(OWN_WORDS)

    # A link worker in another team cannot open the referral.
    page_problems.allow(r"status of 404")
    other = signed_in(browser_session, network.ola)
    response = other.goto(f"/staff/casework/referrals/{referral.pk}/")
    assert response is not None and response.status == 404
    expect_h1(other, "Page not found")
    expect(other.locator("main")).not_to_contain_text("Margaret")


def test_a_resident_refers_themselves_and_a_gps_referral_is_declined(
    browser_session: BrowserSession, network: Network
):
    # Derek asks for help himself, without signing in.
    resident = browser_session.new_page()
    refer_myself(resident)
    derek = Referral.objects.get(given_name="Derek", family_name="Lamb")
    assert derek.source == Referral.Source.SELF and derek.referred_by is None
    assert derek.team == network.team  # CASEWORK_SELF_REFERRAL_TEAM

    # The GP refers Peter, who later tells Lin he does not want it.
    peter = referral_services.referral_create(
        actor=network.gp,
        team=network.team,
        pathway=network.pathway,
        person=referral_services.ReferredPerson(
            given_name="Peter", family_name="Moss", phone="07700 900 123"
        ),
        details=referral_services.ReferralDetails(
            source=Referral.Source.GP_PRACTICE,
            reasons=["isolation"],
            consent_to_referral=True,
            answers={str(network.question.pk): "No"},
            referrer_name="Dr Gita Patel",
            referrer_email=network.gp.email,
        ),
    )

    lin = signed_in(browser_session, network.lin)
    lin.goto("/staff/casework/intake/")
    expect_h1(lin, "Referrals waiting")
    derek_row = lin.get_by_role("row").filter(has_text="Derek Lamb")
    expect(derek_row).to_contain_text("Self-referral")
    expect(derek_row).to_contain_text("No pathway")

    lin.get_by_role("row").filter(has_text="Peter Moss").get_by_role("link").click()
    expect_h1(lin, "Peter Moss")
    lin.get_by_role("link", name=hidden_suffix("Decline", "the referral of Peter Moss")).click()
    expect_h1(lin, "Decline the referral")
    lin.get_by_role("radio", name="The person declined").check()
    lin.get_by_role("button", name="Decline referral").click()
    expect_h1(lin, "Referrals waiting")
    expect_success(lin, "Referral for Peter Moss declined.")
    expect(lin.get_by_role("row").filter(has_text="Peter Moss")).to_have_count(0)

    peter.refresh_from_db()
    assert peter.status == Referral.Status.DECLINED
    assert peter.decision_reason == "The person declined"
    assert list(peter.codes.values_list("code_id", flat=True)) == [DECLINED_CODE]
    assert OutboxMessage.objects.filter(
        to=network.gp.email, kind="casework.referral_declined"
    ).exists()
    gp = signed_in(browser_session, network.gp)
    expect(referral_status_row(gp, peter)).to_contain_text("Declined: The person declined")


def test_the_referral_forms_work_without_javascript(
    browser_session: BrowserSession, network: Network
):
    gp = signed_in(browser_session, network.gp, java_script_enabled=False)
    referral = refer_margaret(gp, network)
    expect(gp.locator("body")).not_to_have_class(re.compile(r"js-enabled"))
    assert referral.answers and referral.pathway == network.pathway

    resident = browser_session.new_page(java_script_enabled=False)
    refer_myself(resident)
    expect(resident.locator("body")).not_to_have_class(re.compile(r"js-enabled"))
    assert Referral.objects.filter(given_name="Derek", source=Referral.Source.SELF).exists()
