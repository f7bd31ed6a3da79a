"""Keeping the search index in step with the directory.

Only public listings (published or review due) are indexed. Writes call `index_services`
through `directory.services.services_changed`, in the same transaction as the change.
`rebuild_all` rebuilds everything (after an import, or daily to roll the window of dates
forward: `manage.py directory_search_index`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from alongside.core.bulk import fetch_rows, in_list, insert_rows, insert_values
from alongside.core.models import Neighbourhood, Ward
from alongside.directory import schedules as schedule_rules
from alongside.directory.models import (
    PUBLIC_STATES,
    AccessibilityFeature,
    Address,
    Schedule,
    SearchEntry,
    SearchOccurrence,
    SearchPlace,
    SearchTerm,
    SearchWord,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

from . import text

DAY_FIELDS = ("on_mon", "on_tue", "on_wed", "on_thu", "on_fri", "on_sat", "on_sun")
NOON = dt.time(12, 0)
EVENING = dt.time(17, 0)


def occurrence_window_days() -> int:
    return int(getattr(settings, "DIRECTORY_SEARCH_WINDOW_DAYS", 56))


@dataclass
class _Context:
    """What every entry needs that is the same for all of them (loaded once per batch)."""

    today: dt.date
    window_end: dt.date
    term_ancestors: dict[uuid.UUID, list[TaxonomyTerm]]
    wards: dict[uuid.UUID, Ward]
    wards_by_neighbourhood: dict[uuid.UUID, list[Ward]]
    neighbourhood_slugs: dict[uuid.UUID, str]
    # What each schedule rule gives (see `_schedule_facts`).
    schedule_facts: dict[tuple, tuple] = field(default_factory=dict)
    terms_docs: dict[tuple, str] = field(default_factory=dict)


def _context(today: dt.date | None) -> _Context:
    today = today or timezone.localdate()
    terms = {t.pk: t for t in TaxonomyTerm.objects.only("id", "code", "name", "parent_id")}
    ancestors: dict[uuid.UUID, list[TaxonomyTerm]] = {}
    for term in terms.values():
        chain, seen, node = [], set(), term
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = terms.get(node.parent_id) if node.parent_id else None
        ancestors[term.pk] = chain
    wards = {w.pk: w for w in Ward.objects.only("id", "code", "neighbourhood_id")}
    by_neighbourhood: dict[uuid.UUID, list[Ward]] = {}
    for ward in wards.values():
        if ward.neighbourhood_id:
            by_neighbourhood.setdefault(ward.neighbourhood_id, []).append(ward)
    return _Context(
        today=today,
        window_end=today + dt.timedelta(days=occurrence_window_days() - 1),
        term_ancestors=ancestors,
        wards=wards,
        wards_by_neighbourhood=by_neighbourhood,
        neighbourhood_slugs=dict(Neighbourhood.objects.values_list("id", "slug")),
    )


_SCHEDULE_FIELDS = ("service_id", *schedule_rules.SCHEDULE_LIKE_FIELDS)


_RULE_FIELDS = schedule_rules.SCHEDULE_LIKE_FIELDS


@dataclass
class _Listing:
    """What the index needs of one listing, read with plain value queries (no model
    instances: building thousands of them was most of the cost of indexing)."""

    id: uuid.UUID
    name: str
    summary: str
    description: str
    kind: str
    provider_id: uuid.UUID
    provider_name: str
    is_free: bool
    minimum_age: int | None
    maximum_age: int | None
    modified_at: dt.datetime
    term_ids: list[uuid.UUID] = field(default_factory=list)
    places: list[tuple] = field(default_factory=list)  # (id, name, lat, lon, ward_id)
    areas: list[tuple] = field(default_factory=list)  # (ward_id, neighbourhood_id, extent)
    schedules: list[SimpleNamespace] = field(default_factory=list)


def _in(model, name: str, values: Iterable) -> Any:
    """`<name>__in` these values, as one query parameter however many there are."""
    return in_list(model._meta.pk if name == "pk" else model._meta.get_field(name), values)


def _listings(ids: Sequence[uuid.UUID]) -> list[_Listing]:
    rows = (
        Service.objects.filter(pk__in=_in(Service, "pk", ids), state__in=PUBLIC_STATES)
        .order_by()  # sorted by id below
        .values_list(
            "id",
            "name",
            "summary",
            "description",
            "kind",
            "provider_id",
            "provider__name",
            "is_free",
            "minimum_age",
            "maximum_age",
            "modified_at",
        )
    )
    uuids: dict = {}  # ids read more than once, converted once
    listings = {row[0]: _Listing(*row) for row in fetch_rows(rows, uuids=uuids)}
    if not listings:
        return []
    found = list(listings)
    through = Service.terms.through
    for service_id, term_id in fetch_rows(
        through.objects.filter(service_id__in=_in(through, "service", found)).values_list(
            "service_id", "taxonomyterm_id"
        ),
        uuids=uuids,
    ):
        listings[service_id].term_ids.append(term_id)
    for service_id, *place in fetch_rows(
        ServiceAtLocation.objects.filter(service_id__in=_in(ServiceAtLocation, "service", found))
        .order_by("created_at", "id")
        .values_list(
            "service_id",
            "location_id",
            "location__name",
            "location__latitude",
            "location__longitude",
            "location__ward_id",
        ),
        uuids=uuids,
    ):
        listings[service_id].places.append(tuple(place))
    for service_id, *area in ServiceArea.objects.filter(
        service_id__in=_in(ServiceArea, "service", found)
    ).values_list("service_id", "ward_id", "neighbourhood_id", "extent"):
        listings[service_id].areas.append(tuple(area))
    for row in fetch_rows(
        Schedule.objects.filter(service_id__in=_in(Schedule, "service", found))
        .order_by("dtstart", "created_at", "id")
        .values_list(*_SCHEDULE_FIELDS),
        uuids=uuids,
    ):
        schedule = SimpleNamespace(**dict(zip(_SCHEDULE_FIELDS, row, strict=True)))
        schedule.rule_key = _rule_key(row[1:])
        listings[row[0]].schedules.append(schedule)
    return [listings[pk] for pk in sorted(listings)]


def _place_details(listings: list[_Listing]) -> tuple[dict, dict]:
    location_ids = {place[0] for listing in listings for place in listing.places}
    access: dict[uuid.UUID, set[str]] = {}
    for location_id, feature in fetch_rows(
        AccessibilityFeature.objects.filter(
            location_id__in=_in(AccessibilityFeature, "location", location_ids)
        ).values_list("location_id", "feature")
    ):
        access.setdefault(location_id, set()).add(feature)
    towns: dict[uuid.UUID, list[str]] = {}
    for location_id, city in fetch_rows(
        Address.objects.filter(location_id__in=_in(Address, "location", location_ids)).values_list(
            "location_id", "city"
        )
    ):
        towns.setdefault(location_id, []).append(city)
    return access, towns


def _times(schedule) -> set[str]:
    opens, closes = schedule.opens_at, schedule.closes_at
    if opens is None:
        return set()
    closes = closes or opens
    found = set()
    if opens < NOON:
        found.add("in_morning")
    if opens < EVENING and closes > NOON:
        found.add("in_afternoon")
    if closes > EVENING or opens >= EVENING:
        found.add("in_evening")
    return found


def _days(schedule) -> set[int]:
    if not schedule.freq:
        return {schedule.dtstart.weekday()}
    if schedule.freq == Schedule.Freq.DAILY:
        return set(range(7))
    days = {weekday for _, weekday in schedule_rules.parse_byday(schedule.byday)}
    if not days and schedule.freq == Schedule.Freq.WEEKLY:
        days = {schedule.dtstart.weekday()}
    return days


KIND_LABELS = dict(Service.Kind.choices)


@dataclass
class _Rows:
    entries: list[dict[str, Any]] = field(default_factory=list)  # SearchEntry values
    places: list[list] = field(default_factory=list)  # [entry index, ward, neighbourhood, located]
    terms: list[list] = field(default_factory=list)  # [entry index, term]
    dates: list[list] = field(default_factory=list)  # [entry index, date, starts_at]


def _add_listing(rows: _Rows, listing: _Listing, ctx: _Context, access_by, towns_by) -> None:
    position = len(rows.entries)
    term_objs: dict[uuid.UUID, TaxonomyTerm] = {}
    for term_id in listing.term_ids:
        for node in ctx.term_ancestors.get(term_id, ()):
            term_objs[node.pk] = node
    access: set[str] = set()
    point = None
    located: set[uuid.UUID] = set()
    for location_id, _name, lat, lon, ward_id in listing.places:
        access |= access_by.get(location_id, set())
        if point is None and lat is not None and lon is not None:
            point = (lat, lon)
        if ward_id:
            located.add(ward_id)
    serving: set[uuid.UUID] = set()
    everywhere = False
    for ward_id, neighbourhood_id, extent in listing.areas:
        if ward_id:
            serving.add(ward_id)
        elif neighbourhood_id:
            serving.update(w.pk for w in ctx.wards_by_neighbourhood.get(neighbourhood_id, []))
        elif not extent:
            everywhere = True

    days: set[int] = set()
    times: set[str] = set()
    occurrences: dict[dt.date, dt.time | None] = {}
    for schedule in listing.schedules:
        dates, schedule_days, schedule_times = _schedule_facts(schedule, ctx)
        for date, opens_at in dates:
            current = occurrences.get(date, _MISSING)
            if current is _MISSING or (opens_at and (current is None or opens_at < current)):
                occurrences[date] = opens_at
        days |= schedule_days
        times |= schedule_times
    places = sorted(located | serving, key=str)
    facts = _facts(listing, ctx, places, everywhere, days, times, access)

    rows.entries.append(
        {
            "service_id": listing.id,
            "name_doc": text.document(listing.name),
            "terms_doc": _terms_doc(term_objs, ctx),
            "body_doc": text.document(
                listing.summary,
                listing.description,
                listing.provider_name,
                KIND_LABELS.get(listing.kind, ""),
                *(place[1] for place in listing.places),
                *(town for place in listing.places for town in towns_by.get(place[0], ())),
                tokens=facts,
            ),
            "sort_name": text.fold(listing.name)[:200],
            "kind": listing.kind,
            "provider_id": listing.provider_id,
            "is_free": listing.is_free,
            "minimum_age": listing.minimum_age,
            "maximum_age": listing.maximum_age,
            "access": " " + " ".join(sorted(access)) + " " if access else " ",
            "everywhere": everywhere,
            "latitude": point[0] if point else None,
            "longitude": point[1] if point else None,
            "modified_at": listing.modified_at,
            "next_date": min(occurrences) if occurrences else None,
            **{DAY_FIELDS[d]: True for d in days},
            **dict.fromkeys(times, True),
        }
    )
    for ward_id in places:
        ward = ctx.wards.get(ward_id)
        rows.places.append(
            [position, ward_id, ward.neighbourhood_id if ward else None, ward_id in located]
        )
    rows.terms += [[position, term_id, *(point or (None, None))] for term_id in term_objs]
    rows.dates += [[position, day, starts] for day, starts in sorted(occurrences.items())]


_MISSING = object()


def _facts(
    listing: _Listing,
    ctx: _Context,
    places: list[uuid.UUID],
    everywhere: bool,
    days: set[int],
    times: set[str],
    access: set[str],
) -> list[str]:
    """The tokens for what the filters ask (`text.fact_token`), the same facts as the entry's
    columns and its rows of places: with words, the full-text index answers these filters
    with them. (Needs are the term tokens of the terms document.)"""
    facts = [text.fact_token("k", listing.kind)]
    for ward_id in places:
        ward = ctx.wards.get(ward_id)
        if ward is not None:
            facts.append(text.fact_token("w", ward.code))
            if ward.neighbourhood_id in ctx.neighbourhood_slugs:
                facts.append(text.fact_token("h", ctx.neighbourhood_slugs[ward.neighbourhood_id]))
    if everywhere:
        facts.append(text.fact_token("e"))
    if listing.is_free:
        facts.append(text.fact_token("f"))
    facts += [text.fact_token("d", DAY_FIELDS[d].removeprefix("on_")) for d in sorted(days)]
    facts += [text.fact_token("m", t.removeprefix("in_")) for t in sorted(times)]
    facts += [text.fact_token("a", code) for code in sorted(access)]
    # Age limits (a lower limit of 0 is none), as the blocks of ages each falls in.
    if listing.minimum_age:
        facts += [text.fact_token("n", mark) for mark in text.age_marks(listing.minimum_age)]
    if listing.maximum_age is not None:
        facts += [text.fact_token("x", mark) for mark in text.age_marks(listing.maximum_age)]
    return facts


def _terms_doc(term_objs: dict[uuid.UUID, TaxonomyTerm], ctx: _Context) -> str:
    """The terms document: the same for every listing with the same terms, so made once."""
    key = tuple(term_objs)
    doc = ctx.terms_docs.get(key)
    if doc is None:
        doc = ctx.terms_docs[key] = text.document(
            *(t.name for t in term_objs.values()),
            tokens=[text.term_token(t.code) for t in term_objs.values()],
        )
    return doc


def _rule_key(values: Iterable) -> tuple:
    """A schedule's rule (its `_RULE_FIELDS`, in order) as a key."""
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)


