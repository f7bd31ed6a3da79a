"""The outbox: every stored email and text message, for staff who look after messages.

Who: staff with `notify.view_outboxmessage` (Administrator and Team manager by default).
The list shows part of each address only; opening a message (its full address and body) or
one of its files is recorded in the audit trail."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required

from . import selectors, services
from .forms import OutboxFilterForm

MESSAGES_PER_PAGE = 50


@staff_required(selectors.VIEW_OUTBOX)
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Messages newest first, 50 a page, optionally only those with one status."""
    form = OutboxFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    messages = selectors.outbox_list_for_user(user=request.user, status=status)
    page, pagination = paginate(request, messages, MESSAGES_PER_PAGE)
    return render(
        request,
        "notify/outbox_list.html",
        {"form": form, "page": page, "pagination": pagination, "status": status},
    )


@staff_required(selectors.VIEW_OUTBOX)
def outbox_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    message = selectors.outbox_message_get_for_user(user=request.user, pk=pk)
    services.message_read_record(actor=request.user, message=message)
    return render(request, "notify/outbox_detail.html", {"message": message})


@staff_required(selectors.VIEW_OUTBOX)
def outbox_attachment(
    request: HttpRequest, pk: uuid.UUID, attachment_pk: uuid.UUID
) -> HttpResponse:
    attachment = selectors.outbox_attachment_get_for_user(
        user=request.user, message_pk=pk, pk=attachment_pk
    )
    services.attachment_download_record(actor=request.user, attachment=attachment)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
    response["Cache-Control"] = "no-store"
    return response
