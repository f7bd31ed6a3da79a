"""Home, results and near me: finding things in the `little` directory.

Public pages: no sign-in, GET only, and every bad parameter gets a message on the page."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse

from alongside.core.models import Postcode, Ward
from alongside.directory.search import index
from alongside.directory.taxonomies import NEEDS
from alongside.directory.tests.api_factories import (
    LocationFactory,
    PublishedServiceFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
)
from alongside.portal import selectors
from alongside.portal.context_processors import MY_LIST_SESSION_KEY
from alongside.portal.search_forms import help_links
from alongside.portal.views import search as search_views

from .conftest import TODAY

pytestmark = pytest.mark.django_db

ACOMB, FISHERGATE, GUILDHALL = "E05010311", "E05010316", "E05010318"
RESULTS = "/search/"
BAD_POINT = "The location in the web address is not right. Type a postcode instead."
INCOMPLETE_POINT = "The location in the web address is not complete. Type a postcode instead."
UNKNOWN_POSTCODE = (
    "We do not know the postcode YO1 9ZZ. Check it is right, or choose a ward instead."
)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(search_views, "_today", lambda: TODAY)


def text(response) -> str:
    """The page's main content as words, for reading like a person would."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main))).strip()


def names(response) -> list[str]:
    """The result names, in order."""
    html = response.content.decode()
    return [
        unescape(m)
        for m in re.findall(
            r'<h3 class="govuk-heading-m app-result__title">.*?<a class="govuk-link" '
            r'href="/listings/[^"]+">([^<]+)</a>',
            html,
            re.S,
        )
    ]


def error_summary(response) -> list[str]:
    html = response.content.decode()
    if "govuk-error-summary" not in html:
        return []
    summary = html[html.index("govuk-error-summary__list") :]
    summary = summary[: summary.index("</ul>")]
    return [unescape(m) for m in re.findall(r'<a href="#[^"]+">([^<]+)</a>', summary)]


# --- home -------------------------------------------------------------------------------------


def test_home_has_search_needs_whats_on_near_me_and_help(client, little):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    words = text(response)
    assert "What are you looking for?" in words
    assert re.search(r'<form method="get" action="/search/"[^>]*role="search"', html)
    # Browse by need: every top-level need, each a link to its results.
    needs = selectors.needs_to_browse()
    assert len(needs) > 10
    for need in needs:
        assert f'href="/search/?need={need.code}"' in html
    # What's on this week: soonest first, from the search service.
    section = words[words.index("What’s on this week") : words.index("Near me")]
    assert section.index("Acomb Health Walk") < section.index("Friday Lunch Club")
    assert section.index("Friday Lunch Club") < section.index("Debt and Benefits Advice")
    assert "Tuesday 1 December" in section and "Telephone Befriending" not in section
    assert f'href="{reverse("portal:whats-on")}"' in html
    # Near me: an area, a postcode, or (with JavaScript) the device's location.
    assert 'action="/near-me/"' in html and 'name="postcode"' in html
    assert '<option value="E05010311">Acomb</option>' in html
    assert "data-app-locate" in html and "Use my location" in words
    # Kept from the old home page.
    assert "If you need help now" in words
    assert f'href="{reverse("accounts:sign-in")}"' in html
    # No map on the home page.
    assert "leaflet" not in html


