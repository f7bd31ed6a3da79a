"""Our own search API, beside the ORUK one: everything the directory's search service can do
(needs, wards, days, times, distance, facets, spelling help) as one GET. django-ninja
publishes its OpenAPI description at /api/search/openapi.json.

Public, read-only and open to any origin, like the ORUK API; bad parameters get a 400 with a
JSON body saying what to send.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import ValidationError

from alongside.directory.search.engine import (
    MAX_COUNTED,
    MAX_PER_PAGE,
    MAX_TEXT,
    MAX_WITHIN_M,
    SearchError,
    SearchQuery,
    search,
)

api = NinjaAPI(
    title="Alongside directory search",
    version="1.0",
    description=(
        "Search the community directory the way residents and practitioners do: words "
        "(with stemming, synonyms, the needs map and spelling correction), needs and "
        "categories, ward or neighbourhood, days and times, cost, age, accessibility, "
        "distance from a point, and 'happening this week'. Results link to the Open "
        "Referral UK API's full service records at /api/oruk/services/{id}."
    ),
    urls_namespace="search-api",
    docs_url=None,
    openapi_url="/openapi.json",
)

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TimeOfDay = Literal["morning", "afternoon", "evening"]
SortBy = Literal["relevance", "distance", "soonest", "name"]


class SearchParams(Schema):
    q: str = Query("", max_length=MAX_TEXT, description="What the person is looking for")
    need: list[str] = Query(
        [],
        description=(
            "Taxonomy term code or id (needs, service types or audiences). Repeat for "
            "several: terms of one taxonomy are alternatives, different taxonomies must all "
            "match. A term also finds its narrower terms."
        ),
    )
    ward: list[str] = Query([], description="Ward GSS code, e.g. E05010311; repeatable")
    neighbourhood: list[str] = Query([], description="Neighbourhood slug; repeatable")
    day: list[Day] = Query([], description="Runs on any of these days")
    time: list[TimeOfDay] = Query([], description="Runs at any of these times of day")
    free: bool = Query(False, description="Only listings that cost nothing")
    age: int | None = Query(None, ge=0, le=120, description="Open to someone of this age")
    access: list[str] = Query(
        [], description="Accessibility features that must all be present (e.g. step_free)"
    )
    kind: list[str] = Query([], description="Kind of listing (service, activity, group, event…)")
    organization_id: list[uuid.UUID] = Query([], description="Run by this organisation")
    this_week: bool = Query(False, description="Runs in the next seven days")
    lat: float | None = Query(None, ge=-90, le=90, description="Latitude of the point")
    lng: float | None = Query(None, ge=-180, le=180, description="Longitude of the point")
    within: int | None = Query(
        None, ge=1, le=MAX_WITHIN_M, description="Only within this many metres of the point"
    )
    sort: SortBy = Query("relevance")
    page: int = Query(1, ge=1)
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE)
    facets: bool = Query(False, description="Also count results by need, ward, day and more")


class Hit(Schema):
    id: uuid.UUID
    name: str
    summary: str
    organization: str
    kind: str
    score: int
    distance_m: int | None
    next_date: dt.date | None
    url: str


class Results(Schema):
    total_items: int = Field(
        description=f"How many listings match, counted up to {MAX_COUNTED:,}: past that, "
        "total_capped is true and only the first pages up to that many listings can be read"
    )
    total_capped: bool = Field(description=f"More than {MAX_COUNTED:,} listings match")
    total_pages: int
    page: int
    per_page: int
    first_page: bool
    last_page: bool
    corrected_query: str
    contents: list[Hit]
    facets: dict[str, dict[str, int]]
    help: dict[str, list[dict[str, Any]]]


class Error(Schema):
    error: str
    detail: str


def _error(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    response = api.create_response(
        request, {"error": "invalid_parameter", "detail": detail}, status=status
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "params"))
        problems.append(f"{where}: {error.get('msg', 'is not valid')}")
    return _error(request, 400, "; ".join(problems) or "The parameters are not valid.")


@api.exception_handler(SearchError)
def _refused(request: HttpRequest, exc: SearchError) -> HttpResponse:
    return _error(request, 400, str(exc))


_PLACEHOLDER = uuid.UUID(int=0)


@api.get(
    "/services",
    response={200: Results, 400: Error},
    summary="Search the directory",
    operation_id="search_services",
)
def services(request: HttpRequest, response: HttpResponse, params: Query[SearchParams]):
    if (params.lat is None) != (params.lng is None):
        raise SearchError("Give both lat and lng, or neither.")
    query = SearchQuery(
        text=params.q.strip(),
        needs=tuple(params.need),
        age=params.age,
        free=params.free,
        days=tuple(params.day),
        times=tuple(params.time),
        wards=tuple(params.ward),
        neighbourhoods=tuple(params.neighbourhood),
        access=tuple(params.access),
        kinds=tuple(params.kind),
        provider_ids=tuple(params.organization_id),
        this_week=params.this_week,
        point=(params.lat, params.lng) if params.lat is not None else None,
        within_m=params.within,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
        facets=params.facets,
    )
    result = search(query)
    pages = max(1, math.ceil(result.total / query.per_page))
    # Each listing's ORUK address, from one reverse() for the page (not one per listing).
    url = request.build_absolute_uri(reverse("oruk:service", kwargs={"id": _PLACEHOLDER}))
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, no-cache"
    return {
        "total_items": result.total,
        "total_capped": result.capped,
        "total_pages": pages,
        "page": query.page,
        "per_page": query.per_page,
        "first_page": query.page == 1,
        "last_page": query.page >= pages,
        "corrected_query": result.corrected_text,
        "contents": [
            {
                "id": hit.service_id,
                "name": hit.name,
                "summary": hit.summary,
                "organization": hit.organization,
                "kind": hit.kind,
                "score": hit.score,
                "distance_m": round(hit.distance_m) if hit.distance_m is not None else None,
                "next_date": hit.next_date,
                "url": url.replace(str(_PLACEHOLDER), str(hit.service_id)),
            }
            for hit in result.hits
        ],
        "facets": result.facets,
        "help": result.help,
    }
