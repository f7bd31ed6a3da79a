"""The synthetic directory the search and portal benchmarks share, and a helper to cycle
through a fixed mix of calls. Not a benchmark itself (run.py only runs bench_*.py)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any


def ensure_synthetic_directory(size: int, *, seed: int, reindex: bool = False) -> int:
    """Make a synthetic directory of `size` listings, or reuse the one the database holds
    when it is that size; index it and refresh the planner's statistics (as the daily
    `directory_search_index` does). Returns how many listings are public."""
    from django.db import connection

    from alongside.core.db import refresh_planner_statistics
    from alongside.directory.models import SearchEntry, Service
    from alongside.directory.search.index import rebuild_all
    from alongside.directory.synthetic import (
        ensure_reference_data,
        synthetic_clear,
        synthetic_count,
        synthetic_generate,
    )

    ensure_reference_data()
    have = synthetic_count()
    if have != size:
        if have:
            print(f"Clearing {have:,} synthetic listings (want {size:,})", flush=True)
            synthetic_clear()
        print(f"Making a synthetic directory of {size:,} listings", flush=True)
        start = time.perf_counter()
        synthetic_generate(services=size, seed=seed, rebuild_index=False)
        made = time.perf_counter() - start
        start = time.perf_counter()
        indexed = rebuild_all()
        print(
            f"  made in {made:.0f} s, indexed ({indexed:,}) in {time.perf_counter() - start:.0f} s",
            flush=True,
        )
    public = Service.objects.filter(state__in=["published", "review_due"]).count()
    fresh = have != size
    if SearchEntry.objects.count() < public or reindex:
        print("Rebuilding the search index", flush=True)
        rebuild_all()
        fresh = True
    refresh_planner_statistics()
    if fresh and connection.vendor == "postgresql":
        # What autovacuum would do to freshly written tables some time later (set the
        # visibility map, tidy the GIN indexes' pending lists): done now, so that it does not
        # run in the middle of the timings.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(SEARCH_TABLES)}")
    return public


SEARCH_TABLES = (
    "directory_searchentry",
    "directory_searchterm",
    "directory_searchplace",
    "directory_searchoccurrence",
)


def cycle(funcs: list[Callable[[], Any]]) -> Callable[[], None]:
    """One call that runs the next of `funcs` each time, round and round."""
    it = itertools.cycle(funcs)

    def call() -> None:
        next(it)()

    return call
