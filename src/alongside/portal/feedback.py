"""Residents' ratings of listings ("Is this page useful?"): the writes (services) and the reads
(selectors) for the public form, the editors' view and the report.

Stars count towards a listing's average as soon as they are sent. A comment waits for an
editor, who accepts it (editors can then read it; it is never shown publicly) or rejects it
with a reason (its stars then stop counting too, since a rejected rating is spam or abuse).
A rating without a comment has nothing to moderate, so it starts accepted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from alongside.core.audit import acting_user, audit_record
from alongside.core.models import AuditEvent
from alongside.directory.api.queries import PUBLIC_STATES
from alongside.directory.models import Service, ServiceArea, ServiceAtLocation

from .models import Rating

State = Rating.State

# The only moves a rating's state may make; used by the services below and nowhere else.
TRANSITIONS: dict[str, set[str]] = {
    State.PENDING: {State.ACCEPTED, State.REJECTED},
    State.ACCEPTED: set(),
    State.REJECTED: set(),
}

# Why an editor may reject a comment. The label is what the rating keeps.
REJECTION_REASONS: dict[str, str] = {
    "spam": "Spam or advertising",
    "abuse": "Rude, hateful or abusive",
    "personal": "Gives someone's personal details",
    "off-topic": "Not about this listing",
}

SORTS: dict[str, str] = {
    "lowest": "Lowest average first",
    "most": "Most ratings first",
}

# Ratings that count towards a listing's average: all but the rejected.
_COUNTED = ~Q(ratings__state=State.REJECTED)
_WAITING = Q(ratings__state=State.PENDING) & ~Q(ratings__comment="")
_ACCEPTED_COMMENT = Q(ratings__state=State.ACCEPTED) & ~Q(ratings__comment="")


# --- services (writes) ------------------------------------------------------------------------


def rating_create(*, service: Service, stars: int, comment: str = "") -> Rating:
    """Store a resident's rating of a public listing. Nothing about the resident is kept."""
    if service.state not in PUBLIC_STATES:
        raise ValidationError("Only listings the public can see can be rated.")
    comment = (comment or "").strip()
    rating = Rating(
        service=service,
        stars=stars,
        comment=comment,
        state=State.PENDING if comment else State.ACCEPTED,
    )
    rating.full_clean()
    rating.save()
    return rating


def _moderate(*, actor: Any, rating: Rating, to: str, reason: str = "") -> Rating:
    with transaction.atomic():
        locked = Rating.objects.select_for_update().get(pk=rating.pk)
        if to not in TRANSITIONS[locked.state]:
            raise ValidationError(
                f"This comment has already been {locked.get_state_display().lower()}."
                if locked.state != State.PENDING
                else "This rating has no comment to check."
            )
        old = locked.state
        locked.state = to
        locked.moderated_by = acting_user(actor)
        locked.moderated_at = timezone.now()
        locked.modified_by = acting_user(actor)
        locked.rejection_reason = reason
        locked.full_clean()
        locked.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CHANGE,
            obj=locked,
            object_label=f"Rating of {rating.service.name}"[:200],
            reason=reason,
            changes={"state": [old, to]},
        )
    return locked


def rating_accept(*, actor: Any, rating: Rating) -> Rating:
    """Accept a waiting comment: editors can read it from now on (the public never can)."""
    if not rating.comment:
        raise ValidationError("This rating has no comment to check.")
    return _moderate(actor=actor, rating=rating, to=State.ACCEPTED)


def rating_reject(*, actor: Any, rating: Rating, reason: str) -> Rating:
    """Reject a waiting comment for one of REJECTION_REASONS (a key); its stars stop
    counting."""
    if reason not in REJECTION_REASONS:
        raise ValidationError({"reason": "Select why you are rejecting this comment"})
    if not rating.comment:
        raise ValidationError("This rating has no comment to check.")
    return _moderate(
        actor=actor, rating=rating, to=State.REJECTED, reason=REJECTION_REASONS[reason]
    )


# --- selectors (reads) ------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingSummary:
    average: float | None  # None when nothing counts yet
    count: int
    waiting: int  # comments waiting for an editor


