"""Running a search: one behaviour on SQLite and PostgreSQL.

1. What was typed becomes groups of alternatives (`thesaurus`); a listing must match every
   group. The engine's full-text index finds the candidates: FTS5 `MATCH` on SQLite, a
   `tsvector @@ tsquery` on PostgreSQL, both over the same pre-stemmed tokens.
2. Filters narrow them with ordinary indexed columns and side tables.
3. Relevance is a whole number computed the same way by both engines: for each group, 4 if
   the name has it, 2 if one of the listing's needs or types does, 1 if the description or
   anything else does. Ties are broken by name and then id, so the order is fully determined.
4. When nothing matches, a misspelt single word is corrected from the index's vocabulary and
   the search run again; if still nothing, `help` says which filters to drop, which nearby
   wards and which related needs have something.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import math
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from alongside.core.models import Neighbourhood, Ward
from alongside.directory.models import (
    AccessibilityFeature,
    SearchEntry,
    SearchOccurrence,
    SearchPlace,
    SearchTerm,
    SearchWord,
    Service,
    TaxonomyTerm,
)

from . import index, text
from .thesaurus import Alternative, Group, current

Sort = Literal["relevance", "distance", "soonest", "name"]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIMES = ("morning", "afternoon", "evening")


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    # Taxonomy term codes or ids; a term finds its children. Terms of one taxonomy are
    # alternatives (any of them); terms of different taxonomies must all match.
    needs: tuple[str, ...] = ()
    age: int | None = None  # listings open to someone of this age
    free: bool = False
    days: tuple[str, ...] = ()  # any of DAYS
    times: tuple[str, ...] = ()  # any of TIMES
    wards: tuple[str, ...] = ()  # ward codes (E05...)
    neighbourhoods: tuple[str, ...] = ()  # neighbourhood slugs
    access: tuple[str, ...] = ()  # AccessibilityFeature codes; all must be present
    kinds: tuple[str, ...] = ()  # Service.Kind values
    provider_ids: tuple[uuid.UUID, ...] = ()
    this_week: bool = False  # runs in the seven days from `today`
    point: tuple[float, float] | None = None  # (latitude, longitude)
    within_m: int | None = None  # needs `point`
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = False
    today: dt.date | None = None


@dataclass
class SearchHit:
    service_id: uuid.UUID
    name: str
    score: int
    distance_m: float | None = None
    next_date: dt.date | None = None
    # What a list of results shows beside the name (read with it, in one query).
    summary: str = ""
    kind: str = ""
    organization: str = ""


@dataclass
class SearchResult:
    query: SearchQuery
    total: int  # at most MAX_COUNTED; see `capped`
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    corrected_text: str = ""  # set when a misspelt word was corrected
    help: dict[str, list] = field(default_factory=dict)  # when nothing matched
    capped: bool = False  # more than MAX_COUNTED match: `total` is that limit


class SearchError(ValueError):
    """The query cannot be run as given; the message says what to change."""


MAX_PER_PAGE = 100
MAX_TEXT = 200
MAX_WITHIN_M = 100_000
# Matches are counted up to this many: a search with more says "more than 1,000", and only
# the first 1,000 can be paged through (ADR 0013).
MAX_COUNTED = 1_000
METRES_PER_DEGREE = 111_195.0  # along a meridian, on a sphere of the Earth's mean radius
NAME, TERMS = 4, 2
# Above this many matches (at most MAX_COUNTED), a search without words in name order reads
# SQLite's name index in order.
INDEX_ORDER_ABOVE = 1_000
# One group of words: rank the entries with them in the name first (see _hits).
NAME_TIER_FIRST = True
# Needs and places alone: count (and, for several, list) the entries from the side tables.
LISTS_FROM_SIDE_TABLES = True
# With words, filters the full-text index can answer are matched as tokens (see _as_words).
FILTERS_AS_WORDS = True
# By distance without words: read only the entries as near as the page's last one.
DISTANCE_CUT = True
# Needs near a point: only the needs' rows in the circle's box (they carry their place).
NEEDS_CARRY_PLACES = True
# Passed next dates a search brings up to date itself, at most (see _has_stale_dates):
# rewriting an entry cost 0.8 ms on PostgreSQL at 1,000,000 listings (its vectors are worked
# out again, its indexes updated), so the first search of the day waits under a second.
REFRESH_AT_MOST = 1_000
# PostgreSQL: work out the score and distance before the window that counts (see _hits).
SCORED_BEFORE_WINDOW = True
# PostgreSQL: searches expected to match more than this many entries take the shortcuts
# for broad searches below (see _hits); ALWAYS_BROAD takes them for every search (tests).
BROAD_MATCHES = 15_000
ALWAYS_BROAD = False
# PostgreSQL: several groups of words are ranked tier by tier too (see _name_tiers), up to
# this many groups (each adds a factor of 4 to the ways of reaching a score).
TIER_GROUPS_AT_MOST = 3
# PostgreSQL: words that would be ranked tier by tier are first read as ids, and when there
# are few (under the count limit, or with filters as tokens under SCORED_AT_MOST) scored
# among them instead (see _hits).
FEW_SCORED_AMONG_IDS = True
SCORED_AT_MOST = 5_000
# PostgreSQL: a tier's page is first looked for among the first entries in name order, this
# many for each row the page reaches, at most WALK_AT_MOST and WALK_SHARE of the entries;
# not at all if the page would need the tier to be denser than WALK_DENSITY_AT_LEAST in
# what may be read (see _walked; reading the tier whole was cheaper at 100,000 listings
# for "help", page 5: 2,900 entries, 2.9% of them).
WALK_IN_NAME_ORDER = True
WALK_PER_ROW = 150
WALK_AT_MOST = 30_000
WALK_SHARE = 0.03
WALK_DENSITY_AT_LEAST = 0.02
# PostgreSQL, several needs or needs and places without words: their intersection's ids
# are read once, up to this many, and the page found among them.
IDS_AT_MOST = 50_000
# PostgreSQL, words by distance: read the matches in growing circles until the page is
# full, rather than all of them (see _page_in_rings), starting at this radius.
DISTANCE_RINGS = True
FIRST_RING_M = 500.0
MAX_RING_M = 50_000.0  # beyond this, every match is read
NO_FILTERS = SearchQuery()


# --- query checks -------------------------------------------------------------------------------


def _checked(query: SearchQuery) -> SearchQuery:
    if len(query.text) > MAX_TEXT:
        raise SearchError(f"Search words must be {MAX_TEXT} characters or fewer.")
    if query.page < 1:
        raise SearchError("Page must be 1 or more.")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise SearchError(f"Results per page must be between 1 and {MAX_PER_PAGE}.")
    if (query.page - 1) * query.per_page >= MAX_COUNTED:
        raise SearchError(
            f"Only the first {MAX_COUNTED:,} results can be shown: add words or filters to "
            "narrow the search."
        )
    if bad := [d for d in query.days if d not in DAYS]:
        raise SearchError(f"Unknown day {bad[0]!r}: use {', '.join(DAYS)}.")
    if bad := [t for t in query.times if t not in TIMES]:
        raise SearchError(f"Unknown time of day {bad[0]!r}: use {', '.join(TIMES)}.")
    if query.age is not None and not 0 <= query.age <= 120:
        raise SearchError("Age must be a whole number from 0 to 120.")
    if query.within_m is not None:
        if query.point is None:
            raise SearchError("A distance needs a place to measure from (latitude and longitude).")
        if not 1 <= query.within_m <= MAX_WITHIN_M:
            raise SearchError(f"Distance must be between 1 and {MAX_WITHIN_M} metres.")
    if query.point is not None:
        lat, lon = query.point
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat + lon):
            raise SearchError("Latitude must be -90 to 90 and longitude -180 to 180.")
    if query.sort == "distance" and query.point is None:
        raise SearchError("Sorting by distance needs a place to measure from.")
    if query.sort not in ("relevance", "distance", "soonest", "name"):
        raise SearchError("Sort by relevance, distance, soonest or name.")
    access_codes = {c for c, _ in AccessibilityFeature.Feature.choices}
    if bad := [a for a in query.access if a not in access_codes]:
        raise SearchError(f"Unknown accessibility feature {bad[0]!r}.")
    kind_codes = {c for c, _ in Service.Kind.choices}
    if bad := [k for k in query.kinds if k not in kind_codes]:
        raise SearchError(f"Unknown kind of listing {bad[0]!r}.")
    if query.today is None:
        query = dataclasses.replace(query, today=timezone.localdate())
    return query


# Look-ups one search may need many times (the "no results" help re-counts the search with
# each filter dropped, and in nearby wards): kept for the length of one `search()` call.
_lookups: ContextVar[dict | None] = ContextVar("search_lookups", default=None)


def _remembered(key: tuple, compute: Callable[[], Any]) -> Any:
    memo = _lookups.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _resolve_terms(values: tuple[str, ...]) -> list[list[uuid.UUID]]:
    return _remembered(("terms", values), lambda: _terms_from_db(values))


def _terms_from_db(values: tuple[str, ...]) -> list[list[uuid.UUID]]:
    """Groups of term ids for codes or ids: a listing must have a term from every group.
    Terms of the same taxonomy are alternatives (one group). A code used by several
    taxonomies ("carers" is a need and an audience) is one group of all of them, so it
    means any of those terms rather than all. Unknown values are refused."""
    if not values:
        return []
    ids, codes = [], []
    for value in values:
        parsed = _as_uuid(value)
        if parsed is None:
            codes.append(value)
        else:
            ids.append(parsed)
    found = TaxonomyTerm.objects.filter(Q(pk__in=ids) | Q(code__in=codes)).values_list(
        "pk", "code", "taxonomy_id"
    )
    matches: dict[str, list[tuple[uuid.UUID, uuid.UUID]]] = {}
    for pk, code, taxonomy_id in found:
        for key in (str(pk), code):
            matches.setdefault(key, []).append((pk, taxonomy_id))
    groups: dict[frozenset[uuid.UUID], set[uuid.UUID]] = {}
    for value in values:
        key = str(_as_uuid(value)) if _as_uuid(value) else value
        if key not in matches:
            raise SearchError(f"Unknown need or category {value!r}.")
        taxonomies = frozenset(taxonomy_id for _, taxonomy_id in matches[key])
        groups.setdefault(taxonomies, set()).update(pk for pk, _ in matches[key])
    return [sorted(group, key=str) for group in groups.values()]


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# --- filters ------------------------------------------------------------------------------------


def _filtered(query: SearchQuery, *, correlated: bool = False) -> QuerySet[SearchEntry]:
    """Every filter except the words. Needs and places are lists of entries to look in, or,
    when `correlated`, a test of each entry read (for walking an index in order)."""
    entries = SearchEntry.objects.all()

    def among(related: QuerySet, condition: Q) -> Q:
        if correlated:
            return Q(Exists(related.filter(condition, entry_id=OuterRef("pk"))))
        return Q(pk__in=related.filter(condition).values("entry_id"))

    near = Q()
    point, within_m = query.point, query.within_m
    if NEEDS_CARRY_PLACES and point is not None and within_m is not None and not correlated:
        # The needs' rows carry their listing's place: only those in the circle's box are
        # looked up (at 100,000 listings, "carers within 2 km": 1,000 of 4,300; 15 ms to 6).
        (south, north), (west, east) = _box(point, float(within_m) ** 2)
        near = Q(latitude__range=(south, north), longitude__range=(west, east))
    for term_ids in _resolve_terms(query.needs):
        entries = entries.filter(among(SearchTerm.objects, Q(term_id__in=term_ids) & near))
    if (query.wards or query.neighbourhoods) and correlated:
        ward_ids = _ids(Ward, "code", query.wards, "ward")
        hood_ids = _ids(Neighbourhood, "slug", query.neighbourhoods, "neighbourhood")
        in_places = Q(ward_id__in=ward_ids) | Q(neighbourhood_id__in=hood_ids)
        entries = entries.filter(Q(everywhere=True) | among(SearchPlace.objects, in_places))
    elif query.wards or query.neighbourhoods:
        entries = entries.filter(pk__in=_places_list(query))
    if query.free:
        entries = entries.filter(is_free=True)
    if query.age is not None:
        entries = entries.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=query.age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=query.age),
        )
    if query.days:
        entries = entries.filter(_any(f"on_{day}" for day in query.days))
    if query.times:
        entries = entries.filter(_any(f"in_{time}" for time in query.times))
    for code in query.access:
        entries = entries.filter(access__contains=f" {code} ")
    if query.kinds:
        entries = entries.filter(kind__in=query.kinds)
    if query.provider_ids:
        entries = entries.filter(provider_id__in=query.provider_ids)
    if query.this_week:
        assert query.today is not None
        week = (query.today, query.today + dt.timedelta(days=6))
        # An entry's next date answers at once unless it is older than the day asked about
        # (the index was built before then): only those look at the table of dates.
        if _has_stale_dates(query.today):
            entries = entries.filter(
                Q(next_date__range=week)
                | Q(
                    next_date__lt=query.today,
                    pk__in=SearchOccurrence.objects.filter(date__range=week).values("entry_id"),
                )
            )
        else:
            entries = entries.filter(next_date__range=week)
    if query.point is not None and query.within_m is not None:
        entries = _within(entries, query.point, float(query.within_m) ** 2)
    return entries


def _within(
    entries: QuerySet[SearchEntry], point: tuple[float, float], distance2: float
) -> QuerySet[SearchEntry]:
    """The entries whose squared distance from `point` is at most `distance2`: the box
    around that circle read from the coordinates' index, then the circle itself."""
    latitudes, longitudes = _box(point, distance2)
    return entries.filter(
        LessThanOrEqual(_distance_squared(point), distance2),
        latitude__range=latitudes,
        longitude__range=longitudes,
    )


