"""Database housekeeping that both engines need, each in its own words."""

from __future__ import annotations

from django.db import connections


def refresh_planner_statistics(*, using: str = "default") -> None:
    """Let the query planner know how the tables look now (after bulk loads and daily).

    Without statistics SQLite guesses that any indexed condition is selective, and can scan a
    whole table through an index on a column most rows share. `analysis_limit` keeps the run
    to a fraction of a second on a large file. PostgreSQL's autovacuum does this too, but
    only some time after a bulk load."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
