"""Every social prescribing page meets WCAG 2.2 AA as far as axe-core can tell, and the public
self-referral pages meet AAA too (issue 7).

Each page is opened by the person who uses it: the GP who refers, a link worker (triage,
appointments, welfare call plans, follow-up, outcome), the team's manager (pathways, outcome
figures), a volunteer welfare caller, a partner whose group people are introduced to, or a
resident who is not signed in. The data is what a team would have after a few weeks, all made
through the services: two pathways with questions; referrals waiting (urgent, past target, a
self-referral, one whose person may already be on record), accepted, declined and closed;
support with contacts, appointments (coming up, attended, and one still to record), a daily
welfare call plan with calls (one with no answer still to follow up), connections to a
partner's listing, and a recorded outcome. Forms are checked empty and, where it matters,
with their errors showing; every error summary link must lead to something on the page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from alongside.accounts import roles
from alongside.accounts.models import Organisation, Team, User
from alongside.accounts.tests.factories import HealthReferrerFactory, OrganisationFactory
from alongside.casework import services
from alongside.casework.models import (
    Appointment,
    Episode,
    Pathway,
    PathwayQuestion,
    Referral,
    WelfareCallPlan,
)
from alongside.casework.services import appointments as appointment_services
from alongside.casework.services import outcomes as outcome_services
from alongside.casework.services import pathways as pathway_services
from alongside.casework.services import referrals as referral_services
from alongside.casework.services import welfare as welfare_services
from alongside.casework.tests.factories import manager, sp_team
from alongside.directory.tests.api_factories import ProviderFactory, PublishedServiceFactory
from alongside.people.models import Consent
from alongside.people.tests.factories import ConsentFactory, PersonFactory, make_staff

from .conftest import (
    AXE_TAGS_PUBLIC,
    AXE_TAGS_STAFF,
    BrowserSession,
    axe,
    format_violations,
    sign_in_context,
)

pytestmark = pytest.mark.browser

CARER_QUESTION = "Are they a carer for someone?"


# --- Who and what is on the system ---------------------------------------------------------------


@dataclass
class Practice:
    """West York PCN's link worker team and its work after a few weeks."""

    team: Team
    gp: User  # Health referrer at Acomb Surgery
    lin: User  # link worker
    morgan: User  # the team's manager
    vera: User  # volunteer welfare caller
    pat: User  # partner: Acomb Allotment Society
    pathway: Pathway
    question: PathwayQuestion
    sent: Referral  # the GP's latest referral, still waiting
    waiting: Referral  # urgent, and someone of that name and birthday is already on record
    episode: Episode  # Margaret's support, accepted from a referral, active
    closed: Episode  # Rita's support, closed with an outcome
    plan: WelfareCallPlan  # Vera's daily calls to Margaret
    to_record: Appointment  # Margaret's appointment three days ago, not recorded yet
    introduced: Any  # the connection to the partner's listing (Margaret agreed to share)


def _refer(
    gp: User,
    team: Team,
    pathway: Pathway | None,
    given_name: str,
    family_name: str,
    *,
    answer: str = "No",
    days_ago: int = 0,
    urgency: str = Referral.Urgency.ROUTINE,
    born: dt.date | None = None,
) -> Referral:
    """A referral from the GP through the service; `days_ago` moves when it arrived."""
    answers = {str(q.pk): answer for q in pathway.questions.all()} if pathway else {}
    referral = referral_services.referral_create(
        actor=gp,
        team=team,
        pathway=pathway,
        person=referral_services.ReferredPerson(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=born,
            phone="07700 900 982",
            address="12 Front Street\nAcomb\nYork",
            postcode="YO24 3BZ",
        ),
        details=referral_services.ReferralDetails(
            source=Referral.Source.GP_PRACTICE,
            reasons=["isolation", "money"],
            consent_to_referral=True,
            what_matters="Getting back to the allotment and seeing people again",
            urgency=urgency,
            share_back="How things went when support ends",
            answers=answers,
            referrer_name=gp.full_name,
            referrer_role=gp.job_title,
            referrer_email=gp.email,
            referrer_phone="01904 555 200",
        ),
    )
    if days_ago:
        Referral.objects.filter(pk=referral.pk).update(
            received_at=timezone.now() - dt.timedelta(days=days_ago)
        )
        referral.refresh_from_db()
    return referral