def _box(
    point: tuple[float, float], distance2: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The ranges of latitude and longitude around the circle of squared radius `distance2`
    about `point`, a hair wider against rounding."""
    lat, lon = point
    dlat = math.sqrt(distance2) / METRES_PER_DEGREE * 1.000001 + 1e-9
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return (lat - dlat, lat + dlat), (lon - dlon, lon + dlon)


def _has_filters(query: SearchQuery) -> bool:
    """Whether anything but the words narrows the search."""
    return any(
        getattr(query, name) != getattr(NO_FILTERS, name)
        for name in (*FILTER_LABELS, "provider_ids")
    )


def _as_words(query: SearchQuery, groups: list[Group]) -> tuple[SearchQuery, list[Group]]:
    """With words, the filters the full-text index can answer (needs, places, free, days,
    times of day, accessibility, kinds, age) become groups of fact tokens
    (`text.fact_token`) matched with the words (for age, the limits a match must not have),
    so the engine intersects its own lists instead of testing each match's columns and
    side tables. Returns the query without those filters, and the
    groups; they never count towards relevance. Needs (or neighbourhoods) stay filters if a
    token would also match a term (or neighbourhood) not asked for."""
    if not FILTERS_AS_WORDS or not groups:
        return query, []
    facts: list[Group] = []
    answered: dict[str, Any] = {}

    def add(tokens: list[str], *, excluded: bool = False, **fields: Any) -> None:
        alternatives = frozenset((t,) for t in tokens)
        facts.append(Group(words="", alternatives=alternatives, literal=(), excluded=excluded))
        answered.update(fields)

    if query.needs and (token_groups := _term_tokens(query.needs)) is not None:
        for tokens in token_groups:
            add(tokens, needs=())
    if (query.wards or query.neighbourhoods) and _neighbourhood_tokens_are_distinct():
        _ids(Ward, "code", query.wards, "ward")  # unknown ones are refused
        _ids(Neighbourhood, "slug", query.neighbourhoods, "neighbourhood")
        add(
            [text.fact_token("w", code) for code in query.wards]
            + [text.fact_token("h", slug) for slug in query.neighbourhoods]
            + [text.fact_token("e")],
            wards=(),
            neighbourhoods=(),
        )
    if query.free:
        add([text.fact_token("f")], free=False)
    if query.days:
        add([text.fact_token("d", day) for day in query.days], days=())
    if query.times:
        add([text.fact_token("m", time) for time in query.times], times=())
    for code in query.access:
        add([text.fact_token("a", code)], access=())
    if query.age is not None:
        # Not open to that age: a lower limit above it, or an upper limit below it.
        for kind, low, high in (("n", query.age + 1, text.AGE_CAP), ("x", 0, query.age - 1)):
            if blocks := text.age_blocks(low, high):
                add([text.fact_token(kind, b) for b in blocks], excluded=True, age=None)
    if query.kinds:
        add([text.fact_token("k", kind) for kind in query.kinds], kinds=())
    return dataclasses.replace(query, **answered), facts


def _term_tokens(values: tuple[str, ...]) -> list[list[str]] | None:
    """The term tokens for each group of needs asked for, or None if a group's tokens would
    also match terms outside it (the terms documents hold a token per term's code)."""
    codes: dict[uuid.UUID, str] = _remembered(
        ("term codes",), lambda: dict(TaxonomyTerm.objects.values_list("pk", "code"))
    )
    terms_by_token: dict[str, set[uuid.UUID]] = {}
    for pk, code in codes.items():
        terms_by_token.setdefault(text.term_token(code), set()).add(pk)
    token_groups = []
    for term_ids in _resolve_terms(values):
        tokens = sorted({text.term_token(codes[pk]) for pk in term_ids})
        if set().union(*(terms_by_token[t] for t in tokens)) != set(term_ids):
            return None
        token_groups.append(tokens)
    return token_groups


def _neighbourhood_tokens_are_distinct() -> bool:
    slugs = _remembered(
        ("neighbourhood slugs",), lambda: list(Neighbourhood.objects.values_list("slug", flat=True))
    )
    return len({text.fact_token("h", slug) for slug in slugs}) == len(slugs)


def _has_stale_dates(today: dt.date) -> bool:
    """Whether any entry's next date is before `today` (the index was built on an earlier
    day): one look along the index of next dates. When `today` is the real today and there
    are at most REFRESH_AT_MOST of them, they are brought up to date first, once
    (`index.refresh_next_dates`), so this and later searches read next dates directly.
    Otherwise (another day, or too many to update within one search) the search looks
    each of them up in the table of dates as it goes, until the nightly rebuild."""

    def stale() -> bool:
        passed = _counted(SearchEntry.objects.filter(next_date__lt=today), REFRESH_AT_MOST + 1)
        if passed and today == timezone.localdate() and passed <= REFRESH_AT_MOST:
            index.refresh_next_dates(today)
            return False
        return bool(passed)

    return _remembered(("stale", today), stale)


def _ids(model: type, field_name: str, values: tuple[str, ...], label: str) -> list[uuid.UUID]:
    if not values:
        return []
    found = _remembered(
        (model, values),
        lambda: dict(
            model.objects.filter(**{f"{field_name}__in": values}).values_list(field_name, "pk")
        ),
    )
    if missing := [v for v in values if v not in found]:
        raise SearchError(f"Unknown {label} {missing[0]!r}.")
    return list(found.values())


def _any(fields) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{name: True})
    return condition


def _distance_squared(point: tuple[float, float]):
    """Square of the distance in metres, by the equirectangular approximation: plain
    arithmetic, so both engines give the same numbers (accurate to well under 1% across a
    city)."""
    lat, lon = point
    k_lat = METRES_PER_DEGREE
    k_lon = METRES_PER_DEGREE * math.cos(math.radians(lat))
    dy = (F("latitude") - Value(lat)) * Value(k_lat)
    dx = (F("longitude") - Value(lon)) * Value(k_lon)
    return ExpressionWrapper(dx * dx + dy * dy, output_field=FloatField())


# --- words --------------------------------------------------------------------------------------


def _fts5(groups: list[Group]) -> str:
    def alt(tokens: Alternative) -> str:
        quoted = [f'"{t}"' for t in tokens]
        return quoted[0] if len(quoted) == 1 else "(" + " AND ".join(quoted) + ")"

    def part(group: Group) -> str:
        return "(" + " OR ".join(alt(a) for a in sorted(group.alternatives)) + ")"

    query = " AND ".join(part(g) for g in groups if not g.excluded)
    for group in groups:
        if group.excluded:
            query = f"({query}) NOT {part(group)}"
    return query


def _tsquery(groups: list[Group]) -> str:
    def alt(tokens: Alternative) -> str:
        return tokens[0] if len(tokens) == 1 else "(" + " & ".join(tokens) + ")"

    return " & ".join(
        ("!" if g.excluded else "") + "(" + " | ".join(alt(a) for a in sorted(g.alternatives)) + ")"
        for g in groups
    )


class TextMatch(Expression):
    """True when the entry matches a full-text query, in whichever engine runs it:
    `<entry>.<vector> @@ to_tsquery('simple', …)` on PostgreSQL (answered by a GIN index, or
    by the row's own vector when scoring; `vector` is the whole entry's, or the name's or the
    needs and types' alone), and membership of the FTS5 table's matches on SQLite. The entry
    is named by its alias in the query being compiled, so the condition also works inside
    subqueries."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, *, fts5: str, tsquery: str, vector: str = "search_vector") -> None:
        super().__init__()
        self.fts5, self.tsquery, self.vector = fts5, tsquery, vector

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        if connection.vendor == "postgresql":
            return f"{alias}.{self.vector} @@ to_tsquery('simple', %s)", [self.tsquery]
        if connection.vendor == "sqlite":
            matches = "SELECT rowid FROM directory_search_fts WHERE directory_search_fts MATCH %s"
            return f"{alias}.id IN ({matches})", [self.fts5]
        raise SearchError(f"Search is not available on {connection.vendor}.")


class AmongIds(Expression):
    """True when the entry's id is one of `ids`: one parameter, an array on PostgreSQL and a
    JSON list on SQLite (a thousand placeholders cost more to build and send than the
    lookup itself: 12 ms of 37 for "carers within 2 km" at 100,000 listings)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, ids: list[int]) -> None:
        super().__init__()
        self.ids = ids

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        if connection.vendor == "postgresql":
            return f"{alias}.id = ANY(%s)", [self.ids]
        in_list = f"{alias}.id IN (SELECT value FROM json_each(%s))"  # noqa: S608 (an alias)
        return in_list, [json.dumps(self.ids)]


