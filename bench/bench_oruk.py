"""The ORUK open data API over the York demo directory (in-process server time)."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from alongside.directory.models import Service

_client = Client()
_state: dict[str, str] = {}


def setup() -> str:
    call_command("load_taxonomies", verbosity=0)
    call_command("load_demo_directory", "--today", "2026-03-15", verbosity=0)
    public = Service.objects.filter(state__in=["published", "review_due"])
    _state["id"] = str(public.order_by("name").first().pk)
    return f"{public.count():,} public listings (York demo directory)"


def _get(path: str) -> None:
    response = _client.get(path)
    assert response.status_code == 200, (path, response.status_code)


BENCHMARKS = [
    ("ORUK /services page 1 (50)", lambda: _get("/api/oruk/services"), 50),
    ("ORUK /services?search=walk", lambda: _get("/api/oruk/services?search=walk"), 50),
    ("ORUK /services/{id} (fully nested)", lambda: _get(f"/api/oruk/services/{_state['id']}"), 100),
    (
        "ORUK /service_at_locations page 3, full",
        lambda: _get("/api/oruk/service_at_locations?page=3&full=true"),
        30,
    ),
]
