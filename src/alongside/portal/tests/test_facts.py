"""What residents are told about a listing (`portal.facts`): every fact in words, public
listings only, and a fixed number of queries however many listings are asked for."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from alongside.accounts.tests.factories import TeamFactory
from alongside.directory.models import AccessibilityFeature, Location, Schedule, Service
from alongside.directory.search import index
from alongside.directory.tests.api_factories import (
    AddressFactory,
    ArchivedServiceFactory,
    ContactFactory,
    CostOptionFactory,
    DraftServiceFactory,
    LanguageFactory,
    LocationFactory,
    PhoneFactory,
    PublishedServiceFactory,
    ReviewDueServiceFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    VirtualLocationFactory,
    full_service,
)
from alongside.portal import facts

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def one(service: Service, **kwargs) -> facts.ListingFacts:
    (found,) = facts.listings_facts([service.pk], today=TODAY, **kwargs)
    return found


# --- which listings -----------------------------------------------------------------------------


def test_keeps_the_order_given_and_leaves_out_what_is_not_public(little):
    ids = [little["walk"].pk, little["draft"].pk, little["lunch"].pk, uuid.uuid4()]
    found = facts.listings_facts(ids, today=TODAY)
    assert [f.name for f in found] == ["Acomb Health Walk", "Friday Lunch Club"]


def test_an_id_asked_for_twice_is_given_once(little):
    found = facts.listings_facts([little["walk"].pk, little["walk"].pk], today=TODAY)
    assert len(found) == 1


def test_ids_may_be_strings_as_a_session_keeps_them(little):
    ids = [str(little["lunch"].pk), "not-an-id", str(little["walk"].pk)]
    found = facts.listings_facts(ids, today=TODAY)
    assert [f.id for f in found] == [little["lunch"].pk, little["walk"].pk]


def test_no_ids_asks_the_database_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert facts.listings_facts([], today=TODAY) == []


@pytest.mark.parametrize(
    "factory", [DraftServiceFactory, ArchivedServiceFactory], ids=["draft", "archived"]
)
def test_one_listing_that_is_not_public_is_not_found(factory):
    with pytest.raises(Http404):
        facts.listing_facts(factory().pk, today=TODAY)


def test_a_listing_due_for_review_is_still_public():
    service = ReviewDueServiceFactory(name="Still here")
    assert facts.listing_facts(service.pk, today=TODAY).name == "Still here"


def test_previews_may_ask_for_a_listing_in_any_state():
    draft = DraftServiceFactory(name="Not yet")
    assert one(draft, public_only=False).state == Service.State.DRAFT


def test_the_query_count_does_not_grow_with_the_number_of_listings():
    listings = [full_service() for _ in range(6)]
    with CaptureQueriesContext(connection) as single:
        facts.listings_facts([listings[0].pk], today=TODAY)
    with CaptureQueriesContext(connection) as many:
        found = facts.listings_facts([s.pk for s in listings], today=TODAY)
    assert len(found) == 6
    assert len(many.captured_queries) == len(single.captured_queries) <= 12


# --- when ---------------------------------------------------------------------------------------


def test_when_is_each_schedule_in_words_and_next_dates_are_the_next_few(little):
    walk = one(little["walk"])
    assert walk.when == ["Every Tuesday, 10am to 12pm"]
    assert [d for d, _, _ in walk.next_dates] == [
        dt.date(2026, 12, 1),  # today counts
        dt.date(2026, 12, 8),
        dt.date(2026, 12, 15),
        dt.date(2026, 12, 22),
        dt.date(2026, 12, 29),
    ]
    assert walk.next_dates[0][1:] == (dt.time(10), dt.time(12))
    assert walk.next_dates_text[0] == "Tuesday 1 December 2026, 10am to 12pm"


def test_bank_holidays_are_said_and_left_out_of_the_dates(little):
    Schedule.objects.filter(service=little["lunch"]).update(skip_bank_holidays=True)
    lunch = one(little["lunch"])
    assert lunch.when == ["Every Friday, 12pm to 2pm, except bank holidays"]
    dates = [d for d, _, _ in lunch.next_dates]
    assert dt.date(2026, 12, 25) not in dates  # Christmas Day is a Friday
    assert dates[:3] == [dt.date(2026, 12, 4), dt.date(2026, 12, 11), dt.date(2026, 12, 18)]


def test_a_past_one_off_date_is_not_said_but_a_coming_one_is():
    event = PublishedServiceFactory(kind=Service.Kind.EVENT)
    ScheduleFactory(service=event, freq="", byday="", dtstart=dt.date(2026, 11, 1))
    ScheduleFactory(service=event, freq="", byday="", dtstart=dt.date(2026, 12, 12))
    found = one(event)
    assert found.when == ["Saturday 12 December 2026, 10am to 12pm"]
    assert [d for d, _, _ in found.next_dates] == [dt.date(2026, 12, 12)]
    assert len(found.sessions) == 1


def test_a_finished_rule_is_not_said():
    service = PublishedServiceFactory()
    ScheduleFactory(service=service, until=dt.date(2026, 6, 30))
    assert one(service).when == []


def test_a_rule_starting_after_the_horizon_is_said_without_dates():
    service = PublishedServiceFactory()
    ScheduleFactory(service=service, dtstart=dt.date(2028, 3, 7))
    found = one(service)
    assert found.when == ["Every Tuesday, 10am to 12pm"]
    assert found.next_dates == []


def test_a_rule_that_cannot_be_read_shows_what_the_editor_wrote():
    service = PublishedServiceFactory()
    ScheduleFactory(service=service, byday="XX", description="Most Tuesdays")
    found = one(service)
    assert found.when == ["Most Tuesdays"]
    assert found.sessions == []


# --- where --------------------------------------------------------------------------------------


def test_venues_have_their_address_ward_access_and_how_to_get_there(york):
    service = full_service(ward=york["Acomb"])
    (venue,) = one(service).venues
    assert venue.address_lines[1:] == ["Acomb", "York"]
    assert venue.postcode == "YO24 1AB"
    assert venue.ward_name == "Acomb"
    assert venue.ward_code == york["Acomb"].code
    assert venue.how_to_get_there == "Buses 1 and 4 stop outside."
    assert venue.access == ["Step-free access: Level access from the car park.", "Hearing loop"]
    assert venue.latitude is not None


def test_online_places_are_venues_without_an_address_and_postal_ones_are_left_out():
    service = PublishedServiceFactory()
    ServiceAtLocationFactory(service=service, location=VirtualLocationFactory(name=""))
    postal = LocationFactory(location_type=Location.LocationType.POSTAL)
    AddressFactory(location=postal)
    ServiceAtLocationFactory(service=service, location=postal)
    (venue,) = one(service).venues
    assert venue.online and venue.name == "Online" and venue.address_lines == []


def test_access_features_come_in_a_fixed_order():
    location = LocationFactory()
    for feature in ("parking", "hearing_loop", "step_free"):
        AccessibilityFeature.objects.create(location=location, feature=feature)
    service = PublishedServiceFactory()
    ServiceAtLocationFactory(service=service, location=location)
    assert one(service).venues[0].access == ["Step-free access", "Hearing loop", "Parking"]


def test_a_session_happens_at_its_own_place_or_else_the_first_venue():
    service = PublishedServiceFactory()
    hall = ServiceAtLocationFactory(service=service, location=LocationFactory(name="Hall"))
    ServiceAtLocationFactory(service=service, location=LocationFactory(name="Park"))
    ScheduleFactory(service=service, byday="MO")
    ScheduleFactory(service=service, byday="TU", service_at_location=hall)
    found = one(service)
    assert [s.venue.name for s in found.sessions] == ["Hall", "Hall"]


# --- cost, who for, contacts, checked -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "options", "expected"),
    [
        ({"is_free": True, "fees": ""}, False, "Free"),
        ({"is_free": True, "fees": "Free."}, False, "Free"),
        ({"is_free": True, "fees": "Donations welcome."}, False, "Free. Donations welcome."),
        ({"is_free": False, "fees": "£3 a session."}, False, "£3 a session."),
        (
            {"is_free": False, "fees": ""},
            True,
            "Per session: £2.50 Includes tea and biscuits",
        ),
        ({"is_free": False, "fees": ""}, False, "Ask the organiser"),
    ],
)
def test_cost_in_words(fields, options, expected):
    service = PublishedServiceFactory(**fields)
    if options:
        CostOptionFactory(service=service, amount=Decimal("2.50"))
    assert one(service).cost == expected


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (16, None, "Age 16 and over"),
        (5, 11, "Age 5 to 11"),
        (None, 4, "Age 4 and under"),
        (None, None, "Everyone"),
    ],
)
def test_who_it_is_for_says_the_ages(low, high, expected):
    service = PublishedServiceFactory(minimum_age=low, maximum_age=high)
    assert one(service).who_for == [expected]


def test_who_it_is_for_adds_audiences_and_needs_go_in_good_for(little):
    from alongside.directory.models import TaxonomyTerm

    little["lunch"].terms.add(TaxonomyTerm.objects.get(taxonomy__code="audience", code="carers"))
    lunch = one(little["lunch"])
    assert lunch.who_for == ["Age 18 and over", "Carers"]
    assert lunch.needs == ["Food", "Loneliness and isolation"]


def test_contacts_give_phones_email_website_and_named_people():
    service = PublishedServiceFactory(email="hello@example.org", url="https://example.org/club/")
    PhoneFactory(service=service, number="01904 551234", description="Weekdays")
    person = ContactFactory(service=service, name="Sam", title="Organiser", email="sam@example.org")
    PhoneFactory(contact=person, number="07700 900123", description="")
    contacts = [(c.label, c.value, c.href, c.note) for c in one(service).contacts]
    assert contacts == [
        ("Phone", "01904 551234", "tel:01904551234", "Weekdays"),
        ("Email", "hello@example.org", "mailto:hello@example.org", ""),
        ("Website", "example.org/club", "https://example.org/club/", ""),
        ("Sam, Organiser", "sam@example.org", "mailto:sam@example.org", ""),
        ("Sam, Organiser", "07700 900123", "tel:07700900123", ""),
    ]


def test_a_website_that_is_not_http_is_not_linked():
    service = PublishedServiceFactory(url="javascript:alert(1)", email="")
    found = one(service)
    assert found.website == ""
    assert [c.label for c in found.contacts] == []


def test_last_checked_says_when_and_by_which_team():
    team = TeamFactory(name="Live Well York editors")
    service = PublishedServiceFactory(last_checked_at=dt.date(2026, 3, 3), last_checked_by=team)
    found = one(service)
    assert found.checked_by == "Live Well York editors"
    assert found.checked_line == "Last checked on 3 March 2026 by the Live Well York editors."


def test_the_editor_team_stands_in_when_no_team_is_recorded_as_checking():
    service = PublishedServiceFactory(editor_team=TeamFactory(name="The family team"))
    assert one(service).checked_line == "Last checked on 6 January 2025 by The family team."


def test_never_checked_says_nothing():
    service = PublishedServiceFactory(last_checked_at=None)
    assert one(service).checked_line == ""


def test_the_summary_is_the_first_sentence_when_none_is_written(little):
    assert one(little["walk"]).summary == "A gentle walk in the park, about an hour."
    service = PublishedServiceFactory(summary="Our own words.")
    assert one(service).summary == "Our own words."


def test_other_facts_are_passed_on():
    service = PublishedServiceFactory(
        status=Service.Status.TEMPORARILY_CLOSED, alert="Closed in August.", is_free=True
    )
    LanguageFactory(service=service, name="Polish")
    found = one(service)
    assert found.status_note.startswith("This is closed for now")
    assert found.alert == "Closed in August."
    assert found.languages == ["Polish"]
    assert found.path == f"/listings/{service.pk}/"
    assert found.pk == service.pk
    assert found.kind_label == "Activity"
    assert found.organisation == service.provider.name
    assert found.organisation_url == service.provider.website


# --- What's on ----------------------------------------------------------------------------------


def test_week_items_are_the_sessions_in_the_days_asked(little):
    items = facts.week_items(start=TODAY, end=TODAY + dt.timedelta(days=6))
    assert [(i.date, i.name, i.times) for i in items] == [
        (dt.date(2026, 12, 1), "Acomb Health Walk", "10am to 12pm"),
        (dt.date(2026, 12, 1), "Evening Choir", "7pm to 9pm"),
        (dt.date(2026, 12, 4), "Friday Lunch Club", "12pm to 2pm"),
        (dt.date(2026, 12, 7), "Debt and Benefits Advice", "10am to 12pm"),
    ]
    assert items[0].venue == "Acomb Library, Acomb"
    assert items[0].is_free and items[0].path == f"/listings/{little['walk'].pk}/"


def test_week_items_filter_by_kind_ward_and_need(little):
    week = {"start": TODAY, "end": TODAY + dt.timedelta(days=6)}
    assert facts.week_items(**week, kinds=("event",)) == []
    in_acomb = facts.week_items(
        **week, ward_code=little["walk"].at_locations.get().location.ward.code
    )
    assert {i.name for i in in_acomb} == {"Acomb Health Walk", "Friday Lunch Club"}
    for_money = facts.week_items(**week, need_code="money-and-debt")
    assert [i.name for i in for_money] == ["Debt and Benefits Advice"]


def test_week_items_take_a_fixed_number_of_queries(little, django_assert_max_num_queries):
    for n in range(5):
        service = PublishedServiceFactory(kind=Service.Kind.EVENT, name=f"Event {n}")
        ScheduleFactory(service=service, freq="", byday="", dtstart=TODAY + dt.timedelta(days=n))
        ServiceAtLocationFactory(service=service)
    index.rebuild_all(today=TODAY)
    with django_assert_max_num_queries(4):
        items = facts.week_items(start=TODAY, end=TODAY + dt.timedelta(days=6), kinds=("event",))
    assert len(items) == 5


# --- sitemap rows and the small map -------------------------------------------------------------


def test_sitemap_rows_are_public_listings_in_id_order(little):
    rows = list(facts.public_listing_rows(offset=0, limit=100))
    assert len(rows) == facts.public_listing_count() == 5
    assert [pk for pk, _ in rows] == sorted(pk for pk, _ in rows)
    assert list(facts.public_listing_rows(offset=1, limit=2)) == rows[1:3]


def test_a_venue_gets_a_small_map_of_the_wards(little, django_assert_max_num_queries):
    venues = one(little["walk"]).venues + [facts.Venue("Online", [], "", "", None, None, "", [])]
    facts._ward_outlines.cache_clear()
    with django_assert_max_num_queries(2):  # the first time, the outlines are read
        facts.locator_maps(venues)
    with django_assert_max_num_queries(1):  # then only a check that they have not changed
        maps = facts.locator_maps(venues)
    assert maps[1] is None
    found = maps[0]
    assert found.highlight_path.startswith("M") and found.highlight_path.endswith("Z")
    assert len(found.ward_paths) == 20  # York's other wards
    assert 0 < found.x < found.width and 0 < found.y < found.height
    assert found.ward_name == "Acomb"


def test_a_venue_outside_the_area_gets_no_map(little):
    venue = facts.Venue("Far away", [], "", "", 51.5, -0.12, "", [])
    assert facts.locator_maps([venue]) == [None]
