r"""The directory search over a synthetic directory (issue 3), in-process server time.

A fixed mix of queries (keyword, keyword + filters, proximity, taxonomy, paging, this week,
facets), each timed three ways, so the cost of every layer is visible:

- `engine`: `directory.search.engine.search(SearchQuery(...))`;
- `API`: `GET /api/search/services?...` through Django's test client (parsing, the engine,
  the page's extra lookups, JSON);
- `raw SQL`: the statements that one `search()` call ran, captured once with their
  parameters and re-run on a raw cursor (rows fetched): the database engine's own time.

Plus the ORUK API over the same data (`/api/oruk/services?search=...`, `/services/{id}`).

Size: BENCH_SEARCH_SERVICES listings (default 10,000, so `make bench` stays short);
BENCH_SEARCH_REPS runs of each query (default 10); BENCH_SEARCH_CATEGORIES (comma-separated)
runs only those categories of the mix. The directory is made by
`directory.synthetic` (seed 1) and reused when the database already holds that many
synthetic listings; a different size clears and remakes it.

    # 10k, throwaway SQLite file (what `make bench` does)
    .venv/bin/python bench/run.py bench_search
    # 100k on SQLite: keep the database file so later runs reuse the data
    BENCH_SEARCH_SERVICES=100000 DATABASE_URL=sqlite:///$PWD/var/bench-100k.sqlite3 \
        .venv/bin/python bench/run.py bench_search
    # 100k on PostgreSQL (a throwaway cluster: the data is made each time)
    BENCH_SEARCH_SERVICES=100000 scripts/with-postgres.sh \
        .venv/bin/python bench/run.py bench_search
    # 1M on PostgreSQL, with memory for it (making and indexing the data takes ~40 min)
    BENCH_SEARCH_SERVICES=1000000 BENCH_SEARCH_REPS=5 \
        PG_SERVER_OPTIONS="-c shared_buffers=2GB -c maintenance_work_mem=1GB" \
        scripts/with-postgres.sh .venv/bin/python bench/run.py bench_search
    # ...or against a cluster you keep, so later runs reuse the 1M listings: set
    # DATABASE_URL to it instead of using scripts/with-postgres.sh, and VACUUM ANALYZE the
    # directory_search* tables once after the first run (as autovacuum would).

A migration that changes what the index holds (0009 added the filters' tokens) rebuilds it
on `migrate`. On a kept 100k SQLite file that rebuild, in place of 100,000 entries, ran for
over 15 minutes before it was stopped; deleting the file and remaking it takes 4. On a kept
PostgreSQL cluster it took 4 minutes at 100k; VACUUM FULL the search tables after it.

`bench/run.py` appends the medians and p95s to bench/RESULTS.md. Running this file directly
(`.venv/bin/python bench/bench_search.py`, same variables) prints a per-query breakdown
instead and writes nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

SIZE = int(os.environ.get("BENCH_SEARCH_SERVICES", "10000"))
REPS = int(os.environ.get("BENCH_SEARCH_REPS", "10"))
SEED = 1

# York city centre (the Minster) and a suburb, for distance queries.
CENTRE = (53.9623, -1.0819)
ACOMB = (53.9560, -1.1260)
GUILDHALL, ACOMB_WARD, HEWORTH = "E05010318", "E05010311", "E05010320"


@dataclass(frozen=True)
class Q:
    """One query of the mix, in the search API's own parameter names."""

    category: str
    label: str
    params: dict[str, Any] = field(default_factory=dict)

    def url(self) -> str:
        return "/api/search/services?" + urlencode(self.params, doseq=True)

    def query(self):  # -> SearchQuery
        from alongside.directory.search.engine import SearchQuery

        p = self.params
        point = (p["lat"], p["lng"]) if "lat" in p else None
        return SearchQuery(
            text=p.get("q", ""),
            needs=tuple(_list(p.get("need"))),
            wards=tuple(_list(p.get("ward"))),
            days=tuple(_list(p.get("day"))),
            times=tuple(_list(p.get("time"))),
            access=tuple(_list(p.get("access"))),
            free=p.get("free") == "true",
            age=p.get("age"),
            this_week=p.get("this_week") == "true",
            point=point,
            within_m=p.get("within"),
            sort=p.get("sort", "relevance"),
            page=p.get("page", 1),
            per_page=p.get("per_page", 20),
            facets=p.get("facets") == "true",
        )


