"""Exporting the whole directory as Open Referral UK 3.0 JSON or as the CSV import template.

JSON: one list of fully nested services, each exactly as the ORUK API's `/services/{id}` gives
it (the same serializers and prefetching queries), so `directory_import` reads it back with no
changes. CSV: one row per listing in the template's columns (its first place, schedule and
phone; its needs; its place's accessibility).

Both are generators of text, read in batches of listings, so memory stays bounded whatever the
directory's size and a view can stream them. Public listings only by default; staff backups
may take every editorial state.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator

from django.db.models import QuerySet

from alongside.directory.api import queries, serializers
from alongside.directory.hsds_import import (
    CSV_HEADINGS,
    NEEDS_TAXONOMY,
    days_words,
    frequency_words,
)
from alongside.directory.models import Provider, Service

EXPORT_BATCH = 200


def export_service_ids(*, all_states: bool = False) -> list[uuid.UUID]:
    queryset = Service.objects.all() if all_states else queries.public_services()
    return list(queryset.order_by("name", "id").values_list("pk", flat=True))


def _batches(*, all_states: bool, batch_size: int) -> Iterator[tuple[list[Service], set]]:
    ids = export_service_ids(all_states=all_states)
    base = Service.objects.all() if all_states else queries.public_services()
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        rows = (
            queries.with_last_modified(base.filter(pk__in=chunk))
            .select_related("provider", "last_checked_by")
            .prefetch_related(*queries.full_service_prefetches())
        )
        services = queries.in_order(rows, chunk)
        parents = {s.provider.parent_id for s in services}
        if all_states:
            visible = set(
                Provider.objects.filter(pk__in=parents - {None}).values_list("pk", flat=True)
            )
        else:
            visible = queries.public_provider_ids(parents)
        yield services, visible


def iter_json(*, all_states: bool = False, batch_size: int = EXPORT_BATCH) -> Iterator[str]:
    """The directory as a JSON list of fully nested ORUK services, in pieces."""
    yield "["
    first = True
    for services, visible in _batches(all_states=all_states, batch_size=batch_size):
        ctx = serializers.Context(public_provider_ids=visible)
        parts = []
        for service in services:
            text = json.dumps(serializers.service_full(service, ctx), ensure_ascii=False)
            parts.append(("\n" if first else ",\n") + text)
            first = False
        yield "".join(parts)
    yield "\n]\n"


def csv_row(service: Service) -> dict[str, str]:
    """One listing in the template's columns."""
    sals = list(service.at_locations.all())
    location = sals[0].location if sals else None
    address = next(iter(location.addresses.all()), None) if location else None
    schedule = next(iter(service.schedules.all()), None)
    phone = next(iter(service.phones.all()), None)
    provider = service.provider
    needs = [t.name for t in service.terms.all() if t.taxonomy.code == NEEDS_TAXONOMY]

    def text(value: object) -> str:
        return "" if value is None else str(value)

    return {
        "id": str(service.pk),
        "listing name": service.name,
        "description": service.description,
        "organisation name": provider.name,
        "organisation website": provider.website,
        "email": service.email,
        "phone": phone.number if phone else "",
        "website": service.url,
        "venue name": location.name if location else "",
        "address line 1": address.address_1 if address else "",
        "town": address.city if address else "",
        "postcode": address.postal_code if address else "",
        "latitude": text(location.latitude) if location else "",
        "longitude": text(location.longitude) if location else "",
        "days": days_words(schedule.byday) if schedule else "",
        "start time": schedule.opens_at.strftime("%H:%M") if schedule and schedule.opens_at else "",
        "end time": schedule.closes_at.strftime("%H:%M") if schedule and schedule.closes_at else "",
        "frequency": frequency_words(schedule.freq, schedule.interval) if schedule else "",
        "cost": service.fees,
        "free": "yes" if service.is_free else "no",
        "needs": "; ".join(needs),
        "min age": text(service.minimum_age),
        "max age": text(service.maximum_age),
        "accessibility": "; ".join(f.get_feature_display() for f in location.accessibility.all())
        if location
        else "",
    }


def iter_csv(*, all_states: bool = False, batch_size: int = EXPORT_BATCH) -> Iterator[str]:
    """The directory in the CSV template's columns, one row per listing, in pieces."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_HEADINGS)
    writer.writeheader()
    for services, _visible in _batches(all_states=all_states, batch_size=batch_size):
        for service in services:
            writer.writerow(csv_row(service))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def export_queryset_count(*, all_states: bool = False) -> int:
    queryset: QuerySet[Service] = Service.objects.all() if all_states else queries.public_services()
    return queryset.count()
