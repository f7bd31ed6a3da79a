"""Home, results and near me (issue 4): finding things. Public, no sign-in.

The results page is one GET form, so its address holds the whole search: it can be shared,
bookmarked and used without JavaScript. The map beside the list only enhances it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from alongside.core.pagination import paginate
from alongside.core.places import ward_for_point
from alongside.directory.search.engine import SearchError, SearchQuery, SearchResult, search

from .. import selectors
from ..context_processors import MY_LIST_SESSION_KEY
from ..search_forms import SORT_LABELS, NearMeForm, ResultsForm, help_links, past_the_end

WHATS_ON_COUNT = 4


def _today() -> dt.date:
    return timezone.localdate()


def _my_list_ids(request: HttpRequest) -> set[str]:
    """The listings already in the visitor's My list; reads the session only when the visitor
    already has one, so nobody gets a cookie just for searching."""
    session = getattr(request, "session", None)
    if session is None or session.session_key is None:
        return set()
    return {str(pk) for pk in session.get(MY_LIST_SESSION_KEY, [])}


def _outlines_url() -> str:
    try:
        return reverse("portal:map-wards")
    except NoReverseMatch:  # not routed: the map shows markers only
        return ""


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = _today()
    choices = selectors.search_choices()
    soon = search(SearchQuery(this_week=True, sort="soonest", per_page=WHATS_ON_COUNT, today=today))
    return render(
        request,
        "portal/home.html",
        {
            "choices": choices,
            "needs": choices.needs,
            "whats_on": selectors.result_cards(soon.hits, today=today),
            "whats_on_total": soon.total,
        },
    )


class _PageOfHits:
    """What `core.pagination.paginate` pages through: the search service already fetched
    the one page shown, and knows how many results there are in all."""

    def __init__(self, total: int, cards: list) -> None:
        self.total, self.cards = total, cards

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: Any) -> list:
        return self.cards


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    today = _today()
    choices = selectors.search_choices()
    form = ResultsForm(request.GET, choices=choices)
    result: SearchResult | None = None
    cards: list[selectors.ResultCard] = []
    pagination = None
    if form.is_valid():
        query = form.to_query(today=today)
        try:
            result = search(query)
        except SearchError as error:  # a check the form does not make itself
            form.add_error(None, str(error))
        else:
            pages = max(1, -(-result.total // query.per_page))
            if result.total and query.page > pages:  # a stale link: results change
                form.add_error("page", past_the_end(query.page, pages))
                result = None
            else:
                cards = selectors.result_cards(result.hits, today=today)
                in_my_list = _my_list_ids(request)
                for card in cards:
                    card.in_my_list = str(card.id) in in_my_list
                _, pagination = paginate(request, _PageOfHits(result.total, cards), query.per_page)
    point = form.point if not form.errors else None
    place_ward = ""
    if point is not None:
        if form.located is not None:
            place_ward = form.located.ward.name if form.located.ward else ""
        else:
            ward = ward_for_point(lat=point[0], lon=point[1])
            place_ward = ward.name if ward else ""
    help_ = {}
    if result is not None and not result.total and result.help:
        codes = [n["code"] for n in result.help.get("related_needs", [])]
        help_ = help_links(result.help, request.GET, selectors.term_taxonomies(codes))
    sort_options = [
        (value, label)
        for value, label in SORT_LABELS.items()
        if value != "distance" or point is not None
    ]
    return render(
        request,
        "portal/results.html",
        {
            "form": form,
            "choices": choices,
            "errors": form.error_list(),
            "q": form.cleaned_data.get("q", "") if not form.errors else "",
            "q_typed": request.GET.get("q", ""),
            "q_error": form.first_error("q", "__all__"),
            "sort_error": form.first_error("sort"),
            "age_error": form.first_error("age"),
            "filter_groups": form.filter_groups(),
            "where": form.where(point),
            "show_map": any(card.has_point for card in cards),
            "result": result,
            "cards": cards,
            "first_number": ((result.query.page - 1) * result.query.per_page + 1) if result else 1,
            "pagination": pagination,
            "help": help_,
            "point": point,
            "place_ward": place_ward,
            "postcode": form.located.postcode if form.located else "",
            "sort": form.sort_by if not form.errors else (request.GET.get("sort") or "relevance"),
            "sort_options": sort_options,
            "this_url": request.get_full_path(),
            "clear_url": "?" + urlencode({"q": form.value("q")}) if form.value("q") else "?",
            "without_point_url": _without_point_url(request),
            "map": {
                "tiles_url": settings.PORTAL_MAP_TILES_URL,
                "tiles_attribution": settings.PORTAL_MAP_TILES_ATTRIBUTION,
                "outlines_url": _outlines_url(),
            },
        },
    )


def _without_point_url(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("lat", "lng", "postcode", "distance", "page"):
        query.pop(key, None)
    if query.get("sort") == "distance":
        query.pop("sort")
    return "?" + query.urlencode()


@require_GET
def near_me(request: HttpRequest) -> HttpResponse:
    """A postcode becomes a point: the results, nearest first. A bad or unknown postcode
    shows the form again with what was typed and what to change."""
    if "postcode" not in request.GET:
        form = NearMeForm()
        return render(request, "portal/results_near_me.html", _near_me_context(form))
    form = NearMeForm(request.GET)
    if not form.is_valid():
        return render(request, "portal/results_near_me.html", _near_me_context(form))
    place = form.cleaned_data["postcode"]
    params = {
        "postcode": place.postcode,
        "lat": f"{place.lat:.6f}",
        "lng": f"{place.lon:.6f}",
        "sort": "distance",
    }
    return redirect(reverse("portal:results") + "?" + urlencode(params))


def _near_me_context(form: NearMeForm) -> dict[str, Any]:
    return {"form": form, "choices": selectors.search_choices()}


@require_GET
def ward_outlines(request: HttpRequest) -> HttpResponse:
    """The wards' outlines as GeoJSON, drawn behind the results map when no tile server is
    set. Cached by the browser for a day, and on the server until a ward changes."""
    outlines = selectors.ward_outlines()
    if request.headers.get("If-None-Match") == outlines.etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(outlines.body, content_type="application/geo+json")
    response["ETag"] = outlines.etag
    response["Cache-Control"] = "public, max-age=86400"
    return response
