"""Sending email and text messages, for every app.

Call `send_email()` or `send_sms()`. Each stores the message (and any attachments) in the
outbox, writes an audit event (a message holds someone's address, which is personal data),
and then hands it to the backend named by `settings.NOTIFY_BACKEND`:

- "outbox" (the default) sends nothing: the message stays in the outbox for staff to read.
- a backend that really sends is run by the `notify.tasks.deliver_message` task once the
  transaction commits, so a slow or failing provider never slows or breaks the page.

    message = send_email(
        to="someone@example.org",
        subject="Your booking",
        body="You are booked in for ...",
        kind="hubs.booking_confirmed",
        actor=request.user,
        attachments=[Attachment("booking.pdf", pdf_bytes)],
        audit_reason="Confirmed a Talking Point booking",
    )

Bad input raises `ValidationError` keyed by argument name, and nothing is stored.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from alongside.core.audit import acting_user, audit_record
from alongside.core.models import AuditEvent

from .backends import BACKENDS, get_backend
from .models import OutboxAttachment, OutboxMessage

EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.org"
PHONE_MESSAGE = "Enter a UK mobile number, like 07700 900 982"
# GOV.UK Notify's limit for one file sent by email; we hold every backend to it.
MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
MAX_SMS_CHARACTERS = 918  # 6 text messages long, the most GOV.UK Notify sends as one
_REFERENCE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")


@dataclass(frozen=True)
class Attachment:
    """A file to send with an email."""

    filename: str
    content: bytes
    content_type: str = "application/pdf"


def _new_reference() -> str:
    letters = "".join(secrets.choice(_REFERENCE_LETTERS) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def normalise_mobile(number: str) -> str:
    """A UK mobile number as 07... with no spaces; ValidationError when it is not one."""
    digits = re.sub(r"[\s()-]", "", number or "")
    if not _UK_MOBILE.match(digits):
        raise ValidationError({"to": PHONE_MESSAGE})
    return "0" + digits[-10:]


def _one_line(value: str, *, field: str, required: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: required})
    if "\n" in value or "\r" in value:
        raise ValidationError({field: "Subject must be on one line"})
    if len(value) > max_length:
        raise ValidationError({field: f"Subject must be {max_length} characters or fewer"})
    return value


def _check_kind(kind: str) -> str:
    if not re.fullmatch(r"[a-z_]+\.[a-z_]+", kind or ""):
        raise ValidationError({"kind": 'Kind must look like "app.purpose"'})
    return kind


def _check_attachments(attachments: Sequence[Attachment]) -> None:
    for attachment in attachments:
        name = attachment.filename
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,199}", name or ""):
            raise ValidationError({"attachments": f"{name or 'A file'} has a name we cannot use"})
        if not attachment.content:
            raise ValidationError({"attachments": f"{name} is empty"})
        if len(attachment.content) > MAX_ATTACHMENT_BYTES:
            raise ValidationError({"attachments": f"{name} must be smaller than 2 MB"})


@transaction.atomic
def _store(
    *,
    channel: str,
    to: str,
    subject: str,
    body: str,
    kind: str,
    actor: Any,
    attachments: Sequence[Attachment],
    audit_reason: str,
    person_id: uuid.UUID | None,
) -> OutboxMessage:
    backend = get_backend()
    creator = acting_user(actor)
    for _ in range(5):  # a clash of random references is rare; try again if one happens
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(
                    reference=_new_reference(),
                    channel=channel,
                    to=to,
                    subject=subject,
                    body=body,
                    kind=kind,
                    backend=backend.name,
                    created_by=creator,
                    modified_by=creator,
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 32^8 references
        raise RuntimeError("Could not find a free message reference")
    OutboxAttachment.objects.bulk_create(
        OutboxAttachment(
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type,
            content=attachment.content,
            size=len(attachment.content),
            created_by=creator,
            modified_by=creator,
        )
        for attachment in attachments
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=message,
        person_id=person_id,
        reason=audit_reason or f"Sent a {message.get_channel_display().lower()} ({kind})",
        changes={"kind": [None, kind], "attachments": [None, len(attachments)]},
    )
    if backend.sends:
        from .tasks import deliver_message

        transaction.on_commit(partial(deliver_message.enqueue, str(message.pk)))
    return message


def send_email(
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    actor: Any = None,
    attachments: Sequence[Attachment] = (),
    audit_reason: str = "",
    person_id: uuid.UUID | None = None,
) -> OutboxMessage:
    """Store an email in the outbox and send it through the configured backend.

    `actor` is the member of staff sending it (None for the system); `person_id` links the
    audit event to a person record when the message is about one; `audit_reason` says why in
    the audit trail (never put the address or the body there)."""
    to = (to or "").strip()
    try:
        validate_email(to)
    except ValidationError:
        raise ValidationError({"to": EMAIL_MESSAGE}) from None
    subject = _one_line(subject, field="subject", required="Enter a subject", max_length=200)
    if not (body or "").strip():
        raise ValidationError({"body": "Enter the message"})
    _check_kind(kind)
    _check_attachments(attachments)
    return _store(
        channel=OutboxMessage.Channel.EMAIL,
        to=to,
        subject=subject,
        body=body,
        kind=kind,
        actor=actor,
        attachments=attachments,
        audit_reason=audit_reason,
        person_id=person_id,
    )


def send_sms(
    *,
    to: str,
    body: str,
    kind: str,
    actor: Any = None,
    audit_reason: str = "",
    person_id: uuid.UUID | None = None,
) -> OutboxMessage:
    """Store a text message to a UK mobile number and send it as `send_email` does."""
    to = normalise_mobile(to)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Enter the message"})
    if len(body) > MAX_SMS_CHARACTERS:
        raise ValidationError(
            {"body": f"Text messages must be {MAX_SMS_CHARACTERS} characters or fewer"}
        )
    _check_kind(kind)
    return _store(
        channel=OutboxMessage.Channel.SMS,
        to=to,
        subject="",
        body=body,
        kind=kind,
        actor=actor,
        attachments=(),
        audit_reason=audit_reason,
        person_id=person_id,
    )


@transaction.atomic
def message_deliver(*, message_id: uuid.UUID | str) -> OutboxMessage:
    """Hand one waiting message to its backend and record what happened. Run by the task;
    a message already sent or failed is left alone, so a repeated task sends nothing twice."""
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    if message.status != OutboxMessage.Status.QUEUED:
        return message
    delivery = get_backend(message.backend).deliver(message)
    if delivery.sent is None:
        return message
    if delivery.sent:
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.provider_reference = delivery.provider_reference[:100]
    else:
        message.status = OutboxMessage.Status.FAILED
        message.failure_reason = delivery.failure_reason[:500]
    message.save(
        update_fields=["status", "sent_at", "provider_reference", "failure_reason", "modified_at"]
    )
    return message


def messages_retry(*, waiting_minutes: int = 10) -> int:
    """Send again every message still queued for a backend that sends, written at least
    `waiting_minutes` ago (a task that failed because the provider was down leaves its message
    queued). Returns how many were queued again; `message_deliver` never sends one twice."""
    from .tasks import deliver_message

    sending = [name for name, backend in BACKENDS.items() if backend.sends]
    waiting = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.QUEUED,
        backend__in=sending,
        created_at__lte=timezone.now() - timedelta(minutes=waiting_minutes),
    ).values_list("pk", flat=True)
    count = 0
    for message_id in waiting.iterator():
        deliver_message.enqueue(str(message_id))
        count += 1
    return count


def message_read_record(*, actor: Any, message: OutboxMessage) -> None:
    """Note in the audit trail that a member of staff read a message (its address and body)."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        obj=message,
        reason=f"Read a message in the outbox ({message.kind})",
    )


def attachment_download_record(*, actor: Any, attachment: OutboxAttachment) -> None:
    """Note in the audit trail that a member of staff opened a message's attachment."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        obj=attachment.message,
        reason=f"Opened the attachment {attachment.filename}"[:500],
    )