def _list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


C, LAT, LNG = CENTRE, "lat", "lng"
QUERIES: tuple[Q, ...] = (
    # What people type.
    Q("keyword", "walking", {"q": "walking"}),
    Q("keyword", "coffee morning", {"q": "coffee morning"}),
    Q("keyword", "lonely", {"q": "lonely"}),
    Q("keyword", "money worries", {"q": "money worries"}),
    Q("keyword", "dementia carers", {"q": "dementia carers"}),
    Q("keyword", "befreinding (misspelt)", {"q": "befreinding"}),
    Q("keyword", "art", {"q": "art"}),
    Q("keyword", "debt advice", {"q": "debt advice"}),
    # Words and filters.
    Q("keyword + filters", "walking, free", {"q": "walking", "free": "true"}),
    Q("keyword + filters", "coffee morning, Tuesday", {"q": "coffee morning", "day": "tue"}),
    Q("keyword + filters", "lonely, mornings", {"q": "lonely", "time": "morning"}),
    Q("keyword + filters", "advice, Guildhall ward", {"q": "advice", "ward": GUILDHALL}),
    Q("keyword + filters", "lunch, need older people",
      {"q": "lunch", "need": "older-people"}),
    Q("keyword + filters", "club, age 8", {"q": "club", "age": 8}),
    Q("keyword + filters", "dementia, step-free", {"q": "dementia", "access": "step_free"}),
    Q("keyword + filters", "exercise, free, Mon/Wed mornings, 2 wards",
      {"q": "exercise", "free": "true", "day": ["mon", "wed"], "time": "morning",
       "ward": [ACOMB_WARD, HEWORTH]}),
    # Near a point.
    Q("proximity", "within 1 km of the centre, by distance",
      {LAT: C[0], LNG: C[1], "within": 1000, "sort": "distance"}),
    Q("proximity", "food bank within 3 km, by distance",
      {"q": "food bank", LAT: C[0], LNG: C[1], "within": 3000, "sort": "distance"}),
    Q("proximity", "walking, nearest first (no limit)",
      {"q": "walking", LAT: ACOMB[0], LNG: ACOMB[1], "sort": "distance"}),
    Q("proximity", "need carers within 2 km",
      {"need": "carers", LAT: ACOMB[0], LNG: ACOMB[1], "within": 2000}),
    # Needs and categories only.
    Q("taxonomy", "need mental health", {"need": "mental-health"}),
    Q("taxonomy", "need carers or older people", {"need": ["carers", "older-people"]}),
    Q("taxonomy", "type walking group + audience older people",
      {"need": ["walking-group", "older-people"]}),
    Q("taxonomy", "need families in Heworth", {"need": "families", "ward": HEWORTH}),
    # Paging through a big result.
    Q("paging", "help, page 1", {"q": "help", "page": 1}),
    Q("paging", "help, page 5", {"q": "help", "page": 5}),
    Q("paging", "help, page 20", {"q": "help", "page": 20}),
    Q("paging", "everything by name, page 20", {"sort": "name", "page": 20}),
    # Happening soon.
    Q("this week", "anything this week", {"this_week": "true"}),
    Q("this week", "coffee morning this week", {"q": "coffee morning", "this_week": "true"}),
    Q("this week", "this week, soonest first", {"this_week": "true", "sort": "soonest"}),
    # Facets (counts by need, ward, day...).
    Q("facets", "lonely + facets", {"q": "lonely", "facets": "true"}),
    Q("facets", "need physical activity + facets",
      {"need": "physical-activity", "facets": "true"}),
    Q("facets", "everything + facets", {"facets": "true"}),
)  # fmt: skip
if only := os.environ.get("BENCH_SEARCH_CATEGORIES"):  # e.g. "keyword,paging"
    QUERIES = tuple(q for q in QUERIES if q.category in only.split(","))
