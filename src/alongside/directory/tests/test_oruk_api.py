"""The Open Referral UK 3.0 read API at /api/oruk/.

Who may use it: anyone, without signing in, from any origin (read-only). What it shows: only
public listings (published or review due) and what hangs off them, plus the taxonomies.
Responses are checked against the published ORUK 3.0 JSON Schemas (tests/oruk/, no network),
on the first, a middle and the last page and for every id found, as the ORUK validator does.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from alongside.core.geo import distance_m
from alongside.core.models import Postcode
from alongside.directory.api import serializers
from alongside.directory.models import Address, Location, Schedule, Service
from alongside.directory.search import index
from alongside.directory.services import locations_changed, providers_changed, services_changed

from .api_factories import (
    ArchivedServiceFactory,
    DraftServiceFactory,
    InReviewServiceFactory,
    LocationFactory,
    ProviderFactory,
    PublishedServiceFactory,
    ReviewDueServiceFactory,
    ServiceAreaFactory,
    ServiceAtLocationFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
    VirtualLocationFactory,
    full_service,
)

ORUK = Path(__file__).parent / "oruk"
PUBLISHED = "https://openreferraluk.org/specifications/3.0/"
API = "/api/oruk"
PUBLIC_COUNT = 60

# --- validating against the published schemas ---------------------------------------------------

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII
)
FORMATS = FormatChecker()


# jsonschema checks `uri` and `date-time` only with optional packages this project does not
# install; the ORUK validator (Newtonsoft) checks them, so these tests do too.
@FORMATS.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in {"mailto", "tel", "urn"})


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    dt.datetime.fromisoformat(value.replace("z", "Z"))
    return True


def _registry() -> Registry:
    resources = []
    for path in sorted((ORUK / "schema").glob("*.json")):
        contents = json.loads(path.read_text())
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        resources.append((f"{PUBLISHED}schema/{path.name}", resource))
    return Registry().with_resources(resources)


REGISTRY = _registry()
OPENAPI = json.loads((ORUK / "openapi.json").read_text())


def response_schema(path_template: str) -> str:
    """The schema the published openapi.json gives for a 200 from this path."""
    operation = OPENAPI["paths"][path_template]["get"]
    return operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]


def schema_errors(instance: object, schema_url: str) -> list[str]:
    validator = Draft202012Validator(
        {"$ref": schema_url}, registry=REGISTRY, format_checker=FORMATS
    )
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def assert_valid(instance: object, path_template: str) -> None:
    errors = schema_errors(instance, response_schema(path_template))
    assert not errors, "\n".join(errors[:20])


def walk(value: object, path: str = ""):
    """Every (path, value) in a JSON document."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


# --- the directory ------------------------------------------------------------------------------

WARDS = ["Guildhall", "Acomb", "Heworth", "Fishergate", "Huntington & New Earswick", "Westfield"]


@pytest.fixture
def directory(york):
    """60 public listings (55 published, 5 review due) from 8 providers in 6 wards, each with
    every nested object; and listings that must never be seen: drafts, one in review and
    archived ones, including a provider and a venue that only they use."""
    needs = TaxonomyFactory(code="needs", name="Needs", description="What people need.")
    loneliness = TaxonomyTermFactory(taxonomy=needs, code="loneliness", name="Loneliness")
    activity = TaxonomyTermFactory(taxonomy=needs, code="activity", name="Being active")
    walking = TaxonomyTermFactory(taxonomy=needs, code="walking", name="Walking", parent=activity)
    types = TaxonomyFactory(code="types", name="Listing types", description="Kinds of listing.")
    group = TaxonomyTermFactory(taxonomy=types, code="group", name="Group")
    advice = TaxonomyTermFactory(taxonomy=types, code="advice", name="Advice")
    TaxonomyFactory(code="places", name="Places", description="Kinds of place.", version="")

    parent = ProviderFactory(name="York CVS", description="The council for voluntary service.")
    providers = [ProviderFactory(parent=parent if i == 0 else None) for i in range(8)]
    hidden_parent = ProviderFactory(name="Dormant Trust")
    providers[1].parent = hidden_parent
    providers[1].save()
    full_service(
        PublishedServiceFactory,
        provider=parent,
        name="Volunteer Centre",
        ward=york["Guildhall"],
        terms=[advice],
    )

    public = []
    for i in range(PUBLIC_COUNT - 1):
        factory = ReviewDueServiceFactory if i % 12 == 5 else PublishedServiceFactory
        terms = [loneliness if i % 2 else activity, group if i % 3 else advice]
        if i % 10 == 0:
            terms.append(walking)
        public.append(
            full_service(
                factory,
                provider=providers[i % len(providers)],
                ward=york[WARDS[i % len(WARDS)]],
                terms=terms,
            )
        )
    public = list(Service.objects.filter(state__in=["published", "review_due"]))
    assert len(public) == PUBLIC_COUNT

    secret_provider = ProviderFactory(name="Not Yet Launched CIC")
    secret_place = LocationFactory(name="Secret Hall", ward=york["Guildhall"])
    hidden = [
        full_service(DraftServiceFactory, provider=secret_provider, terms=[loneliness]),
        full_service(InReviewServiceFactory, provider=secret_provider, terms=[loneliness]),
        full_service(ArchivedServiceFactory, provider=providers[0], terms=[loneliness]),
        DraftServiceFactory(provider=providers[0], name="Draft: Listing 000 copy"),
        ArchivedServiceFactory(provider=providers[2], name="Archived walk"),
    ]
    ServiceAtLocationFactory(service=hidden[0], location=secret_place)
    index.rebuild_all()  # fixtures write directly; the services would do this
    return SimpleNamespace(
        public=public,
        hidden=hidden,
        providers=providers,
        parent=parent,
        hidden_parent=hidden_parent,
        secret_provider=secret_provider,
        secret_place=secret_place,
        taxonomies=[needs, types],
        terms=SimpleNamespace(
            loneliness=loneliness, activity=activity, walking=walking, group=group, advice=advice
        ),
    )


