"""What the public API may read, and how it reads it without N+1 queries.

Only public listings are exposed: a service whose editorial state is published or review due.
Providers (HSDS organizations) and locations appear only through such a service. Taxonomies are
reference vocabularies and are public in full.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from alongside.directory.models import (
    PUBLIC_STATES,
    AccessibilityFeature,
    Address,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Phone,
    Provider,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from alongside.directory.search.engine import matching_service_ids

# Nested lists come out in a fixed order, so the same data always gives the same bytes (ETag).
STABLE = ("created_at", "id")


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(state__in=PUBLIC_STATES)


def public_service_at_locations() -> QuerySet[ServiceAtLocation]:
    return ServiceAtLocation.objects.filter(service__state__in=PUBLIC_STATES)


def public_providers() -> QuerySet[Provider]:
    return Provider.objects.filter(Exists(public_services().filter(provider=OuterRef("pk"))))


def public_provider_ids(ids: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    """Which of these providers are public (one query), so a parent_organization_id is only
    given when following it works."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    return set(public_providers().filter(pk__in=wanted).values_list("pk", flat=True))


# --- search -----------------------------------------------------------------------------------


def search_services(queryset: QuerySet[Service], text: str) -> QuerySet[Service]:
    """The `search` parameter: the directory's search service decides what matches (stemming,
    synonyms and the needs map, on both engines alike); the API keeps its own order."""
    return queryset.filter(pk__in=matching_service_ids(text))


def match_words(queryset: QuerySet, text: str) -> QuerySet:
    for word in text.split():
        queryset = queryset.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return queryset


# --- last_modified ------------------------------------------------------------------------------


def with_last_modified(queryset: QuerySet[Service]) -> QuerySet[Service]:
    """HSDS `last_modified`: when the service or anything shown with it last changed. Every
    write to a listing, its places, organisation, schedules or terms goes through
    `directory.services`, which touches the listing's own `modified_at` in the same
    transaction, so that one indexed column is the answer."""
    return queryset.annotate(last_modified=F("modified_at"))


def newest_change(*querysets: QuerySet) -> datetime | None:
    """The latest modified_at over whole tables, in any editorial state: a list's
    Last-Modified must move when a listing is published or taken down, not only when a
    listing on the page changes."""
    moments = [q.aggregate(m=Max("modified_at"))["m"] for q in querysets]
    present = [m for m in moments if m is not None]
    return max(present) if present else None


# --- filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceFilters:
    search: str | None = None
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime | None = None

    def apply(self, queryset: QuerySet[Service]) -> QuerySet[Service]:
        if self.search:
            queryset = search_services(queryset, self.search)
        if self.taxonomy_term_id:
            queryset = queryset.filter(
                Exists(
                    Service.terms.through.objects.filter(
                        service_id=OuterRef("pk"), taxonomyterm_id=self.taxonomy_term_id
                    )
                )
            )
        if self.taxonomy_id:
            queryset = queryset.filter(
                Exists(
                    Service.terms.through.objects.filter(
                        service_id=OuterRef("pk"), taxonomyterm__taxonomy_id=self.taxonomy_id
                    )
                )
            )
        if self.organization_id:
            queryset = queryset.filter(provider_id=self.organization_id)
        if self.modified_after:
            queryset = with_last_modified(queryset).filter(last_modified__gte=self.modified_after)
        return queryset

    @property
    def any(self) -> bool:
        return any(
            (
                self.search,
                self.taxonomy_term_id,
                self.taxonomy_id,
                self.organization_id,
                self.modified_after,
            )
        )


def covering_postcode(
    queryset: QuerySet[ServiceAtLocation],
    *,
    ward_id: uuid.UUID | None,
    neighbourhood_id: uuid.UUID | None,
) -> QuerySet[ServiceAtLocation]:
    """Only services whose service areas include the postcode's ward or its neighbourhood.
    A service with no areas,
    or with an area naming neither ward nor neighbourhood (the whole council area), covers
    every postcode in the area's wards."""
    areas = ServiceArea.objects.filter(service=OuterRef("service"))
    if ward_id is None:
        return queryset.filter(~Exists(areas))
    covering = Q(ward__isnull=True, neighbourhood__isnull=True) | Q(ward_id=ward_id)
    if neighbourhood_id is not None:
        covering |= Q(neighbourhood_id=neighbourhood_id)
    return queryset.filter(~Exists(areas) | Exists(areas.filter(covering)))


