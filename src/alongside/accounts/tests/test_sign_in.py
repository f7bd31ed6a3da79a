"""Signing in: password, then a second factor where required; lockout after failures."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.core.models import AuditEvent

from .factories import PASSWORD, FrontDoorOfficerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_sign_in_page_renders(client):
    response = client.get(reverse("accounts:sign-in"))
    assert response.status_code == 200
    assert b"Sign in to Alongside" in response.content


def test_wrong_password_shows_error_and_does_not_sign_in(client):
    user = UserFactory()
    response = client.post(
        reverse("accounts:sign-in"), {"email": user.email, "password": "wrong password"}
    )
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.content
    assert user.email.encode() in response.content  # what was typed is kept
    assert "_auth_user_id" not in client.session


def test_empty_form_names_each_missing_field(client):
    response = client.post(reverse("accounts:sign-in"), {"email": "", "password": ""})
    assert b"Enter your email address" in response.content
    assert b"Enter your password" in response.content


def test_sign_in_without_device_when_not_required_reaches_home(client):
    user = FrontDoorOfficerFactory()
    response = client.post(
        reverse("accounts:sign-in"), {"email": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:home")
    assert b"Your tools" in response.content
    assert AuditEvent.objects.filter(actor=user, action="sign_in").exists()


def test_sign_in_with_device_requires_code(client):
    user = FrontDoorOfficerFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(reverse("accounts:sign-in"), {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-verify"))
    # Staff pages stay closed until the code is given.
    assert client.get(reverse("accounts:home")).status_code == 302
    wrong = "000000" if _code(device) != "000000" else "111111"
    bad = client.post(reverse("accounts:otp-verify"), {"code": wrong})
    assert b"The security code is wrong" in bad.content
    # Straight after a wrong code, even the right one waits: django-otp throttles guesses.
    too_soon = client.post(reverse("accounts:otp-verify"), {"code": _code(device)})
    assert b"Wait a few seconds, then enter the new security code" in too_soon.content
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries; the test stands in for waiting
    good = client.post(reverse("accounts:otp-verify"), {"code": _code(device)})
    assert good.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200


@override_settings(ALONGSIDE_REQUIRE_OTP=True)
def test_when_required_a_user_without_device_must_set_one_up(client):
    user = FrontDoorOfficerFactory()
    response = client.post(reverse("accounts:sign-in"), {"email": user.email, "password": PASSWORD})
    assert response["Location"].startswith(reverse("accounts:otp-setup"))
    page = client.get(reverse("accounts:otp-setup"))
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.get(reverse("accounts:home")).status_code == 302
    client.post(reverse("accounts:otp-setup"), {"code": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("accounts:home")).status_code == 200


def test_lockout_after_repeated_failures(client):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("accounts:sign-in"), {"email": user.email, "password": "nope nope"})
    response = client.post(reverse("accounts:sign-in"), {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Your account is locked for now" in response.content
    assert "_auth_user_id" not in client.session


def test_next_must_be_on_this_site(client):
    user = FrontDoorOfficerFactory()
    response = client.post(
        reverse("accounts:sign-in") + "?next=https://evil.example/",
        {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("accounts:home")


def test_sign_out_needs_post(client, staff_client):
    user = FrontDoorOfficerFactory()
    c = staff_client(user)
    assert c.get(reverse("accounts:sign-out")).status_code == 405
    c.post(reverse("accounts:sign-out"))
    assert c.get(reverse("accounts:home")).status_code == 302
