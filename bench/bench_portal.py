r"""The portal's finding pages (issue 4): server time of the results page and the home page,
and the bytes of a first visit to the results page.

Budgets (issue 4): results page server time p95 <= 60 ms on a 10,000-listing directory;
first load <= 200 KB before map tiles.

Server time is measured in-process through Django's test client (URL routing, the form, the
search service, the result cards, the template), over a fixed mix of results-page addresses
that a resident would make with the search box, the filters, near me, sorting and paging,
plus the home page.

First load is the results page's HTML plus everything it makes the browser fetch before any
map tile: its stylesheets, scripts (and the modules they import), icons, and the ward
outlines the map draws. Static files are counted as production serves them: whitenoise's
CompressedManifestStaticFilesStorage keeps a Brotli and a gzip copy of each, and sends the
Brotli one to browsers that accept it (all current ones). The HTML and the outlines come from
Django, which sends them uncompressed unless the reverse proxy compresses them, so they are
counted uncompressed.

Size: BENCH_PORTAL_SERVICES synthetic listings (default 10,000); BENCH_PORTAL_REPS runs of
each address (default 10). The directory is made by `directory.synthetic` (seed 1) and
reused when the database already holds that many synthetic listings.

    # 10k, throwaway SQLite file (what `make bench` does)
    .venv/bin/python bench/run.py bench_portal
    # Directly: a per-address breakdown and the first-load bytes, writing nothing. Keeps its
    # SQLite file in var/ so later runs reuse the data.
    .venv/bin/python bench/bench_portal.py
    # On PostgreSQL (a throwaway cluster: the data is made each time)
    scripts/with-postgres.sh .venv/bin/python bench/bench_portal.py
"""

from __future__ import annotations

import gzip
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

SIZE = int(os.environ.get("BENCH_PORTAL_SERVICES", "10000"))
REPS = int(os.environ.get("BENCH_PORTAL_REPS", "10"))
SEED = 1
BUDGET_P95_MS = 60.0
BUDGET_FIRST_LOAD_KB = 200.0

MINSTER = (53.9623, -1.0819)
ACOMB_POINT = (53.9560, -1.1260)
ACOMB, HEWORTH, GUILDHALL = "E05010311", "E05010320", "E05010318"


def _u(params: dict[str, Any]) -> str:
    return "/search/?" + urlencode(params, doseq=True) if params else "/search/"


# What residents do: the address each action makes. Fixed, so runs compare.
RESULTS_URLS: tuple[tuple[str, str], ...] = (
    ("everything (Search in the menu)", _u({})),
    ("words: walking", _u({"q": "walking"})),
    ("words: lonely", _u({"q": "lonely"})),
    ("words: money worries", _u({"q": "money worries"})),
    ("words: coffee morning, Tuesday mornings",
     _u({"q": "coffee morning", "day": "tue", "time": "morning"})),
    ("words: lonely, free only", _u({"q": "lonely", "free": "yes"})),
    ("words: dementia, step-free", _u({"q": "dementia", "access": "step_free"})),
    ("need: mental health (browse by need)", _u({"need": "mental-health"})),
    ("need: keeping active in Acomb", _u({"need": "physical-activity", "area": ACOMB})),
    ("need + who for: food, older people", _u({"need": "food", "audience": "older-people"})),
    ("area: Heworth (near me, by area)", _u({"area": HEWORTH})),
    ("point: nearest first (use my location)",
     _u({"lat": ACOMB_POINT[0], "lng": ACOMB_POINT[1], "sort": "distance"})),
    ("point: food bank within 2 miles",
     _u({"q": "food bank", "lat": MINSTER[0], "lng": MINSTER[1], "distance": "2",
         "sort": "distance"})),
    ("sort: soonest first", _u({"sort": "soonest"})),
    ("age 8, free, weekends", _u({"age": "8", "free": "yes", "day": ["sat", "sun"]})),
    ("paging: help, page 5", _u({"q": "help", "page": "5"})),
    ("misspelt: befreinding", _u({"q": "befreinding"})),
    ("no results: help offered",
     _u({"q": "walking", "day": "sun", "time": "evening", "area": GUILDHALL})),
)  # fmt: skip
HOME_URL = "/"
FIRST_LOAD_URL = _u({"q": "walking"})

BENCHMARKS: list[tuple[str, Callable[[], None], int]] = []
_state: dict[str, Any] = {}


def _get(url: str) -> None:
    response = _state["client"].get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])


# --- data -------------------------------------------------------------------------------------


def setup() -> str:
    from django.test import Client

    from bench.synthetic_data import cycle, ensure_synthetic_directory

    public = ensure_synthetic_directory(
        SIZE, seed=SEED, reindex=bool(os.environ.get("BENCH_PORTAL_REINDEX"))
    )
    _state["client"] = Client()
    for _, url in RESULTS_URLS:
        _get(url)  # every address works before any timing
    _get(HOME_URL)

    BENCHMARKS.clear()
    BENCHMARKS.extend(
        [
            (
                f"portal results page: mix of {len(RESULTS_URLS)} searches",
                cycle([lambda u=u: _get(u) for _, u in RESULTS_URLS]),
                len(RESULTS_URLS) * REPS,
            ),
            ("portal home page", lambda: _get(HOME_URL), 3 * REPS),
        ]
    )
    load = first_load()
    print(load.summary(), flush=True)
    return f"{public:,} public listings ({SIZE:,} synthetic)"


