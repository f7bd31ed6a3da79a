"""Reads for the portal's finding pages: the choices the search form offers, result cards,
the needs to browse by and the ward outlines behind the map.

Everything here is public (published listings and reference data), so no acting user is
needed. Each function runs a fixed number of queries, whatever the number of results.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.urls import reverse

from alongside.core.models import Neighbourhood, Ward
from alongside.directory.models import (
    AccessibilityFeature,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from alongside.directory.schedules import SCHEDULE_LIKE_FIELDS, describe
from alongside.directory.search.engine import SearchHit
from alongside.directory.services import PUBLIC_STATES
from alongside.directory.taxonomies import AUDIENCE, NEEDS, SERVICE_TYPES

# --- what the search form offers ------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    id: uuid.UUID
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class Area:
    value: str  # a ward's GSS code or a neighbourhood's slug, as the URL holds it
    name: str
    is_ward: bool


@dataclass(frozen=True)
class SearchChoices:
    """Everything a filter may be set to. Codes are what the URL holds."""

    needs: list[Term]
    audiences: list[Term]
    types: list[Term]
    neighbourhoods: list[Area]
    wards: list[Area]
    access: list[tuple[str, str]] = field(
        default_factory=lambda: list(AccessibilityFeature.Feature.choices)
    )

    def area(self, value: str) -> Area | None:
        for area in (*self.neighbourhoods, *self.wards):
            if area.value == value:
                return area
        return None

    def ward_named(self, code: str) -> str:
        area = self.area(code)
        return area.name if area and area.is_ward else ""


def search_choices() -> SearchChoices:
    """The needs, audiences and service types (top-level needs only), the neighbourhoods and
    the wards. Three queries."""
    by_taxonomy: dict[str, list[Term]] = {NEEDS: [], AUDIENCE: [], SERVICE_TYPES: []}
    rows = (
        TaxonomyTerm.objects.filter(taxonomy__code__in=list(by_taxonomy))
        .order_by("name")
        .values_list("taxonomy__code", "id", "code", "name", "description", "parent_id")
    )
    for taxonomy, pk, code, name, description, parent_id in rows:
        if taxonomy == NEEDS and parent_id is not None:
            continue  # browse and filter by the broad needs; a need finds its narrower ones
        by_taxonomy[taxonomy].append(Term(pk, code, name, description))
    hoods = [
        Area(slug, name, is_ward=False)
        for slug, name in Neighbourhood.objects.order_by("name").values_list("slug", "name")
    ]
    wards = [
        Area(code, name, is_ward=True)
        for code, name in Ward.objects.order_by("name").values_list("code", "name")
    ]
    return SearchChoices(
        needs=by_taxonomy[NEEDS],
        audiences=by_taxonomy[AUDIENCE],
        types=by_taxonomy[SERVICE_TYPES],
        neighbourhoods=hoods,
        wards=wards,
    )


def needs_to_browse() -> list[Term]:
    """The needs taxonomy's top-level terms, by name, for "Browse by need". One query."""
    return [
        Term(pk, code, name, description)
        for pk, code, name, description in TaxonomyTerm.objects.filter(
            taxonomy__code=NEEDS, parent__isnull=True
        )
        .order_by("name")
        .values_list("id", "code", "name", "description")
    ]


def term_taxonomies(codes: Sequence[str]) -> dict[str, str]:
    """Which taxonomy each term code belongs to (needs first, when a code is in several), for
    turning the search service's suggestions into links. One query."""
    if not codes:
        return {}
    found: dict[str, str] = {}
    preference = {NEEDS: 0, AUDIENCE: 1, SERVICE_TYPES: 2}
    rows = TaxonomyTerm.objects.filter(
        code__in=list(codes), taxonomy__code__in=list(preference)
    ).values_list("code", "taxonomy__code")
    for code, taxonomy in sorted(rows, key=lambda row: preference[row[1]]):
        found.setdefault(code, taxonomy)
    return found


# --- result cards -----------------------------------------------------------------------------


@dataclass
class ResultCard:
    """One listing as the results list (and the map) shows it."""

    id: uuid.UUID
    name: str
    href: str
    organisation: str
    summary: str
    kind: str
    kind_label: str
    when: list[str]
    next_date: dt.date | None
    venue: str
    ward: str
    online: bool
    is_free: bool
    distance_m: float | None
    latitude: float | None
    longitude: float | None
    in_my_list: bool = False

    @property
    def distance_words(self) -> str:
        """How far away, in the units road signs use: "0.3 miles away"."""
        if self.distance_m is None:
            return ""
        miles = self.distance_m / 1609.344
        if miles < 0.1:
            return "Less than 0.1 miles away"
        return f"{miles:.1f} miles away" if miles < 10 else f"{miles:.0f} miles away"

    @property
    def where(self) -> str:
        if self.venue and self.ward:
            return f"{self.venue}, {self.ward}"
        return self.venue or self.ward or ("Online" if self.online else "")

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)", re.S)
MAX_SUMMARY = 200


