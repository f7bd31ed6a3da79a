"""Fixtures shared by the directory's tests."""

from __future__ import annotations

import datetime as dt

import pytest

from alongside.directory.models import Service, ServiceArea, TaxonomyTerm
from alongside.directory.search import index
from alongside.directory.taxonomies import taxonomies_load

from .api_factories import (
    AccessibilityFeatureFactory,
    LocationFactory,
    PublishedServiceFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
)

TODAY = dt.date(2026, 12, 1)  # a Tuesday


@pytest.fixture
def little(york):
    """A small directory in two wards, each listing chosen to test one behaviour."""
    taxonomies_load()
    term = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy__code="needs")}
    types = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy__code="service-types")}
    acomb = LocationFactory(name="Acomb Library", ward=york["Acomb"])
    guildhall = LocationFactory(name="Friargate Meeting House", ward=york["Guildhall"])
    AccessibilityFeatureFactory(location=acomb, feature="step_free")
    AccessibilityFeatureFactory(location=acomb, feature="hearing_loop")
    AccessibilityFeatureFactory(location=guildhall, feature="step_free")

    def listing(name, description, *, at, needs=(), kinds=(), day="TU", opens=10, **fields):
        service = PublishedServiceFactory(name=name, description=description, summary="", **fields)
        service.terms.set([term[c] for c in needs] + [types[c] for c in kinds])
        sal = ServiceAtLocationFactory(service=service, location=at)
        if day:
            ScheduleFactory(
                service=service,
                service_at_location=sal,
                byday=day,
                dtstart=dt.date(2026, 1, 6),
                opens_at=dt.time(opens, 0),
                closes_at=dt.time(opens + 2, 0),
            )
        return service

    made = {
        "befriending": listing(
            "Telephone Befriending",
            "A volunteer rings you every week for a chat.",
            at=guildhall,
            needs=["loneliness-and-isolation"],
            kinds=["befriending"],
            day="",
            is_free=True,
        ),
        "lunch": listing(
            "Friday Lunch Club",
            "A hot two-course lunch and good company for older people.",
            at=acomb,
            needs=["loneliness-and-isolation", "food"],
            kinds=["lunch-club"],
            day="FR",
            opens=12,
            fees="£4 for lunch",
        ),
        "debt": listing(
            "Debt and Benefits Advice",
            "Free, confidential help with bills, debts and claiming benefits.",
            at=guildhall,
            needs=["money-and-debt"],
            kinds=["advice-service"],
            day="MO",
            is_free=True,
        ),
        "walk": listing(
            "Acomb Health Walk",
            "A gentle walk in the park, about an hour. Walking boots not needed.",
            at=acomb,
            needs=["physical-activity"],
            kinds=["walking-group"],
            day="TU",
            is_free=True,
        ),
        "choir": listing(
            "Evening Choir",
            "Sing together, no experience needed. Walk-ins welcome.",
            at=guildhall,
            needs=["arts-and-culture"],
            kinds=["choir-and-music"],
            day="TU",
            opens=19,
            minimum_age=16,
        ),
        "draft": listing(
            "Secret Walking Group",
            "Not published yet.",
            at=acomb,
            needs=["physical-activity"],
        ),
    }
    made["draft"].state = Service.State.DRAFT
    made["draft"].save()
    ServiceArea.objects.create(service=made["befriending"], name="City of York")
    index.rebuild_all(today=TODAY)
    return made