def _schedule_facts(schedule, ctx: _Context) -> tuple[list[tuple], set[int], set[str]]:
    """A schedule's (date, opens at) occurrences in the window, and the days and times of
    day it says the listing runs (none once it is over). The same for every schedule with
    the same rule, so worked out once per rule in each batch."""
    key = getattr(schedule, "rule_key", None)
    if key is None:
        key = _rule_key(getattr(schedule, name) for name in _RULE_FIELDS)
    try:
        facts = ctx.schedule_facts.get(key)
    except TypeError:  # exdates holding something unhashable: not remembered
        key, facts = None, None
    if facts is None:
        dates = [
            (occurrence.date, occurrence.opens_at)
            for occurrence in schedule_rules.occurrences(
                schedule, start=ctx.today, end=ctx.window_end
            )
        ]
        ends = schedule.valid_to or schedule.until
        if ends and ends < ctx.today or (not schedule.freq and schedule.dtstart < ctx.today):
            facts = (dates, set(), set())  # over: it no longer says when the listing runs
        else:
            facts = (dates, _days(schedule), _times(schedule))
        if key is not None:
            ctx.schedule_facts[key] = facts
    return facts


def _write(listings: list[_Listing], ctx: _Context) -> list[dict[str, Any]]:
    access_by, towns_by = _place_details(listings)
    rows = _Rows()
    for listing in listings:
        _add_listing(rows, listing, ctx, access_by, towns_by)
    insert_values(SearchEntry, rows.entries)
    ids = dict(
        fetch_rows(
            SearchEntry.objects.filter(
                service_id__in=_in(SearchEntry, "service", [e["service_id"] for e in rows.entries])
            )
            .order_by()
            .values_list("service_id", "pk")
        )
    )
    positions = [ids[entry["service_id"]] for entry in rows.entries]
    for table in (rows.places, rows.terms, rows.dates):
        for row in table:
            row[0] = positions[row[0]]
    insert_rows(SearchPlace, ("entry", "ward", "neighbourhood", "located"), rows.places)
    insert_rows(SearchTerm, ("entry", "term", "latitude", "longitude"), rows.terms)
    insert_rows(SearchOccurrence, ("entry", "date", "starts_at"), rows.dates)
    return rows.entries


