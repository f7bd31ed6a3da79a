"""Point-in-polygon on GeoJSON geometry (WGS84 longitude/latitude), without GIS libraries.

Ward boundaries are generalised to about 20 m (see data/york/SOURCES.md), so a point within
a few metres of a boundary may be placed in the neighbouring ward.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Ring = Sequence[Sequence[float]]


def bbox(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a Polygon or MultiPolygon."""
    lons: list[float] = []
    lats: list[float] = []
    for polygon in _polygons(geometry):
        for ring in polygon:
            for lon, lat, *_ in ring:
                lons.append(lon)
                lats.append(lat)
    return min(lats), max(lats), min(lons), max(lons)


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"Unsupported geometry type: {kind!r}")


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat):
            x_cross = (xj - xi) * (lat - yi) / (yj - yi) + xi
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def contains(geometry: dict[str, Any], *, lat: float, lon: float) -> bool:
    """True when the point lies inside the polygon(s): in an exterior ring and no hole."""
    for polygon in _polygons(geometry):
        exterior, *holes = polygon
        if _in_ring(lon, lat, exterior) and not any(_in_ring(lon, lat, h) for h in holes):
            return True
    return False


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