def _fts5_count(groups: list[Group], *, limit: int | None = None) -> int:
    """How many entries match the words (up to `limit`), from the FTS5 index alone (it
    counts its own matches without reading a row): the count when nothing else narrows the
    search."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM directory_search_fts"
            " WHERE directory_search_fts MATCH %s LIMIT %s)",
            [_fts5(groups), -1 if limit is None else limit],
        )
        return cursor.fetchone()[0]


def _count_limit(query: SearchQuery) -> int:
    """How far to count a search's matches: past MAX_COUNTED (to know there are more) and
    past the end of the page asked for (so the page's rows are known to exist)."""
    return max(MAX_COUNTED, query.page * query.per_page) + 1


def _counted(entries: QuerySet, limit: int) -> int:
    """How many `entries` there are, up to `limit`: reading stops there."""
    return entries[:limit].count()


def _matching(entries: QuerySet[SearchEntry], groups: list[Group]) -> QuerySet[SearchEntry]:
    if not groups:
        return entries
    return entries.filter(TextMatch(fts5=_fts5(groups), tsquery=_tsquery(groups)))


COLUMNS = (("name_doc", NAME), ("terms_doc", TERMS))  # scored columns, and their weights


def _in_column(column: str, group: Group, *, within: list[Group] | None = None) -> TextMatch:
    """True when the listing has one of the group's alternatives in that column: an FTS5
    column filter, or the column's own small vector on PostgreSQL (name_doc → name_vector).
    `within`, the groups every entry asked about matches, makes SQLite's list of them only
    those entries (FTS5 intersects its own lists), not every entry with the words there."""
    vector = column.replace("_doc", "_vector")
    fts5 = f"{column} : {_fts5([group])}" + (f" AND ({_fts5(within)})" if within else "")
    return TextMatch(fts5=fts5, tsquery=_tsquery([group]), vector=vector)


def _score(groups: list[Group], *, within: list[Group] | None = None):
    """1 for each group (every listing found has them all), plus 4 if the name has it and
    2 if one of its needs or types does. (`within`: see `_in_column`.)"""
    parts = [Value(len(groups))]
    for group in groups:
        for column, weight in COLUMNS:
            parts.append(
                Case(
                    When(_in_column(column, group, within=within), then=Value(weight)),
                    default=Value(0),
                )
            )
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return ExpressionWrapper(total, output_field=IntegerField())


# --- typo correction ----------------------------------------------------------------------------


def _corrected(groups: list[Group]) -> tuple[list[Group], dict[str, str]] | None:
    """Replace unknown single words by the nearest word in the index, if one is close."""
    replaced: dict[str, str] = {}
    result: list[Group] = []
    plain = [g for g in groups if g.is_plain_word and len(g.literal[0]) >= 3]
    known = set(
        SearchWord.objects.filter(stem__in=[g.literal[0] for g in plain]).values_list(
            "stem", flat=True
        )
    )
    for group in groups:
        stem = group.literal[0] if group in plain else ""
        if not stem or stem in known:
            result.append(group)
            continue
        best = _nearest(stem)
        if best is None:
            result.append(group)
            continue
        replaced[group.words] = best.word
        literal = (best.stem,)
        result.append(Group(words=best.word, alternatives=frozenset({literal}), literal=literal))
    return (result, replaced) if replaced else None


def _nearest(stem: str) -> SearchWord | None:
    limit = 2 if len(stem) >= 5 else 1
    candidates = SearchWord.objects.annotate(n=Length("stem")).filter(
        stem__startswith=stem[0], n__range=(len(stem) - limit, len(stem) + limit)
    )
    best: tuple[int, int, str] | None = None
    chosen = None
    for word in candidates.only("stem", "word", "listings"):
        distance = text.damerau_levenshtein(stem, word.stem, limit=limit + 1)
        if distance > limit:
            continue
        rank = (distance, -word.listings, word.stem)
        if best is None or rank < best:
            best, chosen = rank, word
    return chosen


# --- facets and help ----------------------------------------------------------------------------


def _facets(entries: QuerySet[SearchEntry], *, everything: bool) -> dict[str, dict[str, int]]:
    """Counts by need, type, place, kind, day, time and access of the matching `entries`.
    When `everything` matches (no words, no filters), the side tables are counted whole
    rather than tested against a list of every entry (at 1,000,000 listings, 5 s to 1.4 s)."""
    facets: dict[str, dict[str, int]] = {}
    terms = SearchTerm.objects.all()
    places = SearchPlace.objects.filter(entry__everywhere=False)
    if not everything:
        terms = terms.filter(entry_id__in=entries.values("pk"))
        places = SearchPlace.objects.filter(
            entry_id__in=entries.filter(everywhere=False).values("pk")
        )
    term_counts = dict(terms.values_list("term_id").annotate(n=Count("id")).order_by())
    for pk, taxonomy, code in TaxonomyTerm.objects.filter(pk__in=term_counts).values_list(
        "pk", "taxonomy__code", "code"
    ):
        facets.setdefault(taxonomy, {})[code] = term_counts[pk]
    # A listing for everyone in the area counts in every ward and neighbourhood.
    everywhere = entries.filter(everywhere=True).count()
    wards = dict(places.values_list("ward__code").annotate(n=Count("id")).order_by())
    hoods = dict(
        places.filter(neighbourhood__isnull=False)
        .values_list("neighbourhood__slug")
        .annotate(n=Count("entry_id", distinct=True))
        .order_by()
    )
    if everywhere:
        for code in Ward.objects.values_list("code", flat=True):
            wards[code] = wards.get(code, 0) + everywhere
        for slug in Neighbourhood.objects.values_list("slug", flat=True):
            hoods[slug] = hoods.get(slug, 0) + everywhere
    facets["ward"] = wards
    facets["neighbourhood"] = hoods
    facets["kind"] = dict(entries.order_by().values_list("kind").annotate(n=Count("pk")))
    flags = {
        "free": Q(is_free=True),
        **{f"day:{d}": Q(**{f"on_{d}": True}) for d in DAYS},
        **{f"time:{t}": Q(**{f"in_{t}": True}) for t in TIMES},
        **{
            f"access:{code}": Q(access__contains=f" {code} ")
            for code, _ in AccessibilityFeature.Feature.choices
        },
    }
    counts = entries.order_by().aggregate(
        **{name.replace(":", "__"): Count("pk", filter=cond) for name, cond in flags.items()}
    )
    for name in flags:
        group, _, key = name.rpartition(":")
        facets.setdefault(group or "free", {})[key if group else "yes"] = counts[
            name.replace(":", "__")
        ]
    return facets


def _id_lists(query: SearchQuery) -> list[QuerySet] | None:
    """For a search that only needs and places narrow (no words, no other filter): one list
    of entry ids per group of needs and one for the places, from the side tables alone;
    None for any other search. Every side-table row belongs to an entry, so these give the
    entries without reading one."""
    rest = dataclasses.replace(query, needs=(), wards=(), neighbourhoods=())
    if not LISTS_FROM_SIDE_TABLES or _has_filters(rest) or not _has_filters(query):
        return None
    lists = [
        SearchTerm.objects.filter(term_id__in=term_ids).values("entry_id")
        for term_ids in _resolve_terms(query.needs)
    ]
    if query.wards or query.neighbourhoods:
        # First, so that with no needs the list stands alone: a union is already distinct.
        lists.insert(0, _places_list(query))
    elif len(lists) == 1:
        lists[0] = lists[0].distinct()  # an entry can have several of the terms
    return lists


def _places_list(query: SearchQuery) -> QuerySet:
    """The entries in the query's wards and neighbourhoods, and those for the whole area:
    one list, each from its own index ("whole area OR in the list" would make PostgreSQL
    read every entry)."""
    ward_ids = _ids(Ward, "code", query.wards, "ward")
    hood_ids = _ids(Neighbourhood, "slug", query.neighbourhoods, "neighbourhood")
    return (
        SearchPlace.objects.filter(Q(ward_id__in=ward_ids) | Q(neighbourhood_id__in=hood_ids))
        .values("entry_id")
        .union(SearchEntry.objects.filter(everywhere=True).values("pk"))
    )


def _all_of(lists: list[QuerySet]) -> QuerySet:
    """The entry ids in every one of `lists` (each already distinct when it stands alone)."""
    first, *rest = lists
    return first.intersection(*rest) if rest else first


def _count(query: SearchQuery, groups: list[Group]) -> int:
    """How many entries match. A search narrowed only by needs and places is counted from
    the side tables (at 1,000,000 listings, 14-35 ms instead of 200-300 for one need); one
    narrowed only by words and filters the full-text index answers is counted by FTS5
    alone on SQLite."""
    lists = None if groups else _id_lists(query)
    if lists is not None:
        return _all_of(lists).count()
    rest, facts = _as_words(query, groups)
    if groups and connection.vendor == "sqlite" and not _has_filters(rest):
        return _fts5_count(groups + facts)
    return _matching(_filtered(rest), groups + facts).count()


FILTER_LABELS = {
    "needs": "the need or category",
    "age": "the age",
    "free": "free only",
    "days": "the days",
    "times": "the time of day",
    "wards": "the ward",
    "neighbourhoods": "the neighbourhood",
    "access": "the accessibility needs",
    "kinds": "the kind of listing",
    "this_week": "happening this week",
    "within_m": "the distance",
}


def _help(query: SearchQuery, groups: list[Group]) -> dict[str, list]:
    defaults = SearchQuery()
    help_: dict[str, list] = {"remove_filter": [], "nearby_wards": [], "related_needs": []}
    for name, label in FILTER_LABELS.items():
        if getattr(query, name) != getattr(defaults, name):
            count = _count(dataclasses.replace(query, **{name: getattr(defaults, name)}), groups)
            if count:
                help_["remove_filter"].append({"filter": name, "label": label, "count": count})
    if len(groups) > 1:
        any_words = len(groups)
        some = SearchEntry.objects.none()
        for group in groups:
            some = some | _matching(_filtered(query), [group])
        count = some.count()
        if count:
            help_["some_words"] = [{"words": any_words, "count": count}]
    if query.wards:
        help_["nearby_wards"] = _nearby_wards(query, groups)
    help_["related_needs"] = _related_needs(query, groups)
    return help_


def _nearby_wards(query: SearchQuery, groups: list[Group]) -> list[dict]:
    wards = list(Ward.objects.only("code", "name", "min_lat", "max_lat", "min_lon", "max_lon"))
    chosen = [w for w in wards if w.code in query.wards]

    def centre(w: Ward) -> tuple[float, float]:
        return ((w.min_lat + w.max_lat) / 2, (w.min_lon + w.max_lon) / 2)

    def gap(w: Ward) -> float:
        lat, lon = centre(w)
        return min(
            (lat - c[0]) ** 2 + ((lon - c[1]) * math.cos(math.radians(lat))) ** 2
            for c in map(centre, chosen)
        )

    found = []
    for ward in sorted((w for w in wards if w.code not in query.wards), key=gap)[:4]:
        count = _count(dataclasses.replace(query, wards=(ward.code,), neighbourhoods=()), groups)
        if count:
            found.append({"code": ward.code, "name": ward.name, "count": count})
    return found[:3]


def _related_needs(query: SearchQuery, groups: list[Group]) -> list[dict]:
    """Needs the words or chosen needs point to, their parent and their sister needs, with how
    many listings each has under the other filters."""
    codes = {code for group in groups for code in group.term_codes}
    chosen = TaxonomyTerm.objects.filter(
        Q(code__in=codes)
        | Q(code__in=query.needs)
        | Q(pk__in=[u for u in map(_as_uuid, query.needs) if u])
    )
    related = TaxonomyTerm.objects.filter(
        Q(pk__in=chosen.values("parent_id"))
        | Q(parent_id__in=chosen.values("parent_id"))
        | Q(parent_id__in=chosen.values("pk"))
        | Q(pk__in=chosen.values("pk"))
    ).exclude(code__in=query.needs)
    base = _filtered(dataclasses.replace(query, needs=()))
    counts = (
        SearchTerm.objects.filter(entry_id__in=base.values("pk"), term__in=related)
        .values("term__code", "term__name")
        .annotate(n=Count("id"))
        .order_by("-n", "term__name")[:5]
    )
    return [{"code": r["term__code"], "name": r["term__name"], "count": r["n"]} for r in counts]


# --- the search ---------------------------------------------------------------------------------


def search(query: SearchQuery) -> SearchResult:
    token = _lookups.set({})
    try:
        return _search(query)
    finally:
        _lookups.reset(token)


def _search(query: SearchQuery) -> SearchResult:
    query = _checked(query)
    groups = current().parse(query.text)
    hits, total, entries = _run(query, groups)
    corrected_text = ""
    if total == 0 and groups:
        fixed = _corrected(groups)
        if fixed is not None:
            groups, replaced = fixed
            hits, total, entries = _run(query, groups)
            corrected_text = " ".join(replaced.get(w, w) for w in text.words(query.text))
    result = SearchResult(
        query=query,
        total=min(total, MAX_COUNTED),
        hits=hits,
        corrected_text=corrected_text,
        capped=total > MAX_COUNTED,
    )
    if total:
        if query.facets:
            result.facets = _facets(entries, everything=not groups and not _has_filters(query))
    else:
        result.help = _help(query, groups)
    return result


def matching_service_ids(words: str) -> QuerySet:
    """The ids of public listings matching these words (no filters, no correction), as a
    subquery for other querysets (the ORUK API's `search`)."""
    return _matching(SearchEntry.objects.all(), current().parse(words)).values("service_id")


def _as_near_as_the_page(
    entries: QuerySet[SearchEntry], query: SearchQuery, start: int, total: int
) -> QuerySet[SearchEntry]:
    """For a page by distance: the entries no further away than the page's last one, found
    from their coordinates alone (an index of them, on both engines), so only those rows are
    read and sorted by distance and name. They are a prefix of the whole order, ties
    included, so the page is the same. (Within 1 km of York's centre at 100,000 listings:
    20 ms to read and sort 8,800 rows; this reads about 20.)"""
    assert query.point is not None
    last = min(start + query.per_page, total) - 1
    cut = (
        entries.annotate(d2_cut=_distance_squared(query.point))
        .order_by(F("d2_cut").asc(nulls_last=True))
        .values_list("d2_cut", flat=True)[last]
    )
    if cut is None:  # the page reaches listings without a place: read them all
        return entries
    return _within(entries, query.point, cut)


def _page_in_rings(
    entries: QuerySet[SearchEntry],
    query: SearchQuery,
    start: int,
    total: int,
    page: Callable[[QuerySet[SearchEntry]], list[dict]],
) -> list[dict]:
    """For a page by distance: the page read from the entries within a circle about the
    point, the circle growing until it holds the page. Those entries are a prefix of the
    whole order (everything nearer than anything outside the circle, ties included; entries
    without a place come last), so once the circle holds as many as the page reaches, its
    page is the page. (At 1,000,000 listings, "walking, nearest first" has 55,000 matches,
    each read to be sorted; the first circle, 500 m, holds about 350 of them: 171 ms to 53.)"""
    assert query.point is not None
    want = min(start + query.per_page, total) - start
    far = float(query.within_m) if query.within_m is not None else MAX_RING_M
    radius = min(FIRST_RING_M, far)
    while True:
        rows = page(_within(entries, query.point, radius**2))
        if len(rows) >= want:
            return rows
        if radius >= far:
            # The circle asked for holds every match; or the rest have no place, or are
            # very far away.
            return rows if query.within_m is not None else page(entries)
        # Matches are spread about evenly near the point: grow the circle by the area still
        # wanted (what was found counts only as far as the page reached), at least by half.
        found = start + len(rows) if rows else 0
        grow = math.sqrt((start + want) / found) * 1.2 if found else 3.0
        radius = min(radius * max(grow, 1.5), far)


def _page_with_total(
    entries: QuerySet[SearchEntry], annotations: dict, order: list, start: int, per_page: int
) -> list[dict]:
    """PostgreSQL: one page of `entries` in `order`, each row with its `annotations` and how
    many entries there are in all (`total`). The annotations are worked out in a subquery it
    may not merge (`OFFSET 0`), so the window that counts keeps only them, the name and the
    id of each match. (Merged, PostgreSQL carries each match's name and needs vectors
    through the window and scores it after: "club, age 8" at 100,000 listings, 8,700
    matches, 40 ms to 24.)"""
    names = [name for name in annotations if name != "total"]
    sorted_by = {item.expression.name for item in order if not isinstance(item, str)}
    # A score the order does not use is worked out for the page's rows alone, afterwards
    # ("walking, nearest first" at 100,000 listings: 5,400 matches not scored, 3 ms less).
    later = [name for name in names if name == "score" and name not in sorted_by]
    names = [name for name in names if name not in later]
    inner = (
        entries.annotate(**{name: annotations[name] for name in names})
        .order_by()
        .values("service_id", "sort_name", "pk", *names)
    )
    sql, params = inner.query.sql_with_params()
    quote = connection.ops.quote_name
    ordering = []
    for item in order:
        if isinstance(item, str):
            ordering.append(quote(item))
        else:
            direction = "DESC" if item.descending else "ASC"
            nulls = " NULLS LAST" if item.nulls_last else ""
            ordering.append(f"{quote(item.expression.name)} {direction}{nulls}")
    columns = ", ".join(quote(name) for name in ("service_id", *names))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, COUNT(*) OVER () FROM ({sql} OFFSET 0) AS matches"  # noqa: S608
            f" ORDER BY {', '.join(ordering)} LIMIT %s OFFSET %s",
            [*params, per_page, start],
        )
        rows = [
            dict(zip(["service_id", *names, "total"], row, strict=True))
            for row in cursor.fetchall()
        ]
    if later and rows:
        scores = dict(
            SearchEntry.objects.filter(service_id__in=[row["service_id"] for row in rows])
            .annotate(score=annotations["score"])
            .values_list("service_id", "score")
        )
        for row in rows:
            row["score"] = scores[row["service_id"]]
    return rows


