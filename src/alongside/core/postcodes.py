"""UK postcodes: validate, normalise and locate through the imported ONS extract."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .models import Postcode, SmallArea, Ward

# Outward code (area, district) and inward code (sector, unit), per the Royal Mail format.
# Letters that never appear in a position are excluded (no Q, V or X first; no I, J or Z
# second; no C, I, K, M, O or V in the inward code).
_POSTCODE = re.compile(
    r"^(?P<outward>[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRV-Y]?"
    r"|GIR)(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2}|0AA)$"
)


class PostcodeNotFound(Exception):
    """A valid postcode that the imported directory does not hold."""


def normalise_postcode(raw: str) -> str:
    """Return the postcode in capitals with one space before the inward code.

    Raises ValidationError with a message to show the person when it is not a UK postcode.
    """
    compact = re.sub(r"\s+", "", raw or "").upper()
    if not compact:
        raise ValidationError("Enter a postcode", code="required")
    match = _POSTCODE.match(compact)
    if not match:
        raise ValidationError("Enter a real postcode, like YO1 7HH", code="invalid_postcode")
    return f"{match['outward']} {match['inward']}"


def is_valid_postcode(raw: str) -> bool:
    try:
        normalise_postcode(raw)
    except ValidationError:
        return False
    return True


@dataclass(frozen=True)
class PostcodeLocation:
    postcode: str
    lat: float
    lon: float
    ward: Ward | None
    small_area: SmallArea | None
    terminated: bool


def locate_postcode(raw: str) -> PostcodeLocation:
    """Find where a postcode is. Raises ValidationError (bad format) or PostcodeNotFound."""
    postcode = normalise_postcode(raw)
    row = Postcode.objects.select_related("ward", "small_area").filter(postcode=postcode).first()
    if row is None:
        raise PostcodeNotFound(
            f"We do not know the postcode {postcode}. Check it is right, or choose a ward instead."
        )
    return PostcodeLocation(
        postcode=row.postcode,
        lat=row.lat,
        lon=row.lon,
        ward=row.ward,
        small_area=row.small_area,
        terminated=row.terminated is not None,
    )