def test_home_query_count_is_fixed(client, little, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        assert client.get("/").status_code == 200


def test_home_says_when_nothing_is_on_this_week(client, little, monkeypatch):
    monkeypatch.setattr(search_views, "_today", lambda: dt.date(2027, 6, 1))
    response = client.get("/")
    assert "Nothing is listed for the next 7 days yet." in text(response)


# --- results: finding and filtering -----------------------------------------------------------


def test_everything_public_without_a_search_by_name(client, little):
    response = client.get(RESULTS)
    assert response.status_code == 200
    assert names(response) == [
        "Acomb Health Walk",
        "Debt and Benefits Advice",
        "Evening Choir",
        "Friday Lunch Club",
        "Telephone Befriending",
    ]  # no draft
    assert "5 results" in text(response)


def test_past_the_count_limit_the_page_says_more_than(client, little, monkeypatch):
    from alongside.directory.search import engine

    monkeypatch.setattr(engine, "MAX_COUNTED", 2)
    page = text(client.get(RESULTS))
    assert "More than 2 results" in page and "We show the first 2." in page
    refused = text(client.get(RESULTS, {"page": 2}))
    assert "Only the first 2 results can be shown: add words or filters" in refused


def test_words_find_listings_by_meaning(client, little):
    response = client.get(RESULTS, {"q": "lonely"})
    assert set(names(response)) == {"Telephone Befriending", "Friday Lunch Club"}
    assert "2 results for ‘lonely’" in text(response)
    assert "Search results" in response.content.decode().split("<title>")[1].split("</title>")[0]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"free": "yes"},
            {"Telephone Befriending", "Debt and Benefits Advice", "Acomb Health Walk"},
        ),
        ({"day": "tue"}, {"Acomb Health Walk", "Evening Choir"}),
        ({"day": ["mon", "fri"]}, {"Debt and Benefits Advice", "Friday Lunch Club"}),
        ({"time": "evening"}, {"Evening Choir"}),
        ({"need": "money-and-debt"}, {"Debt and Benefits Advice"}),
        ({"need": ["food", "arts-and-culture"]}, {"Friday Lunch Club", "Evening Choir"}),
        ({"access": "hearing_loop"}, {"Friday Lunch Club", "Acomb Health Walk"}),
        ({"access": ["hearing_loop", "step_free"]}, {"Friday Lunch Club", "Acomb Health Walk"}),
        ({"area": ACOMB}, {"Friday Lunch Club", "Acomb Health Walk", "Telephone Befriending"}),
        ({"age": "17"}, {"Evening Choir"}),
        ({"q": "lonely", "free": "yes"}, {"Telephone Befriending"}),
        ({"need": "loneliness-and-isolation", "day": "fri", "area": ACOMB}, {"Friday Lunch Club"}),
    ],
)
def test_filters_narrow_the_results(client, little, params, expected):
    response = client.get(RESULTS, params)
    assert response.status_code == 200
    assert set(names(response)) == expected


def test_a_neighbourhood_is_an_area(client, little):
    ward = Ward.objects.select_related("neighbourhood").get(code=GUILDHALL)
    response = client.get(RESULTS, {"area": ward.neighbourhood.slug})
    assert "Debt and Benefits Advice" in names(response)
    assert "Acomb Health Walk" not in names(response)


def test_the_url_holds_the_whole_search(client, little):
    params = {
        "q": "walk",
        "need": "physical-activity",
        "day": "tue",
        "time": "morning",
        "free": "yes",
        "access": "step_free",
        "area": ACOMB,
        "age": "30",
    }
    response = client.get(RESULTS, params)
    html = response.content.decode()
    assert names(response) == ["Acomb Health Walk"]
    assert 'id="q" name="q" type="search" value="walk"' in html
    for name in ("need", "day", "time", "free", "access"):
        assert re.search(rf'name="{name}" type="checkbox" value="{params[name]}" checked', html)
    assert re.search(r'<option value="E05010311" selected>Acomb</option>', html)
    assert 'name="age" type="text" inputmode="numeric" spellcheck="false" value="30"' in html
    # A chosen filter's group is open, so what is chosen can be seen.
    assert re.search(r'<details class="govuk-details app-filters__group" open>\s*<summary[^>]*>\s*'
                     r'<span class="govuk-details__summary-text">Day', html)  # fmt: skip
    # Everything is a GET form field, so submitting it again gives the same address.
    assert re.search(r'<form method="get" action="/search/" id="search-form"', html)


def test_sorting_by_soonest(client, little):
    response = client.get(RESULTS, {"sort": "soonest"})
    assert names(response)[:2] == ["Acomb Health Walk", "Evening Choir"]  # Tuesday 1 December
    assert names(response)[-1] == "Telephone Befriending"  # no dates: last
    assert '<option value="soonest" selected>Soonest first</option>' in response.content.decode()
    # Distance is offered only with a place to measure from.
    assert 'value="distance"' not in response.content.decode()


def test_a_result_shows_what_people_need_to_decide(client, little):
    response = client.get(RESULTS, {"q": "walk"})
    words = text(response)
    assert "Acomb Health Walk" in words
    assert "Run by " + little["walk"].provider.name in words
    assert "A gentle walk in the park, about an hour." in words  # the first sentence
    assert "Walking boots" not in words
    assert "Every Tuesday, 10am to 12pm" in words
    assert "Next on Tuesday 1 December" in words
    assert "Acomb Library, Acomb" in words
    assert "Free" in words
    assert f'href="/listings/{little["walk"].pk}/"' in response.content.decode()