def get(client, path: str, headers: dict | None = None, **params):
    return client.get(f"{API}{path}", params, headers=headers)


def get_json(client, path: str, status: int = 200, **params):
    response = get(client, path, **params)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def public_ids(directory) -> set[str]:
    return {str(s.pk) for s in directory.public}


def hidden_ids(directory) -> set[str]:
    return {str(s.pk) for s in directory.hidden}


def all_pages(client, path: str, **params) -> list[dict]:
    """Every item of a list, page by page."""
    items, page = [], 1
    while True:
        body = get_json(client, path, page=page, **params)
        items += body["contents"]
        if body["last_page"]:
            return items
        page += 1


# --- the schema checks themselves ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("example", "path_template"),
    [
        ("service_full.json", "/services/{id}"),
        ("service_list.json", "/services"),
        ("service_at_location_list.json", "/service_at_locations"),
        ("organization_list.json", "/organizations"),
        ("taxonomy.json", "/taxonomies/{id}"),
        ("taxonomy_list.json", "/taxonomies"),
        ("taxonomy_term.json", "/taxonomy_terms/{id}"),
        ("taxonomy_term_list.json", "/taxonomy_terms"),
    ],
)
def test_the_published_examples_pass_the_schema_checks(example, path_template):
    """The local schema registry resolves every reference (a missing one would raise)."""
    assert_valid(json.loads((ORUK / "examples" / example).read_text()), path_template)


def test_the_schema_checks_catch_what_the_validator_would():
    service = {"id": str(uuid.uuid4()), "name": "A", "status": "active"}
    assert not schema_errors(service, f"{PUBLISHED}schema/service.json")
    for bad in (
        {"email": None},
        {"url": ""},
        {"status": "open"},
        {"id": "42"},
        {"last_modified": "yesterday"},
        {"organization": {"id": str(uuid.uuid4()), "name": "No description"}},
    ):
        assert schema_errors(service | bad, f"{PUBLISHED}schema/service.json"), bad


# --- the root and the published description -----------------------------------------------------


@pytest.mark.django_db
def test_root_gives_version_profile_and_an_absolute_openapi_url(client):
    body = get_json(client, "/")
    assert_valid(body, "/")
    assert body["version"] == "HSDS-UK-3.0"
    assert urlsplit(body["profile"]).scheme == "https"
    assert body["openapi_url"] == "http://testserver/api/oruk/openapi.json"


