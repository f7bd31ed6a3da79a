"""Which ward and small area a point is in."""

from __future__ import annotations

from dataclasses import dataclass

from . import geo
from .models import SmallArea, Ward


@dataclass(frozen=True)
class Place:
    ward: Ward | None
    small_area: SmallArea | None


def ward_for_point(*, lat: float, lon: float) -> Ward | None:
    """The ward whose boundary contains the point, or None outside every ward."""
    candidates = Ward.objects.filter(
        min_lat__lte=lat, max_lat__gte=lat, min_lon__lte=lon, max_lon__gte=lon
    )
    for ward in candidates:
        if geo.contains(ward.boundary, lat=lat, lon=lon):
            return ward
    return None


def small_area_for_point(*, lat: float, lon: float) -> SmallArea | None:
    """The small area (LSOA) containing the point, by boundary when loaded."""
    candidates = SmallArea.objects.select_related("ward").filter(
        min_lat__lte=lat, max_lat__gte=lat, min_lon__lte=lon, max_lon__gte=lon
    )
    for area in candidates:
        if area.boundary and geo.contains(area.boundary, lat=lat, lon=lon):
            return area
    return None


def place_for_point(*, lat: float, lon: float) -> Place:
    return Place(
        ward=ward_for_point(lat=lat, lon=lon), small_area=small_area_for_point(lat=lat, lon=lon)
    )
