"""The search API at /api/search/: parameters, JSON errors, CORS and its OpenAPI document."""

from __future__ import annotations

import pytest

from alongside.directory.search import index

from .api_factories import (
    AccessibilityFeatureFactory,
    LocationFactory,
    PublishedServiceFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
)

API = "/api/search"


def get(client, path="/services", **params):
    return client.get(f"{API}{path}", params)


def test_words_filters_and_paging(client, little):
    response = get(client, q="walk", per_page=1)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["total_items"] == 2 and body["total_pages"] == 2
    assert body["first_page"] and not body["last_page"]
    hit = body["contents"][0]
    assert hit["name"] == "Acomb Health Walk" and hit["score"] == 7
    assert hit["url"].endswith(f"/api/oruk/services/{little['walk'].pk}")
    second = get(client, q="walk", per_page=1, page=2).json()
    assert [h["name"] for h in second["contents"]] == ["Evening Choir"] and second["last_page"]


def test_repeated_parameters_and_facets(client, little):
    body = get(client, day=["mon", "fri"], facets="true").json()
    assert [h["name"] for h in body["contents"]] == [
        "Debt and Benefits Advice",
        "Friday Lunch Club",
    ]
    assert body["facets"]["day"]["fri"] == 1 and body["facets"]["free"] == {"yes": 1}


def test_distance_in_whole_metres(client, little):
    place = little["walk"].at_locations.get().location
    body = get(client, lat=place.latitude, lng=place.longitude, within=500, sort="distance").json()
    assert [h["distance_m"] for h in body["contents"]] == [0, 0]


def test_spelling_correction_is_reported(client, little):
    body = get(client, q="befreinding").json()
    assert body["corrected_query"] == "befriending" and body["total_items"] == 1


def test_no_results_comes_with_help(client, little, york):
    body = get(client, q="choir", ward=york["Acomb"].code).json()
    assert body["total_items"] == 0 and body["contents"] == []
    assert body["help"]["remove_filter"][0]["filter"] == "wards"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"day": "someday"}, "day"),
        ({"page": "abc"}, "page"),
        ({"per_page": "1000"}, "per_page"),
        ({"need": "no-such-need"}, "Unknown need"),
        ({"ward": "E99999999"}, "Unknown ward"),
        ({"lat": "53.9"}, "both lat and lng"),
        ({"within": "500"}, "place to measure from"),
        ({"sort": "distance"}, "place to measure from"),
        ({"lat": "95", "lng": "0"}, "lat"),
        ({"access": "jetpack"}, "accessibility"),
        ({"q": "x" * 201}, "q"),
        ({"age": "-1"}, "age"),
    ],
)
def test_bad_parameters_get_a_json_400(client, little, params, message):
    response = get(client, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_parameter"
    assert message in body["detail"]


def test_unknown_paths_get_a_json_404(client, db):
    response = client.get(f"{API}/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_openapi_document_describes_the_extra_parameters(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    operation = spec["paths"]["/api/search/services"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "need", "ward", "day", "time", "lat", "lng", "within", "free"} <= names
    assert "400" in operation["responses"]


def test_oruk_search_uses_the_same_service(client, little):
    """The ORUK API's `search` finds what residents mean too, on public listings only."""
    body = client.get("/api/oruk/services", {"search": "lonely"}).json()
    assert {s["name"] for s in body["contents"]} == {"Telephone Befriending", "Friday Lunch Club"}
    assert client.get("/api/oruk/services", {"search": "secret"}).json()["total_items"] == 0


def test_query_count_does_not_grow_with_the_page(client, little, django_assert_max_num_queries):
    for n in range(30):
        service = PublishedServiceFactory(name=f"Extra walking group {n}")
        place = LocationFactory()
        AccessibilityFeatureFactory(location=place)
        ScheduleFactory(
            service=service,
            service_at_location=ServiceAtLocationFactory(service=service, location=place),
        )
    index.rebuild_all()
    with django_assert_max_num_queries(8):
        body = get(client, q="walking", per_page=30).json()
    assert len(body["contents"]) == 30


def test_a_count_past_the_limit_says_so_and_deeper_pages_are_refused(client, little, monkeypatch):
    from alongside.directory.search import engine

    assert get(client, q="walk").json()["total_capped"] is False
    monkeypatch.setattr(engine, "MAX_COUNTED", 1)
    body = get(client, q="walk", per_page=1).json()
    assert (body["total_items"], body["total_capped"], body["total_pages"]) == (1, True, 1)
    assert [h["name"] for h in body["contents"]] == ["Acomb Health Walk"]
    response = get(client, q="walk", per_page=1, page=2)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_parameter",
        "detail": "Only the first 1 results can be shown: add words or filters to narrow the "
        "search.",
    }
