"""The front door in a browser (issue 5): a front-door officer takes a call from someone not
yet on record, adds them, records the first contact and puts them on the assessment waiting
list, then records the assessment. Every front-door page on the way, and the form with its
errors showing, meets WCAG 2.2 AA as far as axe-core can tell; each error summary link leads
to something on the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alongside.hubs.models import AssessmentRequest, FirstContact
from alongside.hubs.tests.factories import front_door_team, make_contact, officer

from .conftest import AXE_TAGS_STAFF, BrowserSession, axe, format_violations, sign_in_context

pytestmark = pytest.mark.browser


def _check(page: Page, problems: list[str]) -> None:
    """Run axe on the page as it is, and check the error summary's links land somewhere."""
    violations = axe(page, AXE_TAGS_STAFF)
    if violations:
        problems.append(format_violations(violations, page.url))
    for link in page.locator(".govuk-error-summary__list a").all():
        target = (link.get_attribute("href") or "").removeprefix("#")
        if target and page.locator(f"[id='{target}']").count() == 0:
            problems.append(f"{page.url}: error summary links to missing #{target}")


def test_a_call_becomes_a_first_contact_on_the_waiting_list(
    browser_session: BrowserSession, york_places
):
    team = front_door_team()
    fay = officer(team, full_name="Fay Frontdoor")
    # Earlier contacts, so the list has something to show (one urgent with a concern).
    make_contact(team=team, urgency="urgent", safeguarding=True, safeguarding_details="Bruising")
    make_contact(team=team, decision=FirstContact.Decision.INFORMATION)

    page = browser_session.new_page(bypass_csp=True)
    sign_in_context(page.context, fay, browser_session.base_url)
    problems: list[str] = []

    page.goto("/staff/talking-points/contacts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("First contacts")
    _check(page, problems)

    page.get_by_role("button", name="Record a first contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is the contact about?")
    page.get_by_label("Search by name").fill("Quill")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("0 records found")).to_be_visible()
    _check(page, problems)

    # Adding without a last name shows the error, and keeps what was typed.
    page.get_by_label("First name").fill("Olive")
    page.get_by_role("button", name="Add the person and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their last name")
    expect(page.get_by_label("First name")).to_have_value("Olive")
    _check(page, problems)
    page.get_by_label("Last name").fill("Quill")
    page.get_by_label("Phone number (optional)").fill("01904 555321")
    page.get_by_role("button", name="Add the person and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Record a first contact")
    _check(page, problems)
    # A family member called; without their name and details, the form says so.
    page.get_by_label("Family, a friend or a neighbour").check()
    page.get_by_label("What matters to the person?").fill("Staying in her own home")
    page.get_by_label("Full Care Act assessment").check()
    page.get_by_role("button", name="Save the first contact").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the name of the person who made contact")
    expect(page.get_by_label("What matters to the person?")).to_have_value(
        "Staying in her own home"
    )
    _check(page, problems)
    page.get_by_label("Their name").fill("Rob Quill")
    page.get_by_label("How to reach them").fill("07700 900456")
    page.get_by_role("button", name="Save the first contact").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Olive Quill")
    expect(page.get_by_text("Olive Quill is on the assessment waiting list.")).to_be_visible()
    _check(page, problems)
    contact = FirstContact.objects.get(person__family_name="Quill")
    assert contact.decision == FirstContact.Decision.ASSESSMENT
    assert contact.contact_name == "Rob Quill"

    # An undecided contact: deciding later.
    undecided = make_contact(team=team)
    page.goto(f"/staff/talking-points/contacts/{undecided.pk}/decide/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decide what happens next")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what happens next")
    _check(page, problems)

    # The waiting list, then recording the assessment.
    page.goto("/staff/talking-points/assessments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment waiting list")
    _check(page, problems)
    page.get_by_role("link", name="Olive Quill").click()
    _check(page, problems)
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the assessment")
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date of the assessment")
    _check(page, problems)
    today = timezone.localdate()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_text("The assessment is recorded.")).to_be_visible()
    request = AssessmentRequest.objects.get(person=contact.person)
    assert request.status == AssessmentRequest.Status.ASSESSED
    assert request.assessed_on == today and request.requested_on <= today
    assert request.paid_service_needed is False
    assert (today - request.requested_on) < dt.timedelta(days=1)

    page.goto(f"/staff/talking-points/assessments/{request.pk}/?do=withdraw")
    # Already assessed: sent back to the request, which says so.
    expect(page.get_by_text("This request is already assessed.")).to_be_visible()

    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