def _name_tiers(
    base: QuerySet[SearchEntry],
    groups: list[Group],
    within: list[Group] | None,
    *,
    sqlite: bool,
) -> list[tuple[QuerySet[SearchEntry], int]]:
    """The entries with the words in their names, best score first, each tier one score.
    With one group: the group in the name and the needs or types, then in the name only.
    On SQLite each is one FTS5 query (column filters, and `within`: see `_in_column`); on
    PostgreSQL, tests of the name's and the needs' vectors (and of the whole entry's, with
    `within`). PostgreSQL also takes several groups: each score from the highest down to
    that of one group in the name alone, a tier of every way of reaching it."""
    if sqlite:
        (group,) = groups
        name, terms = (f"{column} : {_fts5([group])}" for column, _ in COLUMNS)
        also = f" AND ({_fts5(within)})" if within else ""
        both = base.filter(TextMatch(fts5=f"{name} AND {terms}{also}", tsquery=""))
        name_only = base.filter(TextMatch(fts5=f"({name}{also}) NOT ({terms})", tsquery=""))
        return [(both, 1 + NAME + TERMS), (name_only, 1 + NAME)]
    if within or len(groups) > 1:
        # (One group in the name implies a match; another group may be in the description.)
        every = within or groups
        base = base.filter(TextMatch(fts5=_fts5(every), tsquery=_tsquery(every)))
    tests = [
        (Q(_in_column(column, group)), weight) for group in groups for column, weight in COLUMNS
    ]
    levels: dict[int, Q] = {}
    for has in itertools.product((True, False), repeat=len(tests)):
        score = len(groups) + sum(weight for (_, weight), h in zip(tests, has, strict=True) if h)
        condition = Q()
        for (test, _), h in zip(tests, has, strict=True):
            condition &= test if h else ~test
        levels[score] = levels[score] | condition if score in levels else condition
    lowest = len(groups) + NAME
    return [(base.filter(levels[s]), s) for s in sorted(levels, reverse=True) if s >= lowest]