def _annotated(services: QuerySet[Service]) -> QuerySet[Service]:
    return services.annotate(
        rating_average=Avg("ratings__stars", filter=_COUNTED),
        rating_count=Count("ratings", filter=_COUNTED),
        comments_waiting=Count("ratings", filter=_WAITING),
        comments_accepted=Count("ratings", filter=_ACCEPTED_COMMENT),
    )


def rated_listings(*, sort: str = "lowest", waiting_only: bool = False) -> QuerySet[Service]:
    """Listings with at least one counted rating, each annotated with `rating_average`,
    `rating_count`, `comments_waiting` and `comments_accepted`, and its organisation. One query.

    `sort` is a key of SORTS; anything else sorts by lowest average."""
    # A comment waiting is a rating that counts, so this keeps every listing with one.
    listings = _annotated(Service.objects.select_related("provider")).filter(rating_count__gt=0)
    if waiting_only:
        listings = listings.filter(comments_waiting__gt=0)
    if sort == "most":
        return listings.order_by("-rating_count", "rating_average", "name", "pk")
    return listings.order_by("rating_average", "-rating_count", "name", "pk")


def listing_rating_summary(*, service: Service) -> RatingSummary:
    """A listing's average, count and comments waiting, for the editors' listing page."""
    counts = Rating.objects.filter(service=service).aggregate(
        average=Avg("stars", filter=~Q(state=State.REJECTED)),
        count=Count("pk", filter=~Q(state=State.REJECTED)),
        waiting=Count("pk", filter=Q(state=State.PENDING) & ~Q(comment="")),
    )
    average = counts["average"]
    return RatingSummary(
        average=float(average) if average is not None else None,
        count=counts["count"],
        waiting=counts["waiting"],
    )


def comments_waiting() -> QuerySet[Rating]:
    """Comments waiting for an editor, oldest first, with their listing and organisation."""
    return (
        Rating.objects.filter(state=State.PENDING)
        .exclude(comment="")
        .select_related("service", "service__provider")
        .order_by("created_at", "pk")
    )


def rating_with_comment_get(*, pk: uuid.UUID) -> Rating:
    """A rating with a comment (404 otherwise), for the accept and reject actions."""
    try:
        return (
            Rating.objects.exclude(comment="").select_related("service", "service__provider")
        ).get(pk=pk)
    except Rating.DoesNotExist as error:
        raise Http404 from error


def rated_listing_get(*, pk: uuid.UUID) -> Service:
    """A listing (any state) with its rating annotations, for the editors' view (404 when
    there is no such listing)."""
    try:
        return _annotated(Service.objects.select_related("provider")).get(pk=pk)
    except Service.DoesNotExist as error:
        raise Http404 from error


def accepted_comments(*, service: Service) -> QuerySet[Rating]:
    """A listing's accepted comments, newest first: for editors only, never the public."""
    return (
        Rating.objects.filter(service=service, state=State.ACCEPTED)
        .exclude(comment="")
        .select_related("moderated_by")
        .order_by("-created_at", "pk")
    )


REPORT_COLUMNS = [
    "Listing",
    "Organisation",
    "Ward",
    "Average rating",
    "Number of ratings",
    "Comments waiting",
]


def _wards(service: Service) -> str:
    """Where it happens (its venues' wards), or else the areas it serves."""
    located = sorted(
        {sal.location.ward.name for sal in service.at_locations.all() if sal.location.ward}
    )
    if located:
        return "; ".join(located)
    return "; ".join(sorted({area.name for area in service.service_areas.all() if area.name}))


def rating_report_rows() -> Iterator[list[str]]:
    """One row a listing for the ratings report (REPORT_COLUMNS), lowest average first.
    Three queries for each 500 listings: read in chunks, so memory stays small."""
    listings = rated_listings(sort="lowest").prefetch_related(
        Prefetch(
            "at_locations",
            queryset=ServiceAtLocation.objects.select_related("location__ward"),
        ),
        Prefetch("service_areas", queryset=ServiceArea.objects.only("id", "name", "service_id")),
    )
    for service in listings.iterator(chunk_size=500):
        average = service.rating_average
        yield [
            service.name,
            service.provider.name,
            _wards(service),
            f"{average:.1f}" if average is not None else "",
            str(service.rating_count),
            str(service.comments_waiting),
        ]