def test_add_to_my_list_posts_back_to_this_search(client, little):
    url = f"{RESULTS}?q=walk&free=yes"
    response = client.get(url)
    html = response.content.decode()
    pk = little["walk"].pk
    add = reverse("portal:my-list-add", kwargs={"pk": pk})
    form = re.search(
        rf'<form id="add-{pk}" method="post" action="{add}"[^>]*>(.*?)</form>', html, re.S
    )
    assert form, "no POST form for Add to My list"
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert f'name="next" value="{url.replace("&", "&amp;")}"' in form.group(1)
    assert re.search(rf'<button type="submit" form="add-{pk}"[^>]*>Add to My list', html)
    # The POST form is outside the GET search form (forms cannot nest).
    assert html.index("</form>", html.index('id="search-form"')) < html.index(f'id="add-{pk}"')


def test_listings_already_in_my_list_say_so(client, little):
    session = client.session
    session[MY_LIST_SESSION_KEY] = [str(little["walk"].pk)]
    session.save()
    response = client.get(RESULTS, {"q": "walk"})
    html = response.content.decode()
    assert "In your list." in text(response)
    assert f'id="add-{little["walk"].pk}"' not in html


# --- results: words that found nothing --------------------------------------------------------


def test_misspelt_words_are_corrected(client, little):
    response = client.get(RESULTS, {"q": "befreinding"})
    words = text(response)
    assert "We found nothing for ‘befreinding’, so we searched for ‘befriending’ instead." in words
    assert names(response) == ["Telephone Befriending"]
    # What was typed stays in the box.
    assert 'value="befreinding"' in response.content.decode()


def test_no_results_suggests_dropping_a_filter(client, little):
    response = client.get(RESULTS, {"q": "walk", "day": "sat"})
    assert names(response) == []
    words = text(response)
    assert "0 results for ‘walk’" in words and "Nothing matched your search and filters." in words
    links = {
        unescape(label): unescape(href)
        for href, label in re.findall(
            r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', response.content.decode()
        )
    }
    drop_days = links["searching without the days"]
    assert parse_qs(urlsplit(drop_days).query) == {"q": ["walk"]}
    assert set(names(client.get(RESULTS + drop_days))) == {"Acomb Health Walk", "Evening Choir"}


def test_no_results_suggests_nearby_wards(client, little):
    response = client.get(RESULTS, {"need": "money-and-debt", "area": FISHERGATE})
    html = response.content.decode()
    assert names(response) == []
    nearby = re.search(r'href="([^"]*area=E05010318[^"]*)">Guildhall</a> \(1 result\)', html)
    assert nearby, "Guildhall (next door, with the debt advice) is not suggested"
    assert names(client.get(RESULTS + unescape(nearby.group(1)))) == ["Debt and Benefits Advice"]


def test_related_needs_become_links_in_their_own_taxonomy(little):
    """The search service names related terms by code; each becomes a link that sets the
    parameter of its taxonomy in place of the needs chosen before."""
    data = QueryDict("q=lonely&need=food&day=tue&page=3")
    help_ = {
        "remove_filter": [
            {"filter": "days", "label": "the days", "count": 2},
            {"filter": "kinds", "label": "the kind of listing", "count": 9},  # not offered
        ],
        "related_needs": [
            {"code": "befriending", "name": "Befriending", "count": 4},
            {"code": "older-people", "name": "Later life", "count": 2},
            {"code": "no-such-term", "name": "Gone", "count": 1},
        ],
    }
    links = help_links(help_, data, selectors.term_taxonomies(["befriending", "older-people"]))
    assert links["remove"] == [
        {"text": "searching without the days", "count": 2, "url": "?q=lonely&need=food"}
    ]
    assert [(r["text"], r["url"]) for r in links["related"]] == [
        ("Befriending", "?q=lonely&day=tue&type=befriending"),
        ("Later life", "?q=lonely&day=tue&need=older-people"),  # a need before an audience
    ]


