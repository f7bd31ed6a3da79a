"""Reading the outbox. Only staff with `notify.view_outboxmessage` see any message."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from .models import OutboxAttachment, OutboxMessage

VIEW_OUTBOX = "notify.view_outboxmessage"


def outbox_list_for_user(*, user: Any, status: str = "") -> QuerySet[OutboxMessage]:
    """Messages newest first, without their bodies, with who wrote them and how many files
    each has (two queries a page, whatever its length). Empty without the permission."""
    if not user.has_perm(VIEW_OUTBOX):
        return OutboxMessage.objects.none()
    messages = (
        OutboxMessage.objects.select_related("created_by")
        .defer("body")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-created_at", "-id")
    )
    if status:
        messages = messages.filter(status=status)
    return messages


def outbox_message_get_for_user(*, user: Any, pk: uuid.UUID) -> OutboxMessage:
    """One message with its attachments' names and sizes (not their bytes); 404 without the
    permission, so the outbox does not reveal which messages exist."""
    if not user.has_perm(VIEW_OUTBOX):
        raise Http404
    try:
        message = OutboxMessage.objects.select_related("created_by").get(pk=pk)
    except OutboxMessage.DoesNotExist as error:
        raise Http404 from error
    message.attachment_list = list(  # type: ignore[attr-defined]
        message.attachments.defer("content").order_by("created_at", "filename")
    )
    return message


def outbox_attachment_get_for_user(
    *, user: Any, message_pk: uuid.UUID, pk: uuid.UUID
) -> OutboxAttachment:
    """One attachment with its bytes; 404 without the permission or when it is not this
    message's."""
    if not user.has_perm(VIEW_OUTBOX):
        raise Http404
    try:
        return OutboxAttachment.objects.select_related("message").get(pk=pk, message_id=message_pk)
    except OutboxAttachment.DoesNotExist as error:
        raise Http404 from error