@pytest.mark.django_db
def test_the_published_openapi_is_served_byte_for_byte(client):
    response = client.get(urlsplit(get_json(client, "/")["openapi_url"]).path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    published = (ORUK / "openapi.json").read_bytes()
    served_copy = Path(serializers.__file__).parent / "spec" / "openapi.json"
    assert response.content == published == served_copy.read_bytes()
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["ETag"]


def test_the_api_is_at_the_address_partners_are_given():
    assert reverse("oruk:root") == "/api/oruk/"
    assert reverse("oruk:service", kwargs={"id": "x"}) == "/api/oruk/services/x"


# --- every endpoint against the schemas, as the ORUK validator walks it ----------------------

SWEEPS = [
    pytest.param("/services", {}, "/services/{id}", 7, id="services"),
    pytest.param("/services", {"full": "true"}, "/services/{id}", 7, id="services-full"),
    pytest.param("/services", {"minimal": "true"}, "/services/{id}", 7, id="services-minimal"),
    pytest.param(
        "/service_at_locations", {}, "/service_at_locations/{id}", 7, id="service-at-locations"
    ),
    pytest.param(
        "/service_at_locations",
        {"full": "true"},
        "/service_at_locations/{id}",
        7,
        id="service-at-locations-full",
    ),
    pytest.param("/organizations", {}, "/organizations/{id}", 4, id="organizations"),
    pytest.param(
        "/organizations", {"full": "true"}, "/organizations/{id}", 4, id="organizations-full"
    ),
    pytest.param(
        "/organizations",
        {"full_service": "true"},
        "/organizations/{id}",
        4,
        id="organizations-full-service",
    ),
    pytest.param("/taxonomies", {}, "/taxonomies/{id}", 1, id="taxonomies"),
    pytest.param("/taxonomy_terms", {}, "/taxonomy_terms/{id}", 2, id="taxonomy-terms"),
]


def assert_no_null_or_empty_values(body) -> None:
    """The schemas allow no null; an empty string would fail the uri/email/uuid formats."""
    bad = [path for path, value in walk(body) if value is None or value == ""]
    assert not bad, bad[:10]


@pytest.mark.parametrize(("path", "params", "detail_template", "per_page"), SWEEPS)
def test_first_middle_and_last_pages_and_every_id_match_the_published_schemas(
    client, directory, path, params, detail_template, per_page
):
    first = get_json(client, path, per_page=per_page, **params)
    assert first["total_pages"] >= 3, "the directory should give at least three pages"
    pages = {1: first}
    for number in (math.ceil(first["total_pages"] / 2), first["total_pages"]):
        pages[number] = get_json(client, path, per_page=per_page, page=number, **params)

    for number, body in pages.items():
        assert_valid(body, path)
        assert_no_null_or_empty_values(body)
        assert body["page_number"] == number
        assert body["contents"], f"page {number} is empty"
        for item in body["contents"]:
            detail = get_json(client, detail_template.replace("{id}", item["id"]))
            assert_valid(detail, detail_template)
            assert_no_null_or_empty_values(detail)
            assert detail["id"] == item["id"]


def test_a_service_is_given_with_everything_about_it(client, directory):
    """/services/{id}: organization, places with addresses and accessibility, contacts,
    phones, schedules, costs, languages, funding, areas and its terms as attributes."""
    # The first provider's listing in Guildhall (chosen by place: names come from a counter
    # shared by every test, so their order is not fixed).
    service = next(
        s
        for s in directory.public
        if s.provider == directory.providers[0]
        and s.service_areas.filter(name="Guildhall").exists()
    )
    body = get_json(client, f"/services/{service.pk}")
    assert body["id"] == str(service.pk)
    assert body["organization_id"] == body["organization"]["id"] == str(service.provider_id)
    assert body["organization"]["parent_organization_id"] == str(directory.parent.pk)
    assert body["organization"]["organization_identifiers"] == [
        {
            "id": body["organization"]["organization_identifiers"][0]["id"],
            "organization_id": str(service.provider_id),
            "identifier_scheme": "GB-CHC",
            "identifier_type": "Charity number",
            "identifier": service.provider.charity_number,
        }
    ]
    assert body["status"] == "active"
    assert body["minimum_age"] == 18 and "maximum_age" not in body
    assert body["assured_date"] == "2025-01-06"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["last_modified"])

    [at_location] = body["service_at_locations"]
    location = at_location["location"]
    assert at_location["location_id"] == location["id"]
    assert location["location_type"] == "physical"
    assert isinstance(location["latitude"], float)
    assert location["addresses"][0]["postal_code"] == "YO24 1AB"
    assert [a["description"] for a in location["accessibility"]] == [
        "Step-free access",
        "Hearing loop",
    ]
    assert len(location["phones"]) == 1

    weekly, monthly = body["schedules"]
    assert weekly["freq"] == "WEEKLY" and weekly["byday"] == "TU" and weekly["interval"] == 1
    assert weekly["opens_at"] == "10:00:00" and weekly["closes_at"] == "12:00:00"
    assert "service_at_location_id" not in weekly
    assert monthly["service_at_location_id"] == at_location["id"]
    assert monthly["freq"] == "MONTHLY" and monthly["until"] == "2026-12-31"

    assert body["cost_options"][0]["amount"] == 2.5
    assert body["languages"][0]["name"] == "English"
    assert body["funding"][0]["source"] == "City of York Council ward funding"
    assert body["service_areas"][0]["name"] == "Guildhall"
    assert body["contacts"][0]["phones"][0]["contact_id"] == body["contacts"][0]["id"]
    assert len(body["phones"]) == 1

    terms = {a["taxonomy_term"]["name"] for a in body["attributes"]}
    assert terms == {t.name for t in service.terms.all()}
    for attribute in body["attributes"]:
        assert attribute["link_id"] == str(service.pk)
        assert attribute["taxonomy_term_id"] == attribute["taxonomy_term"]["id"]
    # Derived ids stay the same from one call to the next.
    assert get_json(client, f"/services/{service.pk}")["attributes"] == body["attributes"]


def test_a_parent_organization_is_only_named_when_it_is_public(client, directory):
    linked = get_json(client, f"/organizations/{directory.providers[0].pk}")
    assert linked["parent_organization_id"] == str(directory.parent.pk)
    get_json(client, f"/organizations/{directory.parent.pk}")
    dormant = get_json(client, f"/organizations/{directory.providers[1].pk}")
    assert "parent_organization_id" not in dormant
    get_json(client, f"/organizations/{directory.hidden_parent.pk}", status=404)


