"""Wards and small areas of points, on York's real boundaries."""

from __future__ import annotations

import pytest

from alongside.core import geo
from alongside.core.models import Neighbourhood, SmallArea, Ward
from alongside.core.places import place_for_point, small_area_for_point, ward_for_point
from alongside.core.services import places_load

pytestmark = pytest.mark.django_db

# Points checked against the published ward boundaries.
KNOWN_POINTS = [
    ("York Minster", 53.96230, -1.08190, "Guildhall"),
    ("Acomb small area reference point", 53.96161, -1.12801, "Acomb"),
    ("Heslington village", 53.93950, -1.05200, "Fulford & Heslington"),
    ("University of York, Heslington West campus", 53.94670, -1.05160, "Hull Road"),
    ("Haxby village centre", 54.01640, -1.07400, "Haxby & Wigginton"),
    ("York railway station", 53.95800, -1.09300, "Micklegate"),
]


@pytest.mark.parametrize(("label", "lat", "lon", "ward_name"), KNOWN_POINTS)
def test_ward_for_known_points(label, lat, lon, ward_name):
    ward = ward_for_point(lat=lat, lon=lon)
    assert ward is not None, label
    assert ward.name == ward_name, label


def test_point_outside_york_has_no_ward():
    assert ward_for_point(lat=53.7997, lon=-1.5492) is None  # Leeds
    assert small_area_for_point(lat=53.7997, lon=-1.5492) is None


def test_every_small_area_reference_point_is_in_that_small_area():
    """ONS reference points lie inside their own LSOA (SOURCES.md), so each must be found."""
    areas = list(SmallArea.objects.all())
    assert len(areas) == 120
    for area in areas:
        found = small_area_for_point(lat=area.centre_lat, lon=area.centre_lon)
        assert found is not None and found.code == area.code, area.code


def test_place_for_point_gives_ward_and_small_area():
    place = place_for_point(lat=53.96161, lon=-1.12801)
    assert place.ward.name == "Acomb"
    assert place.small_area.code == "E01013335"


def test_places_loaded_with_real_counts_and_neighbourhoods():
    assert Ward.objects.count() == 21
    assert set(Ward.objects.values_list("code", flat=True)) == {
        f"E050103{n}" for n in range(11, 32)
    }
    hoods = {n.name: n.wards.count() for n in Neighbourhood.objects.all()}
    assert hoods == {"North": 5, "East": 6, "West": 5, "Central & South": 5}
    assert sum(w.population for w in Ward.objects.all()) == 211_012


def test_loading_again_changes_nothing_and_keeps_staff_edits():
    acomb = Ward.objects.get(name="Acomb")
    east = Neighbourhood.objects.get(name="East")
    acomb.neighbourhood = east
    acomb.save()
    result = places_load()
    assert (result.wards_created, result.wards_updated) == (0, 0)
    assert (result.small_areas_created, result.small_areas_updated) == (0, 0)
    assert result.neighbourhoods_created == 0
    acomb.refresh_from_db()
    assert acomb.neighbourhood == east


def test_polygon_with_hole():
    square = {
        "type": "Polygon",
        "coordinates": [
            [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
            [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
        ],
    }
    assert geo.contains(square, lat=2, lon=2)
    assert not geo.contains(square, lat=5, lon=5)
    assert not geo.contains(square, lat=11, lon=5)
    with pytest.raises(ValueError):
        geo.contains({"type": "Point", "coordinates": [0, 0]}, lat=0, lon=0)


def test_distance_between_known_points():
    # York Minster to York station is a little over 1 km.
    d = geo.distance_m(53.96230, -1.08190, 53.95800, -1.09300)
    assert 800 < d < 900
