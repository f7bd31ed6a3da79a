"""The Open Referral UK 3.0 read API: the endpoints of the published openapi.json.

Public and read-only: anyone may call it, without signing in, from any origin. It shows only
public listings (see queries.py). Lists use the ORUK paging envelope; `format=ndjson` streams
every result instead, one object a line.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from alongside.core.geo import distance_m
from alongside.core.postcodes import PostcodeNotFound, locate_postcode
from alongside.directory.models import (
    Provider,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

from . import params, queries
from . import serializers as out
from .http import (
    JSON_TYPE,
    ApiError,
    api_view,
    bad_parameter,
    body_response,
    json_response,
    ndjson_response,
    not_found,
)

ORUK_VERSION = "HSDS-UK-3.0"
# The page describing the profile; the example the published api_details schema gives.
DEFAULT_PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
PUBLISHED_OPENAPI = Path(__file__).parent / "spec" / "openapi.json"
NDJSON_CHUNK = 200
METRES_PER_DEGREE = 6_371_000.0 * math.pi / 180

Json = dict[str, Any]


@dataclass
class Rendered:
    contents: list[Json]
    newest: datetime | None = None


Renderer = Callable[[list[uuid.UUID]], Rendered]


# --- shared list machinery ----------------------------------------------------------------------


def _newest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def _listing(
    request: HttpRequest,
    *,
    ids: QuerySet | list[uuid.UUID],
    render: Renderer,
    paging: params.Paging | None,
    changed: datetime | None,
) -> HttpResponse:
    """One page in the ORUK envelope, or (paging None) every result as NDJSON.

    `ids` are the results' primary keys in order; only a page of them is then loaded with
    what it shows. `changed` is when the underlying tables last changed at all, so the list's
    Last-Modified moves when a listing is added or taken down."""
    if paging is None:
        return ndjson_response(_stream(ids, render))
    total = len(ids) if isinstance(ids, list) else ids.count()
    start = paging.offset
    page_ids = list(ids[start : start + paging.per_page]) if start < total else []
    rendered = render(page_ids) if page_ids else Rendered([])
    total_pages = max(1, math.ceil(total / paging.per_page))
    payload = {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": len(rendered.contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
        "empty": not rendered.contents,
        "contents": rendered.contents,
    }
    return json_response(request, payload, last_modified=_newest(changed, rendered.newest))


def _stream(ids: QuerySet | list[uuid.UUID], render: Renderer) -> Iterator[Json]:
    all_ids = list(ids)
    for start in range(0, len(all_ids), NDJSON_CHUNK):
        yield from render(all_ids[start : start + NDJSON_CHUNK]).contents


def _paging_or_stream(request: HttpRequest, *, minimal: bool = False) -> params.Paging | None:
    if params.output_format(request) == "ndjson":
        return None
    return params.paging(request, minimal=minimal)


def _service_filters(request: HttpRequest) -> queries.ServiceFilters:
    return queries.ServiceFilters(
        search=params.search(request),
        taxonomy_term_id=params.uuid_param(request, "taxonomy_term_id"),
        taxonomy_id=params.uuid_param(request, "taxonomy_id"),
        organization_id=params.uuid_param(request, "organization_id"),
        modified_after=params.moment(request, "modified_after"),
    )


def _context(parent_ids: Iterable[uuid.UUID | None]) -> out.Context:
    return out.Context(public_provider_ids=queries.public_provider_ids(parent_ids))


def _one(rows: Iterable, what: str, pk: uuid.UUID) -> Any:
    found = list(rows)
    if not found:
        raise not_found(f"There is no {what} with the id {pk}.")
    return found[0]


# --- the API root and its description -----------------------------------------------------------


@api_view
def api_root(request: HttpRequest) -> HttpResponse:
    """What the ORUK validator reads first: the profile version, and where our OpenAPI is."""
    return json_response(
        request,
        {
            "version": ORUK_VERSION,
            "profile": getattr(settings, "ORUK_PROFILE_URL", DEFAULT_PROFILE_URL),
            "openapi_url": request.build_absolute_uri(reverse("oruk:openapi")),
        },
    )


@cache
def _published_openapi() -> bytes:
    return PUBLISHED_OPENAPI.read_bytes()


@api_view
def openapi(request: HttpRequest) -> HttpResponse:
    """The published ORUK 3.0 openapi.json, byte for byte."""
    return body_response(request, _published_openapi(), JSON_TYPE)


# --- services -----------------------------------------------------------------------------------


def _render_services(*, minimal: bool, full: bool) -> Renderer:
    def render(ids: list[uuid.UUID]) -> Rendered:
        rows = queries.in_order(queries.services_for_output(ids, full=full), ids)
        newest = _newest(*(r.last_modified for r in rows))
        if minimal:
            return Rendered([out.service_minimal(r) for r in rows], newest)
        ctx = _context(r.provider.parent_id for r in rows)
        shape = out.service_full if full else out.service_summary
        return Rendered([shape(r, ctx) for r in rows], newest)

    return render


@api_view
def services(request: HttpRequest) -> HttpResponse:
    minimal = params.boolean(request, "minimal")
    full = params.boolean(request, "full")
    if minimal and full:
        raise bad_parameter("Ask for minimal or full services, not both.")
    paging = _paging_or_stream(request, minimal=minimal)
    filters = _service_filters(request)
    ids = (
        filters.apply(queries.public_services()).order_by("name", "id").values_list("pk", flat=True)
    )
    return _listing(
        request,
        ids=ids,
        render=_render_services(minimal=minimal, full=full),
        paging=paging,
        changed=queries.newest_change(Service.objects.all()),
    )


@api_view
def service_detail(request: HttpRequest, id: str) -> HttpResponse:  # noqa: A002 - ORUK's name
    pk = params.parse_uuid(id, "id")
    service = _one(queries.services_for_output([pk], full=True), "service", pk)
    ctx = _context([service.provider.parent_id])
    return json_response(
        request, out.service_full(service, ctx), last_modified=service.last_modified
    )


# --- services at locations ----------------------------------------------------------------------


def _locate(raw: str) -> Any:
    try:
        return locate_postcode(raw)
    except ValidationError as invalid:
        raise bad_parameter(f"postcode: {invalid.messages[0]}.", error="invalid_postcode") from None
    except PostcodeNotFound as unknown:
        raise ApiError(400, "unknown_postcode", str(unknown)) from None


def _by_distance(
    queryset: QuerySet[ServiceAtLocation], *, lat: float, lon: float, within_m: float | None
) -> list[uuid.UUID]:
    """Ids nearest first (places without coordinates last). With a radius, a bounding box in
    SQL narrows the rows before the exact great-circle distance is measured."""
    if within_m is not None:
        dlat = within_m / METRES_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        queryset = queryset.filter(
            location__latitude__range=(lat - dlat, lat + dlat),
            location__longitude__range=(lon - dlon, lon + dlon),
        )
    ranked = []
    for pk, lat2, lon2, service_name, location_name in queryset.values_list(
        "pk", "location__latitude", "location__longitude", "service__name", "location__name"
    ):
        distance = None if lat2 is None or lon2 is None else distance_m(lat, lon, lat2, lon2)
        if within_m is not None and (distance is None or distance > within_m):
            continue
        far = math.inf if distance is None else distance
        ranked.append((far, service_name, location_name, str(pk), pk))
    ranked.sort()
    return [row[-1] for row in ranked]


def _render_service_at_locations(*, full: bool) -> Renderer:
    def render(ids: list[uuid.UUID]) -> Rendered:
        rows = queries.in_order(queries.service_at_locations_for_output(ids, full=full), ids)
        ctx = _context(r.service.provider.parent_id for r in rows)
        shape = out.service_at_location_full if full else out.service_at_location_summary
        newest = _newest(*(r.service.last_modified for r in rows))
        return Rendered([shape(r, ctx) for r in rows], newest)

    return render


@api_view
def service_at_locations(request: HttpRequest) -> HttpResponse:
    full = params.boolean(request, "full")
    paging = _paging_or_stream(request)
    filters = _service_filters(request)
    postcode = params.text(request, "postcode")
    within_m = params.proximity(request)
    if within_m is not None and postcode is None:
        raise bad_parameter("proximity needs a postcode to measure from.")
    place = _locate(postcode) if postcode else None

    queryset = queries.public_service_at_locations()
    if filters.any:
        queryset = queryset.filter(
            service__in=filters.apply(queries.public_services()).values("pk")
        )
    if place is None:
        ids: QuerySet | list[uuid.UUID] = queryset.order_by(
            "service__name", "location__name", "id"
        ).values_list("pk", flat=True)
    else:
        ward = place.ward
        queryset = queries.covering_postcode(
            queryset,
            ward_id=ward.pk if ward else None,
            neighbourhood_id=ward.neighbourhood_id if ward else None,
        )
        ids = _by_distance(queryset, lat=place.lat, lon=place.lon, within_m=within_m)
    return _listing(
        request,
        ids=ids,
        render=_render_service_at_locations(full=full),
        paging=paging,
        changed=queries.newest_change(Service.objects.all(), ServiceAtLocation.objects.all()),
    )


@api_view
def service_at_location_detail(request: HttpRequest, id: str) -> HttpResponse:  # noqa: A002
    pk = params.parse_uuid(id, "id")
    item = _one(queries.service_at_locations_for_output([pk], full=True), "service at location", pk)
    ctx = _context([item.service.provider.parent_id])
    return json_response(
        request,
        out.service_at_location_full(item, ctx),
        last_modified=_newest(item.modified_at, item.service.last_modified),
    )


# --- organizations ------------------------------------------------------------------------------


def _organization(provider: Provider, ctx: out.Context, *, full: bool, full_service: bool) -> Json:
    data = out.organization(provider, ctx, identifiers=full or full_service)
    if full or full_service:
        shape = out.service_full if full_service else out.service_summary
        data["services"] = [
            shape(s, ctx, with_organization=False) for s in provider.public_services
        ]
    return data


def _render_organizations(*, full: bool, full_service: bool) -> Renderer:
    def render(ids: list[uuid.UUID]) -> Rendered:
        rows = queries.in_order(
            queries.providers_for_output(ids, services=full, full_services=full_service), ids
        )
        ctx = _context(r.parent_id for r in rows)
        contents = [_organization(r, ctx, full=full, full_service=full_service) for r in rows]
        moments = [r.modified_at for r in rows]
        for row in rows:
            moments += [s.last_modified for s in getattr(row, "public_services", [])]
        return Rendered(contents, _newest(*moments))

    return render


@api_view
def organizations(request: HttpRequest) -> HttpResponse:
    full = params.boolean(request, "full")
    full_service = params.boolean(request, "full_service")
    paging = _paging_or_stream(request)
    queryset = queries.public_providers()
    search = params.search(request)
    if search:
        queryset = queries.match_words(queryset, search)
    return _listing(
        request,
        ids=queryset.order_by("name", "id").values_list("pk", flat=True),
        render=_render_organizations(full=full, full_service=full_service),
        paging=paging,
        changed=queries.newest_change(Service.objects.all(), Provider.objects.all()),
    )


@api_view
def organization_detail(request: HttpRequest, id: str) -> HttpResponse:  # noqa: A002
    """The organization with its public services: their one-to-one fields, or every detail
    with `full_service=true`."""
    full_service = params.boolean(request, "full_service")
    pk = params.parse_uuid(id, "id")
    render = _render_organizations(full=True, full_service=full_service)
    rendered = render([pk])
    if not rendered.contents:
        raise not_found(f"There is no organization with the id {pk}.")
    return json_response(request, rendered.contents[0], last_modified=rendered.newest)


# --- taxonomies ---------------------------------------------------------------------------------


def _render_taxonomies(ids: list[uuid.UUID]) -> Rendered:
    rows = queries.in_order(Taxonomy.objects.filter(pk__in=ids), ids)
    return Rendered([out.taxonomy(r) for r in rows], _newest(*(r.modified_at for r in rows)))


@api_view
def taxonomies(request: HttpRequest) -> HttpResponse:
    paging = _paging_or_stream(request)
    queryset = Taxonomy.objects.all()
    search = params.search(request)
    if search:
        queryset = queries.match_words(queryset, search)
    return _listing(
        request,
        ids=queryset.order_by("name", "id").values_list("pk", flat=True),
        render=_render_taxonomies,
        paging=paging,
        changed=queries.newest_change(Taxonomy.objects.all()),
    )


@api_view
def taxonomy_detail(request: HttpRequest, id: str) -> HttpResponse:  # noqa: A002
    pk = params.parse_uuid(id, "id")
    item = _one(queries.taxonomy_with_terms(Taxonomy.objects.filter(pk=pk)), "taxonomy", pk)
    return json_response(
        request,
        out.taxonomy(item, with_terms=True),
        last_modified=_newest(item.modified_at, *(t.modified_at for t in item.terms.all())),
    )


def _render_terms(ids: list[uuid.UUID]) -> Rendered:
    rows = queries.in_order(TaxonomyTerm.objects.filter(pk__in=ids).select_related("taxonomy"), ids)
    newest = _newest(*(r.modified_at for r in rows), *(r.taxonomy.modified_at for r in rows))
    return Rendered([out.taxonomy_term(r) for r in rows], newest)


@api_view
def taxonomy_terms(request: HttpRequest) -> HttpResponse:
    paging = _paging_or_stream(request)
    taxonomy_id = params.uuid_param(request, "taxonomy_id")
    parent_id = params.uuid_param(request, "parent_id")
    # "Only retrieve taxonomy terms that have no parent": the top of each hierarchy.
    top_only = params.boolean(request, "top_only")
    queryset = TaxonomyTerm.objects.all()
    search = params.search(request)
    if search:
        queryset = queries.match_words(queryset, search)
    if taxonomy_id:
        queryset = queryset.filter(taxonomy_id=taxonomy_id)
    if parent_id:
        queryset = queryset.filter(parent_id=parent_id)
    if top_only:
        queryset = queryset.filter(parent__isnull=True)
    return _listing(
        request,
        ids=queryset.order_by("taxonomy__name", "name", "id").values_list("pk", flat=True),
        render=_render_terms,
        paging=paging,
        changed=queries.newest_change(TaxonomyTerm.objects.all(), Taxonomy.objects.all()),
    )


@api_view
def taxonomy_term_detail(request: HttpRequest, id: str) -> HttpResponse:  # noqa: A002
    pk = params.parse_uuid(id, "id")
    item = _one(TaxonomyTerm.objects.filter(pk=pk).select_related("taxonomy"), "taxonomy term", pk)
    return json_response(
        request,
        out.taxonomy_term(item),
        last_modified=_newest(item.modified_at, item.taxonomy.modified_at),
    )
