"""Importing ORUK JSON: typical services (a venue with an address and accessibility, one or
two schedules, two or three needs, a phone, a cost) from a publisher's file, all new, then the
same file again (all unchanged). The budget is 2,000 services a second (issue 3)."""

from __future__ import annotations

import random
import time
import uuid

from django.core.management import call_command

from alongside.core.models import SmallArea
from alongside.directory.hsds_import import directory_import_services
from alongside.directory.models import Location, Provider, Service, TaxonomyTerm

N = 5_000
VENUES = 1_500
_state: dict = {}


def _u(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def make_services(n: int = N, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    areas = list(SmallArea.objects.values_list("centre_lat", "centre_lon"))
    terms = list(TaxonomyTerm.objects.select_related("taxonomy").filter(taxonomy__code="needs"))
    orgs = [
        {"id": _u(rng), "name": f"York Group {i}", "description": "Runs activities in York."}
        for i in range(n // 10)
    ]
    venues = []
    for i in range(VENUES):
        lat, lon = rng.choice(areas)
        lat, lon = lat + rng.uniform(-0.002, 0.002), lon + rng.uniform(-0.002, 0.002)
        vid = _u(rng)
        venues.append(
            {
                "id": vid,
                "location_type": "physical",
                "name": f"Community Hall {i}",
                "latitude": round(lat, 6),
                "longitude": round(lon, 6),
                "addresses": [
                    {
                        "id": _u(rng),
                        "location_id": vid,
                        "address_1": f"{i + 1} High Street",
                        "city": "York",
                        "state_province": "North Yorkshire",
                        "postal_code": "YO1 7HH",
                        "country": "GB",
                        "address_type": "physical",
                    }
                ],
                "accessibility": [{"id": _u(rng), "description": "Step-free access"}],
                "phones": [],
            }
        )
    services = []
    for i in range(n):
        sid = _u(rng)
        schedules = [
            {
                "id": _u(rng),
                "dtstart": "2026-01-06",
                "freq": "WEEKLY",
                "interval": 1,
                "byday": rng.choice(["MO", "TU", "WE", "TH", "FR"]),
                "opens_at": "10:00:00",
                "closes_at": "12:00:00",
            }
            for _ in range(rng.choice((1, 2)))
        ]
        chosen = rng.sample(terms, rng.choice((2, 3)))
        services.append(
            {
                "id": sid,
                "name": f"Activity {i}",
                "description": "A friendly weekly session. Everyone is welcome.",
                "url": f"https://example.org/activities/{i}",
                "email": f"activity{i}@example.org",
                "status": "active",
                "fees": "£2 a session",
                "minimum_age": 18,
                "organization": rng.choice(orgs),
                "service_at_locations": [{"id": _u(rng), "location": rng.choice(venues)}],
                "schedules": schedules,
                "phones": [{"id": _u(rng), "number": f"01904 {550000 + i}"}],
                "cost_options": [{"id": _u(rng), "option": "Per session", "amount": 2}],
                "attributes": [
                    {
                        "id": _u(rng),
                        "taxonomy_term": {
                            "id": str(t.pk),
                            "code": t.code,
                            "name": t.name,
                            "description": t.description,
                            "taxonomy": t.taxonomy.name,
                            "taxonomy_id": str(t.taxonomy_id),
                        },
                    }
                    for t in chosen
                ],
            }
        )
    return services


def _clear() -> None:
    Service.objects.all().delete()
    Location.objects.all().delete()
    Provider.objects.all().delete()


def setup() -> str:
    call_command("load_taxonomies", verbosity=0)
    _state["services"] = make_services()
    return f"{N:,} services, {VENUES:,} venues, ~{N // 10:,} organisations"


def import_new() -> None:
    _clear()
    start = time.perf_counter()
    report = directory_import_services(services=_state["services"])
    elapsed = time.perf_counter() - start
    assert report.ok, report.errors[:5]
    assert report.count("services").created == N
    print(f"  import {N:,} new services: {elapsed:.2f} s, {N / elapsed:,.0f} services/s")


def import_unchanged() -> None:
    start = time.perf_counter()
    report = directory_import_services(services=_state["services"])
    elapsed = time.perf_counter() - start
    assert report.ok and not report.any_changes
    print(f"  re-import {N:,} unchanged services: {elapsed:.2f} s, {N / elapsed:,.0f} services/s")


BENCHMARKS = [
    (f"ORUK JSON import, {N:,} new services", import_new, 3),
    (f"ORUK JSON re-import, {N:,} unchanged services", import_unchanged, 3),
]