# --- loading pages with everything they show ----------------------------------------------------


def _location_queryset() -> QuerySet[Location]:
    return Location.objects.prefetch_related(
        Prefetch("addresses", queryset=Address.objects.order_by(*STABLE)),
        Prefetch("accessibility", queryset=AccessibilityFeature.objects.order_by(*STABLE)),
        Prefetch("phones", queryset=Phone.objects.order_by(*STABLE)),
    )


def services_for_output(ids: list[uuid.UUID], *, full: bool) -> QuerySet[Service]:
    """The services with these ids, with what the list shape (`full=False`) or the fully
    nested shape shows, in a bounded number of queries whatever the page size."""
    queryset = with_last_modified(
        public_services().filter(pk__in=ids).select_related("provider", "last_checked_by")
    )
    if full:
        queryset = queryset.prefetch_related(*full_service_prefetches())
    return queryset


def full_service_prefetches(prefix: str = "", *, with_locations: bool = True) -> list[Prefetch]:
    prefetches = [
        Prefetch(f"{prefix}phones", queryset=Phone.objects.order_by(*STABLE)),
        Prefetch(
            f"{prefix}contacts",
            queryset=Contact.objects.order_by(*STABLE).prefetch_related(
                Prefetch("phones", queryset=Phone.objects.order_by(*STABLE))
            ),
        ),
        Prefetch(f"{prefix}schedules", queryset=Schedule.objects.order_by(*STABLE)),
        Prefetch(f"{prefix}cost_options", queryset=CostOption.objects.order_by(*STABLE)),
        Prefetch(f"{prefix}languages", queryset=Language.objects.order_by(*STABLE)),
        Prefetch(f"{prefix}funding", queryset=Funding.objects.order_by(*STABLE)),
        Prefetch(f"{prefix}service_areas", queryset=ServiceArea.objects.order_by(*STABLE)),
        Prefetch(
            f"{prefix}terms",
            queryset=TaxonomyTerm.objects.select_related("taxonomy").order_by(
                "taxonomy__name", "name", "id"
            ),
        ),
    ]
    if with_locations:
        prefetches.append(
            Prefetch(
                f"{prefix}at_locations",
                queryset=ServiceAtLocation.objects.order_by(*STABLE).prefetch_related(
                    Prefetch("location", queryset=_location_queryset())
                ),
            )
        )
    return prefetches


def service_at_locations_for_output(
    ids: list[uuid.UUID], *, full: bool
) -> QuerySet[ServiceAtLocation]:
    service_queryset = with_last_modified(
        Service.objects.select_related("provider", "last_checked_by")
    )
    location_queryset = _location_queryset() if full else Location.objects.all()
    if full:
        service_queryset = service_queryset.prefetch_related(
            *full_service_prefetches(with_locations=False)
        )
    queryset = (
        public_service_at_locations()
        .filter(pk__in=ids)
        .prefetch_related(
            Prefetch("service", queryset=service_queryset),
            Prefetch("location", queryset=location_queryset),
        )
    )
    if full:
        queryset = queryset.prefetch_related(
            Prefetch("schedules", queryset=Schedule.objects.order_by(*STABLE))
        )
    return queryset


def providers_for_output(
    ids: list[uuid.UUID], *, services: bool, full_services: bool
) -> QuerySet[Provider]:
    queryset = public_providers().filter(pk__in=ids)
    if services or full_services:
        service_queryset = with_last_modified(
            public_services().select_related("provider", "last_checked_by").order_by("name", "id")
        )
        if full_services:
            service_queryset = service_queryset.prefetch_related(*full_service_prefetches())
        queryset = queryset.prefetch_related(
            Prefetch("services", queryset=service_queryset, to_attr="public_services")
        )
    return queryset


def taxonomy_with_terms(queryset: QuerySet[Taxonomy]) -> QuerySet[Taxonomy]:
    return queryset.prefetch_related(
        Prefetch("terms", queryset=TaxonomyTerm.objects.order_by("name", "id"))
    )


def in_order(rows: Iterable, ids: list[uuid.UUID]) -> list:
    """Rows fetched by `pk__in` put back in the order of the page's ids."""
    by_id = {row.pk: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]
