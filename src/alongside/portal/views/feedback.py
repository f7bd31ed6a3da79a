"""Ratings ("Is this page useful?") and their moderation (issue 4).

Residents need no account: the form is rate limited per visitor and has a honeypot field.
Editors (directory.change_service) see each listing's average and count, decide on comments
waiting and download the report.
"""

from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alongside.core import ratelimit
from alongside.core.audit import audit_record
from alongside.core.models import AuditEvent
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required
from alongside.directory.selectors import public_listing_get

from .. import feedback
from ..forms import RatingForm, RatingsFilterForm, RejectCommentForm

RATING_SCOPE = "portal-rating"
EDITOR_PERMS = ("directory.view_service", "directory.change_service")
TABLE_PAGE_SIZE = 50
QUEUE_SIZE = 20


# --- residents ----------------------------------------------------------------------------------


def _limit() -> int:
    return settings.PORTAL_RATINGS_PER_HOUR


def _too_many(request: HttpRequest, service: Any) -> HttpResponse:
    return ratelimit.too_many(
        request, template="portal/rate_too_many.html", limit=_limit(), context={"service": service}
    )


@never_cache
def rate(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Rate a public listing from 1 to 5 stars, with an optional comment. The listing page
    holds the same form; this page is where it comes back with errors (and works on its own)."""
    service = public_listing_get(pk=pk)
    if ratelimit.rate_limited(request, scope=RATING_SCOPE, limit=_limit()):
        return _too_many(request, service)
    form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not form.is_spam():  # a robot filled in the hidden field: thank it, keep nothing
            try:
                feedback.rating_create(
                    service=service,
                    stars=form.cleaned_data["stars"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                form.add_error(None, error)
        if not form.errors:
            ratelimit.count_submission(request, scope=RATING_SCOPE)
            return redirect("portal:rate-thanks", pk=service.pk)
    return render(request, "portal/rate.html", {"service": service, "rating_form": form})


def thanks(request: HttpRequest, pk: UUID) -> HttpResponse:
    service = public_listing_get(pk=pk)
    return render(request, "portal/rate_thanks.html", {"service": service})


# --- editors ------------------------------------------------------------------------------------


def _csv_cell(value: str) -> str:
    """Stop a spreadsheet treating a listing's name as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _report(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ratings-{today.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(feedback.REPORT_COLUMNS)
    rows = 0
    for row in feedback.rating_report_rows():
        writer.writerow([_csv_cell(cell) for cell in row])
        rows += 1
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="portal.rating",
        object_id="report",
        object_label=f"Ratings report ({rows} listings)",
    )
    return response


def _editor_page(
    request: HttpRequest,
    *,
    reject_form: RejectCommentForm | None = None,
    rejecting: Any = None,
    status: int = 200,
) -> HttpResponse:
    filters = RatingsFilterForm(request.GET)
    sort, waiting_only = filters.values()
    listings = feedback.rated_listings(sort=sort, waiting_only=waiting_only)
    page, pagination = paginate(request, listings, TABLE_PAGE_SIZE)
    waiting = feedback.comments_waiting()
    queue = list(waiting[:QUEUE_SIZE])
    waiting_total = len(queue) if len(queue) < QUEUE_SIZE else waiting.count()
    if rejecting is not None and all(rating.pk != rejecting.pk for rating in queue):
        queue.insert(0, rejecting)  # so its error message has somewhere to be
    chosen = None
    comments: list[Any] = []
    try:
        chosen_pk = UUID(request.GET.get("listing", ""))
    except ValueError:
        chosen_pk = None
    if chosen_pk is not None:
        chosen = feedback.rated_listing_get(pk=chosen_pk)
        comments = list(feedback.accepted_comments(service=chosen))
    return render(
        request,
        "portal/staff/ratings.html",
        {
            "page": page,
            "pagination": pagination,
            "sort": sort,
            "sorts": feedback.SORTS,
            "sort_label": feedback.SORTS[sort],
            "waiting_only": waiting_only,
            "queue": queue,
            "waiting_total": waiting_total,
            "reasons": feedback.REJECTION_REASONS,
            "reject_form": reject_form,
            "rejecting": rejecting,
            "chosen": chosen,
            "comments": comments,
            "query": request.GET.urlencode(),
        },
        status=status,
    )


@staff_required(*EDITOR_PERMS)
@never_cache
def editor_list(request: HttpRequest) -> HttpResponse:
    """Every rated listing with its average and count, the comments waiting, and (with
    ?listing=<id>) one listing's accepted comments. ?format=csv downloads the report."""
    if request.GET.get("format") == "csv":
        return _report(request)
    return _editor_page(request)


def _filters_sent(request: HttpRequest) -> QueryDict:
    """The editors' view's query string, sent back by the accept and reject forms. Parsed and
    encoded again, so only our own page's parameters can come of it."""
    return QueryDict(request.POST.get("query", "")[:1000])


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the editors' view as it was."""
    url = reverse("portal-staff:ratings")
    query = _filters_sent(request).urlencode()
    return redirect(f"{url}?{query}#comments-waiting" if query else f"{url}#comments-waiting")


@staff_required(*EDITOR_PERMS)
@never_cache
@require_POST
def editor_accept(request: HttpRequest, pk: UUID) -> HttpResponse:
    rating = feedback.rating_with_comment_get(pk=pk)
    try:
        feedback.rating_accept(actor=request.user, rating=rating)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, f"Comment about {rating.service.name} accepted.")
    return _back(request)


@staff_required(*EDITOR_PERMS)
@never_cache
@require_POST
def editor_reject(request: HttpRequest, pk: UUID) -> HttpResponse:
    rating = feedback.rating_with_comment_get(pk=pk)
    form = RejectCommentForm(request.POST)
    if not form.is_valid():
        request.GET = _filters_sent(request)  # show the view as the editor left it
        return _editor_page(request, reject_form=form, rejecting=rating)
    try:
        feedback.rating_reject(
            actor=request.user, rating=rating, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, f"Comment about {rating.service.name} rejected.")
    return _back(request)