def test_an_organization_lists_only_its_public_services(client, directory):
    provider = directory.providers[0]
    expected = {str(s.pk) for s in directory.public if s.provider_id == provider.pk}
    body = get_json(client, f"/organizations/{provider.pk}")
    assert {s["id"] for s in body["services"]} == expected
    assert all("service_at_locations" not in s for s in body["services"])
    full = get_json(client, f"/organizations/{provider.pk}", full_service="true")
    assert {s["id"] for s in full["services"]} == expected
    assert all(s["service_at_locations"] for s in full["services"])


def test_a_taxonomy_is_given_with_its_terms(client, directory):
    needs = directory.taxonomies[0]
    body = get_json(client, f"/taxonomies/{needs.pk}")
    assert [t["name"] for t in body["taxonomy_terms"]] == ["Being active", "Loneliness", "Walking"]
    walking = next(t for t in body["taxonomy_terms"] if t["name"] == "Walking")
    assert walking["parent_id"] == str(directory.terms.activity.pk)
    assert walking["taxonomy"] == "Needs" and walking["taxonomy_id"] == str(needs.pk)


# --- only public listings -----------------------------------------------------------------------


def test_only_published_and_review_due_listings_are_ever_listed(client, directory):
    listed = [s["id"] for s in all_pages(client, "/services", per_page=25)]
    assert len(listed) == len(set(listed)) == PUBLIC_COUNT
    assert set(listed) == public_ids(directory)
    states = Service.objects.filter(pk__in=listed).values_list("state", flat=True)
    assert set(states) == {"published", "review_due"}


@pytest.mark.parametrize("factory", [DraftServiceFactory, InReviewServiceFactory])
def test_a_listing_not_yet_published_cannot_be_fetched(client, directory, factory):
    secret = full_service(factory)
    get_json(client, f"/services/{secret.pk}", status=404)
    get_json(client, f"/service_at_locations/{secret.at_locations.get().pk}", status=404)


def test_archived_and_draft_listings_appear_nowhere(client, directory):
    secret = hidden_ids(directory)
    bodies = [
        *all_pages(client, "/services", per_page=200, full="true"),
        *all_pages(client, "/service_at_locations", per_page=200, full="true"),
        *all_pages(client, "/organizations", per_page=200, full_service="true"),
    ]
    text = json.dumps(bodies)
    for pk in secret:
        assert pk not in text
        get_json(client, f"/services/{pk}", status=404)
    assert str(directory.secret_provider.pk) not in text
    assert str(directory.secret_place.pk) not in text
    assert "Draft: Listing" not in text and "Archived walk" not in text
    get_json(client, f"/organizations/{directory.secret_provider.pk}", status=404)


def test_organizations_are_those_with_a_public_listing(client, directory):
    listed = {o["id"] for o in all_pages(client, "/organizations", per_page=3)}
    expected = {str(p.pk) for p in [directory.parent, *directory.providers]}
    assert listed == expected


def test_a_listing_taken_down_disappears_at_once(client, directory):
    service = directory.public[0]
    first = get(client, f"/services/{service.pk}")
    service.state = Service.State.ARCHIVED
    service.save()
    response = get(client, f"/services/{service.pk}", headers={"if-none-match": first["ETag"]})
    assert response.status_code == 404
    assert str(service.pk) not in {s["id"] for s in all_pages(client, "/services", per_page=200)}


# --- paging -------------------------------------------------------------------------------------


def test_the_paging_envelope(client, directory):
    first = get_json(client, "/services", per_page=7)
    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": 60,
        "total_pages": 9,
        "page_number": 1,
        "size": 7,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    last = get_json(client, "/services", per_page=7, page=9)
    assert (last["size"], last["first_page"], last["last_page"]) == (4, False, True)
    beyond = get_json(client, "/services", per_page=7, page=10)
    assert beyond["contents"] == [] and beyond["empty"] and beyond["size"] == 0
    assert get_json(client, "/services")["size"] == 50  # the default page size
    assert get_json(client, "/services", per_page=200)["total_pages"] == 1


@pytest.mark.django_db
def test_an_empty_directory_has_one_empty_page(client):
    body = get_json(client, "/services")
    assert_valid(body, "/services")
    assert (body["total_items"], body["total_pages"], body["empty"]) == (0, 1, True)
    assert body["first_page"] and body["last_page"]


def test_pages_are_in_a_stable_order(client, directory):
    names = [s["name"] for s in all_pages(client, "/services", per_page=9)]
    assert names == sorted(names)


# --- filters ------------------------------------------------------------------------------------


def test_filter_by_taxonomy_term(client, directory):
    walking = directory.terms.walking
    expected = {str(s.pk) for s in directory.public if walking in s.terms.all()}
    assert len(expected) == 6
    listed = {s["id"] for s in all_pages(client, "/services", taxonomy_term_id=walking.pk)}
    assert listed == expected
    places = all_pages(client, "/service_at_locations", taxonomy_term_id=walking.pk)
    assert {p["service_id"] for p in places} == expected


