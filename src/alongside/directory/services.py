"""Writes to the directory. Every write to a listing, or to anything shown with it, ends by
calling `services_changed` (or `locations_changed` / `providers_changed`) in the same
transaction, so the listing's `modified_at` (the API's `last_modified` and ETag) and its
search entry are always current."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.utils import timezone

from .models import Service
from .search import index


def services_changed(*, service_ids: Iterable[uuid.UUID]) -> None:
    """Mark these listings as changed now and refresh their search entries."""
    ids = list({*service_ids})
    if not ids:
        return
    Service.objects.filter(pk__in=ids).update(modified_at=timezone.now())
    index.index_services(service_ids=ids)


def locations_changed(*, location_ids: Iterable[uuid.UUID]) -> None:
    """A place (or its address, accessibility or phones) changed: so did every listing there."""
    ids = list(
        Service.objects.filter(at_locations__location_id__in=list(location_ids))
        .values_list("pk", flat=True)
        .distinct()
    )
    services_changed(service_ids=ids)


def providers_changed(*, provider_ids: Iterable[uuid.UUID]) -> None:
    """An organisation changed: so did every listing it runs."""
    ids = list(
        Service.objects.filter(provider_id__in=list(provider_ids)).values_list("pk", flat=True)
    )
    services_changed(service_ids=ids)
