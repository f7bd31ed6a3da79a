"""Reads for the directory's editorial pages, on behalf of the acting user.

Editors (holding `directory.view_service`) see every listing. Partners see only the listings
of providers linked to their own organisation (`Provider.account_organisation`), and only
while they hold the Partner role: `partner_organisation_ids` is the one place that decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from alongside.accounts import roles
from alongside.accounts.models import Membership, Team, User

from .models import ListingChange, Provider, Service, Suggestion, Taxonomy, TaxonomyTerm
from .services import PUBLIC_STATES

QUEUES = {
    "review-due": "Review due",
    "suggested-changes": "Suggested changes",
    "new-listings": "New from partners and residents",
}


@dataclass(frozen=True)
class QueueCounts:
    review_due: int
    suggested_changes: int
    new_listings: int


def _listings() -> QuerySet[Service]:
    return Service.objects.select_related("provider", "editor", "editor_team__organisation")


def _team_ids(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, team__is_active=True).values("team_id")


def listing_list_for_editor(
    *,
    user: Any,
    state: str = "",
    editor: str = "",
    team: UUID | None = None,
    query: str = "",
) -> QuerySet[Service]:
    """Listings for the editors' list. `editor` is "me" (the user's own and their teams'),
    "none" (no named editor) or blank for everyone's."""
    if not user.has_perm("directory.view_service"):
        return Service.objects.none()
    listings = _listings()
    if state in Service.State.values:
        listings = listings.filter(state=state)
    if editor == "me":
        listings = listings.filter(Q(editor=user) | Q(editor_team_id__in=_team_ids(user)))
    elif editor == "none":
        listings = listings.filter(editor__isnull=True, editor_team__isnull=True)
    if team:
        listings = listings.filter(editor_team_id=team)
    query = query.strip()
    if query:
        listings = listings.filter(Q(name__icontains=query) | Q(provider__name__icontains=query))
    return listings.order_by("name", "id")