def test_filter_by_taxonomy(client, directory):
    needs, types = directory.taxonomies
    by_needs = {s["id"] for s in all_pages(client, "/services", taxonomy_id=needs.pk)}
    assert by_needs == public_ids(directory) - {
        str(s.pk) for s in directory.public if s.name == "Volunteer Centre"
    }
    assert len(all_pages(client, "/services", taxonomy_id=types.pk)) == PUBLIC_COUNT
    assert get_json(client, "/services", taxonomy_id=uuid.uuid4())["total_items"] == 0


def test_filter_by_organization(client, directory):
    provider = directory.providers[0]
    expected = {str(s.pk) for s in directory.public if s.provider_id == provider.pk}
    listed = {s["id"] for s in all_pages(client, "/services", organization_id=provider.pk)}
    assert listed == expected and len(expected) > 1
    places = all_pages(client, "/service_at_locations", organization_id=provider.pk)
    assert {p["service_id"] for p in places} == expected
    secret = get_json(client, "/services", organization_id=directory.secret_provider.pk)
    assert secret["total_items"] == 0


def _make_everything_old(moment: dt.datetime) -> None:
    from alongside.directory import models

    for model in (
        models.Service,
        models.Provider,
        models.ServiceAtLocation,
        models.Location,
        models.Address,
        models.AccessibilityFeature,
        models.Phone,
        models.Contact,
        models.Schedule,
        models.CostOption,
        models.Language,
        models.Funding,
        models.ServiceArea,
        models.TaxonomyTerm,
        models.Taxonomy,
    ):
        model.objects.update(modified_at=moment)


def test_modified_after_counts_changes_to_anything_shown_with_a_service(client, directory):
    long_ago = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
    _make_everything_old(long_ago)
    edited, moved, other = directory.public[3], directory.public[4], directory.public[5]
    # Each write goes through the directory's services, which touch the listing.
    edited.name = "Renamed listing"
    edited.save()
    services_changed(service_ids=[edited.pk])
    address = Address.objects.get(location__at_services__service=moved)
    address.address_1 = "2 New Street"
    address.save()
    locations_changed(location_ids=[address.location_id])
    other.provider.save()  # the organization shown with it changed
    providers_changed(provider_ids=[other.provider_id])

    since = timezone.now() - dt.timedelta(minutes=5)
    changed = all_pages(client, "/services", modified_after=since.isoformat())
    expected = {str(s.pk) for s in directory.public if s.provider_id == other.provider_id}
    assert {s["id"] for s in changed} == expected | {str(edited.pk), str(moved.pk)}
    for item in changed:
        assert dt.datetime.fromisoformat(item["last_modified"]) >= since - dt.timedelta(seconds=1)

    everything = get_json(client, "/services", modified_after="2024-03-01")
    assert everything["total_items"] == PUBLIC_COUNT
    untouched = get_json(client, f"/services/{directory.public[6].pk}")
    assert untouched["last_modified"] == "2024-03-01T12:00:00.000Z"
    # An offset sent without encoding its "+" still reads as intended.
    assert get_json(client, "/services", modified_after="2024-03-01T13:00:01 01:00")[
        "total_items"
    ] == len(changed)


def test_search_matches_every_word_in_name_or_description(client, directory):
    assert [s["name"] for s in get_json(client, "/services", search="volunteer")["contents"]] == [
        "Volunteer Centre"
    ]
    assert get_json(client, "/services", search="friendly WEEKLY")["total_items"] == PUBLIC_COUNT
    assert get_json(client, "/services", search="friendly nonsense")["total_items"] == 0
    assert get_json(client, "/organizations", search="cvs")["contents"][0]["name"] == "York CVS"
    assert get_json(client, "/taxonomy_terms", search="walk")["total_items"] == 1


def test_taxonomy_term_filters(client, directory):
    needs = directory.taxonomies[0]
    in_needs = all_pages(client, "/taxonomy_terms", taxonomy_id=needs.pk)
    assert {t["name"] for t in in_needs} == {"Loneliness", "Being active", "Walking"}
    children = all_pages(client, "/taxonomy_terms", parent_id=directory.terms.activity.pk)
    assert [t["name"] for t in children] == ["Walking"]
    top = all_pages(client, "/taxonomy_terms", top_only="true")
    assert len(top) == 4 and "Walking" not in {t["name"] for t in top}


def test_minimal_gives_every_service_in_one_page(client, directory):
    body = get_json(client, "/services", minimal="true")
    assert_valid(body, "/services")
    assert body["total_pages"] == 1 and body["size"] == PUBLIC_COUNT
    assert all(set(s) == {"id", "name", "status", "last_modified"} for s in body["contents"])


def test_ndjson_streams_every_result_without_paging(client, directory):
    response = get(client, "/services", format="ndjson", full="true")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Access-Control-Allow-Origin"] == "*"
    lines = b"".join(response.streaming_content).decode().splitlines()
    items = [json.loads(line) for line in lines]
    assert {s["id"] for s in items} == public_ids(directory)
    for item in items[:5]:
        assert not schema_errors(item, f"{PUBLISHED}schema/service.json")


# --- postcode and proximity ---------------------------------------------------------------------