def _accept(lin: User, referral: Referral, *, contacted_days_ago: int) -> Episode:
    """Accept the referral as a new record and make first contact by phone."""
    referral = referral_services.referral_accept(actor=lin, referral=referral, worker=lin)
    episode = referral.episode
    services.contact_add(
        actor=lin,
        episode=episode,
        kind="call",
        happened_on=timezone.localdate() - dt.timedelta(days=contacted_days_ago),
        minutes=20,
        summary="Rang to introduce myself and arrange to meet.",
    )
    return services.episode_transition(actor=lin, episode=episode, to_status="active")


def _build_practice() -> Practice:
    today = timezone.localdate()
    pcn = OrganisationFactory(name="West York PCN", kind=Organisation.Kind.PCN)
    practice = OrganisationFactory(
        name="Acomb Surgery", kind=Organisation.Kind.GP_PRACTICE, parent=pcn
    )
    team = sp_team(
        name="West link workers",
        organisation=pcn,
        email="west.linkworkers@example.org",
        phone="01904 555 010",
    )
    morgan = manager(team, full_name="Morgan Manager")
    lin = make_staff(
        roles.LINK_WORKER, team=team, full_name="Lin Linkworker", email="lin@example.org"
    )
    make_staff(roles.LINK_WORKER, team=team, full_name="Sam Linkworker")
    gp = HealthReferrerFactory(
        organisation=practice,
        full_name="Dr Gita Patel",
        job_title="GP",
        email="gita.patel@example.nhs.uk",
    )
    vera = make_staff(roles.WELFARE_CALLER, full_name="Vera Volunteer")
    allotments = OrganisationFactory(name="Acomb Allotment Society", kind=Organisation.Kind.VCS)
    pat = make_staff(roles.PARTNER, organisation=allotments, full_name="Pat Partner")

    # Two pathways, each with a question.
    pathway = pathway_services.pathway_create(
        actor=morgan,
        team=team,
        name="Primary care",
        target_days=10,
        description="People their GP thinks would benefit from community support.",
    )
    question = pathway_services.pathway_question_add(
        actor=morgan,
        pathway=pathway,
        text=CARER_QUESTION,
        hint="For example, for a partner or a parent",
        required=True,
        order=10,
    )
    recovery = pathway_services.pathway_create(
        actor=morgan, team=team, name="Mental health recovery", target_days=5
    )
    pathway_services.pathway_question_add(
        actor=morgan,
        pathway=recovery,
        text="Who is their care coordinator?",
        order=10,
    )

    # Supported: Margaret (active) and Rita (closed with an outcome).
    margaret = _refer(gp, team, pathway, "Margaret", "Hall", days_ago=20, answer="Yes")
    episode = _accept(lin, margaret, contacted_days_ago=15)
    rita = _refer(gp, team, recovery, "Rita", "Lowe", days_ago=40)
    closed = _accept(lin, rita, contacted_days_ago=35)
    outcome_services.outcome_save(
        actor=lin,
        episode=closed,
        goals_achieved="yes",
        more_able="strongly_agree",
        would_not_have="agree",
        gp_months=6,
        gp_visits_before=5,
        gp_visits_after=2,
    )
    closed = services.episode_transition(actor=lin, episode=closed, to_status="closing")
    closed = services.episode_close(
        actor=lin,
        episode=closed,
        reason="goals_met",
        outcome_in_own_words="I sing in the community choir every week now.",
    )

    # Waiting: urgent with a possible match on record, past its target, a self-referral,
    # and the GP's latest.
    PersonFactory(
        given_name="Peter",
        family_name="Moss",
        date_of_birth=dt.date(1948, 6, 2),
        postcode="YO24 3BZ",
    )
    waiting = _refer(
        gp,
        team,
        pathway,
        "Peter",
        "Moss",
        born=dt.date(1948, 6, 2),
        urgency=Referral.Urgency.URGENT,
        days_ago=1,
    )
    _refer(gp, team, pathway, "Joan", "Pike", days_ago=14, born=dt.date(1939, 1, 9))
    referral_services.referral_self_create(
        team=team,
        person=referral_services.ReferredPerson(
            given_name="Derek", family_name="Lamb", email="derek.lamb@example.org"
        ),
        reasons=["isolation"],
        consent=True,
        what_matters="Since I retired I do not see anyone from one week to the next.",
    )
    declined = _refer(gp, team, pathway, "Alan", "Reed", days_ago=8)
    referral_services.referral_decline(actor=lin, referral=declined, reason="person_declined")
    sent = _refer(gp, team, recovery, "Hana", "Begum", urgency=Referral.Urgency.SOON)

    # Margaret's appointments: attended, one still to record, one coming up.
    def book(days: int, hour: int, place: str, detail: str = "") -> Appointment:
        starts = timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, 30))
        )
        return appointment_services.appointment_book(
            actor=lin,
            episode=episode,
            starts_at=starts,
            minutes=45,
            place=place,
            place_detail=detail,
            notes="Bring the allotment society leaflet" if days > 0 else "",
            worker=lin,
        )

    attended = book(-10, 10, "practice", "Room 4, Acomb Surgery")
    appointment_services.appointment_update(actor=lin, appointment=attended, status="attended")
    to_record = book(-3, 14, "community", "Acomb Explore Library café")
    book(1, 10, "practice", "Room 4, Acomb Surgery")
    book(6, 11, "home")

    # Vera phones Margaret every day; yesterday nobody answered, the day before they spoke.
    plan = welfare_services.call_plan_create(
        actor=lin,
        episode=episode,
        caller=vera,
        frequency="daily",
        starts_on=today,
        best_time="Mornings before 11am",
        notes="She likes to talk about her allotment.",
    )
    WelfareCallPlan.objects.filter(pk=plan.pk).update(starts_on=today - dt.timedelta(days=5))
    plan.refresh_from_db()
    welfare_services.welfare_call_record(
        actor=vera, plan=plan, due_on=today - dt.timedelta(days=2), outcome="spoke"
    )
    welfare_services.welfare_call_record(
        actor=vera, plan=plan, due_on=today - dt.timedelta(days=1), outcome="no_answer"
    )
    # A weekly plan for someone else, already called today with a worry.
    bill = _accept(
        lin, _refer(gp, team, pathway, "Bill", "Carter", days_ago=12), contacted_days_ago=9
    )
    weekly = welfare_services.call_plan_create(
        actor=lin,
        episode=bill,
        caller=vera,
        frequency="weekly",
        weekday=today.weekday(),
        starts_on=today,
    )
    welfare_services.welfare_call_record(
        actor=vera,
        plan=weekly,
        due_on=today,
        outcome="concern",
        note="He said he had not eaten since Tuesday.",
    )

    # Connections to the partner's listing: Margaret agreed to share her name, Bill did not.
    provider = ProviderFactory(name="Acomb Allotment Society", account_organisation=allotments)
    listing = PublishedServiceFactory(provider=provider, name="Acomb Community Allotment")
    introduced = services.connection_add(actor=lin, episode=episode, listing=listing)
    introduced = services.connection_update(actor=lin, connection=introduced, status="introduced")
    ConsentFactory(
        person=episode.person, purpose=Consent.Purpose.SHARE_PARTNERS, shared_with=[allotments]
    )
    services.connection_update(
        actor=lin,
        connection=services.connection_add(actor=lin, episode=bill, listing=listing),
        status="went",
    )

    return Practice(
        team=team,
        gp=gp,
        lin=lin,
        morgan=morgan,
        vera=vera,
        pat=pat,
        pathway=pathway,
        question=question,
        sent=sent,
        waiting=waiting,
        episode=episode,
        closed=closed,
        plan=plan,
        to_record=to_record,
        introduced=introduced,
    )


