"""Search parity across engines on the York demo directory.

The expected results live in `search_parity.json`. The suite runs once on SQLite and once on
PostgreSQL (`make test`), and both runs compare against the same file, so any difference
between the engines fails one of them. After a deliberate change to search behaviour or to
the demo directory, regenerate the file on SQLite with:

    ALONGSIDE_UPDATE_SEARCH_PARITY=1 .venv/bin/pytest \
        src/alongside/directory/tests/test_search_parity.py

and check the difference in review.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.db import connection

from alongside.core.models import Ward
from alongside.directory.demo import demo_directory_load
from alongside.directory.search.engine import SearchQuery, search

TODAY = dt.date(2026, 12, 1)
EXPECTED = Path(__file__).with_name("search_parity.json")
YORK_MINSTER = (53.9623, -1.0819)


def queries() -> dict[str, SearchQuery]:
    acomb = Ward.objects.get(name="Acomb").code
    return {
        "lonely": SearchQuery(text="lonely"),
        "money worries": SearchQuery(text="money worries"),
        "walking": SearchQuery(text="walking"),
        "coffee morning, free": SearchQuery(text="coffee morning", free=True),
        "dementia carers": SearchQuery(text="dementia carers"),
        "misspelt befriending": SearchQuery(text="befreinding"),
        "art on tuesdays in the morning": SearchQuery(
            text="art", days=("tue",), times=("morning",)
        ),
        "lonely in Acomb, free, Tuesdays": SearchQuery(
            text="lonely", wards=(acomb,), free=True, days=("tue",)
        ),
        "need: physical activity, step-free": SearchQuery(
            needs=("physical-activity",), access=("step_free",)
        ),
        "need: food or money, page 2": SearchQuery(
            needs=("food", "money-and-debt"), page=2, per_page=10
        ),
        "age 8": SearchQuery(age=8, sort="name"),
        "within 1km of the Minster by distance": SearchQuery(
            point=YORK_MINSTER, within_m=1000, sort="distance"
        ),
        "singing near the Minster": SearchQuery(text="singing", point=YORK_MINSTER),
        "this week, soonest": SearchQuery(this_week=True, sort="soonest"),
        "events in east York": SearchQuery(neighbourhoods=("east",), kinds=("event",)),
        "facets for lonely": SearchQuery(text="lonely", facets=True, per_page=5),
        "nothing: choir in Wheldrake on Sunday": SearchQuery(
            text="choir", wards=(Ward.objects.get(name="Wheldrake").code,), days=("sun",)
        ),
    }


def outcome(query: SearchQuery) -> dict:
    result = search(dataclasses.replace(query, today=TODAY))
    return {
        "total": result.total,
        "corrected": result.corrected_text,
        "hits": [
            [
                str(hit.service_id),
                hit.name,
                hit.score,
                None if hit.distance_m is None else round(hit.distance_m, 1),
                hit.next_date.isoformat() if hit.next_date else None,
            ]
            for hit in result.hits
        ],
        "facets": result.facets,
        "help": result.help,
    }


@pytest.mark.django_db
def test_both_engines_give_the_recorded_results():
    demo_directory_load(today=TODAY)
    got = {name: outcome(query) for name, query in queries().items()}
    if os.environ.get("ALONGSIDE_UPDATE_SEARCH_PARITY") and connection.vendor == "sqlite":
        EXPECTED.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    expected = json.loads(EXPECTED.read_text())
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name] == expected[name], f"{name!r} differs on {connection.vendor}"
    # The recorded results are not trivial: most queries find something.
    assert sum(1 for r in expected.values() if r["total"]) >= len(expected) - 1