def _page_of_tiers(
    tiers: list[tuple[QuerySet[SearchEntry], int]],
    start: int,
    per_page: int,
    annotations: dict,
    *,
    walk: bool = False,
) -> list[dict] | None:
    """The page from `start` of the tiers one after another, each in name order with its
    score; None if they end before the page does."""
    rows: list[dict] = []
    skip = start
    for tier, score in tiers:
        want = per_page - len(rows)
        in_order = (
            tier.annotate(**{**annotations, "score": Value(score)})
            .order_by("sort_name", "pk")
            .values("service_id", *annotations)[skip : skip + want]
        )
        part = None
        if walk:
            at_most = min(WALK_AT_MOST, WALK_SHARE * _estimated(SearchEntry.objects.all()))
            if skip + want <= at_most * WALK_DENSITY_AT_LEAST:
                part = _walked(in_order, read=min(int(at_most), (skip + want) * WALK_PER_ROW))
        if part is None or len(part) < want:
            part = list(in_order)
        rows += part
        if len(rows) == per_page:
            return rows
        # The tier ended within the page (nothing more to skip) or before it began.
        skip = 0 if part else skip - _counted(tier, skip)
    return None


def _estimated(entries: QuerySet[SearchEntry]) -> int:
    """PostgreSQL: how many `entries` the planner expects (from its statistics, without
    reading them; for one full-text match it is close: 94,000 expected for 88,500). Under
    ALWAYS_BROAD, more than BROAD_MATCHES (and every entry for the walk's share)."""
    if ALWAYS_BROAD:
        return 1_000_000_000
    sql, params = entries.query.sql_with_params()
    return _remembered(("estimate", sql, tuple(map(str, params))), lambda: _plan_rows(entries))


