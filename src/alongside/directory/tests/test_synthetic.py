"""Synthetic directories for benchmarks: deterministic from the seed, the promised shape,
every place a real York ward, and clearing removes synthetic data and nothing else."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from alongside.core import geo
from alongside.directory import models as m
from alongside.directory.synthetic import (
    is_synthetic,
    synthetic_clear,
    synthetic_count,
    synthetic_generate,
)
from alongside.directory.taxonomies import AUDIENCE, NEEDS, SERVICE_TYPES

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 15)
N = 200


def _snapshot() -> dict[str, list]:
    return {
        "services": list(
            m.Service.objects.order_by("id").values_list(
                "id", "name", "description", "kind", "is_free", "minimum_age", "provider_id",
                "created_at", "modified_at",
            )
        ),
        "locations": list(
            m.Location.objects.order_by("id").values_list(
                "id", "name", "latitude", "longitude", "ward_id", "small_area_id"
            )
        ),
        "schedules": list(
            m.Schedule.objects.order_by("id").values_list(
                "service_id", "freq", "byday", "dtstart", "opens_at", "closes_at"
            )
        ),
        "terms": sorted(
            m.Service.terms.through.objects.values_list("service_id", "taxonomyterm_id")
        ),
        "providers": list(m.Provider.objects.order_by("id").values_list("id", "name")),
    }  # fmt: skip


def test_same_seed_same_directory_and_another_seed_another():
    synthetic_generate(services=N, seed=7, today=TODAY, rebuild_index=False)
    first = _snapshot()
    synthetic_clear()
    synthetic_generate(services=N, seed=7, today=TODAY, rebuild_index=False)
    assert _snapshot() == first
    synthetic_clear()
    synthetic_generate(services=N, seed=8, today=TODAY, rebuild_index=False)
    other = _snapshot()
    assert [s[1] for s in other["services"]] != [s[1] for s in first["services"]]


@pytest.mark.parametrize("batch_size", [48, 6000])
def test_counts_and_shape(batch_size):
    result = synthetic_generate(services=N, seed=3, today=TODAY, batch_size=batch_size)
    services = m.Service.objects.all()
    assert services.count() == N == synthetic_count()
    assert set(services.values_list("state", "status").distinct()) == {("published", "active")}
    assert m.Provider.objects.count() == N // 4
    assert m.Location.objects.count() == -(-N // 3)
    assert m.Address.objects.count() == m.Location.objects.count()
    assert m.ServiceAtLocation.objects.count() == N
    # Every provider and location is used.
    assert not m.Provider.objects.filter(services__isnull=True).exists()
    assert not m.Location.objects.filter(at_services__isnull=True).exists()

    per_service = Counter(m.Schedule.objects.values_list("service_id", flat=True))
    assert set(per_service.values()) <= {1, 2} and len(per_service) == N
    one_offs = m.Schedule.objects.filter(freq="")
    assert one_offs.exists()
    for day in one_offs.values_list("dtstart", flat=True):
        assert TODAY <= day <= TODAY + dt.timedelta(days=60)
    assert m.Schedule.objects.filter(freq="WEEKLY").count() > N / 2
    assert m.Schedule.objects.filter(freq="MONTHLY").exists()

    free = services.filter(is_free=True).count() / N
    assert 0.4 < free < 0.7
    assert services.filter(minimum_age__isnull=False).exists()
    assert m.AccessibilityFeature.objects.exists()

    for service in services.prefetch_related("terms__taxonomy"):
        by_taxonomy = Counter(t.taxonomy.code for t in service.terms.all())
        assert 1 <= by_taxonomy[NEEDS] <= 2
        assert by_taxonomy[SERVICE_TYPES] == 1
        assert by_taxonomy[AUDIENCE] <= 1

    # Timestamps are the generator's, not the moment of writing.
    newest = services.order_by("-modified_at").values_list("modified_at", flat=True)[0]
    assert newest.date() <= TODAY
    assert m.SearchEntry.objects.count() == result.indexed


def test_every_location_is_inside_a_real_ward_and_small_area():
    synthetic_generate(services=N, seed=5, today=TODAY, rebuild_index=False)
    for location in m.Location.objects.select_related("ward", "small_area"):
        assert location.ward is not None and location.small_area is not None
        assert geo.contains(location.ward.boundary, lat=location.latitude, lon=location.longitude)
        assert geo.contains(
            location.small_area.boundary, lat=location.latitude, lon=location.longitude
        )
    # Spread over the city, not piled in one place.
    assert m.Location.objects.values("ward").distinct().count() >= 12


def test_everyday_words_find_some_listings_not_all():
    synthetic_generate(services=600, seed=2, today=TODAY, rebuild_index=False)
    names = [n.lower() for n in m.Service.objects.values_list("name", flat=True)]
    for word in ("walk", "coffee", "befriending", "dementia", "debt", "art "):
        share = sum(word in n for n in names) / len(names)
        assert 0 < share < 0.1, (word, share)


def test_clearing_removes_only_synthetic_data():
    real_provider = m.Provider.objects.create(name="Real Group", description="Real.")
    real_service = m.Service.objects.create(
        provider=real_provider, name="Real Walk", description="Real.", state="published"
    )
    real_location = m.Location.objects.create(name="Real Hall")
    m.ServiceAtLocation.objects.create(service=real_service, location=real_location)
    m.Schedule.objects.create(service=real_service, dtstart=TODAY, freq="WEEKLY", byday="MO")
    synthetic_generate(services=N, seed=1, today=TODAY)
    synthetic_service = m.Service.objects.exclude(pk=real_service.pk).first()
    synthetic_provider = synthetic_service.provider
    assert is_synthetic(synthetic_service.pk) and not is_synthetic(real_service.pk)
    # Things made elsewhere that point at synthetic objects.
    suggestion = m.Suggestion.objects.create(
        kind="change", source="resident", service=synthetic_service, message="Wrong day"
    )
    child = m.Provider.objects.create(
        name="Real Child", description="Real.", parent=synthetic_provider
    )

    removed = synthetic_clear()

    assert removed["service"] == N
    assert synthetic_count() == 0
    assert list(m.Service.objects.all()) == [real_service]
    assert set(m.Provider.objects.all()) == {real_provider, child}
    assert list(m.Location.objects.all()) == [real_location]
    assert m.ServiceAtLocation.objects.count() == 1
    assert m.Schedule.objects.count() == 1
    assert not m.Suggestion.objects.filter(pk=suggestion.pk).exists()
    child.refresh_from_db()
    assert child.parent is None
    assert not m.SearchEntry.objects.exclude(service=real_service).exists()
    assert m.TaxonomyTerm.objects.exists()  # reference data stays


def test_command_refuses_to_add_to_existing_data_without_clear(capsys):
    call_command("directory_synthetic", "--services", "24", "--today", "2026-03-15", verbosity=0)
    assert synthetic_count() == 24
    with pytest.raises(CommandError, match="--clear"):
        call_command("directory_synthetic", "--services", "24", verbosity=0)
    call_command("directory_synthetic", "--services", "36", "--clear", "--no-index", verbosity=0)
    assert synthetic_count() == 36
    call_command("directory_synthetic", "--clear", verbosity=0)
    assert synthetic_count() == 0
    with pytest.raises(CommandError):
        call_command("directory_synthetic", verbosity=0)


@override_settings(ALONGSIDE_ENVIRONMENT="production")
def test_command_refuses_under_production_settings():
    with pytest.raises(CommandError, match="production"):
        call_command("directory_synthetic", "--services", "12", verbosity=0)
