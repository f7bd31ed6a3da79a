"""Who sees what in Talking Points. Reads of personal data always go through these.

- Hubs, sessions and slots hold no personal data: anyone with `hubs.view_hub` sees them all
  (a front-door officer books into any hub).
- A first contact is seen by the front-door team that took it, and by the team of a hub where
  it led to a booking.
- A booking or a waiting-list entry is seen by the team running the hub, the team that took
  the first contact, and whoever made it.
- A conversation is seen by the team running the hub, and whoever recorded it.
- An assessment request is seen by its team.
Anything not visible is a 404, so its existence is not revealed.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from alongside.accounts.models import Membership
from alongside.casework.selectors import (  # noqa: F401  (one definition, used here too)
    led_team_ids_for_user,
    team_ids_for_user,
)

from .models import (
    AssessmentRequest,
    Booking,
    Conversation,
    FirstContact,
    Hub,
    Session,
    WaitingListEntry,
)

VIEW_HUB = "hubs.view_hub"
MANAGE_HUBS = "hubs.manage_hubs"
VIEW_FIGURES = "hubs.view_hub_figures"
VIEW_CONTACT = "hubs.view_firstcontact"
ADD_CONTACT = "hubs.add_firstcontact"
VIEW_BOOKING = "hubs.view_booking"
ADD_BOOKING = "hubs.add_booking"
CHANGE_BOOKING = "hubs.change_booking"
VIEW_CONVERSATION = "hubs.view_conversation"
ADD_CONVERSATION = "hubs.add_conversation"
VIEW_ASSESSMENT = "hubs.view_assessmentrequest"
CHANGE_ASSESSMENT = "hubs.change_assessmentrequest"


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def leads_team(user: Any, team_id: Any) -> bool:
    return Membership.objects.filter(
        user=user, team_id=team_id, team__is_active=True, is_lead=True
    ).exists()


def hub_list(*, include_inactive: bool = False) -> QuerySet[Hub]:
    hubs = Hub.objects.select_related("ward", "neighbourhood", "location", "team")
    return hubs if include_inactive else hubs.filter(is_active=True)


def hub_get(*, pk: UUID | str) -> Hub:
    try:
        return hub_list(include_inactive=True).get(pk=pk)
    except (Hub.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("No such hub") from None


def hubs_managed_by(user: Any) -> QuerySet[Hub]:
    """Hubs the user may set up: those of teams they lead (administrators: every hub)."""
    if not _signed_in(user) or not user.has_perm(MANAGE_HUBS):
        return Hub.objects.none()
    if user.is_superuser:
        return hub_list(include_inactive=True)
    return hub_list(include_inactive=True).filter(team_id__in=led_team_ids_for_user(user))


def sessions_for_hub(*, hub: Hub) -> QuerySet[Session]:
    return hub.sessions.prefetch_related("practitioners").order_by("start_time")


def _visible(queryset: QuerySet, user: Any, perm: str, condition: Q) -> QuerySet:
    if not _signed_in(user) or not user.has_perm(perm):
        return queryset.none()
    return queryset.filter(condition)


def visible_contacts(*, user: Any) -> QuerySet[FirstContact]:
    teams = team_ids_for_user(user)
    booked_at_my_hub = Booking.objects.filter(
        first_contact=OuterRef("pk"), slot__hub__team_id__in=teams
    )
    return _visible(
        FirstContact.objects.select_related("person", "team", "ward"),
        user,
        VIEW_CONTACT,
        Q(team_id__in=teams) | Q(Exists(booked_at_my_hub)),
    )


def contact_get_for_user(*, user: Any, pk: UUID | str) -> FirstContact:
    return _get(visible_contacts(user=user), pk)


def visible_bookings(*, user: Any) -> QuerySet[Booking]:
    teams = team_ids_for_user(user)
    return _visible(
        Booking.objects.select_related("slot", "slot__hub", "slot__session", "person"),
        user,
        VIEW_BOOKING,
        Q(slot__hub__team_id__in=teams) | Q(first_contact__team_id__in=teams) | Q(created_by=user),
    )


def booking_get_for_user(*, user: Any, pk: UUID | str) -> Booking:
    return _get(visible_bookings(user=user), pk)


def visible_waiting(*, user: Any) -> QuerySet[WaitingListEntry]:
    teams = team_ids_for_user(user)
    return _visible(
        WaitingListEntry.objects.select_related("hub", "person"),
        user,
        VIEW_BOOKING,
        Q(hub__team_id__in=teams) | Q(first_contact__team_id__in=teams) | Q(created_by=user),
    )


def visible_conversations(*, user: Any) -> QuerySet[Conversation]:
    teams = team_ids_for_user(user)
    return _visible(
        Conversation.objects.select_related("hub", "person", "booking", "practitioner"),
        user,
        VIEW_CONVERSATION,
        Q(hub__team_id__in=teams) | Q(created_by=user),
    )


def conversation_get_for_user(*, user: Any, pk: UUID | str) -> Conversation:
    return _get(visible_conversations(user=user), pk)


def visible_assessments(*, user: Any) -> QuerySet[AssessmentRequest]:
    return _visible(
        AssessmentRequest.objects.select_related("person", "team", "first_contact"),
        user,
        VIEW_ASSESSMENT,
        Q(team_id__in=team_ids_for_user(user)),
    )


def _get(queryset: QuerySet, pk: UUID | str) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("Not found") from None
