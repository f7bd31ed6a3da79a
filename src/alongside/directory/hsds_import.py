"""Importing the directory from Open Referral UK 3.0 (HSDS 3.0) JSON or the CSV template.

What it accepts: a list of fully nested services (as our `/services/{id}` and the JSON export
give them), an ORUK paged envelope (`{"contents": [...]}`), or a single service. Each service
may carry its organization, service_at_locations (each with a location, its addresses,
accessibility and phones), contacts (with phones), phones, schedules, cost_options, languages,
funding, service_areas and taxonomy terms (as HSDS `attributes`, or as a `taxonomy_terms` list).

How it writes:
- Every object is matched by its `id` (our primary key): a new id is created, a known id is
  updated when what the file says differs from what we hold, otherwise left alone. "Differs"
  is judged on what the ORUK form can say: we compare the file with our own export of the
  object, so importing our export changes nothing, and fields ORUK cannot carry (a listing's
  kind, summary and editorial state, a place's ward) are kept.
- A service's nested lists are its complete lists: a schedule, contact, cost and so on that we
  hold for an imported service but the file no longer gives is deleted (likewise a place's
  addresses, accessibility and phones). Services, organisations and places missing from the
  file are never deleted: a file may hold part of a directory.
- Everything is validated first and every problem is reported, each naming its record. If any
  record has an error nothing is written: the whole import is one transaction. A dry run does
  all the work inside that transaction and rolls it back.
- New listings are published (the file comes from a trusted publisher, and an editor chose to
  import it), or drafts with `draft=True`. Existing listings keep their editorial state.
- Places with coordinates and no ward are placed in their ward and small area.
- Every listing whose data changed (itself or anything shown with it, including its
  organisation and places) gets a new `modified_at` and its search entry rebuilt, in batches.

The CSV template (one row per listing) is turned into the same nested form with
`csv_to_services` and goes through the same path; a CSV import only changes what its columns
hold (see that function).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import io
import json
import re
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from alongside.core import geo
from alongside.core.bulk import fetch_rows, in_list, insert_objects, insert_rows, insert_values
from alongside.core.models import SmallArea, Ward
from alongside.directory.api import serializers
from alongside.directory.models import (
    AccessibilityFeature,
    Address,
    Contact,
    CostOption,
    Funding,
    Language,
    ListingChange,
    Location,
    Phone,
    Provider,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from alongside.directory.search import index

Json = dict[str, Any]

MAX_IMPORT_BYTES = 50 * 1024 * 1024
URL_TIMEOUT_SECONDS = 30
BATCH_SIZE = 500
# Listings indexed for search at once.
INDEX_BATCH = 2000
# Keeps every `pk__in` list well under SQLite's limit on query parameters.
CHUNK = 900
# Ids the CSV import derives (listings without an id, and what hangs off them).
CSV_ID_NAMESPACE = uuid.UUID("6f1d3a52-1f7b-4d51-9a0c-5b0a8f2f6c11")

TYPE_LABELS: dict[type[models.Model], str] = {
    Taxonomy: "taxonomies",
    TaxonomyTerm: "taxonomy terms",
    Provider: "organisations",
    Location: "places",
    Address: "addresses",
    AccessibilityFeature: "accessibility features",
    Service: "services",
    ServiceAtLocation: "services at places",
    Contact: "contacts",
    Phone: "phones",
    Schedule: "schedules",
    CostOption: "costs",
    Language: "languages",
    Funding: "funding",
    ServiceArea: "service areas",
}
TERM_LINKS = "taxonomy term links"


class ImportFailed(Exception):
    """The file could not be read at all (not JSON, not reachable, too big, wrong shape)."""


# --- the report ---------------------------------------------------------------------------------


@dataclass
class TypeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass
class ServiceChange:
    id: uuid.UUID
    name: str
    action: str  # "created" or "updated"


@dataclass
class ImportReport:
    dry_run: bool
    services_in_file: int = 0
    counts: dict[str, TypeCounts] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed_services: list[ServiceChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def any_changes(self) -> bool:
        return any(c.changed for c in self.counts.values())

    def count(self, label: str) -> TypeCounts:
        return self.counts.setdefault(label, TypeCounts())

    def summary_lines(self) -> list[str]:
        lines = []
        for label, c in self.counts.items():
            if c.created or c.updated or c.unchanged or c.deleted:
                parts = [f"{c.created} new", f"{c.updated} changed", f"{c.unchanged} unchanged"]
                if c.deleted:
                    parts.append(f"{c.deleted} removed")
                lines.append(f"{label}: " + ", ".join(parts))
        return lines


# --- reading input ------------------------------------------------------------------------------


def services_from_document(document: Any) -> list[Json]:
    """The services in an ORUK document: a list, a paged envelope or a single service."""
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        items = document["contents"]
    elif isinstance(document, list):
        items = document
    elif isinstance(document, dict) and "id" in document and "name" in document:
        items = [document]
    else:
        raise ImportFailed(
            "The file is not an Open Referral UK services document: expected a list of "
            'services, a page with "contents", or a single service.'
        )
    return items


def parse_json_bytes(raw: bytes) -> list[Json]:
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportFailed("The file is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    return services_from_document(document)


def fetch_url(
    *, url: str, timeout: float = URL_TIMEOUT_SECONDS, max_bytes: int = MAX_IMPORT_BYTES
) -> bytes:
    """Download a file to import: http or https only, with a timeout and a size limit."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        raise ImportFailed(f"Only http and https addresses can be imported from, not {url!r}.")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url, headers={"Accept": "application/json, text/csv;q=0.9, */*;q=0.1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise ImportFailed(f"{url} answered with HTTP {exc.code} ({exc.reason}).") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ImportFailed(f"Could not reach {url}: {reason}.") from exc
    if len(raw) > max_bytes:
        raise ImportFailed(f"{url} is larger than the {max_bytes // (1024 * 1024)} MB limit.")
    return raw


def directory_import_bytes(
    *,
    raw: bytes,
    file_format: str,
    dry_run: bool = False,
    draft: bool = False,
    actor: Any = None,
    source: str = "",
) -> ImportReport:
    """Import a JSON or CSV file's bytes. Unreadable files give a report with one error."""
    try:
        if file_format == "csv":
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ImportFailed(
                    "The CSV file is not UTF-8 text (save it as CSV UTF-8)."
                ) from exc
            return directory_import_csv(
                text=text, dry_run=dry_run, draft=draft, actor=actor, source=source
            )
        services = parse_json_bytes(raw)
    except ImportFailed as exc:
        return ImportReport(dry_run=dry_run, errors=[str(exc)])
    return directory_import_services(
        services=services, dry_run=dry_run, draft=draft, actor=actor, source=source
    )


def directory_import_url(
    *,
    url: str,
    file_format: str | None = None,
    dry_run: bool = False,
    draft: bool = False,
    actor: Any = None,
) -> ImportReport:
    try:
        raw = fetch_url(url=url)
    except ImportFailed as exc:
        return ImportReport(dry_run=dry_run, errors=[str(exc)])
    fmt = file_format or ("csv" if url.lower().split("?")[0].endswith(".csv") else "json")
    return directory_import_bytes(
        raw=raw, file_format=fmt, dry_run=dry_run, draft=draft, actor=actor, source=url
    )


# --- field reading and validation ---------------------------------------------------------------

MISSING: Any = object()
_EMAIL = EmailValidator()
_URL = URLValidator(schemes=["http", "https"])
_DAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_EXDATES = re.compile(r"(?:^|\s)Not running on (\d{4}-\d{2}-\d{2}(?:, \d{4}-\d{2}-\d{2})*)\.$")
_BANK_HOLIDAYS = "Not running on bank holidays."
_ZONE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


_MAX_LENGTHS: dict[tuple[type[models.Model], str], int | None] = {}


def _max_length(model: type[models.Model], name: str) -> int | None:
    key = (model, name)
    if key not in _MAX_LENGTHS:
        _MAX_LENGTHS[key] = model._meta.get_field(name).max_length
    return _MAX_LENGTHS[key]


class Reader:
    """One JSON object's fields, read with checks. Problems are added to `errors` as
    "<where>: <path>.<field> <problem>". In `partial` mode (the CSV import) a field that is
    absent is left alone (MISSING); otherwise absent means empty, as in ORUK."""

    __slots__ = ("data", "errors", "partial", "path", "where")

    def __init__(self, data: Any, *, where: str, path: str, errors: list[str], partial: bool):
        self.data = data if isinstance(data, dict) else {}
        self.where = where
        self.path = path
        self.errors = errors
        self.partial = partial
        if not isinstance(data, dict):
            self.error("", f"must be an object, not {_kind(data)}")

    def error(self, key: str, message: str) -> None:
        name = f"{self.path}.{key}" if self.path and key else (self.path or key)
        self.errors.append(f"{self.where}: {name} {message}".replace(":  ", ": "))

    def child(self, data: Any, path: str) -> Reader:
        full = f"{self.path}.{path}" if self.path else path
        return Reader(data, where=self.where, path=full, errors=self.errors, partial=self.partial)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        value = self.data.get(key)
        return None if value == "" else value

    def list(self, key: str) -> list[Any] | Any:
        if key not in self.data:
            return MISSING if self.partial else []
        value = self.data[key]
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(key, f"must be a list, not {_kind(value)}")
            return []
        return value

    def _absent(self, key: str, default: Any, required: bool) -> Any:
        if required:
            self.error(key, "is missing")
            return default
        return MISSING if self.partial and key not in self.data else default

    def text(
        self,
        key: str,
        *,
        model: type[models.Model] | None = None,
        name: str | None = None,
        required: bool = False,
        also: str | None = None,
    ) -> Any:
        value = self.data.get(key)
        if type(value) is str and value:
            # The usual case, answered at once: text within the column's length.
            if model is None:
                return value
            limit = _MAX_LENGTHS.get((model, name or key), MISSING)
            if limit is MISSING:
                limit = _max_length(model, name or key)
            if not limit or len(value) <= limit:
                return value
        elif (value is None or value == "") and not (also or required or self.partial):
            return ""  # absent, which in ORUK means empty
        value = self.raw(key)
        if value is None and also:
            value = self.raw(also)
        if value is None:
            return self._absent(key, "", required)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, f"must be text, not {_kind(value)}")
            return ""
        value = str(value)
        if model is not None:
            limit = _max_length(model, name or key)
            if limit and len(value) > limit:
                self.error(key, f'"{_short(value)}" is longer than {limit} characters')
                return value[:limit]
        return value

    def email(self, key: str, *, model: type[models.Model], name: str | None = None) -> Any:
        value = self.text(key, model=model, name=name)
        if value and value is not MISSING:
            try:
                _EMAIL(value)
            except ValidationError:
                self.error(key, f'"{_short(value)}" is not an email address')
        return value

    def url(self, key: str, *, model: type[models.Model], name: str | None = None) -> Any:
        value = self.text(key, model=model, name=name)
        if value and value is not MISSING:
            try:
                _URL(value)
            except ValidationError:
                self.error(key, f'"{_short(value)}" is not a web address (http or https)')
        return value

    def uuid(self, key: str, *, required: bool = False) -> Any:
        value = self.data.get(key)
        if type(value) is str and len(value) == 36:
            try:
                return uuid.UUID(value)
            except ValueError:
                pass  # reported below
        value = self.raw(key)
        if value is None:
            return self._absent(key, None, required)
        try:
            return uuid.UUID(str(value))
        except (ValueError, AttributeError, TypeError):
            self.error(key, f'"{_short(str(value))}" is not a UUID')
            return None

    def date(self, key: str, *, required: bool = False) -> Any:
        value = self.raw(key)
        if value is None:
            return self._absent(key, None, required)
        found = _parse_date(str(value))
        if found is None:
            self.error(key, f'"{_short(str(value))}" is not a date (YYYY-MM-DD)')
        return found

    def time(self, key: str) -> Any:
        value = self.raw(key)
        if value is None:
            return self._absent(key, None, False)
        found = _parse_time(str(value))
        if found is None:
            self.error(key, f'"{_short(str(value))}" is not a time (HH:MM)')
        return found

    def integer(self, key: str, *, low: int, high: int) -> Any:
        value = self.raw(key)
        if value is None:
            return self._absent(key, None, False)
        try:
            number = int(value) if not isinstance(value, float) or value.is_integer() else _bad()
            if isinstance(value, bool):
                raise ValueError
        except (ValueError, TypeError):
            self.error(key, f'"{_short(str(value))}" is not a whole number')
            return None
        if not low <= number <= high:
            self.error(key, f"{number} is not between {low} and {high}")
            return None
        return number

    def number(self, key: str, *, low: float, high: float) -> Any:
        value = self.raw(key)
        if value is None:
            return self._absent(key, None, False)
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except (ValueError, TypeError):
            self.error(key, f'"{_short(str(value))}" is not a number')
            return None
        if not low <= number <= high:
            self.error(key, f"{value} is not between {low:g} and {high:g}")
            return None
        return number

    def amount(self, key: str) -> Any:
        value = self.raw(key)
        if value is None:
            return self._absent(key, None, False)
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            amount = Decimal(str(value))
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.error(key, f'"{_short(str(value))}" is not an amount of money')
            return None
        if amount != amount.quantize(Decimal("0.01")) or abs(amount) >= Decimal("1000000"):
            self.error(key, f"{value} must be under 1,000,000 with at most 2 decimal places")
            return None
        return amount.quantize(Decimal("0.01"))

    def choice(self, key: str, *, choices: Iterable[str], default: str, required: bool = False):
        value = self.raw(key)
        if value is None:
            return self._absent(key, default, required)
        if value not in choices:
            allowed = ", ".join(choices)
            self.error(key, f'"{_short(str(value))}" must be one of: {allowed}')
            return default
        return value


def _bad() -> Any:
    raise ValueError


# Files give the same few dates and times over and over: each text is read once.
@functools.lru_cache(maxsize=4096)
def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else _bad()
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def _parse_time(text: str) -> time | None:
    # HSDS allows a zone on opening times; the directory keeps local times.
    try:
        return time.fromisoformat(_ZONE.sub("", text.strip())).replace(microsecond=0)
    except ValueError:
        return None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "a number" if isinstance(value, int | float) else "empty"
    )


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _drop_missing(values: Json) -> Json:
    return {k: v for k, v in values.items() if v is not MISSING}


# --- parsing each HSDS object into model field values ------------------------------------------


_STATUSES = tuple(Service.Status.values)
_LOCATION_TYPES = tuple(Location.LocationType.values)
_FREQS = tuple(Schedule.Freq.values)


def parse_service(r: Reader) -> Json:
    fees = r.text("fees")
    values = {
        "name": r.text("name", model=Service, required=True),
        "description": r.text("description"),
        "url": r.url("url", model=Service),
        "email": r.email("email", model=Service),
        "status": r.choice("status", choices=_STATUSES, default="active", required=False),
        "accreditations": r.text("accreditations"),
        "minimum_age": r.integer("minimum_age", low=0, high=32767),
        "maximum_age": r.integer("maximum_age", low=0, high=32767),
        "last_checked_at": r.date("assured_date"),
        "alert": r.text("alert"),
        "how_to_join": r.text("application_process"),
    }
    if fees is not MISSING:
        # Our export gives a free listing with no fee text as "Free".
        is_free = fees.strip().rstrip(".").lower() == "free"
        values["fees"] = "" if is_free else fees
        values["is_free"] = is_free
    if r.partial:
        # The CSV template's "cost" and "free" columns.
        if "_fees" in r.data:
            values["fees"] = str(r.data["_fees"])
        if "_is_free" in r.data:
            values["is_free"] = bool(r.data["_is_free"])
    low, high = values["minimum_age"], values["maximum_age"]
    if isinstance(low, int) and isinstance(high, int) and low > high:
        r.error("minimum_age", f"{low} is more than maximum_age {high}")
    return _drop_missing(values)


def parse_organization(r: Reader) -> Json:
    values = {
        "name": r.text("name", model=Provider, required=True),
        "description": r.text("description"),
        "email": r.email("email", model=Provider),
        "website": r.url("website", model=Provider),
        "logo": r.url("logo", model=Provider),
        "uri": r.url("uri", model=Provider),
    }
    if r.has("organization_identifiers"):
        found = {"charity_number": "", "company_number": ""}
        for i, item in enumerate(r.list("organization_identifiers")):
            ir = r.child(item, f"organization_identifiers[{i}]")
            scheme = str(ir.raw("identifier_scheme") or "").upper()
            kind = str(ir.raw("identifier_type") or "").lower()
            target = (
                "charity_number"
                if scheme.startswith("GB-CHC") or "charity" in kind
                else "company_number"
                if scheme == "GB-COH" or "company" in kind
                else None
            )
            if target:
                found[target] = ir.text("identifier", model=Provider, name=target)
        values.update(found)
    return _drop_missing(values)


def parse_location(r: Reader) -> Json:
    values = {
        "location_type": r.choice("location_type", choices=_LOCATION_TYPES, default="physical"),
        "name": r.text("name", model=Location),
        "description": r.text("description"),
        "latitude": r.number("latitude", low=-90, high=90),
        "longitude": r.number("longitude", low=-180, high=180),
        "external_identifier": r.text("external_identifier", model=Location),
        "external_identifier_type": r.text("external_identifier_type", model=Location),
        "transport": r.text("transportation"),
    }
    if (values["latitude"] is None) != (values["longitude"] is None):
        r.error("latitude", "and longitude must both be given, or neither")
    return _drop_missing(values)


def parse_address(r: Reader) -> Json:
    return _drop_missing(
        {
            "attention": r.text("attention", model=Address),
            "address_1": r.text("address_1", model=Address, required=True),
            "address_2": r.text("address_2", model=Address),
            "city": r.text("city", model=Address, required=True),
            "region": r.text("region", model=Address),
            "state_province": r.text("state_province", model=Address),
            "postal_code": r.text("postal_code", model=Address, required=True),
            "country": r.text("country", model=Address) or "GB",
            "address_type": r.choice(
                "address_type", choices=("physical", "postal"), default="physical"
            ),
        }
    )


# Accessibility descriptions other publishers use, to our features.
_FEATURE_WORDS = [
    ("changing places", "changing_places"),
    ("blue badge", "blue_badge_parking"),
    ("hearing loop", "hearing_loop"),
    ("induction loop", "hearing_loop"),
    ("step-free", "step_free"),
    ("step free", "step_free"),
    ("wheelchair", "step_free"),
    ("level access", "step_free"),
    ("accessible toilet", "accessible_toilet"),
    ("disabled toilet", "accessible_toilet"),
    ("sign language", "bsl"),
    ("bsl", "bsl"),
    ("large print", "large_print"),
    ("quiet", "quiet_space"),
    ("bus stop", "bus_stop"),
    ("parking", "parking"),
]
_FEATURES = {label.lower(): code for code, label in AccessibilityFeature.Feature.choices}
_FEATURES.update({code: code for code in AccessibilityFeature.Feature.values})


def feature_code(text: str) -> str | None:
    """Our accessibility feature for a description ("Hearing loop", "hearing_loop", ...)."""
    key = text.strip().lower()
    if key in _FEATURES:
        return _FEATURES[key]
    for words, code in _FEATURE_WORDS:
        if words in key:
            return code
    return None


def parse_accessibility(r: Reader) -> Json | None:
    description = r.raw("description") or r.raw("accessibility")
    code = feature_code(str(description)) if description else None
    if code is None:
        return None
    return _drop_missing(
        {
            "feature": code,
            "details": r.text("details"),
            "url": r.url("url", model=AccessibilityFeature),
        }
    )


def parse_phone(r: Reader) -> Json:
    return _drop_missing(
        {
            "number": r.text("number", model=Phone, required=True),
            "description": r.text("description", model=Phone),
        }
    )


def parse_contact(r: Reader) -> Json:
    return _drop_missing(
        {
            "name": r.text("name", model=Contact),
            "title": r.text("title", model=Contact),
            "email": r.email("email", model=Contact),
        }
    )


def parse_schedule(r: Reader) -> Json:
    freq = r.raw("freq")
    if freq is not None and str(freq).upper() not in _FREQS:
        r.error("freq", f'"{_short(str(freq))}" must be WEEKLY or MONTHLY')
        freq = ""
    freq = str(freq or "").upper()
    byday = r.text("byday", model=Schedule)
    if byday and byday is not MISSING:
        for day in byday.split(","):
            if not _DAY.match(day.strip().upper()):
                r.error("byday", f'"{_short(day.strip())}" is not a day')
        byday = ",".join(d.strip().upper() for d in byday.split(","))
    bymonthday = r.text("bymonthday", model=Schedule)
    if bymonthday and bymonthday is not MISSING:
        for day in bymonthday.split(","):
            try:
                ok = 1 <= abs(int(day)) <= 31
            except ValueError:
                ok = False
            if not ok:
                r.error("bymonthday", f'"{_short(day.strip())}" is not a day of the month')
    notes = r.text("notes")
    exdates: Any = MISSING if notes is MISSING else []
    skip = MISSING if notes is MISSING else False
    if notes and notes is not MISSING:
        # Our export writes exceptions into the notes; read them back.
        if notes.endswith(_BANK_HOLIDAYS):
            skip = True
            notes = notes[: -len(_BANK_HOLIDAYS)].rstrip()
        match = _EXDATES.search(notes)
        if match:
            exdates = match.group(1).split(", ")
            notes = notes[: match.start()].rstrip()
    interval = r.integer("interval", low=1, high=366)
    values = {
        "valid_from": r.date("valid_from"),
        "valid_to": r.date("valid_to"),
        "dtstart": r.date("dtstart"),
        "freq": freq if (freq or r.has("freq") or not r.partial) else MISSING,
        "interval": interval or 1 if interval is not MISSING else MISSING,
        "byday": byday if freq or byday is MISSING else "",
        "bymonthday": bymonthday if freq or bymonthday is MISSING else "",
        "until": r.date("until"),
        "count": r.integer("count", low=0, high=100000),
        "opens_at": r.time("opens_at"),
        "closes_at": r.time("closes_at"),
        "description": r.text("description"),
        "attending_type": r.text("attending_type", model=Schedule),
        "notes": notes,
        "exdates": exdates,
        "skip_bank_holidays": skip,
    }
    if values["dtstart"] is None:
        # The directory needs a first date; HSDS does not. Keep ours, else use valid_from.
        if values["valid_from"]:
            values["dtstart"] = values["valid_from"]
        else:
            values["dtstart"] = MISSING
    return _drop_missing(values)


def parse_cost_option(r: Reader) -> Json:
    currency = r.raw("currency")
    if currency not in (None, "GBP"):
        r.error("currency", f'"{_short(str(currency))}" is not GBP, the only currency held')
    return _drop_missing(
        {
            "option": r.text("option", model=CostOption),
            "amount": r.amount("amount"),
            "amount_description": r.text("amount_description", model=CostOption),
            "valid_from": r.date("valid_from"),
            "valid_to": r.date("valid_to"),
        }
    )


def parse_language(r: Reader) -> Json | None:
    if not r.raw("name") and not r.raw("code") and not r.raw("language"):
        return None
    name = r.text("name", model=Language, also="language")
    code = r.text("code", model=Language)
    return _drop_missing(
        {"name": name or code, "code": code, "note": r.text("note", model=Language)}
    )


def parse_funding(r: Reader) -> Json | None:
    if not r.raw("source"):
        return None
    return {"source": r.text("source", model=Funding)}


def parse_service_area(r: Reader) -> Json:
    return _drop_missing(
        {
            "name": r.text("name", model=ServiceArea, also="service_area", required=True),
            "extent": r.text("extent"),
            "extent_type": r.text("extent_type", model=ServiceArea),
            "uri": r.url("uri", model=ServiceArea),
        }
    )


def parse_term(r: Reader) -> Json:
    name = r.text("name", model=TaxonomyTerm, also="term", required=True)
    code = r.text("code", model=TaxonomyTerm)
    if not code and code is not MISSING:
        code = slugify(name)[:80] or "term"
    return _drop_missing(
        {
            "code": code,
            "name": name,
            "description": r.text("description"),
            "term_uri": r.url("term_uri", model=TaxonomyTerm),
        }
    )


# --- the plan: every object the file gives, by type and id -------------------------------------


@dataclass
class Planned:
    values: Json
    where: str
    partial: bool
    raw: Any = None  # the JSON it came from, to spot a shared object given two ways
    extra: Json = field(default_factory=dict)


@dataclass
class Plan:
    objects: dict[type[models.Model], dict[uuid.UUID, Planned]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    # Term links: service id -> term ids; in partial mode only the taxonomies listed are synced.
    service_terms: dict[uuid.UUID, set[uuid.UUID]] = field(default_factory=dict)
    term_scope: dict[uuid.UUID, set[str] | None] = field(default_factory=dict)
    # Whose nested lists are complete (so what is missing from them is deleted).
    full_services: set[uuid.UUID] = field(default_factory=set)
    full_locations: set[uuid.UUID] = field(default_factory=set)
    full_contacts: set[uuid.UUID] = field(default_factory=set)
    # Partial locations whose accessibility list is complete.
    access_locations: set[uuid.UUID] = field(default_factory=set)
    taxonomy_names: dict[uuid.UUID, str] = field(default_factory=dict)
    term_taxonomy_name: dict[uuid.UUID, str] = field(default_factory=dict)
    term_parents: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    provider_parents: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    schedule_sal: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    service_labels: dict[uuid.UUID, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(
        self,
        model: type[models.Model],
        pk: uuid.UUID,
        item: Planned,
        errors: list[str],
        *,
        shared: bool = False,
    ) -> bool:
        """Add an object; False when it was already there (a shared object given again)."""
        table = self.objects[model]
        first = table.get(pk)
        if first is None:
            table[pk] = item
            return True
        noun = TYPE_LABELS[model].rstrip("s").replace("addresse", "address")
        if shared and first.raw == item.raw:
            return False
        if shared:
            errors.append(
                f"{item.where}: {noun} {pk} is given again with different details "
                f"(first in {first.where.split(':')[0]})"
            )
        else:
            errors.append(
                f"{item.where}: {noun} id {pk} is used twice (also in {first.where.split(':')[0]})"
            )
        return False


def _service_where(index_: int, data: Any) -> str:
    name = data.get("name") if isinstance(data, dict) else None
    ident = data.get("id") if isinstance(data, dict) else None
    bits = []
    if isinstance(name, str) and name:
        bits.append(f'"{_short(name, 60)}"')
    if ident:
        bits.append(f"id {ident}")
    return f"Service {index_}" + (f" ({', '.join(bits)})" if bits else "")


def build_plan(
    services: list[Any], *, partial: bool = False, labels: list[str] | None = None
) -> tuple[Plan, list[str]]:
    """Read and check every service; returns the plan and every error found."""
    for cache in (_parse_uuid, _parse_date, _parse_time):
        cache.cache_clear()  # each import reads its own file afresh
    plan = Plan()
    errors: list[str] = []
    for n, data in enumerate(services, start=1):
        where = labels[n - 1] if labels else _service_where(n, data)
        _plan_service(plan, data, where=where, errors=errors, partial=partial)
    return plan, errors


def _object_id(r: Reader, key: str = "id") -> uuid.UUID | None:
    value = r.uuid(key, required=True)
    return value if isinstance(value, uuid.UUID) else None


def _plan_service(plan: Plan, data: Any, *, where: str, errors: list[str], partial: bool) -> None:
    r = Reader(data, where=where, path="", errors=errors, partial=partial)
    if not isinstance(data, dict):
        return
    service_id = _object_id(r)
    values = parse_service(r)
    org = r.raw("organization")
    provider_id: uuid.UUID | None = None
    if isinstance(org, dict):
        provider_id = _plan_organization(plan, r.child(org, "organization"))
        given = r.uuid("organization_id")
        if isinstance(given, uuid.UUID) and provider_id and given != provider_id:
            r.error("organization_id", "is not the id of the organization given with it")
    else:
        provider_id = r.uuid("organization_id", required=not partial)
    if service_id is None:
        # Reported already; read the rest so every problem is listed at once.
        service_id = uuid.uuid4()
    if isinstance(provider_id, uuid.UUID):
        values["provider_id"] = provider_id
    item = Planned(values=values, where=where, partial=partial)
    if not plan.add(Service, service_id, item, errors):
        return
    plan.service_labels[service_id] = where
    if not partial:
        plan.full_services.add(service_id)

    sal_ids: set[uuid.UUID] = set()
    for i, sal in enumerate(_list(r, "service_at_locations")):
        sr = r.child(sal, f"service_at_locations[{i}]")
        sal_id = _object_id(sr)
        location = sr.raw("location")
        if isinstance(location, dict):
            location_id = _plan_location(plan, sr.child(location, "location"))
        else:
            location_id = sr.uuid("location_id", required=True)
        if sal_id is None or not isinstance(location_id, uuid.UUID):
            continue
        sal_ids.add(sal_id)
        sal_values = _drop_missing(
            {
                "service_id": service_id,
                "location_id": location_id,
                "description": sr.text("description"),
            }
        )
        plan.add(ServiceAtLocation, sal_id, Planned(sal_values, _where(sr), partial), errors)
        # Some publishers nest a place's schedules here.
        for j, sched in enumerate(_list(sr, "schedules")):
            _plan_schedule(plan, sr.child(sched, f"schedules[{j}]"), service_id, errors, sal_id)

    for i, contact in enumerate(_list(r, "contacts")):
        cr = r.child(contact, f"contacts[{i}]")
        contact_id = _object_id(cr)
        if contact_id is None:
            continue
        cvalues = parse_contact(cr) | {"service_id": service_id}
        if plan.add(Contact, contact_id, Planned(cvalues, _where(cr), partial), errors):
            if not partial:
                plan.full_contacts.add(contact_id)
            for j, phone in enumerate(_list(cr, "phones")):
                _plan_phone(plan, cr.child(phone, f"phones[{j}]"), errors, contact_id=contact_id)

    for i, phone in enumerate(_list(r, "phones")):
        _plan_phone(plan, r.child(phone, f"phones[{i}]"), errors, service_id=service_id)
    for i, sched in enumerate(_list(r, "schedules")):
        _plan_schedule(plan, r.child(sched, f"schedules[{i}]"), service_id, errors, None)
    simple: list[tuple[str, type[models.Model], Callable[[Reader], Json | None]]] = [
        ("cost_options", CostOption, parse_cost_option),
        ("languages", Language, parse_language),
        ("funding", Funding, parse_funding),
        ("service_areas", ServiceArea, parse_service_area),
    ]
    for key, model, parse in simple:
        for i, sub in enumerate(_list(r, key)):
            cr = r.child(sub, f"{key}[{i}]")
            sub_id = _object_id(cr)
            sub_values = parse(cr)
            if sub_values is None:
                if sub_id is not None:
                    plan.warnings.append(f"{_where(cr)}: skipped, as it says nothing we hold")
                continue
            if sub_id is not None:
                sub_values["service_id"] = service_id
                plan.add(model, sub_id, Planned(sub_values, _where(cr), partial), errors)

    terms = None
    if r.has("attributes") or not partial:
        terms = set()
        for i, attr in enumerate(_list(r, "attributes")):
            ar = r.child(attr, f"attributes[{i}]")
            term = ar.raw("taxonomy_term")
            if isinstance(term, dict):
                term_id = _plan_term(plan, ar.child(term, "taxonomy_term"), errors)
            else:
                term_id = ar.uuid("taxonomy_term_id", required=True)
            if isinstance(term_id, uuid.UUID):
                terms.add(term_id)
    if r.has("taxonomy_terms"):
        terms = terms or set()
        for i, term in enumerate(_list(r, "taxonomy_terms")):
            term_id = _plan_term(plan, r.child(term, f"taxonomy_terms[{i}]"), errors)
            if term_id:
                terms.add(term_id)
    if terms is not None:
        plan.service_terms[service_id] = terms
        plan.term_scope[service_id] = data.get("_term_scope") if partial else None


def _list(r: Reader, key: str) -> list[Any]:
    value = r.list(key)
    return [] if value is MISSING else value


def _where(r: Reader) -> str:
    return f"{r.where}: {r.path}"


def _seen(plan: Plan, model: type[models.Model], r: Reader) -> uuid.UUID | None:
    """A shared object given again exactly as before: nothing more to read."""
    first = plan.objects[model].get(_plain_uuid(r.data.get("id")))
    if first is not None and first.raw == r.data:
        return _plain_uuid(r.data.get("id"))
    return None


def _plain_uuid(value: Any) -> uuid.UUID | None:
    return _parse_uuid(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=4096)
def _parse_uuid(value: str) -> uuid.UUID | None:
    # Shared objects (organisations, places, terms) give the same ids over and over.
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _plan_organization(plan: Plan, r: Reader) -> uuid.UUID | None:
    if (seen := _seen(plan, Provider, r)) is not None:
        return seen
    provider_id = _object_id(r)
    if provider_id is None:
        return None
    values = parse_organization(r)
    parent = r.uuid("parent_organization_id")
    item = Planned(values, _where(r), r.partial, raw=r.data)
    if plan.add(Provider, provider_id, item, r.errors, shared=True) and isinstance(
        parent, uuid.UUID
    ):
        plan.provider_parents[provider_id] = parent
    return provider_id


def _plan_location(plan: Plan, r: Reader) -> uuid.UUID | None:
    if (seen := _seen(plan, Location, r)) is not None:
        return seen
    location_id = _object_id(r)
    if location_id is None:
        return None
    values = parse_location(r)
    item = Planned(values, _where(r), r.partial, raw=r.data)
    if not plan.add(Location, location_id, item, r.errors, shared=True):
        return location_id
    if not r.partial:
        plan.full_locations.add(location_id)
    for i, address in enumerate(_list(r, "addresses")):
        ar = r.child(address, f"addresses[{i}]")
        address_id = _object_id(ar)
        address_values = parse_address(ar) | {"location_id": location_id}
        if address_id:
            plan.add(Address, address_id, Planned(address_values, _where(ar), r.partial), r.errors)
    seen: dict[str, str] = {}
    accessibility = r.list("accessibility")
    if accessibility is not MISSING and r.partial:
        plan.access_locations.add(location_id)
    for i, feature in enumerate(_list(r, "accessibility")):
        fr = r.child(feature, f"accessibility[{i}]")
        feature_id = _object_id(fr)
        feature_values = parse_accessibility(fr)
        if feature_values is None:
            plan.warnings.append(
                f"{_where(fr)}: skipped, as "
                f'"{_short(str(fr.raw("description") or fr.raw("accessibility") or ""))}" '
                "is not an accessibility feature we hold ("
                + ", ".join(AccessibilityFeature.Feature.labels)
                + ")"
            )
            continue
        code = feature_values["feature"]
        if code in seen:
            fr.error("description", f'gives "{code}" again (also {seen[code]})')
            continue
        seen[code] = f"accessibility[{i}]"
        if feature_id:
            feature_values["location_id"] = location_id
            plan.add(
                AccessibilityFeature,
                feature_id,
                Planned(feature_values, _where(fr), r.partial),
                r.errors,
            )
    for i, phone in enumerate(_list(r, "phones")):
        _plan_phone(plan, r.child(phone, f"phones[{i}]"), r.errors, location_id=location_id)
    return location_id


def _plan_phone(
    plan: Plan,
    r: Reader,
    errors: list[str],
    *,
    service_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
) -> None:
    phone_id = _object_id(r)
    values = parse_phone(r) | {
        "service_id": service_id,
        "contact_id": contact_id,
        "location_id": location_id,
    }
    if phone_id:
        plan.add(Phone, phone_id, Planned(values, _where(r), r.partial), errors)


def _plan_schedule(
    plan: Plan,
    r: Reader,
    service_id: uuid.UUID,
    errors: list[str],
    sal_id: uuid.UUID | None,
) -> None:
    schedule_id = _object_id(r)
    values = parse_schedule(r) | {"service_id": service_id}
    given_sal = r.uuid("service_at_location_id")
    if sal_id is None and isinstance(given_sal, uuid.UUID):
        sal_id = given_sal
    if schedule_id is None:
        return
    if given_sal is not MISSING or sal_id is not None or not r.partial:
        values["service_at_location_id"] = sal_id
    if sal_id is not None:
        plan.schedule_sal[schedule_id] = sal_id
    plan.add(Schedule, schedule_id, Planned(values, _where(r), r.partial), errors)


def _plan_term(plan: Plan, r: Reader, errors: list[str]) -> uuid.UUID | None:
    if (seen := _seen(plan, TaxonomyTerm, r)) is not None:
        return seen
    term_id = _object_id(r)
    values = parse_term(r)
    taxonomy_id = r.uuid("taxonomy_id")
    taxonomy_name = r.text("taxonomy", model=Taxonomy, name="name")
    parent = r.uuid("parent_id")
    if term_id is None:
        return None
    item = Planned(values, _where(r), r.partial, raw=r.data)
    if plan.add(TaxonomyTerm, term_id, item, errors, shared=True):
        if isinstance(taxonomy_id, uuid.UUID):
            item.extra["taxonomy_id"] = taxonomy_id
        if taxonomy_name and taxonomy_name is not MISSING:
            plan.term_taxonomy_name[term_id] = taxonomy_name
        if isinstance(parent, uuid.UUID):
            plan.term_parents[term_id] = parent
    return term_id


# --- placing locations in wards -----------------------------------------------------------------


class Placer:
    """`core.places.place_for_point`, with York's wards and small areas read once per import
    rather than once per point (a lookup costs ~3 ms, nearly all of it reading boundaries),
    and each point's answer kept."""

    def __init__(self) -> None:
        self.wards: list[Ward] | None = None
        self.areas: list[SmallArea] = []
        self.cache: dict[tuple[float, float], tuple[uuid.UUID | None, uuid.UUID | None]] = {}

    def place(self, lat: float, lon: float) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        key = (round(lat, 6), round(lon, 6))
        if key in self.cache:
            return self.cache[key]
        if self.wards is None:
            self.wards = list(Ward.objects.all())
            self.areas = list(SmallArea.objects.exclude(boundary=None))
        ward = next(
            (
                w.pk
                for w in self.wards
                if w.min_lat <= lat <= w.max_lat
                and w.min_lon <= lon <= w.max_lon
                and geo.contains(w.boundary, lat=lat, lon=lon)
            ),
            None,
        )
        area = next(
            (
                a.pk
                for a in self.areas
                if a.boundary
                and a.min_lat is not None
                and a.min_lat <= lat <= a.max_lat
                and a.min_lon <= lon <= a.max_lon
                and geo.contains(a.boundary, lat=lat, lon=lon)
            ),
            None,
        )
        self.cache[key] = (ward, area)
        return ward, area


# --- writing ------------------------------------------------------------------------------------


class _Abort(Exception):
    pass


# Columns the `before` hooks read of an object we hold.
_HOOK_COLUMNS: dict[type[models.Model], set[str]] = {
    Location: {"latitude", "longitude", "ward_id"},
}


def _in(model: type[models.Model], name: str, ids: Iterable[Any]) -> Any:
    """`<name>__in` these ids, as one query parameter however many there are."""
    field_ = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return in_list(field_, ids)


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ctx_for(provider: Provider) -> serializers.Context:
    return serializers.Context(public_provider_ids={provider.parent_id} - {None})


def _canonical(model: type[models.Model], obj: Any) -> Json:
    """What our own export says about this object, read back: the form the file is compared
    with, so that anything ORUK cannot say is never counted as a change."""
    scratch: list[str] = []

    def read(data: Json, parse: Callable[[Reader], Json | None]) -> Json:
        return parse(Reader(data, where="", path="", errors=scratch, partial=False)) or {}

    if model is Service:
        obj.last_modified = None
        data = read(
            serializers.service_summary(obj, serializers.Context(), with_organization=False),
            parse_service,
        )
        data["provider_id"] = obj.provider_id
        return data
    if model is Provider:
        data = read(
            serializers.organization(obj, _ctx_for(obj), identifiers=True), parse_organization
        )
        return data | {"parent_id": obj.parent_id}
    if model is Location:
        return read(serializers.location_summary(obj), parse_location)
    if model is Address:
        return read(serializers.address(obj), parse_address) | {"location_id": obj.location_id}
    if model is AccessibilityFeature:
        data = read(serializers.accessibility(obj), parse_accessibility)
        return data | {"location_id": obj.location_id}
    if model is Phone:
        return read(serializers.phone(obj), parse_phone) | {
            "service_id": obj.service_id,
            "contact_id": obj.contact_id,
            "location_id": obj.location_id,
        }
    if model is Contact:
        data = {"name": obj.name, "title": obj.title, "email": obj.email}
        return read(data, parse_contact) | {"service_id": obj.service_id}
    if model is Schedule:
        return read(serializers.schedule(obj), parse_schedule) | {
            "service_id": obj.service_id,
            "service_at_location_id": obj.service_at_location_id,
        }
    if model is CostOption:
        return read(serializers.cost_option(obj), parse_cost_option) | {
            "service_id": obj.service_id
        }
    if model is Language:
        return read(serializers.language(obj), parse_language) | {"service_id": obj.service_id}
    if model is Funding:
        return read(serializers.funding(obj), parse_funding) | {"service_id": obj.service_id}
    if model is ServiceArea:
        return read(serializers.service_area(obj), parse_service_area) | {
            "service_id": obj.service_id
        }
    if model is ServiceAtLocation:
        return {
            "service_id": obj.service_id,
            "location_id": obj.location_id,
            "description": obj.description,
        }
    if model is TaxonomyTerm:
        data = read(serializers.taxonomy_term(obj, taxonomy=obj.taxonomy), parse_term)
        return data | {"taxonomy_id": obj.taxonomy_id, "parent_id": obj.parent_id}
    raise AssertionError(model)


def _current(model: type[models.Model], obj: Any, item: Planned) -> Json:
    if item.partial:
        return {k: getattr(obj, k) for k in item.values}
    return _canonical(model, obj)


@dataclass
class _Writer:
    plan: Plan
    report: ImportReport
    draft: bool
    actor: Any
    source: str
    now: Any = field(default_factory=timezone.now)
    placer: Placer = field(default_factory=Placer)
    changed_services: dict[uuid.UUID, str] = field(default_factory=dict)
    changed_locations: set[uuid.UUID] = field(default_factory=set)
    changed_providers: set[uuid.UUID] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    # What this import created, by model (so nothing is looked for under them).
    created: dict[type[models.Model], set[uuid.UUID]] = field(
        default_factory=lambda: defaultdict(set)
    )

    @property
    def actor_id(self) -> Any:
        return getattr(self.actor, "pk", None)

    def run(self) -> None:
        plan = self.plan
        self.check_references()
        if self.errors:
            raise _Abort
        self.write_taxonomies()
        self.upsert(TaxonomyTerm, select_related=("taxonomy",), after=self.note_nothing)
        self.upsert(Provider, after=lambda pk, _i, _a: self.changed_providers.add(pk))
        self.upsert(Location, before=self.place, after=self.location_changed)
        self.delete_missing(
            Address, "location_id", plan.full_locations, after=self.location_changed_by
        )
        self.delete_missing(
            AccessibilityFeature,
            "location_id",
            plan.full_locations | plan.access_locations,
            after=self.location_changed_by,
        )
        self.delete_missing(
            Phone, "location_id", plan.full_locations, after=self.location_changed_by
        )
        self.upsert(Address, after=self.location_child_changed)
        self.upsert(AccessibilityFeature, after=self.location_child_changed)
        self.upsert(
            Service,
            select_related=("last_checked_by",),
            before=self.new_service,
            after=self.service_changed,
        )
        for model in (
            ServiceAtLocation,
            Contact,
            Phone,
            Schedule,
            CostOption,
            Language,
            Funding,
            ServiceArea,
        ):
            self.delete_missing(
                model, "service_id", plan.full_services, after=self.service_changed_by
            )
        self.delete_missing(Phone, "contact_id", plan.full_contacts, after=self.contact_changed_by)
        for model in (ServiceAtLocation, Contact):
            self.upsert(model, after=self.service_child_changed)
        self.upsert(Phone, after=self.phone_changed)
        for model in (Schedule, CostOption, Language, Funding, ServiceArea):
            self.upsert(model, after=self.service_child_changed)
        self.sync_terms()
        self.finish()

    # -- references that must exist ------------------------------------------------------------

    def check_references(self) -> None:
        plan = self.plan
        services = plan.objects[Service]
        providers = plan.objects[Provider]
        wanted = {i.values["provider_id"] for i in services.values() if "provider_id" in i.values}
        known = self.existing_ids(Provider, wanted - providers.keys())
        for item in services.values():
            provider_id = item.values.get("provider_id")
            if provider_id and provider_id not in providers and provider_id not in known:
                self.errors.append(
                    f"{item.where}: organization_id {provider_id} is not in the file or the "
                    "directory"
                )
        new_services = set(services) - self.existing_ids(Service, set(services))
        for pk in new_services:
            item = services[pk]
            if item.partial:
                missing = [k for k in ("name", "provider_id") if k not in item.values]
                if missing:
                    self.errors.append(f"{item.where}: a new listing needs a name and organisation")
        locations = plan.objects[Location]
        sal_locations = {i.values["location_id"] for i in plan.objects[ServiceAtLocation].values()}
        known = self.existing_ids(Location, sal_locations - locations.keys())
        for item in plan.objects[ServiceAtLocation].values():
            if (
                item.values["location_id"] not in locations
                and item.values["location_id"] not in known
            ):
                self.errors.append(
                    f"{item.where}.location_id {item.values['location_id']} is not in the file "
                    "or the directory"
                )
        sals = plan.objects[ServiceAtLocation]
        ref = set(plan.schedule_sal.values()) - sals.keys()
        known_sals = (
            dict(ServiceAtLocation.objects.filter(pk__in=list(ref)).values_list("pk", "service_id"))
            if ref
            else {}
        )
        for schedule_id, sal_id in plan.schedule_sal.items():
            item = plan.objects[Schedule][schedule_id]
            owner = sals[sal_id].values["service_id"] if sal_id in sals else None
            if owner is None and item.partial:
                owner = known_sals.get(sal_id)
            if owner is None:
                self.errors.append(
                    f"{item.where}.service_at_location_id {sal_id} is not one of this "
                    "service's places"
                )
            elif owner != item.values["service_id"]:
                self.errors.append(
                    f"{item.where}.service_at_location_id {sal_id} belongs to another service"
                )
        new_schedules = set(plan.objects[Schedule]) - self.existing_ids(
            Schedule, set(plan.objects[Schedule])
        )
        for pk in new_schedules:
            item = plan.objects[Schedule][pk]
            if "dtstart" not in item.values:
                item.values["dtstart"] = self.now.date()
        # (service, location) and (taxonomy, code) must be unique.
        seen: dict[tuple[Any, Any], str] = {}
        for item in sals.values():
            key = (item.values["service_id"], item.values["location_id"])
            if key in seen:
                self.errors.append(
                    f"{item.where}: the service is at this place twice (also {seen[key]})"
                )
            seen[key] = item.where.split(": ", 1)[-1]
        parents = set(plan.provider_parents.values()) - providers.keys()
        known = self.existing_ids(Provider, parents)
        for provider_id, parent in plan.provider_parents.items():
            if parent in providers or parent in known:
                providers[provider_id].values["parent_id"] = parent
        self.resolve_taxonomies()

    def existing_ids(self, model: type[models.Model], ids: set[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        query = model.objects.filter(pk__in=_in(model, "pk", ids)).order_by()
        return {pk for (pk,) in fetch_rows(query.values_list("pk"))}

    def resolve_taxonomies(self) -> None:
        """Each term's taxonomy: by its id, else by name (ours, or one made for it)."""
        plan = self.plan
        terms = plan.objects[TaxonomyTerm]
        if not terms:
            return
        existing_terms = {
            t.pk: t
            for chunk in _chunks(list(terms))
            for t in TaxonomyTerm.objects.filter(pk__in=chunk)
        }
        by_name = {t.name.lower(): t.pk for t in Taxonomy.objects.all()}
        known_ids = set(by_name.values())
        for term_id, item in terms.items():
            taxonomy_id = item.extra.get("taxonomy_id")
            name = plan.term_taxonomy_name.get(term_id)
            if taxonomy_id is None and term_id in existing_terms and name is None:
                taxonomy_id = existing_terms[term_id].taxonomy_id
            if taxonomy_id is None:
                name = name or "Imported terms"
                taxonomy_id = by_name.get(name.lower()) or uuid.uuid5(
                    serializers.DERIVED_ID_NAMESPACE, f"taxonomy:{name.lower()}"
                )
            if taxonomy_id not in known_ids and taxonomy_id not in plan.taxonomy_names:
                plan.taxonomy_names[taxonomy_id] = name or "Imported terms"
            item.values["taxonomy_id"] = taxonomy_id
            parent = plan.term_parents.get(term_id)
            if parent is not None:
                item.values["parent_id"] = parent
        parents = set(plan.term_parents.values()) - terms.keys()
        known_parents = self.existing_ids(TaxonomyTerm, parents)
        for term_id, parent in plan.term_parents.items():
            if parent not in terms and parent not in known_parents:
                terms[term_id].values.pop("parent_id", None)
                self.report.warnings.append(
                    f"{terms[term_id].where}: parent_id {parent} is not in the file or the "
                    "directory, so the term is kept without a parent"
                )
        codes: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
        for term_id, item in terms.items():
            code = item.values.get("code") or (
                existing_terms[term_id].code if term_id in existing_terms else ""
            )
            key = (item.values["taxonomy_id"], code)
            if key in codes:
                self.errors.append(
                    f'{item.where}: code "{code}" is used by two terms in one taxonomy'
                )
            codes[key] = term_id
        for chunk in _chunks(list(codes)):
            query = models.Q()
            for taxonomy_id, code in chunk:
                query |= models.Q(taxonomy_id=taxonomy_id, code=code)
            for other in TaxonomyTerm.objects.filter(query).exclude(pk__in=list(terms)):
                term_id = codes[(other.taxonomy_id, other.code)]
                self.errors.append(
                    f'{terms[term_id].where}: code "{other.code}" already belongs to the term '
                    f'"{other.name}" ({other.pk}) in that taxonomy'
                )

    def write_taxonomies(self) -> None:
        counts = self.report.count(TYPE_LABELS[Taxonomy])
        if not self.plan.taxonomy_names:
            return
        codes = set(Taxonomy.objects.values_list("code", flat=True))
        new = []
        source = f" from {self.source}" if self.source else ""
        for pk, name in self.plan.taxonomy_names.items():
            code = slugify(name)[:50] or "imported"
            if code in codes:
                code = f"{code}-{str(pk)[:8]}"
            codes.add(code)
            new.append(
                Taxonomy(
                    id=pk,
                    code=code,
                    name=name,
                    description=f"Terms imported with listings{source}.",
                    created_by_id=self.actor_id,
                    modified_by_id=self.actor_id,
                )
            )
        insert_objects(Taxonomy, new)
        counts.created += len(new)

    # -- the generic upsert ----------------------------------------------------------------------

    def upsert(
        self,
        model: type[models.Model],
        *,
        select_related: tuple[str, ...] = (),
        before: Callable[[uuid.UUID, Planned, Any], None] | None = None,
        after: Callable[[uuid.UUID, Planned, str], None] | None = None,
    ) -> None:
        planned = self.plan.objects.get(model, {})
        counts = self.report.count(TYPE_LABELS[model])
        if not planned:
            return
        # What we hold of these objects, as plain values of the columns the file gives (and
        # those the hooks read): most objects in a re-import are unchanged, and seeing that
        # needs no model instances. An object whose values differ is then judged as before,
        # against our own export of it (`_current`), so the outcome is the same.
        columns = sorted(
            {k for item in planned.values() for k in item.values} | _HOOK_COLUMNS.get(model, set())
        )
        existing: dict[uuid.UUID, dict[str, Any]] = {
            row[0]: dict(zip(columns, row[1:], strict=True))
            for row in fetch_rows(
                model.objects.filter(pk__in=_in(model, "pk", planned))
                .order_by()
                .values_list("pk", *columns)
            )
        }
        slow: list[uuid.UUID] = []
        for pk, item in planned.items():
            row = existing.get(pk)
            if before is not None:
                before(pk, item, SimpleNamespace(**row) if row is not None else None)
            if row is None:
                continue
            if item.extra.get("also") or any(row[k] != v for k, v in item.values.items()):
                slow.append(pk)
        objects: dict[uuid.UUID, models.Model] = {}
        for chunk in _chunks(slow):
            objects.update(
                (o.pk, o)
                for o in model.objects.filter(pk__in=chunk).select_related(*select_related)
            )
        creates: list[dict[str, Any]] = []
        updates: list[models.Model] = []
        fields: set[str] = set()
        created = self.created[model]
        actor_id = self.actor_id
        for pk, item in planned.items():
            if pk not in existing:
                creates.append(
                    {"id": pk, "created_by_id": actor_id, "modified_by_id": actor_id, **item.values}
                )
                created.add(pk)
                counts.created += 1
                if after:
                    after(pk, item, "created")
                continue
            obj = objects.get(pk)
            if obj is None:
                counts.unchanged += 1
                continue
            current = _current(model, obj, item)
            same = all(current.get(k, MISSING) == v for k, v in item.values.items())
            changes = dict(item.extra.get("also", {}))
            if not same:
                changes.update({k: v for k, v in item.values.items() if getattr(obj, k) != v})
            if not changes:
                counts.unchanged += 1
                continue
            for k, v in changes.items():
                setattr(obj, k, v)
            fields.update(changes)
            updates.append(obj)
            counts.updated += 1
            if after:
                after(pk, item, "updated")
        if creates:
            if model is Service:
                # Every new listing's `modified_at` is the import's time (see `finish`).
                for row in creates:
                    row["modified_at"] = self.now
                insert_values(model, creates, given=("modified_at",))
            else:
                insert_values(model, creates)
        if updates:
            for obj in updates:
                obj.modified_at = self.now
                obj.modified_by_id = self.actor_id
            model.objects.bulk_update(
                updates,
                sorted(fields | {"modified_at", "modified_by_id"}),
                batch_size=BATCH_SIZE,
            )

    def delete_missing(
        self,
        model: type[models.Model],
        parent_field: str,
        parents: set[uuid.UUID],
        *,
        after: Callable[[uuid.UUID], None],
    ) -> None:
        """Delete what these parents hold that the file no longer gives."""
        planned = self.plan.objects.get(model, {})
        counts = self.report.count(TYPE_LABELS[model])
        doomed: list[uuid.UUID] = []
        # Objects this import has just created hold nothing yet.
        parents = parents - self.created[model._meta.get_field(parent_field).related_model]
        if parents:
            held = model.objects.filter(
                **{f"{parent_field}__in": _in(model, parent_field, parents)}
            )
            if planned:
                # Only what the file no longer gives comes back.
                held = held.exclude(pk__in=_in(model, "pk", planned))
            for pk, parent in fetch_rows(held.order_by().values_list("pk", parent_field)):
                doomed.append(pk)
                after(parent)
        for chunk in _chunks(doomed):
            model.objects.filter(pk__in=chunk).delete()
        counts.deleted += len(doomed)

    # -- hooks -----------------------------------------------------------------------------------

    def note_nothing(self, pk: uuid.UUID, item: Planned, action: str) -> None:
        return None

    def place(self, pk: uuid.UUID, item: Planned, obj: Location | None) -> None:
        lat, lon = item.values.get("latitude"), item.values.get("longitude")
        if lat is None or lon is None:
            return
        moved = obj is not None and (obj.latitude, obj.longitude) != (lat, lon)
        if obj is None or moved or obj.ward_id is None:
            ward, area = self.placer.place(lat, lon)
            if obj is None:
                item.values["ward_id"], item.values["small_area_id"] = ward, area
            elif moved or (ward is not None and obj.ward_id is None):
                item.extra["also"] = {"ward_id": ward, "small_area_id": area}

    def location_changed(self, pk: uuid.UUID, item: Planned, action: str) -> None:
        self.changed_locations.add(pk)

    def location_changed_by(self, location_id: uuid.UUID) -> None:
        self.changed_locations.add(location_id)

    def location_child_changed(self, pk: uuid.UUID, item: Planned, action: str) -> None:
        self.changed_locations.add(item.values["location_id"])

    def new_service(self, pk: uuid.UUID, item: Planned, obj: Service | None) -> None:
        if obj is None:
            published = not self.draft
            item.values["state"] = Service.State.DRAFT if self.draft else Service.State.PUBLISHED
            if published:
                item.values["published_at"] = self.now

    def service_changed(self, pk: uuid.UUID, item: Planned, action: str) -> None:
        self.changed_services[pk] = action

    def service_changed_by(self, service_id: uuid.UUID) -> None:
        self.changed_services.setdefault(service_id, "updated")

    def service_child_changed(self, pk: uuid.UUID, item: Planned, action: str) -> None:
        self.changed_services.setdefault(item.values["service_id"], "updated")

    def contact_changed_by(self, contact_id: uuid.UUID) -> None:
        service_id = (
            Contact.objects.filter(pk=contact_id).values_list("service_id", flat=True).first()
        )
        if service_id:
            self.changed_services.setdefault(service_id, "updated")

    def phone_changed(self, pk: uuid.UUID, item: Planned, action: str) -> None:
        values = item.values
        if values.get("location_id"):
            self.changed_locations.add(values["location_id"])
        elif values.get("service_id"):
            self.changed_services.setdefault(values["service_id"], "updated")
        elif values.get("contact_id"):
            contact = self.plan.objects[Contact].get(values["contact_id"])
            if contact is not None:
                self.changed_services.setdefault(contact.values["service_id"], "updated")
            else:
                self.contact_changed_by(values["contact_id"])

    # -- taxonomy term links ---------------------------------------------------------------------

    def sync_terms(self) -> None:
        through = Service.terms.through
        counts = self.report.count(TERM_LINKS)
        wanted = self.plan.service_terms
        scoped = {pk for pk, scope in self.plan.term_scope.items() if scope is not None}
        taxonomy_of: dict[uuid.UUID, str] = {}
        if scoped:
            taxonomy_of = dict(TaxonomyTerm.objects.values_list("pk", "taxonomy__code"))
        creates: list[tuple[uuid.UUID, uuid.UUID]] = []
        doomed: list[int] = []
        have: dict[uuid.UUID, dict[uuid.UUID, int]] = defaultdict(dict)
        # Services this import created have no links yet.
        held = [pk for pk in wanted if pk not in self.created[Service]]
        if held:
            for link_id, service_id, term_id in fetch_rows(
                through.objects.filter(service_id__in=_in(through, "service", held))
                .order_by()
                .values_list("pk", "service_id", "taxonomyterm_id")
            ):
                have[service_id][term_id] = link_id
        for service_id, terms in wanted.items():
            scope = self.plan.term_scope.get(service_id)
            current = have.get(service_id, {})
            for term_id in terms - current.keys():
                creates.append((service_id, term_id))
                self.changed_services.setdefault(service_id, "updated")
            for term_id, link_id in current.items():
                if term_id in terms:
                    counts.unchanged += 1
                elif scope is None or taxonomy_of.get(term_id) in scope:
                    doomed.append(link_id)
                    self.changed_services.setdefault(service_id, "updated")
        insert_rows(through, ("service", "taxonomyterm"), creates)
        for chunk in _chunks(doomed):
            through.objects.filter(pk__in=chunk).delete()
        counts.created += len(creates)
        counts.deleted += len(doomed)

    # -- after writing ---------------------------------------------------------------------------

    def finish(self) -> None:
        """Every listing whose data changed gets a new modified_at and search entry."""
        affected = dict(self.changed_services)
        if self.changed_providers:
            for pk in (
                Service.objects.filter(
                    provider_id__in=_in(Service, "provider", self.changed_providers)
                )
                .order_by()
                .values_list("pk", flat=True)
            ):
                affected.setdefault(pk, "updated")
        if self.changed_locations:
            for pk in (
                ServiceAtLocation.objects.filter(
                    location_id__in=_in(ServiceAtLocation, "location", self.changed_locations)
                )
                .order_by()
                .values_list("service_id", flat=True)
            ):
                affected.setdefault(pk, "updated")
        ids = list(affected)
        for chunk in _chunks(ids, INDEX_BATCH):
            # New listings were written with it.
            touch = [pk for pk in chunk if pk not in self.created[Service]]
            if touch:
                Service.objects.filter(pk__in=_in(Service, "pk", touch)).update(
                    modified_at=self.now
                )
            index.index_services(service_ids=chunk)
        names: dict[uuid.UUID, str] = {}
        if ids:
            names.update(
                Service.objects.filter(pk__in=_in(Service, "pk", ids))
                .order_by()
                .values_list("pk", "name")
            )
        note = f"Imported{f' from {self.source}' if self.source else ''}"
        actor_label = str(self.actor or "import")
        changes = []
        for pk, action in affected.items():
            self.report.changed_services.append(
                ServiceChange(id=pk, name=names.get(pk, ""), action=action)
            )
            changes.append(
                {
                    "service_id": pk,
                    "actor_id": self.actor_id,
                    "actor_label": actor_label,
                    "action": "import",
                    "note": note,
                }
            )
        insert_values(ListingChange, changes)
        self.report.changed_services.sort(key=lambda c: (c.action != "created", c.name.lower()))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while an import reads and writes: it makes and keeps
    hundreds of thousands of objects, and each full collection walks all of them (it was a
    third of the time of a large import). Nothing here needs collecting before the end, and
    the collector runs as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def directory_import_services(
    *,
    services: list[Any],
    dry_run: bool = False,
    draft: bool = False,
    actor: Any = None,
    source: str = "",
    partial: bool = False,
    labels: list[str] | None = None,
) -> ImportReport:
    """Import parsed ORUK services (see the module docstring). All or nothing."""
    report = ImportReport(dry_run=dry_run, services_in_file=len(services))
    for model in TYPE_LABELS:
        report.count(TYPE_LABELS[model])
    report.count(TERM_LINKS)
    with _collector_paused():
        # Returns before the collector is back, so all it made is freed first.
        _import(report, services, dry_run, draft, actor, source, partial, labels)
    return report


def _import(
    report: ImportReport,
    services: list[Any],
    dry_run: bool,
    draft: bool,
    actor: Any,
    source: str,
    partial: bool,
    labels: list[str] | None,
) -> None:
    plan, errors = build_plan(services, partial=partial, labels=labels)
    report.warnings.extend(plan.warnings)
    if errors:
        report.errors = errors
        return
    writer = _Writer(plan=plan, report=report, draft=draft, actor=actor, source=source)
    try:
        with transaction.atomic():
            writer.run()
            if dry_run:
                transaction.set_rollback(True)
    except _Abort:
        report.errors = writer.errors
    except (IntegrityError, DataError) as exc:
        report.errors = [f"The import could not be saved, so nothing was changed: {exc}"]
    if report.errors:
        # Nothing was written: say so, rather than counting what would have been.
        report.changed_services = []


def directory_import_json(
    *, data: Any, dry_run: bool = False, draft: bool = False, actor: Any = None, source: str = ""
) -> ImportReport:
    """Import an ORUK document already loaded from JSON."""
    try:
        services = services_from_document(data)
    except ImportFailed as exc:
        return ImportReport(dry_run=dry_run, errors=[str(exc)])
    return directory_import_services(
        services=services, dry_run=dry_run, draft=draft, actor=actor, source=source
    )


# --- the CSV template ---------------------------------------------------------------------------

# Column headings, in the template's order, and what each holds.
CSV_COLUMNS: list[tuple[str, str]] = [
    ("id", "Leave empty for a new listing; keep it when re-importing an export"),
    ("listing name", "Required"),
    ("description", "Required: what happens, who it is for"),
    ("organisation name", "Required: who runs it"),
    ("organisation website", "https://..."),
    ("email", "The listing's contact email"),
    ("phone", "The listing's phone number"),
    ("website", "The listing's web page, https://..."),
    ("venue name", "Where it happens"),
    ("address line 1", ""),
    ("town", ""),
    ("postcode", ""),
    ("latitude", "e.g. 53.959"),
    ("longitude", "e.g. -1.081"),
    ("days", 'e.g. "Tuesday" or "Monday; Thursday"'),
    ("start time", "e.g. 10:00"),
    ("end time", "e.g. 12:00"),
    ("frequency", "weekly, fortnightly, monthly or once"),
    ("cost", 'e.g. "£2 a session, including tea"'),
    ("free", "yes or no"),
    ("needs", "Names or codes from the needs list, separated by ;"),
    ("min age", ""),
    ("max age", ""),
    ("accessibility", "Features, separated by ;"),
]
CSV_HEADINGS = [name for name, _ in CSV_COLUMNS]
NEEDS_TAXONOMY = "needs"
DAY_NAMES = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
DAY_WORDS = {v: k.title() for k, v in DAY_NAMES.items()}
FREQUENCIES = {
    "weekly": ("WEEKLY", 1),
    "every week": ("WEEKLY", 1),
    "fortnightly": ("WEEKLY", 2),
    "every two weeks": ("WEEKLY", 2),
    "monthly": ("MONTHLY", 1),
    "daily": ("DAILY", 1),
    "once": ("", 1),
    "one-off": ("", 1),
}
ORDINALS = {"1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4}
ORDINALS |= {"fourth": 4, "5th": 5, "fifth": 5, "last": -1}
ORDINAL_WORDS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}
# Where a problem the checks find is in the template, by the ORUK field it became.
CSV_FIELD_COLUMNS = [
    ("service_at_locations[0].location.addresses[0].address_1", "address line 1"),
    ("service_at_locations[0].location.addresses[0].city", "town"),
    ("service_at_locations[0].location.addresses[0].postal_code", "postcode"),
    ("service_at_locations[0].location.latitude", "latitude"),
    ("service_at_locations[0].location.longitude", "longitude"),
    ("service_at_locations[0].location.name", "venue name"),
    ("organization.name", "organisation name"),
    ("organization.website", "organisation website"),
    ("phones[0].number", "phone"),
    ("schedules[0].opens_at", "start time"),
    ("schedules[0].closes_at", "end time"),
    ("schedules[0].byday", "days"),
    ("minimum_age", "min age"),
    ("maximum_age", "max age"),
    ("url", "website"),
    ("name", "listing name"),
]


def csv_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(CSV_ID_NAMESPACE, ":".join(str(p).strip().lower() for p in parts))


def _split(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;\n]", value) if p.strip()]


def _yes_no(value: str) -> bool | None:
    key = value.strip().lower()
    if key in ("yes", "y", "true", "1", "free"):
        return True
    if key in ("no", "n", "false", "0", ""):
        return False
    return None


def _postcode_key(value: str) -> str:
    return value.replace(" ", "").upper()


def frequency_words(freq: str, interval: int) -> str:
    if freq == "WEEKLY" and interval == 2:
        return "fortnightly"
    if interval > 1:
        unit = {"WEEKLY": "weeks", "MONTHLY": "months", "DAILY": "days"}.get(freq, "weeks")
        return f"every {interval} {unit}"
    return {"WEEKLY": "weekly", "MONTHLY": "monthly", "DAILY": "daily"}.get(freq, "once")


def days_words(byday: str) -> str:
    """TU -> "Tuesday"; 1MO,3MO -> "1st Monday; 3rd Monday"."""
    words = []
    for token in filter(None, byday.split(",")):
        match = _DAY.match(token)
        if not match:
            continue
        day = DAY_WORDS[match.group(2)]
        words.append(
            f"{ORDINAL_WORDS.get(int(match.group(1)), match.group(1))} {day}"
            if match.group(1)
            else day
        )
    return "; ".join(words)


@dataclass
class _CsvLookup:
    """What the rows refer to that we already hold, found in a few queries."""

    needs: dict[str, TaxonomyTerm]
    need_names: list[str]
    providers: dict[str, list[tuple[uuid.UUID, str]]]
    slots: dict[uuid.UUID, Json]
    venues: dict[tuple[str, str], tuple[uuid.UUID, uuid.UUID]]
    features: dict[tuple[uuid.UUID, str], uuid.UUID]


def _csv_lookup(rows: list[tuple[int, dict[str, str]]]) -> _CsvLookup:
    needs = {}
    for term in TaxonomyTerm.objects.filter(taxonomy__code=NEEDS_TAXONOMY).select_related(
        "taxonomy"
    ):
        needs[term.name.lower()] = term
        needs[term.code.lower()] = term
    providers: dict[str, list[tuple[uuid.UUID, str]]] = defaultdict(list)
    names = {row.get("organisation name", "").lower() for _, row in rows}
    for pk, name in Provider.objects.values_list("pk", "name"):
        if name.lower() in names:
            providers[name.lower()].append((pk, name))
    ids = []
    for _, row in rows:
        with contextlib.suppress(ValueError):
            ids.append(uuid.UUID(row.get("id", "")))
    slots: dict[uuid.UUID, Json] = defaultdict(dict)
    for chunk in _chunks(ids):
        for pk, provider_id in Service.objects.filter(pk__in=chunk).values_list(
            "pk", "provider_id"
        ):
            slots[pk]["provider"] = provider_id
        # Descending, so the first in the export's order (created_at, id) is kept.
        for model, key in ((Schedule, "schedule"), (Phone, "phone")):
            for pk, service_id in (
                model.objects.filter(service_id__in=chunk)
                .order_by("-created_at", "-id")
                .values_list("pk", "service_id")
            ):
                slots[service_id][key] = pk
        for pk, service_id in (
            ServiceAtLocation.objects.filter(service_id__in=chunk)
            .order_by("-created_at", "-id")
            .values_list("pk", "service_id")
        ):
            slots[service_id]["sal"] = pk
    postcodes = {_postcode_key(row.get("postcode", "")) for _, row in rows} - {""}
    wanted = set()
    for code in postcodes:
        wanted.update({code, f"{code[:-3]} {code[-3:]}"})
    venues = {}
    for chunk in _chunks(list(wanted)):
        for address_id, location_id, name, postcode in (
            Address.objects.filter(postal_code__in=chunk)
            .order_by("-created_at", "-id")
            .values_list("pk", "location_id", "location__name", "postal_code")
        ):
            venues[(name.lower(), _postcode_key(postcode))] = (location_id, address_id)
    features = {}
    location_ids = [v[0] for v in venues.values()]
    for chunk in _chunks(location_ids):
        for pk, location_id, code in AccessibilityFeature.objects.filter(
            location_id__in=chunk
        ).values_list("pk", "location_id", "feature"):
            features[(location_id, code)] = pk
    return _CsvLookup(
        needs=needs,
        need_names=sorted({t.name for t in needs.values()}),
        providers=providers,
        slots=slots,
        venues=venues,
        features=features,
    )


def csv_to_services(*, text: str) -> tuple[list[Json], list[str], list[str]]:
    """The template's rows as ORUK services holding only what the columns say; returns the
    services, where each row is (for messages) and the errors found.

    - A row without an id gets one derived from its organisation and listing name, so
      importing the same sheet again updates the listings rather than adding them twice.
    - Organisations are matched by name, and venues by name and postcode, to ones we hold;
      otherwise they get ids derived the same way, so rows sharing one share a record.
    - For a listing we already hold, its first place, schedule and phone are the ones a row
      updates. A CSV import never deletes: anything else a listing has (more schedules,
      contacts, costs, other taxonomies' terms) is kept. The row's needs replace the listing's
      needs, and its accessibility list replaces its venue's features.
    """
    errors: list[str] = []
    reader = csv.DictReader(io.StringIO(text))
    headings = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [h for h in ("listing name", "organisation name") if h not in headings]
    if missing:
        return (
            [],
            [],
            [
                "The CSV file's first row must be the template's column headings; missing: "
                + ", ".join(missing)
            ],
        )
    rows = []
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if any(row.values()):
            rows.append((n, row))
    lookup = _csv_lookup(rows)
    services, labels = [], []
    for n, row in rows:
        where = f'Row {n} ("{_short(row.get("listing name", ""), 60)}")'
        service = _csv_row(row, where, errors, lookup)
        if service is not None:
            services.append(service)
            labels.append(where)
    return services, labels, errors


def _csv_row(row: dict[str, str], where: str, errors: list[str], lookup: _CsvLookup) -> Json | None:
    def error(column: str, message: str) -> None:
        errors.append(f"{where}: {column} {message}")

    name = row.get("listing name", "")
    org_name = row.get("organisation name", "")
    if not name:
        error("listing name", "is empty")
    if not org_name:
        error("organisation name", "is empty")
    if row.get("id"):
        try:
            service_id = uuid.UUID(row["id"])
        except ValueError:
            error(
                "id",
                f'"{_short(row["id"])}" is not an id from an export '
                "(leave it empty for a new listing)",
            )
            return None
    else:
        service_id = csv_id("service", org_name, name)
    slot = lookup.slots.get(service_id, {})
    same_name = lookup.providers.get(org_name.lower(), [])
    if slot.get("provider") in {pk for pk, _ in same_name}:
        provider_id = slot["provider"]
    elif same_name:
        provider_id = same_name[0][0]
    else:
        provider_id = csv_id("organisation", org_name)
    organization: Json = {"id": str(provider_id), "name": org_name}
    if "organisation website" in row:
        organization["website"] = row["organisation website"]
    service: Json = {
        "id": str(service_id),
        "name": name,
        "organization": organization,
        "_term_scope": {NEEDS_TAXONOMY},
    }
    for column, key in (("description", "description"), ("website", "url"), ("email", "email")):
        if column in row:
            service[key] = row[column]
    if not row.get("description") and service_id not in lookup.slots:
        error("description", "is empty")
    for column, key in (("min age", "minimum_age"), ("max age", "maximum_age")):
        if column in row:
            service[key] = row[column] or None
    if "free" in row:
        free = _yes_no(row["free"])
        if free is None:
            error("free", f'"{_short(row["free"])}" must be yes or no')
        service["_is_free"] = bool(free)
    if "cost" in row:
        service["_fees"] = row["cost"]
    if row.get("phone"):
        phone_id = slot.get("phone") or csv_id(service_id, "phone")
        service["phones"] = [{"id": str(phone_id), "number": row["phone"]}]
    _csv_place(row, service, service_id, slot, lookup, error)
    _csv_schedule(row, service, service_id, slot, error)
    if "needs" in row:
        terms = []
        for need in _split(row["needs"]):
            term = lookup.needs.get(need.lower())
            if term is None:
                error(
                    "needs",
                    f'"{_short(need)}" is not in the needs list; use: '
                    + "; ".join(lookup.need_names),
                )
                continue
            terms.append(
                {
                    "id": str(term.pk),
                    "name": term.name,
                    "code": term.code,
                    "taxonomy_id": str(term.taxonomy_id),
                    "taxonomy": term.taxonomy.name,
                }
            )
        service["taxonomy_terms"] = terms
    return service


def _csv_place(
    row: dict[str, str],
    service: Json,
    service_id: uuid.UUID,
    slot: Json,
    lookup: _CsvLookup,
    error: Callable[[str, str], None],
) -> None:
    venue = row.get("venue name", "")
    address_1, town, postcode = (row.get(k, "") for k in ("address line 1", "town", "postcode"))
    if not (venue or address_1 or town or postcode or row.get("latitude")):
        return
    if address_1 or town or postcode:
        for column, value in (
            ("address line 1", address_1),
            ("town", town),
            ("postcode", postcode),
        ):
            if not value:
                error(column, "is empty (give the address line 1, town and postcode)")
    known = lookup.venues.get((venue.lower(), _postcode_key(postcode)))
    if known:
        location_id, address_id = known
    else:
        location_id = csv_id("venue", venue, _postcode_key(postcode), address_1)
        address_id = csv_id(location_id, "address")
    location: Json = {"id": str(location_id), "name": venue}
    if row.get("latitude") or row.get("longitude"):
        location["latitude"] = row.get("latitude")
        location["longitude"] = row.get("longitude")
    if address_1 or town or postcode:
        location["addresses"] = [
            {
                "id": str(address_id),
                "address_1": address_1,
                "city": town,
                "postal_code": postcode.upper(),
            }
        ]
    if "accessibility" in row:
        location["accessibility"] = []
        for feature in _split(row["accessibility"]):
            code = feature_code(feature)
            if code is None:
                error(
                    "accessibility",
                    f'"{_short(feature)}" is not a feature; use: '
                    + "; ".join(AccessibilityFeature.Feature.labels),
                )
                continue
            feature_id = lookup.features.get((location_id, code)) or csv_id(
                location_id, "feature", code
            )
            location["accessibility"].append({"id": str(feature_id), "description": code})
    sal_id = slot.get("sal") or csv_id(service_id, "place")
    service["service_at_locations"] = [{"id": str(sal_id), "location": location}]


def _csv_schedule(
    row: dict[str, str],
    service: Json,
    service_id: uuid.UUID,
    slot: Json,
    error: Callable[[str, str], None],
) -> None:
    days = _split(row.get("days", "").replace(",", ";"))
    if not (days or row.get("start time") or row.get("end time") or row.get("frequency")):
        return
    frequency = row.get("frequency", "").lower() or ("weekly" if days else "once")
    every = re.fullmatch(r"every (\d+) (week|month|day)s?", frequency)
    if every:
        unit = {"week": "WEEKLY", "month": "MONTHLY", "day": "DAILY"}[every.group(2)]
        freq, interval = unit, int(every.group(1))
    elif frequency in FREQUENCIES:
        freq, interval = FREQUENCIES[frequency]
    else:
        error("frequency", f'"{_short(frequency)}" must be weekly, fortnightly, monthly or once')
        freq, interval = "WEEKLY", 1
    codes = []
    for day in days:
        words = day.lower().split()
        ordinal = ""
        if len(words) == 2 and words[0] in ORDINALS:
            ordinal, words = str(ORDINALS[words[0]]), words[1:]
        word = " ".join(words)
        code = DAY_NAMES.get(word) or DAY_NAMES.get(word.rstrip("s"))
        if code is None:
            error("days", f'"{_short(day)}" is not a day of the week')
            continue
        if freq == "MONTHLY" and not ordinal:
            ordinal = "1"
        codes.append(f"{ordinal}{code}")
    service["schedules"] = [
        {
            "id": str(slot.get("schedule") or csv_id(service_id, "schedule")),
            "freq": freq,
            "interval": interval,
            "byday": ",".join(codes),
            "opens_at": row.get("start time", ""),
            "closes_at": row.get("end time", ""),
        }
    ]


def _csv_message(message: str) -> str:
    where, _, rest = message.partition(": ")
    for path, column in CSV_FIELD_COLUMNS:
        if rest.startswith(path + " "):
            return f"{where}: {column}{rest[len(path) :]}"
    return message


def directory_import_csv(
    *, text: str, dry_run: bool = False, draft: bool = False, actor: Any = None, source: str = ""
) -> ImportReport:
    """Import the CSV template (see `csv_to_services`). All or nothing, like JSON."""
    services, labels, errors = csv_to_services(text=text)
    if errors:
        return ImportReport(dry_run=dry_run, services_in_file=len(services), errors=errors)
    report = directory_import_services(
        services=services,
        dry_run=dry_run,
        draft=draft,
        actor=actor,
        source=source,
        partial=True,
        labels=labels,
    )
    report.errors = [_csv_message(e) for e in report.errors]
    report.warnings = [_csv_message(e) for e in report.warnings]
    return report
