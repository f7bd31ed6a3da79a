"""Issue 5 from end to end in Chromium: "a front-door officer can turn a call into a booked
conversation in under two minutes, the person gets reminded, the practitioner records the
outcome, and a manager sees the waiting-time and outcome figures York reports."

Fay takes a call from Olive, who is not on record: she adds her, records the first contact
with the decision "Book a Talking Point", and books the first free time at the Acomb hub:
four submissions, timed. Olive's confirmation and, the day before, her reminder are in the
outbox. On the day, Pat records the conversation; Mona, who leads the hub's team, sees Olive
counted in the figures. The manager's set-up pages (hubs, sessions with their errors,
closures) and the figures page pass axe on the way."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from alongside.core.models import Ward
from alongside.hubs.models import Booking, Conversation, FirstContact, Slot
from alongside.hubs.services.schedule import slots_generate
from alongside.hubs.tests.factories import (
    front_door_team,
    hub_team,
    make_hub,
    make_session,
    manager,
    officer,
    practitioner,
)
from alongside.notify.models import OutboxMessage

from .conftest import AXE_TAGS_STAFF, BrowserSession, axe, format_violations, sign_in_context

pytestmark = pytest.mark.browser


def _axe(page: Page, problems: list[str]) -> None:
    violations = axe(page, AXE_TAGS_STAFF)
    if violations:
        problems.append(format_violations(violations, page.url))


@pytest.fixture
def place(york_places):
    cache.clear()
    team = hub_team("Talking Points West")
    hub = make_hub(team=team, ward=Ward.objects.get(name="Acomb"), name="Acomb Explore Library")
    session = make_session(hub, start_time=dt.time(10), end_time=dt.time(12), capacity=2)
    assert slots_generate(session=session) > 0
    return {
        "hub": hub,
        "session": session,
        "fay": officer(front_door_team(), full_name="Fay Frontdoor"),
        "pat": practitioner(team, full_name="Pat Practitioner"),
        "mona": manager(team, full_name="Mona Manager"),
    }


def test_a_call_becomes_a_conversation_and_a_figure(browser_session: BrowserSession, place):
    problems: list[str] = []

    # --- The front door: a call to a booked Talking Point -------------------------------
    page = browser_session.new_page(bypass_csp=True)
    sign_in_context(page.context, place["fay"], browser_session.base_url)
    started = time.monotonic()
    page.goto("/staff/talking-points/contacts/new/")
    page.get_by_label("Search by name").fill("Quill")
    page.get_by_role("button", name="Search").click()  # 1
    page.get_by_label("First name").fill("Olive")
    page.get_by_label("Last name").fill("Quill")
    page.get_by_label("Email address (optional)").fill("olive@example.org")
    page.get_by_role("button", name="Add the person and continue").click()  # 2
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a first contact")
    page.get_by_label("The person themselves").check()
    page.get_by_label("What matters to the person?").fill("Getting out and meeting people")
    page.get_by_label("Book a Talking Point").check()
    page.get_by_role("button", name="Save the first contact").click()  # 3
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a Talking Point")
    page.get_by_role("button", name=re.compile(r"^Book .* at Acomb Explore Library")).first.click()
    expect(page.get_by_text("Booked for")).to_be_visible()  # 4 submissions in all
    took = time.monotonic() - started
    _axe(page, problems)
    assert took < 120, f"the call took {took:.0f} s to turn into a booking"

    booking = Booking.objects.select_related("slot", "first_contact").get(
        person__family_name="Quill"
    )
    assert booking.status == Booking.Status.BOOKED
    assert booking.first_contact.decision == FirstContact.Decision.TALKING_POINT
    assert booking.first_contact.contact_date == timezone.localdate()
    confirmation = OutboxMessage.objects.get(kind="hubs.confirmation")
    assert confirmation.to == "olive@example.org"
    assert "Acomb Explore Library" in confirmation.body

    # --- The day before: the reminder --------------------------------------------------
    day = timezone.localtime(booking.slot.starts_at).date()
    call_command("send_booking_reminders", day=day.isoformat())
    reminder = OutboxMessage.objects.get(kind="hubs.reminder")
    assert reminder.to == "olive@example.org"
    call_command("send_booking_reminders", day=day.isoformat())
    assert OutboxMessage.objects.filter(kind="hubs.reminder").count() == 1, "reminded twice"

    # --- The day comes: the practitioner records the conversation ------------------------
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 1)))
    Slot.objects.filter(pk=booking.slot_id).update(
        starts_at=start, ends_at=start + dt.timedelta(minutes=60)
    )
    staff = browser_session.new_page(bypass_csp=True)
    sign_in_context(staff.context, place["pat"], browser_session.base_url)
    staff.goto("/staff/talking-points/today/")
    expect(staff.get_by_role("table").first).to_contain_text("Olive Quill")
    staff.get_by_role("link", name=re.compile("Record the conversation")).first.click()
    staff.get_by_label("Attended", exact=True).check()
    staff.get_by_label("Information and advice").check()
    staff.get_by_role("button", name="Save the conversation").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Conversation with Olive Quill")
    conversation = Conversation.objects.get()
    assert (conversation.attendance, conversation.first_contact_id) == (
        "attended",
        booking.first_contact_id,
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ATTENDED

    # --- The manager: the figures, and the set-up pages ---------------------------------
    lead = browser_session.new_page(bypass_csp=True)
    sign_in_context(lead.context, place["mona"], browser_session.base_url)
    lead.goto("/staff/talking-points/figures/")
    expect(lead.get_by_role("heading", level=1)).to_have_text("Talking Points figures")
    # Mona leads the hub's team, so she sees her own hub's small numbers exactly; the totals
    # also hold the front door's work (another team), so there they are suppressed.
    hub_row = lead.locator("#by-group tbody tr", has_text="Acomb Explore Library")
    expect(hub_row).not_to_contain_text("fewer than 5")
    expect(hub_row.locator("td").first).to_have_text("1")
    expect(lead.locator("#headline-seen")).to_contain_text("fewer than 5")
    _axe(lead, problems)

    lead.goto("/staff/talking-points/hubs/")
    expect(lead.get_by_role("heading", level=1)).to_be_visible()
    _axe(lead, problems)
    lead.goto(f"/staff/talking-points/hubs/{place['hub'].pk}/")
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Acomb Explore Library")
    _axe(lead, problems)
    lead.get_by_role("button", name="Add a session").click()
    lead.get_by_role("button", name="Add the session").click()
    expect(lead.locator(".govuk-error-summary")).to_be_visible()
    _axe(lead, problems)
    lead.goto(f"/staff/talking-points/closures/new/?hub={place['hub'].pk}")
    lead.get_by_role("button", name="Add the closure").click()
    expect(lead.locator(".govuk-error-summary")).to_be_visible()
    _axe(lead, problems)
    lead.goto(f"/staff/talking-points/sessions/{place['session'].pk}/")
    expect(lead.get_by_role("heading", level=1)).to_be_visible()
    _axe(lead, problems)
    lead.goto("/staff/talking-points/bookings/")
    expect(lead.get_by_role("heading", level=1)).to_be_visible()
    _axe(lead, problems)

    assert not problems, "\n".join(problems)