def upcoming_date(today: dt.date) -> Subquery:
    """Each entry's first dated occurrence from `today`, as a subquery of the entry (`pk`)."""
    return Subquery(
        SearchOccurrence.objects.filter(entry=OuterRef("pk"), date__gte=today)
        .order_by("date")
        .values("date")[:1]
    )


def refresh_next_dates(today: dt.date) -> int:
    """Give each entry whose next date has passed (the index was built on an earlier day)
    its next date from `today`, from the table of dates: an update of only those entries,
    so that searches by date stay quick between the nightly rebuilds. Returns how many
    entries it changed."""
    return SearchEntry.objects.filter(next_date__lt=today).update(next_date=upcoming_date(today))


def _delete_entries(service_ids: Sequence[uuid.UUID] | None) -> None:
    entries = SearchEntry.objects.all()
    if service_ids is not None:
        entries = entries.filter(service_id__in=_in(SearchEntry, "service", service_ids))
    entry_ids = entries.values("pk")
    for model in (SearchPlace, SearchTerm, SearchOccurrence):
        model.objects.filter(entry_id__in=entry_ids)._raw_delete(model.objects.db)
    entries._raw_delete(SearchEntry.objects.db)


def _count_words(entries: Iterable[dict[str, Any]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for entry in entries:
        words = {*entry["name_doc"].split(), *entry["body_doc"].split()}
        counts.update(w for w in words if not text.is_fact(w))
    return counts


def _add_words(counts: Counter[str], *, recount: bool) -> None:
    if recount:
        SearchWord.objects.all().delete()
        known: set[str] = set()
    else:
        known = set(SearchWord.objects.filter(stem__in=list(counts)).values_list("stem", flat=True))
    SearchWord.objects.bulk_create(
        [
            SearchWord(stem=s, word=_WORDS.get(s, s)[:60], listings=n)
            for s, n in counts.items()
            if s not in known and len(s) <= 60
        ],
        batch_size=500,
    )


# The word to show for a stem when suggesting a correction: the commonest word that gave it.
_WORDS: dict[str, str] = {}


def _learn_words(listings: Iterable[_Listing]) -> None:
    seen: dict[str, Counter[str]] = {}
    for listing in listings:
        for word in text.words(f"{listing.name} {listing.summary} {listing.description}"):
            if word not in text.STOP_WORDS:
                seen.setdefault(text.stem(word), Counter())[word] += 1
    for stem, counter in seen.items():
        _WORDS[stem] = counter.most_common(1)[0][0]


def index_services(*, service_ids: Iterable[uuid.UUID], today: dt.date | None = None) -> None:
    """Rebuild the search entries of these listings (removing those no longer public)."""
    ids = list({*service_ids})
    if not ids:
        return
    with transaction.atomic():
        _delete_entries(ids)
        ctx = _context(today)
        listings = _listings(ids)
        _learn_words(listings)
        entries = _write(listings, ctx)
        _add_words(_count_words(entries), recount=False)


def rebuild_all(*, batch_size: int = 2000, today: dt.date | None = None) -> int:
    """Rebuild the whole index; returns how many listings are in it."""
    ctx = _context(today)
    total = 0
    with transaction.atomic():
        _delete_entries(None)
        ids = list(
            Service.objects.filter(state__in=PUBLIC_STATES)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        counts: Counter[str] = Counter()
        for start in range(0, len(ids), batch_size):
            listings = _listings(ids[start : start + batch_size])
            _learn_words(listings)
            entries = _write(listings, ctx)
            counts += _count_words(entries)
            total += len(entries)
        _add_words(counts, recount=True)
    return total