# --- What to do on a page once it has loaded -----------------------------------------------------

# Brings the page to the state under test; returns problems to report (empty if none).
Then = Callable[[Page, Practice], list[str]]


def expect_errors(page: Page, *messages: str) -> list[str]:
    """The error summary shows these messages and the title starts "Error: ". Returns the
    summary's links that lead to nothing on the page, to report with what axe finds."""
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

    def then(page: Page, practice: Practice) -> list[str]:
        page.get_by_role("button", name=label, exact=True).click()
        page.wait_for_load_state()
        return expect_errors(page, *messages)

    return then


def shows(*texts: str) -> Then:
    def then(page: Page, practice: Practice) -> list[str]:
        main = page.locator("main")
        for text in texts:
            expect(main).to_contain_text(text)
        return []

    return then


# --- The pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpPage:
    id: str
    who: str | None  # an attribute of Practice (the person opening the page); None: public
    path: Callable[[Practice], str]
    h1: str | re.Pattern[str]
    then: Then | None = None
    tags: tuple[str, ...] = tuple(AXE_TAGS_STAFF)
    settings: tuple[tuple[str, Any], ...] = ()  # Django settings while the page is open


def fixed(path: str) -> Callable[[Practice], str]:
    return lambda practice: path


def episode(suffix: str = "", which: str = "episode") -> Callable[[Practice], str]:
    return lambda p: f"{CASEWORK}episodes/{getattr(p, which).pk}/{suffix}"


