"""Writes for accounts: second factor set-up, and administration of users and teams."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.core.audit import audit_record

from .models import User


@transaction.atomic
def otp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user, replacing any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def otp_device_confirm(*, user: User, device: TOTPDevice, code: str) -> bool:
    """Confirm the device when the code matches; earlier confirmed devices are removed."""
    if device.user_id != user.pk or not device.verify_token(code):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="admin", obj=user, reason="Set up two-factor authentication")
    return True


def sign_in_record(*, user: User, second_factor: bool, **_: Any) -> None:
    audit_record(
        actor=user,
        action="sign_in",
        obj=user,
        reason="Signed in with a second factor" if second_factor else "Signed in",
    )