CATEGORIES = tuple(dict.fromkeys(q.category for q in QUERIES))
# The mix issue 3's budget is set on (p95 ≤ 30 ms at 100,000 listings, ≤ 150 ms at
# 1,000,000): the categories it names. "this week" and "facets" are measured beside it.
BUDGET_MIX = ("keyword", "keyword + filters", "proximity", "taxonomy", "paging")
MIX = tuple(q for q in QUERIES if q.category in BUDGET_MIX)

ORUK_SEARCHES = ("walking", "coffee morning", "dementia carers", "money")

BENCHMARKS: list[tuple[str, Callable[[], None], int]] = []
_state: dict[str, Any] = {}


# --- the three ways of running a query ------------------------------------------------------------


def run_engine(q: Q) -> Any:
    from alongside.directory.search.engine import search

    return search(q.query())


def run_api(q: Q) -> None:
    response = _state["client"].get(q.url())
    assert response.status_code == 200, (q.url(), response.status_code, response.content[:300])


def capture_sql(q: Q) -> list[tuple[str, Any]]:
    """The statements one `search()` call runs, with their parameters. (Like
    CaptureQueriesContext, but keeping the parameters so the statements can be re-run
    exactly; Django's logged SQL has them interpolated for display only.)"""
    from django.db import connection

    statements: list[tuple[str, Any]] = []

    def keep(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        run_engine(q)
    return statements


def run_raw(statements: list[tuple[str, Any]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()


def _oruk(path: str) -> None:
    response = _state["client"].get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])


# --- setup ----------------------------------------------------------------------------------------


def setup() -> str:
    from django.test import Client

    from bench.synthetic_data import ensure_synthetic_directory

    public = ensure_synthetic_directory(
        SIZE, seed=SEED, reindex=bool(os.environ.get("BENCH_SEARCH_REINDEX"))
    )
    _refresh_next_dates()
    _state["client"] = Client()
    _state["public"] = public

    BENCHMARKS.clear()
    _add_search_benchmarks()
    _add_oruk_benchmarks()
    return f"{public:,} public listings ({SIZE:,} synthetic)"


def _refresh_next_dates() -> None:
    """A kept index built on an earlier day has next dates that have passed: the first
    search by date today would bring them up to date (ADR 0007). Done here, and timed, so
    that no timing (or captured statement) includes it."""
    from django.utils import timezone

    from alongside.directory.search.index import refresh_next_dates

    started = time.perf_counter()
    changed = refresh_next_dates(timezone.localdate())
    if changed:
        seconds = time.perf_counter() - started
        print(f"Brought {changed:,} passed next dates up to date in {seconds:.1f} s")


def _add_search_benchmarks() -> None:
    from bench.synthetic_data import cycle

    for q in QUERIES:
        run_api(q)  # every query is valid before any timing
    statements = {id(q): capture_sql(q) for q in QUERIES}
    layers: list[tuple[str, Callable[[Q], Callable[[], Any]]]] = [
        ("engine", lambda q: lambda: run_engine(q)),
        ("API", lambda q: lambda: run_api(q)),
        ("raw SQL", lambda q: lambda: run_raw(statements[id(q)])),
    ]
    for layer, make in layers:
        for category in CATEGORIES:
            queries = [q for q in QUERIES if q.category == category]
            BENCHMARKS.append(
                (
                    f"search {layer}: {category} ({len(queries)} queries)",
                    cycle([make(q) for q in queries]),
                    len(queries) * REPS,
                )
            )
        BENCHMARKS.append(
            (
                f"search {layer}: the issue's mix ({len(MIX)} queries)",
                cycle([make(q) for q in MIX]),
                len(MIX) * REPS,
            )
        )
        BENCHMARKS.append(
            (
                f"search {layer}: overall ({len(QUERIES)} queries)",
                cycle([make(q) for q in QUERIES]),
                len(QUERIES) * REPS,
            )
        )


def _add_oruk_benchmarks() -> None:
    from bench.synthetic_data import cycle

    ids = _sample_ids()
    searches = [f"/api/oruk/services?{urlencode({'search': s})}" for s in ORUK_SEARCHES]
    BENCHMARKS.extend(
        [
            ("ORUK /services page 1 (50)", lambda: _oruk("/api/oruk/services"), 3 * REPS),
            (
                f"ORUK /services?search= ({len(searches)} searches), page 1",
                cycle([lambda p=p: _oruk(p) for p in searches]),
                len(searches) * REPS,
            ),
            (
                "ORUK /services?search=walking&page=5",
                lambda: _oruk("/api/oruk/services?search=walking&page=5"),
                3 * REPS,
            ),
            (
                f"ORUK /services/{{id}} ({len(ids)} listings)",
                cycle([lambda i=i: _oruk(f"/api/oruk/services/{i}") for i in ids]),
                max(len(ids), 10 * REPS),
            ),
        ]
    )


def _sample_ids() -> list[str]:
    """Twenty synthetic listings spread over the whole directory."""
    from alongside.directory.synthetic import synthetic_id

    n = min(SIZE, 20)
    return [str(synthetic_id("service", i * SIZE // n)) for i in range(n)]


# --- run directly: a per-query breakdown ------------------------------------------------------


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _time(func: Callable[[], Any], reps: int) -> list[float]:
    func()
    out = []
    for _ in range(reps):
        start = time.perf_counter()
        func()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "src"))
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.config.settings.test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{root}/var/bench-search-{SIZE}.sqlite3")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench.run import ensure_database

    settings.ALLOWED_HOSTS = ["*"]
    ensure_database()
    call_command("migrate", verbosity=0)
    size = setup()
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"\n{engine}, {size}, {REPS} runs of each query; milliseconds\n")
    print(f"{'query':52} {'hits':>7} {'SQL':>3} | {'engine':>13} | {'API':>13} | {'raw SQL':>13}")
    print(f"{'':52} {'':>7} {'':>3} | {'med':>6} {'p95':>6} | {'med':>6} {'p95':>6} | "
          f"{'med':>6} {'p95':>6}")  # fmt: skip
    per: dict[str, dict[str, list[float]]] = {}
    for q in QUERIES:
        statements = capture_sql(q)
        total = run_engine(q).total
        row = {
            "engine": _time(lambda q=q: run_engine(q), REPS),
            "API": _time(lambda q=q: run_api(q), REPS),
            "raw SQL": _time(lambda s=statements: run_raw(s), REPS),
        }
        for key in ("overall", q.category, *(["the issue's mix"] if q in MIX else [])):
            bucket = per.setdefault(key, {"engine": [], "API": [], "raw SQL": []})
            for layer, values in row.items():
                bucket[layer].extend(values)
        cells = " | ".join(
            f"{statistics.median(v):6.1f} {_percentile(v, 95):6.1f}" for v in row.values()
        )
        print(f"{q.category + ': ' + q.label:52.52} {total:7,} {len(statements):3} | {cells}")
    print()
    for key in (*CATEGORIES, "the issue's mix", "overall"):
        cells = " | ".join(
            f"{statistics.median(v):6.1f} {_percentile(v, 95):6.1f}" for v in per[key].values()
        )
        print(f"{key:64} | {cells}")
    print()
    for name, func, reps in BENCHMARKS:
        if name.startswith("ORUK"):
            values = _time(func, reps)
            print(f"{name:52} median {statistics.median(values):7.1f}  "
                  f"p95 {_percentile(values, 95):7.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