@pytest.fixture
def near_york_minster(directory, york):
    """A Guildhall postcode, and listings for the whole of York at venues across the city,
    one online, and one only for Acomb residents."""
    guildhall = york["Guildhall"]
    centre = guildhall.small_areas.order_by("code").last()
    Postcode.objects.create(
        postcode="YO1 7HH", lat=centre.centre_lat, lon=centre.centre_lon, ward=guildhall
    )
    Postcode.objects.create(postcode="LS1 4AP", lat=53.7997, lon=-1.5492, ward=None)
    whole_city = []
    for name in ["Heworth", "Acomb", "Fishergate", "Rural West York", "Micklegate", "Strensall"]:
        for area in york[name].small_areas.order_by("code")[:2]:
            service = PublishedServiceFactory(name=f"City-wide at {area.code}")
            ServiceAreaFactory(service=service, ward=None, name="York")
            ServiceAtLocationFactory(service=service, location=LocationFactory(small_area=area))
            whole_city.append(service)
    online = PublishedServiceFactory(name="Online chat")
    ServiceAtLocationFactory(service=online, location=VirtualLocationFactory())
    acomb_only = PublishedServiceFactory(name="Acomb residents only")
    ServiceAreaFactory(service=acomb_only, ward=york["Acomb"])
    ServiceAtLocationFactory(service=acomb_only, location=LocationFactory(ward=york["Guildhall"]))
    neighbourhoods = {}
    for ward_name in ("Guildhall", "Strensall"):
        neighbourhood = york[ward_name].neighbourhood
        service = PublishedServiceFactory(name=f"For {neighbourhood.name} neighbourhood")
        ServiceAreaFactory(
            service=service, ward=None, neighbourhood=neighbourhood, name=neighbourhood.name
        )
        ServiceAtLocationFactory(service=service, location=LocationFactory(ward=york[ward_name]))
        neighbourhoods[ward_name] = service
    return SimpleNamespace(
        lat=centre.centre_lat,
        lon=centre.centre_lon,
        online=online,
        acomb_only=acomb_only,
        same_neighbourhood=neighbourhoods["Guildhall"],
        other_neighbourhood=neighbourhoods["Strensall"],
    )


def _distance(point, item) -> float:
    location = Location.objects.get(pk=item["location_id"])
    if location.latitude is None:
        return math.inf
    return distance_m(point.lat, point.lon, location.latitude, location.longitude)


def test_postcode_gives_the_places_covering_it_nearest_first(client, near_york_minster):
    point = near_york_minster
    places = all_pages(client, "/service_at_locations", postcode="yo17hh", per_page=7)
    distances = [_distance(point, p) for p in places]
    assert distances == sorted(distances)
    assert places[-1]["service_id"] == str(point.online.pk)  # no coordinates: last
    services = {p["service_id"] for p in places}
    assert str(point.acomb_only.pk) not in services  # its area does not cover the postcode
    assert str(point.same_neighbourhood.pk) in services
    assert str(point.other_neighbourhood.pk) not in services
    guildhall_only = Service.objects.filter(service_areas__ward__name="Guildhall")
    assert {str(s.pk) for s in guildhall_only} <= services
    acomb = Service.objects.filter(service_areas__ward__name="Acomb").exclude(name__startswith="A")
    assert not {str(s.pk) for s in acomb} & services


def test_proximity_keeps_only_places_within_that_many_metres(client, near_york_minster):
    point = near_york_minster
    everything = all_pages(client, "/service_at_locations", postcode="YO1 7HH", per_page=200)
    near = all_pages(
        client, "/service_at_locations", postcode="YO1 7HH", proximity="2500", per_page=5
    )
    assert 0 < len(near) < len(everything)
    distances = [_distance(point, p) for p in near]
    assert distances == sorted(distances) and max(distances) <= 2500
    near_ids = {p["id"] for p in near}
    for place in everything:
        if place["id"] not in near_ids:
            assert _distance(point, place) > 2500
    first = get_json(client, "/service_at_locations", postcode="YO1 7HH", proximity="2500")
    assert_valid(first, "/service_at_locations")


def test_a_postcode_outside_the_wards_finds_only_listings_without_an_area(
    client, near_york_minster
):
    places = all_pages(client, "/service_at_locations", postcode="LS1 4AP", per_page=200)
    assert {p["service_id"] for p in places} == {str(near_york_minster.online.pk)}


# --- refusals -----------------------------------------------------------------------------------

