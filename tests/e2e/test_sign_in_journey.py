"""A staff member signs in with their password and authenticator app, using only the keyboard."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from alongside.accounts.tests.factories import PASSWORD, FrontDoorOfficerFactory, TeamFactory

pytestmark = pytest.mark.browser

STAFF_SERVICE = settings.COUNCIL["staff_service_name"]


# --- Helpers -----------------------------------------------------------------------------------


def focused(page: Page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def focused_description(page: Page) -> str:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return "<body>";
            const text = (el.innerText || el.value || "").trim().slice(0, 40);
            return `<${el.tagName.toLowerCase()}${el.id ? " id=" + el.id : ""}> ${text}`;
        }"""
    )


def tab_to(page: Page, selector: str, limit: int = 40) -> int:
    """Press Tab until the element matching `selector` has focus; return how many presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return presses
    raise AssertionError(
        f"Tabbed {limit} times without reaching {selector}; focus is on {focused_description(page)}"
    )


def current_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps
    )
    return f"{code:0{device.digits}d}"


def wait_out_throttling(device: TOTPDevice) -> None:
    """django-otp locks a device briefly after a wrong code (1 s after the first); a right code
    typed inside that window is refused too, so a fast test waits like a person would."""
    device.refresh_from_db()
    allowed, data = device.verify_is_allowed()
    if not allowed and data and data.get("locked_until"):
        remaining = (data["locked_until"] - timezone.now()).total_seconds()
        time.sleep(max(0.0, remaining) + 0.2)


def wrong_code(device: TOTPDevice) -> str:
    """A 6-digit code that no step inside the device's tolerance window would accept."""
    window = range(-device.tolerance - 1, device.tolerance + 2)
    valid = {current_code(device, step) for step in window}
    candidate = 123456
    while f"{candidate:06d}" in valid:
        candidate = (candidate + 1) % 1_000_000
    return f"{candidate:06d}"


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def team(york_places):
    from alongside.core.models import Ward

    team = TeamFactory(name="York Front Door")
    team.wards.set(Ward.objects.order_by("name")[:2])
    return team


@pytest.fixture
def officer(team):
    """A front-door officer in a team, with a confirmed authenticator app."""
    user = FrontDoorOfficerFactory(
        email="morgan.hale@example.org", full_name="Morgan Hale", team=team
    )
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


@pytest.fixture
def device(officer) -> TOTPDevice:
    return TOTPDevice.objects.get(user=officer)


def sign_in_with_password(page: Page, email: str) -> None:
    """Keyboard only: Tab to the email field, type, Tab to the password, type, press Enter."""
    page.goto("/staff/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign in to {STAFF_SERVICE}")
    tab_to(page, "input[name=email]")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert focused(page, "input[name=password]"), (
        f"Tab from email should reach password; focus is on {focused_description(page)}"
    )
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/sign-in/code/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")


# --- Tests -------------------------------------------------------------------------------------


def test_staff_member_signs_in_with_keyboard_only(page: Page, officer, device, team):
    sign_in_with_password(page, officer.email)

    tab_to(page, "input[name=code]")
    page.keyboard.type(current_code(device))
    page.keyboard.press("Enter")

    page.wait_for_url("**/staff/")
    expect(page).to_have_title(f"Home – {STAFF_SERVICE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Morgan")
    expect(page.get_by_role("heading", name="Your tools")).to_be_visible()
    teams = page.locator(".govuk-grid-column-one-third")
    expect(teams.get_by_role("heading", name="Your teams")).to_be_visible()
    expect(teams.get_by_text("York Front Door", exact=True)).to_be_visible()
    expect(teams.get_by_text("Front door", exact=True)).to_have_count(0)  # no programmes set
    ward_names = ", ".join(team.wards.order_by("name").values_list("name", flat=True))
    expect(teams).to_contain_text(f"Wards: {ward_names}")
    # The verified session opens other staff pages without asking for a code again.
    page.goto("/staff/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def test_wrong_code_shows_error_summary_that_links_to_the_field(page: Page, officer, device):
    sign_in_with_password(page, officer.email)

    tab_to(page, "input[name=code]")
    page.keyboard.type(wrong_code(device))
    page.keyboard.press("Enter")

    page.wait_for_load_state()
    assert "/staff/sign-in/code/" in page.url
    expect(page).to_have_title(f"Error: Enter your security code – {STAFF_SERVICE}")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    message = "The security code is wrong or has expired. Try the new code"
    link = summary.get_by_role("link", name=message)
    expect(link).to_have_attribute("href", "#id_code")
    # The error is also shown at the field and announced with it.
    field = page.locator("#id_code")
    error = page.locator(".govuk-error-message", has_text=message)
    expect(error).to_be_visible()
    error_id = error.get_attribute("id")
    assert error_id, "the field's error message needs an id for aria-describedby"
    assert error_id in (field.get_attribute("aria-describedby") or "").split()
    expect(field).to_have_class(re.compile(r"\bgovuk-input--error\b"))

    # GOV.UK Frontend moves focus to the summary; Tab reaches its link, Enter follows it
    # and puts focus in the field.
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(field).to_be_focused()

    # The right code still works after a wrong one. The field keeps what was typed, so
    # select it and type over it.
    wait_out_throttling(device)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(current_code(device))
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Morgan")


@pytest.mark.parametrize(
    ("path", "first_in_main"),
    [("/", "main a"), ("/staff/sign-in/", "input[name=email]")],
    ids=["home", "sign-in"],
)
def test_skip_link_is_first_and_moves_focus_to_main_content(page: Page, path, first_in_main):
    page.goto(path)
    first_focusable = page.evaluate(
        """() => {
            const candidates = document.querySelectorAll(
                'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]'
            );
            const el = [...candidates].find(
                (e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0
            );
            return el ? el.outerHTML : null;
        }"""
    )
    assert first_focusable and "govuk-skip-link" in first_focusable, first_focusable

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main-content$"))
    expect(page.locator("main#main-content")).to_be_focused()
    # The next Tab goes into the main content, not back into the header.
    page.keyboard.press("Tab")
    assert focused(page, first_in_main), (
        f"after skipping, Tab should reach {first_in_main}; focus is on {focused_description(page)}"
    )
