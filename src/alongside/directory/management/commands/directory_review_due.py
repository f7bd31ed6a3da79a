"""Move published listings that have not been checked for DIRECTORY_REVIEW_MONTHS to "review
due". Run daily (cron, or enqueue `directory.tasks.mark_review_due`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from alongside.directory.services import listings_mark_review_due


class Command(BaseCommand):
    help = "Mark published directory listings that are due for review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Treat this date (YYYY-MM-DD) as today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date like 2026-03-31") from error
        moved = listings_mark_review_due(today=today)
        noun = "listing is" if moved == 1 else "listings are"
        self.stdout.write(f"{moved} {noun} now due for review.")