def one_sentence(summary: str, description: str) -> str:
    """The listing's summary, or else the first sentence of its description, never longer
    than MAX_SUMMARY characters (cut at a word, with an ellipsis)."""
    text = " ".join((summary or "").split())
    if not text:
        flat = " ".join((description or "").split())
        match = _SENTENCE.match(flat)
        text = match.group(1) if match else flat
    if len(text) > MAX_SUMMARY:
        text = text[: MAX_SUMMARY - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


_SCHEDULE_FIELDS = ("service_id", *SCHEDULE_LIKE_FIELDS, "description")
MAX_WHEN = 2


def _still_runs(schedule: Any, today: dt.date) -> bool:
    if not schedule.freq:
        return schedule.dtstart >= today
    ends = [d for d in (schedule.until, schedule.valid_to) if d]
    return not ends or min(ends) >= today


def result_cards(hits: Sequence[SearchHit], *, today: dt.date) -> list[ResultCard]:
    """Cards for a page of search hits, in the hits' order; listings no longer public are left
    out. Three queries, whatever the number of hits (rows, not model instances: this is the
    results page's hot path)."""
    ids = [hit.service_id for hit in hits]
    if not ids:
        return []
    services = {
        row["id"]: row
        for row in Service.objects.filter(pk__in=ids, state__in=PUBLIC_STATES).values(
            "id",
            "name",
            "summary",
            "description",
            "kind",
            "is_free",
            "provider__name",
            "search_entry__next_date",
            "search_entry__latitude",
            "search_entry__longitude",
        )
    }
    when: dict[uuid.UUID, list[str]] = {}
    for row in (
        Schedule.objects.filter(service_id__in=list(services))
        .order_by("dtstart", "opens_at", "created_at", "id")
        .values_list(*_SCHEDULE_FIELDS)
    ):
        schedule = SimpleNamespace(**dict(zip(_SCHEDULE_FIELDS, row, strict=True)))
        if not _still_runs(schedule, today):
            continue
        words = describe(schedule)
        listed = when.setdefault(schedule.service_id, [])
        if words not in listed and len(listed) < MAX_WHEN:
            listed.append(words)
    places: dict[uuid.UUID, tuple[str, str, bool]] = {}
    for service_id, name, ward, kind in (
        ServiceAtLocation.objects.filter(service_id__in=list(services))
        .order_by("created_at", "id")
        .values_list(
            "service_id", "location__name", "location__ward__name", "location__location_type"
        )
    ):
        venue, ward_name, online = places.get(service_id, ("", "", False))
        if kind == Location.LocationType.VIRTUAL:
            places[service_id] = (venue, ward_name, True)
        elif not venue and not ward_name:
            places[service_id] = (name or "", ward or "", online)
    kinds = dict(Service.Kind.choices)
    cards = []
    for hit in hits:
        row = services.get(hit.service_id)
        if row is None:
            continue
        next_date = hit.next_date or row["search_entry__next_date"]
        if next_date is not None and next_date < today:
            next_date = None  # the index was built before today: the date has passed
        venue, ward_name, online = places.get(hit.service_id, ("", "", False))
        cards.append(
            ResultCard(
                id=hit.service_id,
                name=row["name"],
                href=reverse("portal:listing", kwargs={"pk": hit.service_id}),
                organisation=row["provider__name"],
                summary=one_sentence(row["summary"], row["description"]),
                kind=row["kind"],
                kind_label=kinds.get(row["kind"], ""),
                when=when.get(hit.service_id, []),
                next_date=next_date,
                venue=venue,
                ward=ward_name,
                online=online,
                is_free=row["is_free"],
                distance_m=hit.distance_m,
                latitude=row["search_entry__latitude"],
                longitude=row["search_entry__longitude"],
            )
        )
    return cards


# --- the map's background ---------------------------------------------------------------------

OUTLINE_TOLERANCE_DEG = 0.0005  # about 55 m north to south: plenty for a city overview
OUTLINE_CACHE_SECONDS = 60 * 60 * 24


def _perpendicular(point: Sequence[float], start: Sequence[float], end: Sequence[float]) -> float:
    (x, y), (x1, y1), (x2, y2) = point[:2], start[:2], end[:2]
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def simplify_ring(ring: Sequence[Sequence[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker on one closed ring, keeping it closed and at least four points long,
    with coordinates rounded to five decimal places (about a metre)."""
    points = [list(p[:2]) for p in ring]
    if len(points) <= 4:
        return [[round(x, 5), round(y, 5)] for x, y in points]
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _perpendicular(points[i], points[first], points[last])
            if distance > worst:
                worst, index = distance, i
        if index != -1 and worst > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    kept = [p for p, k in zip(points, keep, strict=True) if k]
    if len(kept) < 4:  # a ring that collapsed: keep its original shape roughly
        step = max(1, len(points) // 4)
        kept = [*points[:-1:step], points[-1]]
    return [[round(x, 5), round(y, 5)] for x, y in kept]


def _simplified(geometry: dict[str, Any], tolerance: float) -> dict[str, Any]:
    if geometry.get("type") == "Polygon":
        return {
            "type": "Polygon",
            "coordinates": [simplify_ring(r, tolerance) for r in geometry["coordinates"]],
        }
    return {
        "type": "MultiPolygon",
        "coordinates": [
            [simplify_ring(r, tolerance) for r in polygon] for polygon in geometry["coordinates"]
        ],
    }


@dataclass(frozen=True)
class Outlines:
    body: bytes  # GeoJSON FeatureCollection
    etag: str


def ward_outlines() -> Outlines:
    """Every ward's boundary, simplified, as GeoJSON, for the map's background. Kept in the
    cache until a ward changes: one small query to check, then none to build."""
    stamp = Ward.objects.aggregate(n=Count("id"), changed=Max("modified_at"))
    changed = stamp["changed"].isoformat() if stamp["changed"] else ""
    key = f"portal:ward-outlines:{stamp['n']}:{changed}"
    found = cache.get(key)
    if found is not None:
        return found
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": _simplified(boundary, OUTLINE_TOLERANCE_DEG),
        }
        for code, name, boundary in Ward.objects.order_by("name").values_list(
            "code", "name", "boundary"
        )
        if boundary
    ]
    body = json.dumps(
        {"type": "FeatureCollection", "features": features}, separators=(",", ":")
    ).encode()
    outlines = Outlines(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')
    cache.set(key, outlines, OUTLINE_CACHE_SECONDS)
    return outlines
