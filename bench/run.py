"""Run every benchmark in bench/ and append the results to bench/RESULTS.md.

Each `bench_*.py` module defines `setup()` (build its data once) and `BENCHMARKS`, a list of
(name, callable, repetitions). Benchmarks run against a throwaway SQLite database under the
test settings, or against DATABASE_URL when it is set. Timings are wall-clock server-side
times in milliseconds; the table records the machine, data size, median and p95.
"""

from __future__ import annotations

import importlib
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def ensure_database() -> None:
    """Create the PostgreSQL database DATABASE_URL names when it is missing (as with the
    empty cluster scripts/with-postgres.sh starts). SQLite makes its file by itself."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="alongside-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.config.settings.test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    ensure_database()
    call_command("migrate", verbosity=0)
    call_command("load_york_places", verbosity=0)

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    rows: list[str] = []
    selected = sys.argv[1:]
    for path in sorted((ROOT / "bench").glob("bench_*.py")):
        if selected and path.stem not in selected:
            continue
        module = importlib.import_module(f"bench.{path.stem}")
        data_size = module.setup()
        for name, func, reps in module.BENCHMARKS:
            func()  # warm caches and connections
            timings = []
            for _ in range(reps):
                start = time.perf_counter()
                func()
                timings.append((time.perf_counter() - start) * 1000)
            median, p95 = statistics.median(timings), _percentile(timings, 95)
            rows.append(f"| {name} | {engine} | {data_size} | {reps} | {median:.2f} | {p95:.2f} |")
            print(f"{name}: median {median:.2f} ms, p95 {p95:.2f} ms ({reps} runs, {data_size})")

    results = ROOT / "bench" / "RESULTS.md"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    with results.open("a", encoding="utf-8") as fh:
        fh.write(f"\n## {stamp}\n\nMachine: {_machine()}\n\n")
        fh.write("| benchmark | database | data size | runs | median ms | p95 ms |\n")
        fh.write("|---|---|---|---|---|---|\n")
        fh.write("\n".join(rows) + "\n")
    print(f"Appended to {results}")


if __name__ == "__main__":
    main()