BAD_REQUESTS = [
    ("/services", {"page": "two"}, "invalid_parameter", "page"),
    ("/services", {"page": "0"}, "invalid_parameter", "page"),
    ("/services", {"page": "-3"}, "invalid_parameter", "page"),
    ("/services", {"per_page": "0"}, "invalid_parameter", "per_page"),
    ("/services", {"per_page": "201"}, "invalid_parameter", "per_page"),
    ("/services", {"per_page": "1e3"}, "invalid_parameter", "per_page"),
    ("/services", {"taxonomy_term_id": "walking"}, "invalid_parameter", "taxonomy_term_id"),
    ("/services", {"taxonomy_id": "1"}, "invalid_parameter", "taxonomy_id"),
    ("/services", {"organization_id": "york-cvs"}, "invalid_parameter", "organization_id"),
    ("/services", {"modified_after": "yesterday"}, "invalid_parameter", "modified_after"),
    ("/services", {"modified_after": "2025-13-01"}, "invalid_parameter", "modified_after"),
    (
        "/services",
        {"modified_after": "9999-12-31T23:59:59-05:00"},
        "invalid_parameter",
        "modified_after",
    ),
    ("/services", {"full": "maybe"}, "invalid_parameter", "full"),
    ("/services", {"full": "true", "minimal": "true"}, "invalid_parameter", "minimal"),
    ("/services", {"format": "xml"}, "invalid_parameter", "format"),
    ("/services", {"search": "care " * 50}, "invalid_parameter", "search"),
    ("/service_at_locations", {"postcode": "YO1"}, "invalid_postcode", "postcode"),
    ("/service_at_locations", {"postcode": "YO10 5DD"}, "unknown_postcode", "YO10 5DD"),
    ("/service_at_locations", {"proximity": "1000"}, "invalid_parameter", "postcode"),
    (
        "/service_at_locations",
        {"postcode": "YO1 7HH", "proximity": "-5"},
        "invalid_parameter",
        "proximity",
    ),
    (
        "/service_at_locations",
        {"postcode": "YO1 7HH", "proximity": "far"},
        "invalid_parameter",
        "proximity",
    ),
    ("/organizations", {"page": "1.5"}, "invalid_parameter", "page"),
    ("/taxonomy_terms", {"parent_id": "top"}, "invalid_parameter", "parent_id"),
    ("/taxonomy_terms", {"top_only": "yes please"}, "invalid_parameter", "top_only"),
    ("/services/not-an-id", {}, "invalid_id", "id"),
    ("/organizations/42", {}, "invalid_id", "id"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "params", "error", "mentions"), BAD_REQUESTS)
def test_bad_parameters_are_refused_with_a_json_400(client, path, params, error, mentions):
    Postcode.objects.create(postcode="YO1 7HH", lat=53.96, lon=-1.08)
    response = get(client, path, **params)
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert set(body) == {"error", "detail"}
    assert body["error"] == error
    assert mentions in body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/services/{}",
        "/service_at_locations/{}",
        "/organizations/{}",
        "/taxonomies/{}",
        "/taxonomy_terms/{}",
    ],
)
def test_an_unknown_id_is_a_json_404(client, path):
    missing = uuid.uuid4()
    body = get_json(client, path.format(missing), status=404)
    assert body["error"] == "not_found" and str(missing) in body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/nothing-here", "/services/x/y", "/Services"])
def test_an_unknown_path_is_a_json_404(client, path):
    body = get_json(client, path, status=404)
    assert set(body) == {"error", "detail"}


