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
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from alongside.core.models import Ward
from alongside.directory import schedules as schedule_rules
from alongside.directory.models import (
    Schedule,
    SearchEntry,
    SearchOccurrence,
    SearchPlace,
    SearchTerm,
    SearchWord,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

from . import text

PUBLIC_STATES = (Service.State.PUBLISHED, Service.State.REVIEW_DUE)
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
    wards = {w.pk: w for w in Ward.objects.only("id", "neighbourhood_id")}
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
    )


def _services(ids: Sequence[uuid.UUID] | None) -> Iterable[Service]:
    queryset = Service.objects.filter(state__in=PUBLIC_STATES).select_related("provider")
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.prefetch_related(
        "terms",
        "service_areas",
        Prefetch(
            "schedules",
            queryset=Schedule.objects.order_by("dtstart", "created_at", "id"),
        ),
        Prefetch(
            "at_locations",
            queryset=ServiceAtLocation.objects.select_related("location")
            .prefetch_related("location__accessibility", "location__addresses")
            .order_by("created_at", "id"),
        ),
    ).order_by("pk")


def _times(schedule: Schedule) -> set[str]:
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


def _days(schedule: Schedule) -> set[int]:
    if not schedule.freq:
        return {schedule.dtstart.weekday()}
    if schedule.freq == Schedule.Freq.DAILY:
        return set(range(7))
    days = {weekday for _, weekday in schedule_rules.parse_byday(schedule.byday)}
    if not days and schedule.freq == Schedule.Freq.WEEKLY:
        days = {schedule.dtstart.weekday()}
    return days


def _entry_rows(
    service: Service, ctx: _Context
) -> tuple[SearchEntry, list[SearchPlace], list[SearchTerm], list[SearchOccurrence]]:
    term_objs: dict[uuid.UUID, TaxonomyTerm] = {}
    for term in service.terms.all():
        for node in ctx.term_ancestors.get(term.pk, [term]):
            term_objs[node.pk] = node
    locations = [sal.location for sal in service.at_locations.all()]
    access: set[str] = set()
    point = None
    located: set[uuid.UUID] = set()
    for location in locations:
        access.update(a.feature for a in location.accessibility.all())
        if point is None and location.latitude is not None and location.longitude is not None:
            point = (location.latitude, location.longitude)
        if location.ward_id:
            located.add(location.ward_id)
    serving: set[uuid.UUID] = set()
    for area in service.service_areas.all():
        if area.ward_id:
            serving.add(area.ward_id)
        elif area.neighbourhood_id:
            serving.update(w.pk for w in ctx.wards_by_neighbourhood.get(area.neighbourhood_id, []))
        elif not area.extent:
            serving.update(ctx.wards)  # the whole area the directory covers

    days: set[int] = set()
    times: set[str] = set()
    occurrences: dict[dt.date, dt.time | None] = {}
    for schedule in service.schedules.all():
        found = schedule_rules.occurrences(schedule, start=ctx.today, end=ctx.window_end)
        for occurrence in found:
            current = occurrences.get(occurrence.date)
            if occurrence.date not in occurrences or (
                occurrence.opens_at and (current is None or occurrence.opens_at < current)
            ):
                occurrences[occurrence.date] = occurrence.opens_at
        ends = schedule.valid_to or schedule.until
        if ends and ends < ctx.today or (not schedule.freq and schedule.dtstart < ctx.today):
            continue  # over: it no longer says anything about when the listing runs
        days |= _days(schedule)
        times |= _times(schedule)

    body_parts = [
        service.summary,
        service.description,
        service.provider.name,
        service.get_kind_display(),
        *(loc.name for loc in locations),
        *(addr.city for loc in locations for addr in loc.addresses.all()),
    ]
    entry = SearchEntry(
        service=service,
        name_doc=text.document(service.name),
        terms_doc=text.document(
            *(t.name for t in term_objs.values()),
            tokens=[text.term_token(t.code) for t in term_objs.values()],
        ),
        body_doc=text.document(*body_parts),
        sort_name=text.fold(service.name)[:200],
        kind=service.kind,
        provider_id=service.provider_id,
        is_free=service.is_free,
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        access=" " + " ".join(sorted(access)) + " " if access else " ",
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
        modified_at=service.modified_at,
        **{DAY_FIELDS[d]: True for d in days},
        **dict.fromkeys(times, True),
    )
    places = [
        SearchPlace(
            entry=entry,
            ward_id=ward_id,
            neighbourhood_id=ctx.wards[ward_id].neighbourhood_id if ward_id in ctx.wards else None,
            located=ward_id in located,
        )
        for ward_id in sorted(located | serving, key=str)
    ]
    terms = [SearchTerm(entry=entry, term_id=term_id) for term_id in term_objs]
    dates = [SearchOccurrence(entry=entry, date=d, starts_at=t) for d, t in occurrences.items()]
    return entry, places, terms, dates


def _write(services: Iterable[Service], ctx: _Context) -> list[SearchEntry]:
    entries, places, terms, dates = [], [], [], []
    for service in services:
        entry, entry_places, entry_terms, entry_dates = _entry_rows(service, ctx)
        entries.append(entry)
        places += entry_places
        terms += entry_terms
        dates += entry_dates
    SearchEntry.objects.bulk_create(entries, batch_size=1000)
    for row in (*places, *terms, *dates):
        row.entry_id = row.entry.pk
    SearchPlace.objects.bulk_create(places, batch_size=2000)
    SearchTerm.objects.bulk_create(terms, batch_size=2000)
    SearchOccurrence.objects.bulk_create(dates, batch_size=2000)
    return entries


def _delete_entries(service_ids: Sequence[uuid.UUID] | None) -> None:
    entries = SearchEntry.objects.all()
    if service_ids is not None:
        entries = entries.filter(service_id__in=service_ids)
    entry_ids = entries.values("pk")
    for model in (SearchPlace, SearchTerm, SearchOccurrence):
        model.objects.filter(entry_id__in=entry_ids)._raw_delete(model.objects.db)
    entries._raw_delete(SearchEntry.objects.db)


def _count_words(entries: Iterable[SearchEntry]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for entry in entries:
        counts.update({*entry.name_doc.split(), *entry.body_doc.split()})
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
        batch_size=2000,
    )


# The word to show for a stem when suggesting a correction: the commonest word that gave it.
_WORDS: dict[str, str] = {}


def _learn_words(services: Iterable[Service]) -> None:
    seen: dict[str, Counter[str]] = {}
    for service in services:
        for word in text.words(f"{service.name} {service.summary} {service.description}"):
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
        services = list(_services(ids))
        _learn_words(services)
        entries = _write(services, ctx)
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
            services = list(_services(ids[start : start + batch_size]))
            _learn_words(services)
            entries = _write(services, ctx)
            counts += _count_words(entries)
            total += len(entries)
        _add_words(counts, recount=True)
    return total
