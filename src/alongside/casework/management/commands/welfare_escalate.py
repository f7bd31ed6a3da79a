"""Escalate the day's missed welfare calls: each call due with nothing recorded is recorded
as missed and its person's worker is emailed, once. Run it each evening after
CASEWORK_WELFARE_CUTOFF_HOUR (cron); before then it does nothing for today. It enqueues
`casework.tasks.escalate_missed_calls`, which the db_worker runs (the test settings run it
at once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from alongside.casework.tasks import escalate_missed_calls


class Command(BaseCommand):
    help = "Escalate today's missed welfare calls to the link workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="Escalate this day's calls (YYYY-MM-DD), not today's")

    def handle(self, *args: Any, **options: Any) -> None:
        day = timezone.localdate()
        if options["day"]:
            try:
                day = dt.date.fromisoformat(options["day"])
            except ValueError as error:
                raise CommandError("--day must be a date like 2026-03-31") from error
            if day > timezone.localdate():
                raise CommandError("--day must be today or earlier")
        result = escalate_missed_calls.enqueue(day.isoformat())
        if result.is_finished:
            count = result.return_value
            noun = "call was" if count == 1 else "calls were"
            self.stdout.write(f"{count} missed {noun} escalated for {day.isoformat()}.")
        else:
            self.stdout.write(f"Queued the missed welfare calls for {day.isoformat()}.")
