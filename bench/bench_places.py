"""Finding the ward and small area of a point: used for every address and postcode."""

from __future__ import annotations

import random

from alongside.core.models import Ward
from alongside.core.places import place_for_point

_rng = random.Random(42)
_points: list[tuple[float, float]] = []


def setup() -> str:
    bounds = Ward.objects.all()
    min_lat = min(w.min_lat for w in bounds)
    max_lat = max(w.max_lat for w in bounds)
    min_lon = min(w.min_lon for w in bounds)
    max_lon = max(w.max_lon for w in bounds)
    _points[:] = [
        (_rng.uniform(min_lat, max_lat), _rng.uniform(min_lon, max_lon)) for _ in range(500)
    ]
    return "21 wards, 120 small areas"


def _one_point() -> None:
    lat, lon = _points[_rng.randrange(len(_points))]
    place_for_point(lat=lat, lon=lon)


BENCHMARKS = [("place_for_point (one random point in York's extent)", _one_point, 500)]