# --- first load -------------------------------------------------------------------------------


@dataclass
class Asset:
    url: str
    raw: int
    gzip: int
    brotli: int | None
    compressed: bool  # served compressed (static files) or as is (from Django)

    @property
    def served(self) -> int:
        if not self.compressed:
            return self.raw
        return self.brotli if self.brotli is not None else self.gzip


@dataclass
class FirstLoad:
    url: str
    assets: list[Asset]

    @property
    def total(self) -> int:
        return sum(a.served for a in self.assets)

    def summary(self) -> str:
        lines = [f"First load of {self.url} (bytes; static files as whitenoise serves them):"]
        lines.append(f"  {'file':58} {'raw':>8} {'gzip':>8} {'brotli':>8} {'served':>8}")
        for a in self.assets:
            brotli = f"{a.brotli:8,}" if a.brotli is not None else f"{'-':>8}"
            lines.append(f"  {a.url[:58]:58} {a.raw:8,} {a.gzip:8,} {brotli} {a.served:8,}")
        total_kb = self.total / 1024
        verdict = "within" if total_kb <= BUDGET_FIRST_LOAD_KB else "OVER"
        raw_kb = sum(a.raw for a in self.assets) / 1024
        lines.append(
            f"  total served {total_kb:.1f} KB ({raw_kb:.1f} KB uncompressed): {verdict} the "
            f"{BUDGET_FIRST_LOAD_KB:.0f} KB budget"
        )
        return "\n".join(lines)


_LINKED = re.compile(
    r"<(?:link|script|img)\b[^>]*?\b(?:href|src)=\"(/[^\"]+)\"[^>]*>", re.IGNORECASE
)
_IMPORTED = re.compile(r"""(?:\bimport\b[^"';]*?|\bfrom\s*)["'](\.{1,2}/[^"']+)["']""")
_OUTLINES = re.compile(r'data-outlines-url="([^"]+)"')


def _compressed(data: bytes) -> tuple[int, int | None]:
    gz = len(gzip.compress(data, compresslevel=9))
    try:
        import brotli
    except ImportError:
        return gz, None
    return gz, len(brotli.compress(data))


def _static_bytes(url: str) -> bytes:
    from django.conf import settings
    from django.contrib.staticfiles import finders

    path = finders.find(url.removeprefix(settings.STATIC_URL).split("?")[0])
    if not path:
        raise FileNotFoundError(f"{url} is not a static file: run `node frontend/build.mjs`")
    return Path(path).read_bytes()


def first_load(url: str = FIRST_LOAD_URL) -> FirstLoad:
    """The results page and everything it loads before map tiles."""
    from django.conf import settings

    client = _state.get("client")
    if client is None:
        from django.test import Client

        client = _state["client"] = Client()
    html = client.get(url).content
    text = html.decode()
    assets = [Asset(url, len(html), *_compressed(html), compressed=False)]
    queue = [u for u in _LINKED.findall(text) if u.startswith(settings.STATIC_URL)]
    seen: set[str] = set()
    while queue:
        asset_url = queue.pop(0)
        if asset_url in seen:
            continue
        seen.add(asset_url)
        data = _static_bytes(asset_url)
        assets.append(Asset(asset_url, len(data), *_compressed(data), compressed=True))
        if asset_url.endswith(".js"):  # the modules it imports load too
            base = asset_url.rsplit("/", 1)[0]
            for relative in _IMPORTED.findall(data.decode("utf-8", "replace")):
                queue.append(os.path.normpath(f"{base}/{relative}"))
    # map.js fetches the wards' outlines as the map's background when no tile server is set.
    outlines = _OUTLINES.search(text)
    if outlines:
        data = client.get(outlines.group(1)).content
        assets.append(Asset(outlines.group(1), len(data), *_compressed(data), compressed=False))
    elif "data-app-map" in text and not settings.PORTAL_MAP_TILES_URL:
        from alongside.portal.selectors import ward_outlines

        data = ward_outlines().body  # counted even before the portal routes them
        assets.append(
            Asset("ward outlines (not routed yet)", len(data), *_compressed(data), compressed=False)
        )
    return FirstLoad(url=url, assets=assets)


# --- run directly: a per-address breakdown ----------------------------------------------------


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
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{root}/var/bench-portal-{SIZE}.sqlite3")
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
    print(f"\n{engine}, {size}, {REPS} runs of each address; milliseconds\n")
    print(f"{'address':58} {'median':>7} {'p95':>7}")
    everything: list[float] = []
    for label, url in RESULTS_URLS:
        values = _time(lambda u=url: _get(u), REPS)
        everything.extend(values)
        print(f"{label:58.58} {statistics.median(values):7.1f} {_percentile(values, 95):7.1f}")
    p95 = _percentile(everything, 95)
    verdict = "within" if p95 <= BUDGET_P95_MS else "OVER"
    print(
        f"{'results page, all addresses':58} {statistics.median(everything):7.1f} {p95:7.1f}"
        f"  ({verdict} the {BUDGET_P95_MS:.0f} ms p95 budget)"
    )
    home = _time(lambda: _get(HOME_URL), 3 * REPS)
    print(f"{'home page':58} {statistics.median(home):7.1f} {_percentile(home, 95):7.1f}")


if __name__ == "__main__":
    main()