def state_counts() -> dict[str, int]:
    """How many listings are in each state, in one query."""
    counts = dict(
        Service.objects.order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {state: counts.get(state, 0) for state in Service.State.values}


def queue_counts(*, user: Any, mine: bool = False) -> QueueCounts:
    return QueueCounts(
        review_due=review_due_queue(user=user, mine=mine).count(),
        suggested_changes=suggestion_queue(user=user, kind=Suggestion.Kind.CHANGE).count(),
        new_listings=suggestion_queue(user=user, kind=Suggestion.Kind.NEW).count(),
    )


def review_due_queue(*, user: Any, mine: bool = False) -> QuerySet[Service]:
    """Public listings due for a check, the longest unchecked first."""
    if not user.has_perm("directory.view_service"):
        return Service.objects.none()
    listings = _listings().filter(state=Service.State.REVIEW_DUE)
    if mine:
        listings = listings.filter(Q(editor=user) | Q(editor_team_id__in=_team_ids(user)))
    return listings.order_by("last_checked_at", "name", "id")


def suggestion_queue(*, user: Any, kind: str) -> QuerySet[Suggestion]:
    """Open suggestions of one kind, the oldest first."""
    if not user.has_perm("directory.view_suggestion"):
        return Suggestion.objects.none()
    return (
        Suggestion.objects.filter(status=Suggestion.Status.OPEN, kind=kind)
        .select_related("service", "provider", "submitted_by")
        .order_by("created_at", "id")
    )


def listing_get(*, user: Any, pk: UUID) -> Service:
    """One listing for an editor (404 when there is none or they may not see listings)."""
    if not user.has_perm("directory.view_service"):
        raise Http404
    try:
        return _listings().select_related("last_checked_by").get(pk=pk)
    except Service.DoesNotExist as error:
        raise Http404 from error


def listing_terms(*, service: Service) -> list[TaxonomyTerm]:
    return list(service.terms.select_related("taxonomy").order_by("taxonomy__name", "name"))


def listing_open_suggestions(*, service: Service) -> QuerySet[Suggestion]:
    return service.suggestions.filter(status=Suggestion.Status.OPEN).order_by("created_at")


def listing_history(*, user: Any, service: Service) -> QuerySet[ListingChange]:
    """Who changed what on a listing, newest first."""
    if not user.has_perm("directory.view_listingchange"):
        raise PermissionDenied
    return service.changes.select_related("actor").order_by("-at", "-id")


def suggestion_get(*, user: Any, pk: UUID) -> Suggestion:
    if not user.has_perm("directory.view_suggestion"):
        raise Http404
    try:
        return Suggestion.objects.select_related(
            "service__provider", "provider", "submitted_by", "decided_by"
        ).get(pk=pk)
    except Suggestion.DoesNotExist as error:
        raise Http404 from error


def public_listing_get(*, pk: UUID) -> Service:
    """A listing residents can see (404 otherwise), for "suggest a change"."""
    try:
        return Service.objects.select_related("provider").get(pk=pk, state__in=PUBLIC_STATES)
    except Service.DoesNotExist as error:
        raise Http404 from error


def taxonomies_with_terms() -> list[Taxonomy]:
    """Every taxonomy with its terms, for the checkboxes on the listing form (two queries)."""
    from django.db.models import Prefetch

    return list(
        Taxonomy.objects.order_by("name").prefetch_related(
            Prefetch("terms", queryset=TaxonomyTerm.objects.order_by("name"))
        )
    )


def provider_choices() -> QuerySet[Provider]:
    return Provider.objects.order_by("name")


def editor_choices() -> QuerySet[User]:
    """People who may be named as a listing's editor: active directory editors."""
    return (
        User.objects.filter(is_active=True, groups__name=roles.DIRECTORY_EDITOR)
        .order_by("full_name", "email")
        .distinct()
    )


def editor_team_choices() -> QuerySet[Team]:
    return (
        Team.objects.filter(is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


# --- partners -----------------------------------------------------------------------------------


def partner_organisation_ids(*, user: Any) -> set[UUID]:
    """The organisations a partner acts for: their own and those of their teams. Empty for
    anyone without the Partner role, so every partner read and write starts here."""
    if not is_partner(user=user):
        return set()
    # Kept on the user object for the rest of the request: every partner read asks.
    cached = getattr(user, "_partner_organisation_ids", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user=user, team__is_active=True).values_list(
                "team__organisation_id", flat=True
            )
        )
        if user.organisation_id:
            cached.add(user.organisation_id)
        user._partner_organisation_ids = cached
    return set(cached)


def is_partner(*, user: Any) -> bool:
    """Holds the Partner role (and is an active, signed-in account)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_is_partner", None)
    if cached is None:
        cached = Group.objects.filter(name=roles.PARTNER, user=user).exists()
        user._is_partner = cached
    return cached


def partner_providers_for_user(*, user: Any) -> QuerySet[Provider]:
    return Provider.objects.filter(
        account_organisation_id__in=partner_organisation_ids(user=user)
    ).order_by("name")


def partner_listings_for_user(*, user: Any) -> QuerySet[Service]:
    """The partner's organisation's listings (archived ones too, so they can see them)."""
    return (
        Service.objects.filter(
            provider__account_organisation_id__in=partner_organisation_ids(user=user)
        )
        .select_related("provider")
        .order_by("name", "id")
    )


def partner_listing_get_for_user(*, user: Any, pk: UUID) -> Service:
    try:
        return partner_listings_for_user(user=user).get(pk=pk)
    except Service.DoesNotExist as error:
        raise Http404 from error


def partner_suggestions_for_user(*, user: Any) -> QuerySet[Suggestion]:
    """What the partner's organisation has sent, newest first, with its status."""
    return (
        Suggestion.objects.filter(
            source=Suggestion.Source.PARTNER,
            provider__account_organisation_id__in=partner_organisation_ids(user=user),
        )
        .select_related("service", "provider", "submitted_by")
        .order_by("-created_at", "-id")
    )