# --- results: bad parameters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 201}, "Search words must be 200 characters or fewer. Try fewer words."),
        ({"area": "E05999999"}, "We do not know the area ‘E05999999’. Choose from the list."),
        ({"page": "0"}, "The page number must be 1 or more"),
        ({"page": "two"}, "The page number must be a whole number, like 2"),
        ({"page": "99999999999999999999"}, "The page number must be 10,000 or less"),
        ({"need": "knitting"}, "We do not know the need ‘knitting’. Choose from the list."),
        ({"audience": "cats"}, "We do not know the group of people ‘cats’. Choose from the list."),
        ({"day": "someday"}, "We do not know the day ‘someday’. Choose from the list."),
        ({"time": "night"}, "We do not know the time of day ‘night’. Choose from the list."),
        ({"access": "lift"}, "We do not know the accessibility need ‘lift’. Choose from the list."),
        ({"free": "maybe"}, "To see only free things, tick ‘Free only’"),
        ({"age": "eight"}, "Age must be a whole number, like 8"),
        ({"age": "121"}, "Age must be 120 or less"),
        ({"age": "-1"}, "Age must be 0 or more"),
        ({"lat": "53.9"}, INCOMPLETE_POINT),
        ({"lat": "91", "lng": "0"}, BAD_POINT),
        ({"lat": "nan", "lng": "0"}, BAD_POINT),
        ({"distance": "1"}, "Enter a postcode to search within a distance"),
        ({"lat": "53.9", "lng": "-1.1", "distance": "3"}, "Choose a distance from the list"),
        ({"sort": "distance"}, "Enter a postcode to sort by distance"),
        ({"sort": "price"}, "Choose how to sort from the list"),
        ({"postcode": "not a postcode"}, "Enter a real postcode, like YO1 7HH"),
        ({"postcode": "YO1 9ZZ"}, UNKNOWN_POSTCODE),
    ],
)  # fmt: skip
def test_bad_parameters_get_a_clear_message_on_the_page(client, little, params, message):
    response = client.get(RESULTS, params)
    assert response.status_code == 200
    assert error_summary(response) == [message]
    assert "Error: " in response.content.decode().split("</title>")[0]
    if "page" not in params:  # shown by its field too (a page number has no field)
        assert text(response).count(message) == 2
        assert f"Error: {message}" in text(response)
    assert names(response) == []
    assert "Change your search to see results." in text(response)


def test_each_problem_is_listed_and_what_was_typed_is_kept(client, little):
    long_words = "lunch " * 40
    response = client.get(RESULTS, {"q": long_words, "area": "nowhere", "age": "old"})
    assert error_summary(response) == [  # in the order of the page
        "Search words must be 200 characters or fewer. Try fewer words.",
        "Age must be a whole number, like 8",
        "We do not know the area ‘nowhere’. Choose from the list.",
    ]
    html = response.content.decode()
    assert f'value="{long_words}"' in html
    assert 'value="old"' in html
    assert '<a href="#q">' in html and '<a href="#area">' in html and '<a href="#age">' in html
    assert 'id="area"' in html and 'id="age"' in html


def test_a_page_past_the_end_says_how_many_there_are(client, little):
    response = client.get(RESULTS, {"page": "3"})
    assert error_summary(response) == ["There is no page 3: there is 1 page of results."]


# --- paging -----------------------------------------------------------------------------------


@pytest.fixture
def many(little, york):
    """23 more walks, so there are two pages of results (25 with the health walk and the
    choir's "walk-ins")."""
    venue = LocationFactory(name="Hob Moor Pavilion", ward=york["Westfield"])
    for n in range(23):
        service = PublishedServiceFactory(name=f"Walk {n:02d}", description="A walk.", summary="")
        sal = ServiceAtLocationFactory(service=service, location=venue)
        ScheduleFactory(service=service, service_at_location=sal, dtstart=dt.date(2026, 1, 6))
    index.rebuild_all(today=TODAY)
    return little


def test_paging_keeps_the_search(client, many):
    first = client.get(RESULTS, {"q": "walk", "free": ""})
    assert "25 results for ‘walk’" in text(first)
    assert len(names(first)) == 20
    html = first.content.decode()
    assert 'aria-label="Pages of results"' in html
    assert re.search(r'href="\?q=walk&amp;free=&amp;page=2" rel="next"', html)
    second = client.get(RESULTS, {"q": "walk", "free": "", "page": "2"})
    assert len(names(second)) == 5
    assert not set(names(first)) & set(names(second))
    assert '<ol class="app-results" start="21"' in second.content.decode()
    assert "(page 2)" in second.content.decode().split("</title>")[0]


