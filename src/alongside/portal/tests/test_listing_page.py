"""One listing's public page, its structured data, the editors' preview (which must show the
same) and the sitemap."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from alongside.accounts.tests.factories import DirectoryEditorFactory, TeamFactory
from alongside.directory.models import Service
from alongside.directory.tests.api_factories import (
    AddressFactory,
    ArchivedServiceFactory,
    DraftServiceFactory,
    InReviewServiceFactory,
    LocationFactory,
    PublishedServiceFactory,
    ReviewDueServiceFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    full_service,
)
from alongside.portal import facts
from alongside.portal.context_processors import MY_LIST_SESSION_KEY
from alongside.portal.views import listing as listing_views

from .conftest import TODAY

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(facts, "today", lambda: TODAY)


def url(service: Service) -> str:
    return reverse("portal:listing", kwargs={"pk": service.pk})


def text_of(html: str) -> str:
    """The words of a page, tags and runs of spaces taken out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def jsonld_of(response) -> dict:
    (block,) = re.findall(
        r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    nonce, body = block
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    return json.loads(body)


# --- who may see it -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory",
    [DraftServiceFactory, InReviewServiceFactory, ArchivedServiceFactory],
    ids=["draft", "in review", "archived"],
)
def test_a_listing_that_is_not_public_is_not_found(client, factory):
    assert client.get(url(factory())).status_code == 404


def test_an_unknown_listing_is_not_found(client):
    response = client.get(reverse("portal:listing", kwargs={"pk": uuid.uuid4()}))
    assert response.status_code == 404


def test_a_listing_due_for_review_is_shown(client):
    service = ReviewDueServiceFactory(name="Still running")
    assert client.get(url(service)).status_code == 200


# --- what it says -------------------------------------------------------------------------------


