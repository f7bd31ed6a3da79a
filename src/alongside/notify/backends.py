"""Ways of sending a stored message. `settings.NOTIFY_BACKEND` names one of `BACKENDS`.

A backend gets a saved `OutboxMessage` and says what happened; it never changes the message
itself (`services.message_deliver` does). To add one, write a class with `name`, `sends` and
`deliver()`, and add it to `BACKENDS`.

`deliver()` returns a `Delivery` when the answer is final (sent, or refused for good), and
raises when it is worth trying again later (the provider is down or slow): the task then
fails, `message_deliver`'s transaction rolls back and the message stays queued.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from notifications_python_client import NotificationsAPIClient, prepare_upload
from notifications_python_client.errors import APIError

if TYPE_CHECKING:
    from .models import OutboxMessage

logger = logging.getLogger(__name__)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


@dataclass(frozen=True)
class Delivery:
    """What a backend did with a message: sent it, failed, or kept it (sent is None)."""

    sent: bool | None
    provider_reference: str = ""
    failure_reason: str = ""


class Backend(Protocol):
    name: str
    sends: bool  # False: messages stay in the outbox and no task is queued for them

    def deliver(self, message: OutboxMessage) -> Delivery: ...


class OutboxBackend:
    """Keeps every message in the database and sends nothing. The default: staff read the
    outbox at /staff/messages/, and nothing reaches a resident by accident."""

    name = "outbox"
    sends = False

    def deliver(self, message: OutboxMessage) -> Delivery:
        return Delivery(sent=None)


class NotifyUnavailable(Exception):
    """GOV.UK Notify could not take a message just now (it is down, slow or busy); the
    message stays queued to be sent later. The text never holds the address or the body."""


def parse_notify_api_key(key: str) -> tuple[str, str] | None:
    """The (service id, secret) in a GOV.UK Notify API key, or None when it is not one.

    Keys look like "<key name>-<service id>-<secret>", both ids UUIDs; the client takes the
    last 73 characters apart in the same way."""
    key = (key or "").strip()
    service_id, separator, secret = key[-73:-37], key[-37:-36], key[-36:]
    if separator != "-" or (len(key) > 73 and key[-74] != "-"):
        return None
    if not (is_uuid(service_id) and is_uuid(secret)):
        return None
    return service_id, secret


def is_uuid(value: str) -> bool:
    """A UUID written the usual way (uuid.UUID alone also takes stray or missing dashes)."""
    return bool(_UUID.fullmatch(value or ""))


class GovukNotifyBackend:
    """Sends email and text messages through GOV.UK Notify (notifications-python-client).

    Every message uses one of three templates in the Notify service, which only place our
    text: NOTIFY_EMAIL_TEMPLATE_ID (((subject)) and ((body))), NOTIFY_EMAIL_FILE_TEMPLATE_ID
    (the same and ((link_to_file)), for an email with a file) and NOTIFY_SMS_TEMPLATE_ID
    (((body))). Notify sends a file as a link to download it, one file per email.

    A refusal from Notify of the message itself (400: a bad address, a bad template, a
    trial-mode service) fails it with Notify's own reason. Notify being down, slow or over
    its rate limit, or refusing our key (5xx, 429, 401, 403, a timeout, no connection)
    raises `NotifyUnavailable`, so the message stays queued and is sent when it is tried
    again. Logs name the message by its reference only.
    """

    name = "govuk_notify"
    sends = True

    def deliver(self, message: OutboxMessage) -> Delivery:
        attachments = list(message.attachments.all()) if message.channel == "email" else []
        if len(attachments) > 1:
            return Delivery(
                sent=False,
                failure_reason=(
                    f"GOV.UK Notify sends one file with an email, and this message has "
                    f"{len(attachments)}. Send each file in its own email."
                ),
            )
        client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY.strip(),
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT_SECONDS,
        )
        try:
            if message.channel == "sms":
                response = client.send_sms_notification(
                    phone_number=message.to,
                    template_id=_template_id("NOTIFY_SMS_TEMPLATE_ID"),
                    personalisation={"body": message.body},
                    reference=message.reference,
                )
            elif attachments:
                (attachment,) = attachments
                upload = prepare_upload(
                    io.BytesIO(bytes(attachment.content)), filename=attachment.filename
                )
                response = client.send_email_notification(
                    email_address=message.to,
                    template_id=_template_id("NOTIFY_EMAIL_FILE_TEMPLATE_ID"),
                    personalisation={
                        "subject": message.subject,
                        "body": message.body,
                        "link_to_file": upload,
                    },
                    reference=message.reference,
                )
            else:
                response = client.send_email_notification(
                    email_address=message.to,
                    template_id=_template_id("NOTIFY_EMAIL_TEMPLATE_ID"),
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=message.reference,
                )
        except APIError as error:
            status = error.status_code if error.response is not None else None
            # Ours to mend, not the message's: Notify down or busy, or our key refused (401,
            # 403: a revoked key, a clock out of step). The message waits to be sent again.
            if status is None or status >= 500 or status in (401, 403, 429) or status < 400:
                logger.warning(
                    "GOV.UK Notify could not take message %s (%s); it stays queued",
                    message.reference,
                    status or "no answer",
                )
                raise NotifyUnavailable(
                    f"GOV.UK Notify could not take message {message.reference} "
                    f"({status or 'no answer'}); it stays queued to be sent again"
                ) from error
            reason = _refusal_reason(error, message)
            logger.warning(
                "GOV.UK Notify refused message %s (%s): %s", message.reference, status, reason
            )
            return Delivery(sent=False, failure_reason=reason)
        notification_id = str(response.get("id", "")) if isinstance(response, dict) else ""
        logger.info("GOV.UK Notify took message %s as %s", message.reference, notification_id)
        return Delivery(sent=True, provider_reference=notification_id)


def _template_id(setting: str) -> str:
    # A missing template is our mistake, not the message's: raise, so it stays queued and
    # goes once the setting is fixed (the system check refuses to start without it).
    template_id = (getattr(settings, setting, "") or "").strip()
    if not template_id:
        raise ImproperlyConfigured(f"{setting} is not set, so GOV.UK Notify cannot send this.")
    return template_id


def _refusal_reason(error: APIError, message: OutboxMessage) -> str:
    """Notify's own words for why it refused a message, without the address in them."""
    texts: list[str] = []
    try:
        body: Any = error.response.json()  # type: ignore[union-attr]
        texts = [str(item.get("message", "")) for item in body.get("errors", [])]
    except (AttributeError, TypeError, ValueError):
        pass
    reason = "; ".join(text for text in texts if text)
    if not reason:
        reason = f"GOV.UK Notify refused the message ({error.status_code})"
    if message.to:
        reason = re.sub(re.escape(message.to), message.to_masked, reason, flags=re.IGNORECASE)
    return reason


BACKENDS: dict[str, type[Backend]] = {
    "outbox": OutboxBackend,
    GovukNotifyBackend.name: GovukNotifyBackend,
}


def get_backend(name: str | None = None) -> Backend:
    """The configured backend; a clear error for a name we do not know."""
    name = settings.NOTIFY_BACKEND if name is None else name
    try:
        return BACKENDS[name]()
    except KeyError:
        known = ", ".join(f'"{known}"' for known in sorted(BACKENDS))
        raise ImproperlyConfigured(
            f'NOTIFY_BACKEND is "{name}", which Alongside does not know. Use one of: {known}.'
        ) from None