@pytest.mark.django_db
def test_a_host_we_do_not_serve_is_a_400_not_a_500(client, settings):
    """Django refuses it before the API runs (the API would answer 400 too)."""
    settings.ALLOWED_HOSTS = ["alongside.example.org"]
    response = client.get(f"{API}/", headers={"host": "evil.example.com"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_writing_is_refused_with_a_json_405(client):
    response = client.post(f"{API}/services", {"name": "Mine"})
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_an_unexpected_failure_is_a_logged_json_500(client, directory, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(serializers, "service_summary", broken)
    response = get(client, "/services")
    assert response.status_code == 500
    assert response.json()["error"] == "server_error"
    assert "database" not in response.json()["detail"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert any(r.exc_info and "database went away" in str(r.exc_info[1]) for r in caplog.records)


# --- HTTP: CORS, caching, HEAD ------------------------------------------------------------------


def test_any_website_may_read_the_api(client, directory):
    response = get(client, "/services", headers={"origin": "https://example.com"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        f"{API}/services",
        headers={
            "origin": "https://example.com",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match",
        },
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    "path", ["/", "/services", "/services/{service}", "/organizations", "/taxonomy_terms"]
)
def test_an_unchanged_response_is_not_sent_again(client, directory, path):
    path = path.format(service=directory.public[0].pk)
    first = get(client, path)
    assert first.status_code == 200 and first["ETag"].startswith('"')
    again = get(client, path, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Access-Control-Allow-Origin"] == "*"
    if path != "/":
        since = get(client, path, headers={"if-modified-since": first["Last-Modified"]})
        assert since.status_code == 304


def test_a_change_gives_a_new_etag_and_date(client, directory):
    service = directory.public[0]
    _make_everything_old(dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC))
    before = get(client, f"/services/{service.pk}")
    listed = get(client, "/services")
    assert before["Last-Modified"] == "Fri, 01 Mar 2024 12:00:00 GMT"
    phone = service.phones.get()
    phone.number = "01904 000000"
    phone.save()
    services_changed(service_ids=[service.pk])
    after = get(client, f"/services/{service.pk}", headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert after["Last-Modified"] != before["Last-Modified"]
    since = get(
        client, f"/services/{service.pk}", headers={"if-modified-since": before["Last-Modified"]}
    )
    assert since.status_code == 200
    relisted = get(client, "/services", headers={"if-none-match": listed["ETag"]})
    assert relisted.status_code == 200


def test_a_listing_published_elsewhere_moves_a_list_date_on(client, directory):
    """A page's Last-Modified follows every listing, not only those on it."""
    _make_everything_old(dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC))
    first = get(client, "/services", per_page=1)
    draft = directory.hidden[0]
    draft.state = Service.State.PUBLISHED
    draft.save()
    since = get(
        client, "/services", per_page=1, headers={"if-modified-since": first["Last-Modified"]}
    )
    assert since.status_code == 200


def test_head_gives_the_headers_without_the_body(client, directory):
    got = get(client, "/services")
    head = client.head(f"{API}/services")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == got["ETag"]


def test_a_trailing_slash_is_tolerated(client, directory):
    assert get_json(client, "/services/")["total_items"] == PUBLIC_COUNT
    get_json(client, f"/services/{directory.public[0].pk}/")


# --- query counts -------------------------------------------------------------------------------

QUERY_BUDGETS = [
    pytest.param("/services", {}, 6, id="services"),
    pytest.param("/services", {"full": "true"}, 20, id="services-full"),
    pytest.param("/services", {"minimal": "true"}, 5, id="services-minimal"),
    pytest.param("/service_at_locations", {}, 9, id="service-at-locations"),
    pytest.param("/service_at_locations", {"full": "true"}, 22, id="service-at-locations-full"),
    pytest.param("/organizations", {"full": "true"}, 8, id="organizations"),
    pytest.param("/organizations", {"full_service": "true"}, 22, id="organizations-full-service"),
    pytest.param("/taxonomies", {}, 5, id="taxonomies"),
    pytest.param("/taxonomy_terms", {}, 6, id="taxonomy-terms"),
]


@pytest.mark.parametrize(("path", "params", "budget"), QUERY_BUDGETS)
def test_lists_load_in_a_bounded_number_of_queries(
    client, directory, django_assert_max_num_queries, path, params, budget
):
    """The whole directory in one page costs no more queries than three listings do: what
    a page shows is prefetched, never loaded listing by listing."""
    with CaptureQueriesContext(connection) as few:
        small = get_json(client, path, per_page=3, **params)
    with django_assert_max_num_queries(budget):
        large = get_json(client, path, per_page=200, **params)
    assert small["size"] == 3 and large["size"] >= 3
    with django_assert_max_num_queries(len(few.captured_queries)):
        get_json(client, path, per_page=200, **params)


def test_a_fully_nested_service_loads_in_a_fixed_number_of_queries(
    client, directory, django_assert_max_num_queries
):
    with django_assert_max_num_queries(17):
        get_json(client, f"/services/{directory.public[0].pk}")


# --- the HSDS shapes for what the schemas cannot express ----------------------------------------


def _schedule(**fields) -> Schedule:
    defaults = {"service_id": uuid.uuid4(), "dtstart": dt.date(2025, 1, 7), "interval": 1}
    return Schedule(**(defaults | fields))


def test_a_daily_rule_is_given_as_the_weekly_rule_hsds_allows():
    every_day = serializers.schedule(_schedule(freq="DAILY"))
    assert (every_day["freq"], every_day["byday"]) == ("WEEKLY", "MO,TU,WE,TH,FR,SA,SU")
    weekdays = serializers.schedule(_schedule(freq="DAILY", byday="MO,TU,WE,TH,FR"))
    assert (weekdays["freq"], weekdays["byday"]) == ("WEEKLY", "MO,TU,WE,TH,FR")
    month_days = serializers.schedule(_schedule(freq="DAILY", bymonthday="1,15"))
    assert (month_days["freq"], month_days["bymonthday"]) == ("MONTHLY", "1,15")


def test_a_rule_every_few_days_is_described_in_words():
    body = serializers.schedule(_schedule(freq="DAILY", interval=3, until=dt.date(2025, 6, 1)))
    assert "freq" not in body and "interval" not in body and "until" not in body
    assert body["description"] == "Every 3 days from 7 January 2025"
    assert not schema_errors(body, f"{PUBLISHED}schema/schedule.json")


def test_dates_a_schedule_skips_are_told_in_its_notes():
    body = serializers.schedule(
        _schedule(
            freq="WEEKLY",
            byday="TU",
            notes="Bring a packed lunch.",
            exdates=["2025-12-23", "2025-12-30"],
            skip_bank_holidays=True,
        )
    )
    assert body["notes"] == (
        "Bring a packed lunch. Not running on 2025-12-23, 2025-12-30. Not running on bank holidays."
    )


def test_a_one_off_event_has_no_rule():
    body = serializers.schedule(_schedule(freq="", byday=""))
    assert body["dtstart"] == "2025-01-07"
    assert "freq" not in body and "interval" not in body


def test_last_modified_is_utc_with_milliseconds():
    moment = dt.datetime(2025, 6, 1, 10, 30, 45, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert serializers.timestamp(moment) == "2025-06-01T09:30:45.123Z"
