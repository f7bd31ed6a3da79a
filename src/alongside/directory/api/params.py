"""Reading query parameters: each bad value is refused with a 400 that says what to send.

An empty value (`?taxonomy_id=`) counts as not given; parameters we do not know are ignored.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .http import bad_parameter

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
# `minimal` asks for every service in one call, so its pages are much larger.
MINIMAL_PER_PAGE = 1000
MINIMAL_MAX_PER_PAGE = 5000
MAX_PROXIMITY_M = 100_000
MAX_SEARCH_LENGTH = 200

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
# A "+01:00" offset sent unencoded in a query string arrives as " 01:00".
_UNENCODED_PLUS = re.compile(
    r"^(?P<stamp>.+T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (?P<offset>\d{2}:?\d{2})$"
)


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def text(request: HttpRequest, name: str) -> str | None:
    value = request.GET.get(name, "").strip()
    return value or None


def search(request: HttpRequest) -> str | None:
    value = text(request, "search")
    if value is not None and len(value) > MAX_SEARCH_LENGTH:
        raise bad_parameter(f"search must be at most {MAX_SEARCH_LENGTH} characters.")
    return value


def integer(request: HttpRequest, name: str, *, default: int, minimum: int, maximum: int) -> int:
    raw = text(request, name)
    if raw is None:
        return default
    if not re.fullmatch(r"[+-]?\d{1,9}", raw):
        raise bad_parameter(f"{name} must be a whole number, like {default}; got {raw!r}.")
    value = int(raw)
    if value < minimum or value > maximum:
        if maximum >= 10**9:
            raise bad_parameter(f"{name} must be {minimum} or more; got {value}.")
        raise bad_parameter(f"{name} must be between {minimum} and {maximum}; got {value}.")
    return value


def paging(request: HttpRequest, *, minimal: bool = False) -> Paging:
    per_page_default, per_page_max = (
        (MINIMAL_PER_PAGE, MINIMAL_MAX_PER_PAGE) if minimal else (DEFAULT_PER_PAGE, MAX_PER_PAGE)
    )
    return Paging(
        page=integer(request, "page", default=1, minimum=1, maximum=10**9),
        per_page=integer(
            request, "per_page", default=per_page_default, minimum=1, maximum=per_page_max
        ),
    )


def boolean(request: HttpRequest, name: str) -> bool:
    raw = text(request, name)
    if raw is None:
        return False
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise bad_parameter(f"{name} must be true or false; got {raw!r}.")


def parse_uuid(raw: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise bad_parameter(
            f"{name} must be an id like 3f7b145d-84af-42d7-8fae-eaca714b02b2; got {raw!r}.",
            error="invalid_id" if name == "id" else "invalid_parameter",
        ) from None


def uuid_param(request: HttpRequest, name: str) -> uuid.UUID | None:
    raw = text(request, name)
    return None if raw is None else parse_uuid(raw, name)


def moment(request: HttpRequest, name: str) -> datetime | None:
    """An ISO 8601 date or date-time. Without an offset it is read as UK time."""
    raw = text(request, name)
    if raw is None:
        return None
    repaired = _UNENCODED_PLUS.sub(r"\g<stamp>+\g<offset>", raw)
    try:
        value = parse_datetime(repaired)
        if value is None:
            day = parse_date(repaired)
            value = None if day is None else datetime.combine(day, time.min)
    except ValueError:
        value = None
    if value is None:
        raise bad_parameter(
            f"{name} must be a date or date-time, like 2025-01-31 or 2025-01-31T09:30:00Z; "
            f"got {raw!r}."
        )
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise bad_parameter(f"{name} is out of range; got {raw!r}.") from None
    return value


def proximity(request: HttpRequest) -> float | None:
    raw = text(request, "proximity")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > MAX_PROXIMITY_M:
        raise bad_parameter(
            f"proximity must be a distance in metres, more than 0 and at most "
            f"{MAX_PROXIMITY_M}; got {raw!r}."
        )
    return value


def output_format(request: HttpRequest) -> str:
    raw = (text(request, "format") or "json").lower()
    if raw not in ("json", "ndjson"):
        raise bad_parameter(f"format must be json or ndjson; got {raw!r}.")
    return raw