def _plan_rows(entries: QuerySet[SearchEntry]) -> int:
    plan = json.loads(entries.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _walked(rows: QuerySet, *, read: int) -> list[dict] | None:
    """PostgreSQL: `rows` (a slice of entries in name order) found among the first `read`
    entries in name order, read along the name index and tested one by one; it stops as soon
    as the slice is full. When the slice is full it is the slice. (The planner, taking a
    tier's tests for independent, expects a few hundred entries where there are tens of
    thousands, and reads them all to sort them: "club, age 8" at 1,000,000 listings, 32,500
    entries, 165 ms; walked, 1 ms.) None on SQLite, or when the query is not one plain read
    of the entries."""
    if not WALK_IN_NAME_ORDER or connection.vendor != "postgresql":
        return None
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(SearchEntry._meta.db_table)
    source = f"FROM {table} "
    if sql.count(source) != 1 or sql.count(table + " ") != 1:
        return None
    first = f"SELECT * FROM {table} ORDER BY {quote('sort_name')}, {quote('id')} LIMIT {int(read)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql.replace(source, f"FROM ({first}) AS {table} "), params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _run(
    query: SearchQuery, groups: list[Group]
) -> tuple[list[SearchHit], int, QuerySet[SearchEntry]]:
    """One page of results, how many there are in all, and the entries that match."""
    rest, facts = _as_words(query, groups)
    filtered = _filtered(rest)
    entries = _matching(filtered, groups + facts)
    hits, total = _hits(entries, groups, rest, base=filtered, facts=facts)
    return hits, total, entries