@pytest.mark.parametrize("params", [{}, {"q": "walk"}, {"free": "yes", "day": "tue"}])
def test_results_query_count_is_fixed(client, little, york, django_assert_max_num_queries, params):
    """The same number of queries for 5 results or a full page of 20: none per result.
    (Each is measured after one warm-up request, which may load the search's thesaurus.)"""
    client.get(RESULTS, params)
    with django_assert_max_num_queries(14) as few:
        assert client.get(RESULTS, params).status_code == 200
    venue = LocationFactory(name="Hob Moor Pavilion", ward=york["Westfield"])
    for n in range(30):
        service = PublishedServiceFactory(name=f"Walk {n:02d}", description="A walk.", is_free=True)
        sal = ServiceAtLocationFactory(service=service, location=venue)
        ScheduleFactory(service=service, service_at_location=sal, dtstart=dt.date(2026, 1, 6))
    index.rebuild_all(today=TODAY)
    client.get(RESULTS, params)
    with django_assert_max_num_queries(14) as full:
        response = client.get(RESULTS, params)
    assert len(names(response)) == 20
    assert len(full.captured_queries) == len(few.captured_queries)


def test_results_query_count_with_a_postcode_and_every_filter(
    client, little, django_assert_max_num_queries
):
    Postcode.objects.create(postcode="YO24 3AB", lat=53.955, lon=-1.125)
    with django_assert_max_num_queries(18):
        response = client.get(
            RESULTS,
            {
                "q": "walk",
                "need": "physical-activity",
                "day": "tue",
                "time": "morning",
                "free": "yes",
                "access": "step_free",
                "area": ACOMB,
                "age": "30",
                "postcode": "YO24 3AB",
                "distance": "2",
            },
        )
    assert names(response) == ["Acomb Health Walk"]


# --- near me and distance ---------------------------------------------------------------------


@pytest.fixture
def postcode(db):
    return Postcode.objects.create(
        postcode="YO24 3AB",
        lat=53.955,
        lon=-1.125,
        ward=Ward.objects.get(code=ACOMB),
    )


def test_near_me_shows_the_form(client, little):
    response = client.get(reverse("portal:near-me"))
    assert response.status_code == 200
    assert "Find things near you" in text(response)
    assert error_summary(response) == []


def test_near_me_goes_to_results_nearest_first(client, little, postcode):
    response = client.get(reverse("portal:near-me"), {"postcode": "yo243ab"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == RESULTS
    assert parse_qs(location.query) == {
        "postcode": ["YO24 3AB"],
        "lat": ["53.955000"],
        "lng": ["-1.125000"],
        "sort": ["distance"],
    }
    results = client.get(response["Location"])
    assert names(results)[:2] == ["Acomb Health Walk", "Friday Lunch Club"]  # in Acomb
    words = text(results)
    assert "Places nearest to YO24 3AB come first. YO24 3AB is in Acomb ward." in words
    assert re.search(r"\d\.\d miles away", words)
    assert '<option value="distance" selected>Nearest first</option>' in results.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a postcode, like YO1 7HH"),
        ("12345", "Enter a real postcode, like YO1 7HH"),
        ("YO1 9ZZ", UNKNOWN_POSTCODE),
    ],
)  # fmt: skip
def test_near_me_explains_a_bad_postcode_and_keeps_it(client, little, typed, message):
    response = client.get(reverse("portal:near-me"), {"postcode": typed})
    assert response.status_code == 200
    assert error_summary(response) == [message]
    html = response.content.decode()
    assert f'value="{typed}"' in html
    assert 'aria-describedby="postcode-hint postcode-error"' in html
    assert "Error: " in html.split("</title>")[0]


def test_distance_filter_needs_and_uses_a_point(client, little):
    near = {"lat": "53.9560", "lng": "-1.1260"}  # Acomb
    response = client.get(RESULTS, {**near, "distance": "0.5"})
    assert set(names(response)) == {"Acomb Health Walk", "Friday Lunch Club"}
    html = response.content.decode()
    assert re.search(r'name="distance" type="radio" value="0.5" checked', html)
    # The point from the device is kept for the next search, and can be forgotten.
    assert '<input type="hidden" name="lat" value="53.9560">' in html
    assert "Forget my location" in text(response)
    assert "Distance" in text(response)
    without = client.get(RESULTS, {"q": "walk"})
    assert 'name="distance"' not in without.content.decode()  # no point: no distance


def test_a_device_location_is_placed_in_its_ward(client, little):
    response = client.get(RESULTS, {"lat": "53.9560", "lng": "-1.1260"})
    assert "Your location is in Acomb ward." in text(response)


# --- the map ----------------------------------------------------------------------------------