def test_the_page_tells_residents_everything_in_plain_words(client, york):
    team = TeamFactory(name="Live Well York editors")
    service = full_service(
        ward=york["Acomb"],
        name="Knit and Natter",
        summary="Knit, chat and drink tea with friendly people.",
        last_checked_at=dt.date(2026, 3, 3),
        last_checked_by=team,
        is_free=True,
        fees="",
    )
    response = client.get(url(service))
    assert response.status_code == 200
    html = response.content.decode()
    words = text_of(html)
    assert html.count("<h1") == 1
    assert re.search(r"<h1[^>]*>Knit and Natter</h1>", html)
    for expected in [
        "Knit, chat and drink tea with friendly people.",
        "Every Tuesday, 10am to 12pm",
        "First Monday of the month, 10am to 12pm, until 31 December 2026",
        "Next dates",
        "Tuesday 1 December 2026, 10am to 12pm",
        "Monday 7 December 2026, 10am to 12pm",
        "YO24 1AB",
        "In the Acomb ward.",
        "How to get there",
        "Buses 1 and 4 stop outside.",
        "Step-free access: Level access from the car park.",
        "Hearing loop",
        "Cost Free",
        "Who it is for Age 18 and over",
        "How to join Just turn up.",
        "Volunteer coordinator",
        "Who runs it",
        service.provider.name,
        "Last checked on 3 March 2026 by the Live Well York editors.",
    ]:
        assert expected in words, expected
    # Headings in order: the page's parts are h2s, each venue an h3, its details h4s.
    levels = [int(n) for n in re.findall(r"<h([1-6])", html)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels


def test_the_page_links_to_a_street_map_and_the_ward_and_draws_a_small_map(client, little):
    html = client.get(url(little["walk"])).content.decode()
    assert "https://www.openstreetmap.org/?mlat=" in html
    ward = little["walk"].at_locations.get().location.ward
    assert f'href="/search/?area={ward.code}"' in html
    assert re.search(r'<svg class="app-locator-map__image"[^>]*role="img"', html)
    assert "The dot shows where Acomb Library is. The shaded area is the Acomb ward." in html
    assert "style=" not in html  # the CSP allows no inline styles


def test_the_page_offers_my_list_the_calendar_and_suggest_a_change(client, little):
    walk = little["walk"]
    html = client.get(url(walk)).content.decode()
    add = reverse("portal:my-list-add", kwargs={"pk": walk.pk})
    form = re.search(
        rf'<form method="post" action="{add}" id="my-list-form"[^>]*>(.*?)</form>', html
    )
    assert form and "csrfmiddlewaretoken" in form.group(1)
    assert f'name="next" value="{url(walk)}"' in form.group(1)
    assert re.search(r'<button type="submit" form="my-list-form"[^>]*>Add to My list', html)
    assert f'href="{reverse("portal:listing-ics", kwargs={"pk": walk.pk})}"' in html
    assert reverse("directory-public:suggest-change", kwargs={"pk": walk.pk}) in html


def test_a_listing_already_in_my_list_offers_to_remove_it(client, little):
    walk = little["walk"]
    session = client.session
    session[MY_LIST_SESSION_KEY] = [str(walk.pk)]
    session.save()
    html = client.get(url(walk)).content.decode()
    assert reverse("portal:my-list-remove", kwargs={"pk": walk.pk}) in html
    assert "Remove from My list" in html
    assert "Add to My list" not in html


def test_no_calendar_button_without_any_dates(client, little):
    befriending = little["befriending"]  # rings you up: no schedule
    html = client.get(url(befriending)).content.decode()
    assert "Add to my calendar" not in html
    assert "Contact the organiser to find out when it runs." in html


def test_the_rating_form_gets_the_listing(client, little):
    response = client.get(url(little["walk"]))
    assert response.context["service"] == little["walk"]
    assert "portal/includes/rating_form.html" in [t.name for t in response.templates]


def test_a_closed_listing_says_so(client):
    service = PublishedServiceFactory(status=Service.Status.TEMPORARILY_CLOSED, alert="Back soon.")
    words = text_of(client.get(url(service)).content.decode())
    assert "Warning This is closed for now." in words
    assert "Back soon." in words


def test_the_page_takes_a_fixed_number_of_queries(client, york, django_assert_max_num_queries):
    small = full_service(ward=york["Acomb"])
    big = full_service(ward=york["Holgate"])
    for _ in range(4):
        place = ServiceAtLocationFactory(service=big, location=LocationFactory())
        AddressFactory(location=place.location)
        ScheduleFactory(service=big, service_at_location=place, byday="WE")
    client.get(url(small))  # the wards' outlines are read once, then kept
    with django_assert_max_num_queries(14) as few:
        client.get(url(small))
    with django_assert_max_num_queries(len(few)):
        client.get(url(big))


def test_only_get_and_head_are_allowed(client, little):
    assert client.post(url(little["walk"])).status_code in (403, 405)


# --- structured data ----------------------------------------------------------------------------


def test_an_event_is_an_event_for_each_coming_date(client):
    event = PublishedServiceFactory(
        kind=Service.Kind.EVENT, name="Winter Fair", is_free=True, summary="Stalls and music."
    )
    place = ServiceAtLocationFactory(service=event)
    AddressFactory(location=place.location, address_1="1 Front Street", postal_code="YO24 3BZ")
    ScheduleFactory(service=event, freq="", byday="", dtstart=dt.date(2026, 12, 12),
                    opens_at=dt.time(11), closes_at=dt.time(15))  # fmt: skip
    ScheduleFactory(service=event, freq="", byday="", dtstart=dt.date(2027, 7, 3),
                    opens_at=dt.time(11), closes_at=None)  # fmt: skip
    data = jsonld_of(client.get(url(event)))
    assert data["@context"] == "https://schema.org"
    first, second = data["@graph"]
    assert first["@type"] == "Event"
    assert first["name"] == "Winter Fair"
    assert first["startDate"] == "2026-12-12T11:00:00+00:00"
    assert first["endDate"] == "2026-12-12T15:00:00+00:00"
    assert second["startDate"] == "2027-07-03T11:00:00+01:00"  # summer time
    assert "endDate" not in second
    assert first["location"]["@type"] == "Place"
    assert first["location"]["address"]["postalCode"] == "YO24 3BZ"
    assert first["location"]["geo"]["@type"] == "GeoCoordinates"
    assert first["organizer"] == {
        "@type": "Organization",
        "name": event.provider.name,
        "url": event.provider.website,
    }
    assert first["isAccessibleForFree"] is True
    assert first["offers"]["price"] == "0" and first["offers"]["priceCurrency"] == "GBP"
    assert first["url"] == f"http://testserver{url(event)}"


def test_a_regular_activity_is_a_service_of_an_organisation_at_a_place(client, little):
    data = jsonld_of(client.get(url(little["lunch"])))
    assert data["@type"] == "Service"
    assert data["provider"]["@type"] == "Organization"
    (place,) = data["availableChannel"]["serviceLocation"]
    assert place["@type"] == "Place" and place["name"] == "Acomb Library"
    assert [f["name"] for f in place["amenityFeature"]] == [
        "Step-free access: Level access from the car park.",
        "Hearing loop: Level access from the car park.",
    ]
    assert data["category"] == ["Food", "Loneliness and isolation"]
    assert "price" not in data["offers"]
    assert data["offers"]["description"] == "£4 for lunch"


def test_a_venue_is_a_place(client):
    venue = PublishedServiceFactory(kind=Service.Kind.GREEN_SPACE, name="Rowntree Park")
    ServiceAtLocationFactory(service=venue)
    data = jsonld_of(client.get(url(venue)))
    assert data["@type"] == "Place"
    assert data["name"] == "Rowntree Park"
    assert "geo" in data


def test_an_event_with_no_dates_to_come_is_described_as_a_service(client):
    event = PublishedServiceFactory(kind=Service.Kind.EVENT)
    assert jsonld_of(client.get(url(event)))["@type"] == "Service"


def test_the_structured_data_cannot_break_out_of_its_script_element(client):
    name = "</script><script>alert('x')</script> & <!-- friends"
    service = PublishedServiceFactory(name=name)
    html = client.get(url(service)).content.decode()
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert "<" not in block.group(1) and "&" not in block.group(1)
    assert json.loads(block.group(1))["name"] == name


# --- the editors' preview shows the same ----------------------------------------------------------


def test_the_preview_shows_what_the_public_page_shows(client, staff_client, york):
    service = full_service(ward=york["Acomb"], name="Knit and Natter")
    public = client.get(url(service)).content.decode()
    editor = DirectoryEditorFactory()
    preview = (
        staff_client(editor)
        .get(reverse("directory:listing-preview", kwargs={"pk": service.pk}))
        .content.decode()
    )

    def shared(html: str) -> str:
        """The listing itself: from its caption to the line saying when it was checked,
        less the public page's buttons."""
        part = html.split('<div class="app-listing">')[1].split("app-listing__checked")[0]
        part = re.sub(r"<form .*?</form>", "", part, flags=re.S)
        part = re.sub(r'<div class="govuk-button-group.*?</div>', "", part, flags=re.S)
        return text_of(part)

    assert shared(preview) == shared(public)
    assert "Add to My list" not in preview
    assert "Every Tuesday, 10am to 12pm" in preview


def test_the_preview_shows_a_draft(staff_client):
    draft = DraftServiceFactory(name="Coming soon")
    page = (
        staff_client(DirectoryEditorFactory())
        .get(reverse("directory:listing-preview", kwargs={"pk": draft.pk}))
        .content.decode()
    )
    assert "It is not published yet" in page
    assert "Coming soon" in page
    assert "Who it is for" in page


# --- the sitemap --------------------------------------------------------------------------------


def sitemap(client, query: str = "") -> ElementTree.Element:
    response = client.get(reverse("portal:sitemap") + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return ElementTree.fromstring(b"".join(response.streaming_content))


def locations(root: ElementTree.Element) -> list[str]:
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_the_sitemap_lists_the_main_pages_and_every_public_listing(client, little):
    root = sitemap(client)
    assert root.tag == f"{SITEMAP}urlset"
    found = locations(root)
    assert found[:3] == [
        "http://testserver/",
        "http://testserver/search/",
        "http://testserver/whats-on/",
    ]
    public = Service.objects.filter(state__in=["published", "review_due"])
    assert sorted(found[3:]) == sorted(f"http://testserver{url(s)}" for s in public)
    assert f"http://testserver{url(little['draft'])}" not in found
    walk = little["walk"]
    walk.refresh_from_db()
    entry = next(
        u for u in root.iter(f"{SITEMAP}url") if u.findtext(f"{SITEMAP}loc").endswith(f"{walk.pk}/")
    )
    assert entry.findtext(f"{SITEMAP}lastmod") == walk.modified_at.isoformat(timespec="seconds")


def test_the_sitemap_takes_a_fixed_number_of_queries(client, little, django_assert_max_num_queries):
    for _ in range(20):
        PublishedServiceFactory()
    with django_assert_max_num_queries(2):
        response = client.get(reverse("portal:sitemap"))
        body = b"".join(response.streaming_content)
    assert body.count(b"<url>") == 3 + 25


def test_a_big_sitemap_becomes_an_index_of_parts(client, little, monkeypatch):
    monkeypatch.setattr(listing_views, "SITEMAP_MAX_URLS", 3)  # 3 pages + 5 listings: 3 parts
    index = sitemap(client)
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = locations(index)
    assert parts == [f"http://testserver/sitemap.xml?part={n}" for n in (1, 2, 3)]
    seen = []
    for n in (1, 2, 3):
        seen += locations(sitemap(client, f"?part={n}"))
    assert len(seen) == len(set(seen)) == 8
    assert seen[:3] == [
        "http://testserver/",
        "http://testserver/search/",
        "http://testserver/whats-on/",
    ]


@pytest.mark.parametrize("part", ["0", "2", "x"])
def test_a_part_that_does_not_exist_is_not_found(client, little, part):
    assert client.get(reverse("portal:sitemap") + f"?part={part}").status_code == 404