def referral(suffix: str = "", which: str = "waiting") -> Callable[[Practice], str]:
    return lambda p: f"{CASEWORK}referrals/{getattr(p, which).pk}/{suffix}"


CASEWORK = "/staff/casework/"
PUBLIC = tuple(AXE_TAGS_PUBLIC)
REFER_ERRORS = (
    "Choose a pathway",
    "Enter their first name",
    "Enter their last name",
    "Enter their date of birth",
    "Enter a phone number, email address or address, so we can contact them",
    "Choose at least one reason",
    "Confirm the person agreed to be referred",
)

REFERRER_PAGES = [
    SpPage(
        "refer",
        "gp",
        fixed(f"{CASEWORK}referrals/new/"),
        "Refer someone to social prescribing",
        shows("To West link workers", CARER_QUESTION, "Who is their care coordinator?"),
    ),
    SpPage(
        "refer-errors",
        "gp",
        fixed(f"{CASEWORK}referrals/new/"),
        "Refer someone to social prescribing",
        submit("Send referral", *REFER_ERRORS),
    ),
    SpPage(
        "referral-confirmation",
        "gp",
        referral("sent/", which="sent"),
        "Referral sent",
        shows("Hana Begum", "What happens next"),
    ),
    SpPage(
        "referrals-sent",
        "gp",
        fixed(f"{CASEWORK}referrals/sent/"),
        "Your referrals",
        shows(
            "Waiting", "Accepted: first contact on", "Closed on", "Declined: The person declined"
        ),
    ),
]

TRIAGE_PAGES = [
    SpPage(
        "intake",
        "lin",
        fixed(f"{CASEWORK}intake/"),
        "Referrals waiting",
        shows("4 referrals waiting", "Past target", "Urgent", "Self-referral", "Derek Lamb"),
    ),
    SpPage(
        "referral",
        "lin",
        referral(),
        "Peter Moss",
        shows(CARER_QUESTION, "Dr Gita Patel, GP", "Urgent (within 2 working days)"),
    ),
    SpPage(
        "referral-accept",
        "lin",
        referral("accept/"),
        "Accept the referral",
        shows("We found 1 record that may be Peter", "Use the record for Peter Moss"),
    ),
    SpPage(
        "referral-redirect",
        "lin",
        referral("redirect/"),
        "Introduce them to Local Area Coordination",
    ),
    SpPage("referral-decline", "lin", referral("decline/"), "Decline the referral"),
    SpPage(
        "referral-decline-errors",
        "lin",
        referral("decline/"),
        "Decline the referral",
        submit("Decline referral", "Choose why you are declining the referral"),
    ),
    SpPage(
        "pathways",
        "morgan",
        fixed(f"{CASEWORK}pathways/"),
        "Pathways",
        shows("Primary care", "Mental health recovery", "Waiting past target"),
    ),
    SpPage("pathway-add", "morgan", fixed(f"{CASEWORK}pathways/add/"), "Add a pathway"),
    SpPage(
        "pathway-edit",
        "morgan",
        lambda p: f"{CASEWORK}pathways/{p.pathway.pk}/",
        "Change pathway: Primary care",
        shows(CARER_QUESTION),
    ),
    SpPage(
        "pathway-question-add",
        "morgan",
        lambda p: f"{CASEWORK}pathways/{p.pathway.pk}/questions/add/",
        "Add a question",
    ),
]