def test_without_javascript_the_list_is_the_whole_page(client, little):
    """The map is an empty, hidden box for map.js to fill; each result is a plain list item
    with its link, and nothing needs a script to be read or used."""
    response = client.get(RESULTS, {"q": "lonely"})
    html = response.content.decode()
    assert '<ol class="app-results"' in html
    map_box = re.search(r'<div class="app-map"[^>]*></div>', html)
    assert map_box and 'aria-hidden="true"' in map_box.group(0)
    assert "<script>" not in html and "style=" not in html
    assert re.search(r'<script defer src="/static/alongside/leaflet/leaflet.js">', html)
    assert re.search(r'<script type="module" src="/static/alongside/map.js">', html)


def test_map_data_is_on_each_result(client, little):
    response = client.get(RESULTS, {"q": "lonely", "lat": "53.9560", "lng": "-1.1260"})
    html = response.content.decode()
    markers = re.findall(r"<li class=\"app-result\" data-map-marker ([^>]*)>", html)
    assert len(markers) == 2
    lunch = next(m for m in markers if "Friday Lunch Club" in m)
    location = little["lunch"].at_locations.get().location
    assert f'data-lat="{location.latitude:.5f}"' in lunch
    assert f'data-lng="{location.longitude:.5f}"' in lunch
    assert f'data-href="/listings/{little["lunch"].pk}/"' in lunch
    assert re.search(r'data-number="[12]"', lunch)
    assert 'data-point-lat="53.95600" data-point-lng="-1.12600"' in html


def test_no_map_when_no_result_has_a_place(client, little):
    response = client.get(RESULTS, {"q": "zzzzzz"})
    assert "data-app-map" not in response.content.decode()
    assert "leaflet" not in response.content.decode()


def test_the_map_draws_ward_outlines_from_our_own_url(client, little, settings):
    settings.PORTAL_MAP_TILES_URL = ""
    html = client.get(RESULTS, {"q": "lonely"}).content.decode()
    url = reverse("portal:map-wards")
    assert f'data-outlines-url="{url}"' in html
    assert "data-tiles-url" not in html


def test_the_map_uses_tiles_only_when_a_server_is_set(client, little, settings):
    settings.PORTAL_MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.PORTAL_MAP_TILES_ATTRIBUTION = "© Example tiles"
    html = client.get(RESULTS, {"q": "lonely"}).content.decode()
    assert 'data-tiles-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-tiles-attribution="© Example tiles"' in html


def test_ward_outlines_are_simplified_geojson_and_cached(client, django_assert_max_num_queries):
    cache.clear()
    url = reverse("portal:map-wards")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "max-age=86400" in response["Cache-Control"]
    outlines = json.loads(response.content)
    assert outlines["type"] == "FeatureCollection"
    assert len(outlines["features"]) == Ward.objects.count() == 21
    acomb = next(f for f in outlines["features"] if f["properties"]["code"] == ACOMB)
    assert acomb["properties"]["name"] == "Acomb"
    original = Ward.objects.get(code=ACOMB).boundary
    assert _points(acomb["geometry"]) < _points(original)
    assert len(response.content) < 25_000  # York's 21 wards: about 22 KB
    # Once built, only a check that no ward changed; and a browser with it gets a 304.
    with django_assert_max_num_queries(1):
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def _points(geometry: dict) -> int:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return sum(len(ring) for polygon in polygons for ring in polygon)


def test_simplify_keeps_a_ring_closed_and_its_corners():
    square = [[0, 0], [0.5, 0.00001], [1, 0], [1, 1], [0, 1], [0, 0]]
    simplified = selectors.simplify_ring(square, 0.001)
    assert simplified[0] == simplified[-1]
    assert [0.5, 0.00001] not in simplified
    assert [1, 1] in simplified and [1, 0] in simplified


# --- pieces -----------------------------------------------------------------------------------


def test_one_sentence_summary():
    assert selectors.one_sentence("Given.", "Ignored.") == "Given."
    assert selectors.one_sentence("", "First one. Second one.") == "First one."
    long = "word " * 80
    cut = selectors.one_sentence("", long)
    assert len(cut) <= selectors.MAX_SUMMARY and cut.endswith("…")


def test_search_choices_are_top_level_needs_and_audiences(little):
    choices = selectors.search_choices()
    assert {t.code for t in choices.needs} >= {"food", "money-and-debt"}
    assert all(
        t.code
        in set(
            selectors.TaxonomyTerm.objects.filter(
                taxonomy__code=NEEDS, parent__isnull=True
            ).values_list("code", flat=True)
        )
        for t in choices.needs
    )
    assert {t.code for t in choices.audiences} >= {"children", "older-people"}
    assert choices.area(ACOMB).is_ward and choices.area(ACOMB).name == "Acomb"
    assert len(choices.neighbourhoods) == 4
