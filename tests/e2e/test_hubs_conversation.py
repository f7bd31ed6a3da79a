"""The Talking Point conversation in Chromium against the real server (issue 5).

Pat, a practitioner in the west team, opens her day and sees Sam booked at Acomb Explore
Library with his access needs. She records the conversation: Sam came, he was connected to a
walking group (found by searching the directory from the form, without losing what she had
typed) and the survey link goes to him. Sam opens the link without signing in, says the
conversation was very helpful and gets a thank-you; opening the link again says he has
already answered. A broken link gets a plain-English page. Every page passes axe (staff pages
WCAG 2.2 AA, the public survey pages AAA too)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alongside.core.models import Ward
from alongside.directory.models import Provider, Service
from alongside.hubs.models import Conversation, SurveyResponse
from alongside.hubs.tests.factories import (
    front_door_team,
    hub_team,
    make_booking,
    make_contact,
    make_hub,
    make_session,
    make_slot,
    practitioner,
)
from alongside.notify.models import OutboxMessage
from alongside.people.tests.factories import PersonFactory

from .conftest import (
    AXE_TAGS_PUBLIC,
    BrowserSession,
    PageProblems,
    assert_no_axe_violations,
    sign_in_context,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def day(york_places):
    """Pat's team runs a hub in Acomb; Sam is booked there early today."""
    team = hub_team("Talking Points West")
    pat = practitioner(team, full_name="Pat Practitioner")
    hub = make_hub(team=team, ward=Ward.objects.get(name="Acomb"), name="Acomb Explore Library")
    session = make_session(hub, start_time=dt.time(0, 1), end_time=dt.time(1, 1))
    session.practitioners.add(pat)
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 1)))
    sam = PersonFactory(given_name="Sam", family_name="Brown", email="sam@example.org")
    contact = make_contact(team=front_door_team(), person=sam)
    booking = make_booking(
        make_slot(session, starts_at=start),
        first_contact=contact,
        access_needs=["step_free"],
        notes="Uses a walking frame",
    )
    provider = Provider.objects.create(name="Acomb friends", description="A group.")
    Service.objects.create(
        provider=provider,
        name="Acomb walking group",
        description="We walk every Tuesday.",
        state="published",
    )
    return {"pat": pat, "booking": booking}


def test_record_the_conversation_and_answer_the_survey(
    browser_session: BrowserSession, page_problems: PageProblems, day
) -> None:
    staff = browser_session.new_page(bypass_csp=True)
    sign_in_context(staff.context, day["pat"], browser_session.base_url)

    staff.goto("/staff/talking-points/today/")
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Talking Points on")
    expect(staff.get_by_role("table")).to_contain_text("Sam Brown")
    expect(staff.get_by_role("table")).to_contain_text("Step-free access")
    assert_no_axe_violations(staff)

    staff.get_by_role("link", name=re.compile("Record the conversation")).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(
        "Record the conversation with Sam Brown"
    )
    assert_no_axe_violations(staff)
    staff.get_by_label("Attended", exact=True).check()
    staff.get_by_label("Their strengths (optional)").fill("Keen walker, knows everyone")
    staff.get_by_label("Connected to a community activity").check()
    staff.get_by_label("Search the directory (optional)").fill("walking")
    staff.get_by_role("button", name="Search the directory").click()

    # The search keeps everything typed and offers the listing.
    expect(staff.get_by_label("Their strengths (optional)")).to_have_value(
        "Keen walker, knows everyone"
    )
    expect(staff.get_by_label("Connected to a community activity")).to_be_checked()
    staff.get_by_label("Acomb walking group").check()
    assert_no_axe_violations(staff)
    staff.get_by_role("button", name="Save the conversation").click()

    expect(staff.get_by_role("heading", level=1)).to_have_text("Conversation with Sam Brown")
    expect(staff.locator("main")).to_contain_text("Acomb walking group")
    expect(staff.locator("main")).to_contain_text("Connected to a community activity")
    assert_no_axe_violations(staff)
    conversation = Conversation.objects.get()
    assert conversation.attendance == "attended"

    # Sam follows the link in his email: no sign-in.
    message = OutboxMessage.objects.get(kind="hubs.survey")
    link = re.search(r"https?://\S+", message.body).group(0)
    public = browser_session.new_page(bypass_csp=True)
    public.goto(urlsplit(link).path)
    expect(public.get_by_role("heading", level=1)).to_have_text(
        "How helpful was your Talking Point?"
    )
    assert_no_axe_violations(public, AXE_TAGS_PUBLIC)
    public.get_by_role("button", name="Send your answer").click()
    expect(public.locator(".govuk-error-summary")).to_contain_text(
        "Choose how helpful your conversation was"
    )
    assert_no_axe_violations(public, AXE_TAGS_PUBLIC)
    public.get_by_label("Very helpful", exact=True).check()
    public.get_by_label("Is there anything you want to tell us? (optional)").fill(
        "Pat listened to me."
    )
    public.get_by_role("button", name="Send your answer").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_no_axe_violations(public, AXE_TAGS_PUBLIC)
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.source) == (5, "link")

    public.goto(urlsplit(link).path)
    expect(public.get_by_role("heading", level=1)).to_have_text(
        "Thank you. You have already answered"
    )
    assert_no_axe_violations(public, AXE_TAGS_PUBLIC)

    # The practitioner sees the answer on the conversation.
    staff.reload()
    expect(staff.locator("main")).to_contain_text("5 out of 5: Very helpful")

    page_problems.allow(r"Failed to load resource.*400")
    public.goto("/talking-points/survey/not-a-real-link/")
    expect(public.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert_no_axe_violations(public, AXE_TAGS_PUBLIC)