WORK_PAGES = [
    SpPage(
        "appointments",
        "lin",
        episode("appointments/"),
        "Appointments",
        shows("Coming up", "Room 4, Acomb Surgery", "What happened is not recorded yet"),
    ),
    SpPage("appointment-add", "lin", episode("appointments/add/"), "Book an appointment"),
    SpPage(
        "appointment-update",
        "lin",
        lambda p: f"{episode('appointments/')(p)}{p.to_record.pk}/",
        re.compile(r"^Appointment on "),
    ),
    SpPage(
        "my-appointments",
        "lin",
        fixed(f"{CASEWORK}appointments/"),
        "My appointments",
        shows("Earlier appointments to record", "Margaret Hall"),
    ),
    SpPage(
        "call-plans",
        "lin",
        episode("calls/"),
        "Welfare calls",
        shows("1 call to follow up.", "Vera Volunteer", "Mornings before 11am"),
    ),
    SpPage("call-plan-add", "lin", episode("calls/add/"), "Plan welfare calls"),
    SpPage(
        "call-plan-end",
        "lin",
        lambda p: f"{episode('calls/')(p)}{p.plan.pk}/end/",
        "End welfare calls",
    ),
    SpPage(
        "calls-today",
        "vera",
        fixed(f"{CASEWORK}calls/"),
        "Welfare calls today",
        shows("To call (1)", "Margaret", "Recorded (1)", "Bill"),
    ),
    SpPage(
        "call-record",
        "vera",
        lambda p: f"{CASEWORK}calls/{p.plan.pk}/{timezone.localdate().isoformat()}/",
        "Call to Margaret",
    ),
    SpPage(
        "call-record-errors",
        "vera",
        lambda p: f"{CASEWORK}calls/{p.plan.pk}/{timezone.localdate().isoformat()}/",
        "Call to Margaret",
        submit("Save the call", "Choose what happened"),
    ),
    SpPage(
        "calls-follow-up",
        "lin",
        fixed(f"{CASEWORK}calls/follow-up/"),
        "Welfare calls to follow up",
        shows("Not recorded today (1)", "2 calls to follow up", "Margaret Hall", "Bill Carter"),
        # Past the cut-off whatever the time, so today's unrecorded call to Margaret shows.
        settings=(("CASEWORK_WELFARE_CUTOFF_HOUR", 0),),
    ),
    SpPage("outcome", "lin", episode("outcome/"), "Outcome"),
    SpPage(
        "outcome-errors",
        "lin",
        episode("outcome/"),
        "Outcome",
        submit(
            "Save the outcome",
            "Choose whether they achieved their goals",
            "Choose how much they agree that they feel more able to manage",
            "Choose how much they agree that they would not have made these changes",
        ),
    ),
    SpPage(
        "outcome-recorded",
        "lin",
        episode("outcome/", which="closed"),
        "Outcome",
        shows("Strongly agree", "5 in the 6 months before the referral"),
    ),
    SpPage(
        "outcomes-report",
        "morgan",
        fixed(f"{CASEWORK}outcomes/"),
        re.compile(r"^Outcomes: "),
    ),
    SpPage(
        "partner-referrals",
        "pat",
        fixed(f"{CASEWORK}partner/referrals/"),
        "People introduced to your groups",
        shows("2 people introduced", "Margaret", "Someone", "Acomb Community Allotment"),
    ),
    SpPage(
        "partner-referral",
        "pat",
        lambda p: f"{CASEWORK}partner/referrals/{p.introduced.pk}/",
        "Margaret was introduced to your group",
        shows("Lin Linkworker", "west.linkworkers@example.org"),
    ),
]

PUBLIC_PAGES = [
    SpPage(
        "self-refer",
        None,
        fixed("/social-prescribing/"),
        "Ask for help from a link worker",
        tags=PUBLIC,
    ),
    SpPage(
        "self-refer-errors",
        None,
        fixed("/social-prescribing/"),
        "Ask for help from a link worker",
        submit(
            "Send",
            "Enter your first name",
            "Enter your last name",
            "Enter your date of birth",
            "Enter a phone number or email address",
            "Choose at least one thing you would like help with",
            "Tick the box to say you agree",
        ),
        tags=PUBLIC,
    ),
    SpPage("thank-you", None, fixed("/social-prescribing/thank-you/"), "Thank you", tags=PUBLIC),
]

PAGES = REFERRER_PAGES + TRIAGE_PAGES + WORK_PAGES + PUBLIC_PAGES


def open_page(session: BrowserSession, practice: Practice, spec: SpPage) -> tuple[Page, list[str]]:
    """Open the page as its user (in a context that lets axe-core in) and bring it to the
    state under test; with the problems that found."""
    page = session.new_page(bypass_csp=True)
    if spec.who is not None:
        sign_in_context(page.context, getattr(practice, spec.who), session.base_url)
    path = spec.path(practice)
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    assert page.url.endswith(path), f"{path} went to {page.url}"
    problems = spec.then(page, practice) if spec.then else []
    expect(page.get_by_role("heading", level=1)).to_have_text(spec.h1)
    return page, problems


@pytest.fixture(autouse=True)
def _no_rate_limits_from_other_tests():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("spec", PAGES, ids=[p.id for p in PAGES])
def test_axe_finds_no_violations(
    browser_session: BrowserSession, transactional_db, settings, spec: SpPage
):
    """axe-core finds nothing against WCAG 2.2 AA (and AAA on the public pages), and nothing
    else on the page is broken, such as an error summary linking to nothing."""
    for name, value in spec.settings:
        setattr(settings, name, value)
    practice = _build_practice()
    page, problems = open_page(browser_session, practice, spec)
    violations = axe(page, list(spec.tags))
    if violations:
        problems.append(format_violations(violations, page.url))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