def _hits(
    entries: QuerySet[SearchEntry],
    groups: list[Group],
    query: SearchQuery,
    *,
    base: QuerySet[SearchEntry],
    facts: list[Group],
) -> tuple[list[SearchHit], int]:
    """One page of results (`entries`: `base`, the filtered entries, matched to the words
    and `facts`; `query` holds the filters `facts` does not answer), and how many there are
    in all."""
    annotations: dict = {}
    # With facts, what every entry matches, for SQLite's lists of entries with words in a
    # column (and the names-first shortcut's match). Without, the column's list is as short
    # or nearly (several groups of words: making it within all of them cost more than it
    # saved, "debt advice" 29 to 39 ms at 100,000 listings).
    within = groups + facts if facts else None
    if groups:
        annotations["score"] = _score(groups, within=within)
    if query.point is not None:
        annotations["distance2"] = _distance_squared(query.point)
    if query.sort == "soonest" and not _has_stale_dates(query.today):
        annotations["soonest"] = F("next_date")
    elif query.sort == "soonest":
        annotations["soonest"] = Case(
            When(next_date__gte=query.today, then=F("next_date")),
            When(next_date__isnull=True, then=Value(None, output_field=DateField())),
            default=index.upcoming_date(query.today),
            output_field=DateField(),
        )
    order = {
        "relevance": [F("score").desc(), "sort_name", "pk"] if groups else ["sort_name", "pk"],
        "distance": [F("distance2").asc(nulls_last=True), "sort_name", "pk"],
        "soonest": [F("soonest").asc(nulls_last=True), "sort_name", "pk"],
        "name": ["sort_name", "pk"],
    }[query.sort]
    start = (query.page - 1) * query.per_page
    # Words with column filters are answered from a list of matches that must be scored and
    # sorted anyway: counting them in the same query (a window) saves a second full-text
    # pass. Otherwise a separate count, which stops at the count limit (ADR 0013), is cheaper
    # and lets the page be read in index order and stop early (a window makes PostgreSQL read
    # every row, measured at 10 times slower). When only words and facts (filters matched as
    # tokens) narrow the search, SQLite counts from the FTS5 index alone (it keeps every row
    # of a window in a temporary table), and with one group of words it ranks the listings
    # with the words in their name first (below); PostgreSQL does so for words alone. (On
    # PostgreSQL, words and facts are one costly pass over the GIN index, 11 ms for
    # "exercise" with four filters at 100,000 listings: the window needs one, names first
    # two, 32 ms instead of 20. Names first with column filters was slower on both engines.)
    words_only = bool(groups) and not _has_filters(query)
    sqlite = connection.vendor == "sqlite"
    # PostgreSQL: a broad search (the planner expects more than BROAD_MATCHES) is ranked tier
    # by tier with several groups of words or filters as tokens too, and reads tiers along
    # the name index; fewer matches are cheaper read and scored in one pass.
    broad = (
        not sqlite
        and words_only
        and query.sort == "relevance"
        and len(groups) <= TIER_GROUPS_AT_MOST
        and _estimated(entries) > BROAD_MATCHES
    )
    name_first = (
        NAME_TIER_FIRST
        and words_only
        and query.sort == "relevance"
        and (len(groups) == 1 if sqlite else (len(groups) == 1 and not facts) or broad)
    )
    fts5_count = words_only and sqlite
    rings = DISTANCE_RINGS and bool(groups) and query.sort == "distance" and not sqlite
    windowed = bool(groups) and not (fts5_count or name_first or rings)
    total = None
    if windowed:
        annotations["total"] = Window(Count("pk"))
    elif fts5_count:
        total = _fts5_count(groups + facts, limit=_count_limit(query))
    elif name_first and broad and FEW_SCORED_AMONG_IDS:
        # The matches' ids, up to the count limit, cost about what counting them does (the
        # index is read whole either way); when that is all of them, they are scored among
        # themselves rather than found again tier by tier. With filters matched as tokens,
        # up to SCORED_AT_MOST: the filters thin out the tiers, so that a page is seldom
        # found near the start of the name order, and another pass over the index is dear
        # ("exercise" with four filters at 1,000,000 listings, 2,200 matches: 80 ms a pass;
        # reading 4,000 more ids costs about 15 ms).
        limit = max(_count_limit(query), SCORED_AT_MOST if facts else 0)
        ids = list(entries.values_list("pk", flat=True)[:limit])
        total = len(ids)
        if total < limit:
            entries, name_first = SearchEntry.objects.filter(AmongIds(ids)), False
    elif groups:
        total = _counted(entries, _count_limit(query))
    else:
        # Filters alone: the matches' ids, up to the count limit, cost about what counting
        # them does; when that is all of them, the page is read from those ids rather than
        # by finding the matches a second time (at 100,000 listings on PostgreSQL, "families
        # in Heworth": its two statements 26 ms to 15).
        lists = _id_lists(query)
        limit = _count_limit(query)
        if lists is not None and len(lists) > 1 and not sqlite:
            # An intersection is worked out whole before its first row comes back, so on
            # PostgreSQL all its ids are read (up to IDS_AT_MOST) and the page found among
            # them, not by intersecting again ("families in Heworth" at 1,000,000 listings:
            # 6,800 of 65,000 and 134,000, about 80 ms each time).
            limit = max(limit, IDS_AT_MOST)
        if lists is None:
            ids = list(entries.values_list("pk", flat=True)[:limit])
        else:
            ids = [next(iter(row.values())) for row in _all_of(lists)[:limit]]
        total = len(ids)
        many = total > min(INDEX_ORDER_ABOVE, MAX_COUNTED)
        if many and sqlite and query.sort in ("relevance", "name"):  # (name order, no words)
            # Many matches in name order: read the name index and test each entry's needs and
            # places as it goes, stopping at the page's end (a list of 20,000 matches to sort
            # took 18 ms; this takes under 1 ms). Few matches are cheaper looked up and sorted.
            entries = _filtered(query, correlated=True)
        elif total < limit:
            entries = SearchEntry.objects.filter(AmongIds(ids))
        elif lists is not None and len(lists) > 1:
            # Several needs, or needs and places: one intersection of their lists beats
            # testing each entry in name order (at 1,000,000 listings, 35 ms, not 400).
            entries = SearchEntry.objects.filter(pk__in=_all_of(lists))

    def page(of: QuerySet[SearchEntry]) -> list[dict]:
        return list(
            of.annotate(**annotations)
            .order_by(*order)
            .values("service_id", *annotations)[start : start + query.per_page]
        )

    rows: list[dict] | None = None
    if name_first and total:
        # With one group of words, the score has four tiers: in the name and the needs or
        # types (7), the name only (5), then without the name (3 and 1), each in name order.
        # The first two are read tier by tier in name order, each only as far as the page
        # needs, so the listings without the words in their name are never read, and the
        # score need not be worked out to sort (for "help" at 100,000 listings on PostgreSQL,
        # 2,900 rows sorted by name instead of 4,700 scored and sorted: 19 ms to 12).
        tiers = _name_tiers(base, groups, within, sqlite=sqlite)
        rows = _page_of_tiers(tiers, start, query.per_page, annotations, walk=broad)
    if rings and total:
        rows = _page_in_rings(entries, query, start, total, page)
    if DISTANCE_CUT and rows is None and total and query.sort == "distance" and not groups:
        entries = _as_near_as_the_page(entries, query, start, total)
    if rows is None and windowed and SCORED_BEFORE_WINDOW and not sqlite:
        rows = _page_with_total(entries, annotations, order, start, query.per_page)
    if rows is None:
        rows = page(entries) if total != 0 else []
    if total is None:
        limit = _count_limit(query)
        total = rows[0]["total"] if rows else (_counted(entries, limit) if start else 0)
    shown = {
        pk: (name, summary, kind, organization or "")
        for pk, name, summary, kind, organization in Service.objects.filter(
            pk__in=[r["service_id"] for r in rows]
        )
        .values_list("pk", "name", "summary", "kind", "provider__name")
        .order_by()
    }
    hits = []
    for row in rows:
        name, summary, kind, organization = shown.get(row["service_id"], ("", "", "", ""))
        distance2 = row.get("distance2")
        hits.append(
            SearchHit(
                service_id=row["service_id"],
                name=name,
                score=row.get("score", 0),
                distance_m=math.sqrt(distance2) if distance2 is not None else None,
                next_date=row.get("soonest"),
                summary=summary,
                kind=kind,
                organization=organization,
            )
        )
    return hits, total
