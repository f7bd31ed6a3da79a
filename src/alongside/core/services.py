"""Writes for core: loading places, editing neighbourhoods, importing postcodes."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from . import geo
from .audit import audit_record
from .models import Neighbourhood, Postcode, SmallArea, Ward
from .places import ward_for_point
from .postcodes import normalise_postcode

YORK_DATA = Path(__file__).resolve().parent / "data" / "york"

# The illustrative default grouping from DESIGN.md; staff can change it afterwards.
DEFAULT_NEIGHBOURHOODS: dict[str, list[str]] = {
    "North": [
        "Haxby & Wigginton",
        "Strensall",
        "Huntington & New Earswick",
        "Rawcliffe & Clifton Without",
        "Clifton",
    ],
    "East": [
        "Heworth",
        "Heworth Without",
        "Osbaldwick & Derwent",
        "Hull Road",
        "Fulford & Heslington",
        "Wheldrake",
    ],
    "West": ["Acomb", "Westfield", "Holgate", "Dringhouses & Woodthorpe", "Rural West York"],
    "Central & South": ["Guildhall", "Micklegate", "Fishergate", "Copmanthorpe", "Bishopthorpe"],
}


@dataclass
class PlacesLoadResult:
    wards_created: int = 0
    wards_updated: int = 0
    small_areas_created: int = 0
    small_areas_updated: int = 0
    neighbourhoods_created: int = 0


def _bbox_fields(geometry: dict[str, Any]) -> dict[str, float]:
    min_lat, max_lat, min_lon, max_lon = geo.bbox(geometry)
    return {"min_lat": min_lat, "max_lat": max_lat, "min_lon": min_lon, "max_lon": max_lon}


def _changed(obj: Any, values: dict[str, Any]) -> bool:
    return any(getattr(obj, k) != v for k, v in values.items())


@transaction.atomic
def places_load(*, data_dir: Path = YORK_DATA) -> PlacesLoadResult:
    """Load wards, small areas and the default neighbourhoods. Running it again changes
    nothing; staff changes to neighbourhoods are kept."""
    result = PlacesLoadResult()
    populations: dict[str, int] = {}
    with open(data_dir / "wards.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            populations[row["code"]] = int(row["population_mid2020"])

    wards: dict[str, Ward] = {}
    features = json.loads((data_dir / "wards.geojson").read_text(encoding="utf-8"))["features"]
    for feature in features:
        code = feature["properties"]["code"]
        values = {
            "name": feature["properties"]["name"],
            "boundary": feature["geometry"],
            "population": populations.get(code),
            "population_year": 2020 if code in populations else None,
            **_bbox_fields(feature["geometry"]),
        }
        ward = Ward.objects.filter(code=code).first()
        if ward is None:
            ward = Ward.objects.create(code=code, **values)
            result.wards_created += 1
        elif _changed(ward, values):
            for k, v in values.items():
                setattr(ward, k, v)
            ward.save()
            result.wards_updated += 1
        wards[code] = ward

    if not Neighbourhood.objects.exists():
        by_name = {w.name: w for w in wards.values()}
        for name, ward_names in DEFAULT_NEIGHBOURHOODS.items():
            hood = Neighbourhood.objects.create(name=name, slug=slugify(name))
            result.neighbourhoods_created += 1
            Ward.objects.filter(pk__in=[by_name[n].pk for n in ward_names if n in by_name]).update(
                neighbourhood=hood
            )

    shapes = {
        f["properties"]["code"]: f["geometry"]
        for f in json.loads((data_dir / "lsoa.geojson").read_text(encoding="utf-8"))["features"]
    }
    with open(data_dir / "lsoa.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["lsoa_code"]
            shape = shapes.get(code)
            values: dict[str, Any] = {
                "name": row["lsoa_name"],
                "ward": wards[row["ward_code"]],
                "centre_lat": float(row["centroid_lat"]),
                "centre_lon": float(row["centroid_lon"]),
                "population": int(row["population"]),
                "imd_rank": int(row["imd_rank"]),
                "imd_decile": int(row["imd_decile"]),
                "boundary": shape,
                **(_bbox_fields(shape) if shape else {}),
            }
            area = SmallArea.objects.filter(code=code).first()
            if area is None:
                SmallArea.objects.create(code=code, **values)
                result.small_areas_created += 1
            elif _changed(area, values):
                for k, v in values.items():
                    setattr(area, k, v)
                area.save()
                result.small_areas_updated += 1
    return result


@transaction.atomic
def neighbourhood_update(
    *, actor: Any, neighbourhood: Neighbourhood, name: str, description: str, wards: Iterable[Ward]
) -> Neighbourhood:
    """Rename a neighbourhood and set which wards it holds (a ward is in one at most)."""
    before_wards = sorted(w.code for w in neighbourhood.wards.all())
    after = list(wards)
    before = {"name": neighbourhood.name, "description": neighbourhood.description}
    neighbourhood.name = name
    neighbourhood.description = description
    neighbourhood.slug = slugify(name)
    neighbourhood.modified_by = actor
    neighbourhood.full_clean()
    neighbourhood.save()
    Ward.objects.filter(neighbourhood=neighbourhood).exclude(pk__in=[w.pk for w in after]).update(
        neighbourhood=None
    )
    Ward.objects.filter(pk__in=[w.pk for w in after]).update(neighbourhood=neighbourhood)
    changes = {
        k: [before[k], v]
        for k, v in {"name": name, "description": description}.items()
        if before[k] != v
    }
    after_codes = sorted(w.code for w in after)
    if after_codes != before_wards:
        changes["wards"] = [before_wards, after_codes]
    audit_record(actor=actor, action="change", obj=neighbourhood, changes=changes)
    return neighbourhood


@dataclass
class PostcodeImportResult:
    read: int = 0
    imported: int = 0
    skipped_outside_area: int = 0
    skipped_no_location: int = 0
    invalid: int = 0


def _onspd_rows(path: Path) -> Iterator[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            yield {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}


def _parse_doterm(value: str) -> date | None:
    # ONSPD gives termination as yyyymm; blank while the postcode is live.
    if len(value) == 6 and value.isdigit():
        return date(int(value[:4]), int(value[4:]), 1)
    return None


def postcodes_import(
    *, path: Path, local_authority: str | None = None, batch_size: int = 5000
) -> PostcodeImportResult:
    """Import an ONS Postcode Directory CSV (the official layout: pcds, lat, long, osward,
    lsoa11 or lsoa21, oslaua, doterm). Rows for other local authorities are skipped when
    `local_authority` is given. Re-importing updates rows in place."""
    result = PostcodeImportResult()
    wards = {w.code: w for w in Ward.objects.all()}
    areas = {a.code: a for a in SmallArea.objects.all()}
    batch: list[Postcode] = []

    def flush() -> None:
        if batch:
            Postcode.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["postcode"],
                update_fields=["lat", "lon", "ward", "small_area", "terminated"],
            )
            result.imported += len(batch)
            batch.clear()

    with transaction.atomic():
        for row in _onspd_rows(path):
            result.read += 1
            if local_authority and row.get("oslaua", local_authority) != local_authority:
                result.skipped_outside_area += 1
                continue
            raw = row.get("pcds") or row.get("pcd") or row.get("pcd2") or ""
            try:
                postcode = normalise_postcode(raw)
            except Exception:  # noqa: BLE001 - counted and reported, not fatal
                result.invalid += 1
                continue
            try:
                lat, lon = float(row.get("lat", "")), float(row.get("long", ""))
            except ValueError:
                result.skipped_no_location += 1
                continue
            # ONSPD marks postcodes without a grid reference with lat 99.999999.
            if lat > 90:
                result.skipped_no_location += 1
                continue
            ward = wards.get(row.get("osward", "")) or ward_for_point(lat=lat, lon=lon)
            area = areas.get(row.get("lsoa11", "")) or areas.get(row.get("lsoa21", ""))
            batch.append(
                Postcode(
                    postcode=postcode,
                    lat=lat,
                    lon=lon,
                    ward=ward,
                    small_area=area,
                    terminated=_parse_doterm(row.get("doterm", "")),
                )
            )
            if len(batch) >= batch_size:
                flush()
        flush()
    return result
