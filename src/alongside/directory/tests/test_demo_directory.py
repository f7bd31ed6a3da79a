"""The York demo directory: Live Well York's scale, every ward, plainly fictional, loadable
again without change, never under production settings."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db.models import Max

from alongside.accounts.models import Organisation, Team
from alongside.core.geo import distance_m
from alongside.core.models import SmallArea, Ward
from alongside.core.places import place_for_point
from alongside.directory import models as m
from alongside.directory.demo import (
    EDITOR_TEAM,
    FAMILY_EDITOR_TEAM,
    demo_directory_load,
    demo_directory_plan,
)
from alongside.directory.schedules import occurrences
from alongside.directory.taxonomies import AUDIENCE, NEEDS, SERVICE_TYPES

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 15)
ACTIVITY_KINDS = [m.Service.Kind.ACTIVITY, m.Service.Kind.GROUP, m.Service.Kind.SERVICE]
PUBLISHED = m.Service.State.PUBLISHED
POSTCODE = re.compile(r"^YO\d{1,2} \dZZ$")
DRAMA_PHONE = re.compile(r"^(01632 960\d{3}|07700 900\d{3})$")


@pytest.fixture
def demo():
    return demo_directory_load(today=TODAY)


def _months(first: dt.date, n: int):
    for i in range(n):
        month = first.month - 1 + i
        start = dt.date(first.year + month // 12, month % 12 + 1, 1)
        month += 1
        end = dt.date(first.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        yield start, end


def _events_in(start: dt.date, end: dt.date) -> int:
    schedules = m.Schedule.objects.filter(
        service__kind=m.Service.Kind.EVENT, service__state=PUBLISHED
    )
    return sum(len(occurrences(s, start=start, end=end)) for s in schedules)


def _snapshot() -> dict[str, object]:
    counted = [
        m.Taxonomy,
        m.TaxonomyTerm,
        m.Provider,
        m.Location,
        m.Address,
        m.AccessibilityFeature,
        m.Service,
        m.ServiceAtLocation,
        m.Contact,
        m.Phone,
        m.Schedule,
        m.CostOption,
        m.Language,
        m.Funding,
        m.ServiceArea,
        m.Service.terms.through,
        Team,
        Organisation,
    ]
    snapshot: dict[str, object] = {model.__name__: model.objects.count() for model in counted}
    for model in (m.Service, m.Provider, m.Location, m.Schedule, m.TaxonomyTerm):
        snapshot[f"{model.__name__} last change"] = model.objects.aggregate(Max("modified_at"))
    return snapshot


def test_scale_matches_live_well_york(demo):
    """About 120 providers, 150 venues, 450 activities and groups, and 75 events a month."""
    assert 110 <= m.Provider.objects.count() <= 130
    assert 140 <= m.Location.objects.count() <= 160
    assert m.Location.objects.filter(kind=m.Location.Kind.GREEN_SPACE).count() >= 15
    activities = m.Service.objects.filter(kind__in=ACTIVITY_KINDS)
    assert 430 <= activities.count() <= 470
    kinds = Counter(activities.values_list("kind", flat=True))
    assert all(kinds[kind] >= 40 for kind in ACTIVITY_KINDS), kinds
    assert m.Service.objects.filter(kind=m.Service.Kind.GREEN_SPACE).count() >= 15

    monthly = [_events_in(start, end) for start, end in _months(TODAY.replace(day=1), 12)]
    assert all(60 <= n <= 90 for n in monthly), monthly
    assert 70 <= sum(monthly) / len(monthly) <= 80, monthly
    # Events are both one-off and recurring.
    event_schedules = m.Schedule.objects.filter(service__kind=m.Service.Kind.EVENT)
    assert event_schedules.filter(freq="").count() > 300
    assert event_schedules.filter(freq="MONTHLY").count() >= 30
    assert event_schedules.filter(freq="WEEKLY", count__isnull=False).count() >= 10

    assert demo.created["providers"] == m.Provider.objects.count()
    assert demo.created["venues"] == m.Location.objects.count()


def test_every_ward_has_venues_and_published_activities(demo):
    for ward in Ward.objects.all():
        assert m.Location.objects.filter(ward=ward).count() >= 2, ward.name
        published = m.Service.objects.filter(
            state=PUBLISHED, kind__in=ACTIVITY_KINDS, at_locations__location__ward=ward
        )
        assert published.count() >= 5, ward.name


def test_venues_sit_near_a_small_areas_reference_point_and_know_their_place(demo):
    centres = list(SmallArea.objects.values_list("centre_lat", "centre_lon"))
    for location in m.Location.objects.all():
        assert location.ward_id and location.small_area_id, location.name
        place = place_for_point(lat=location.latitude, lon=location.longitude)
        assert (place.ward.pk, place.small_area.pk) == (location.ward_id, location.small_area_id)
        nearest = min(
            distance_m(location.latitude, location.longitude, lat, lon) for lat, lon in centres
        )
        assert nearest <= 400, location.name
        address = location.addresses.get()
        assert POSTCODE.match(address.postal_code), address.postal_code
        assert address.city == "York"
    features = m.AccessibilityFeature.objects
    assert features.filter(feature=m.AccessibilityFeature.Feature.STEP_FREE).count() > 80
    assert features.filter(feature=m.AccessibilityFeature.Feature.HEARING_LOOP).count() > 20


def test_every_published_listing_is_complete(demo):
    published = m.Service.objects.filter(state=PUBLISHED).prefetch_related(
        "terms__taxonomy", "schedules", "at_locations"
    )
    assert published.count() > 700
    for service in published:
        assert service.provider_id
        assert service.schedules.all(), service.name
        assert service.at_locations.all(), service.name
        taxonomies = Counter(t.taxonomy.code for t in service.terms.all())
        assert taxonomies[NEEDS] >= 1 and taxonomies[SERVICE_TYPES] >= 1, service.name
        assert taxonomies[AUDIENCE] >= 1, service.name
        assert service.summary and service.description
        assert service.last_checked_at and service.published_at
        assert service.editor_team.name in (EDITOR_TEAM, FAMILY_EDITOR_TEAM)


def test_descriptions_are_short_plain_sentences(demo):
    for service in m.Service.objects.all():
        for paragraph in service.description.split("\n\n"):
            assert paragraph.endswith("."), (service.name, paragraph)
            for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
                assert len(sentence.split()) <= 20, (service.name, sentence)
        assert len(service.summary) <= 300


def test_contact_details_are_plainly_fictional(demo):
    for service in m.Service.objects.exclude(email=""):
        assert service.email.endswith(".example.org"), service.email
        assert service.url.startswith("https://") and ".example.org/" in service.url
    for contact in m.Contact.objects.all():
        assert contact.email.endswith(".example.org")
    for phone in m.Phone.objects.all():
        assert DRAMA_PHONE.match(phone.number), phone.number
    for provider in m.Provider.objects.all():
        assert provider.email.endswith(".example.org") and not provider.charity_number
        assert "made up for the Alongside demo" in provider.description


def test_editorial_states_and_checks_are_realistic(demo):
    services = m.Service.objects.filter(kind__in=ACTIVITY_KINDS)
    states = Counter(services.values_list("state", flat=True))
    assert states[PUBLISHED] / services.count() > 0.75
    for state in (m.Service.State.REVIEW_DUE, m.Service.State.DRAFT, m.Service.State.IN_REVIEW):
        assert states[state] >= 5, states
    anchor = TODAY.replace(day=1)
    a_year_ago = anchor - dt.timedelta(days=365)
    assert not services.filter(state=PUBLISHED, last_checked_at__lt=a_year_ago).exists()
    assert not services.filter(
        state=m.Service.State.REVIEW_DUE, last_checked_at__gte=a_year_ago
    ).exists()
    assert not services.filter(state=m.Service.State.DRAFT, published_at__isnull=False).exists()
    assert Team.objects.filter(name=EDITOR_TEAM, programmes__code="directory").exists()
    assert services.filter(editor_team__name=FAMILY_EDITOR_TEAM).exists()


def test_schedules_and_costs_vary_like_real_groups(demo):
    schedules = m.Schedule.objects.filter(service__kind__in=ACTIVITY_KINDS)
    assert schedules.filter(freq="WEEKLY", interval=1).count() > 200
    assert schedules.filter(freq="WEEKLY", interval=2).count() > 30
    assert schedules.filter(freq="MONTHLY").exclude(byday="").count() > 30
    assert schedules.filter(skip_bank_holidays=True).count() > 100
    assert schedules.exclude(exdates=[]).count() > 30
    for schedule in schedules.exclude(exdates=[])[:50]:
        for day in map(dt.date.fromisoformat, schedule.exdates):
            assert occurrences(schedule, start=day, end=day) == []

    activities = m.Service.objects.filter(kind__in=ACTIVITY_KINDS)
    assert activities.filter(is_free=True).count() / activities.count() > 0.4
    amounts = m.CostOption.objects.filter(
        service__kind__in=ACTIVITY_KINDS, amount__isnull=False
    ).values_list("amount", flat=True)
    assert amounts and all(Decimal("0") <= a <= Decimal("5") for a in amounts)
    assert any(Decimal("2") <= a <= Decimal("5") for a in amounts)
    for service in activities.filter(is_free=False)[:50]:
        assert service.fees and service.cost_options.exists()


def test_loading_again_changes_nothing_and_the_plan_is_the_same_every_time(capsys):
    call_command("load_demo_directory", today=TODAY)
    assert "providers" in capsys.readouterr().out
    first = _snapshot()

    call_command("load_demo_directory", today=TODAY)
    assert "nothing new" in capsys.readouterr().out
    assert _snapshot() == first

    # The generator is deterministic: a fresh plan matches what was saved, object by object.
    plan = demo_directory_plan(today=TODAY)
    saved = dict(m.Service.objects.values_list("pk", "name"))
    assert {li.service.pk: li.service.name for li in plan.listings} == saved
    descriptions = dict(m.Service.objects.values_list("pk", "description"))
    assert all(descriptions[li.service.pk] == li.service.description for li in plan.listings)


def test_loading_a_month_later_adds_only_the_next_months_events(demo):
    before = _snapshot()
    later = demo_directory_load(today=dt.date(2026, 4, 2))
    assert set(later.created) >= {"event listings", "schedules"}
    assert "activity listings" not in later.created and "providers" not in later.created
    added = m.Service.objects.count() - before["Service"]
    assert 25 <= added <= 40
    assert later.created["event listings"] == added
    new_month = m.Schedule.objects.filter(
        service__kind=m.Service.Kind.EVENT, dtstart__gte=dt.date(2027, 3, 1)
    )
    assert new_month.exists()


def test_refuses_under_production_settings(settings):
    settings.ALONGSIDE_ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo_directory")
    with pytest.raises(ImproperlyConfigured, match="production"):
        demo_directory_load(today=TODAY)
    assert not m.Service.objects.exists()
    assert not m.Provider.objects.exists()
