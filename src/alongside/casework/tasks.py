"""Background work for casework (django-tasks; run `manage.py db_worker`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .services.welfare import missed_calls_escalate


@task()
def escalate_missed_calls(day: str) -> int:
    """Each evening: record the welfare calls due on the day (YYYY-MM-DD) with nothing
    recorded as missed, and email each person's worker once. Running it again sends
    nothing more. Returns how many calls were escalated."""
    return missed_calls_escalate(day=dt.date.fromisoformat(day))
