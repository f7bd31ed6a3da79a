"""Generate Talking Point slots for every active session, up to HUBS_SLOT_WEEKS_AHEAD weeks
ahead (or to --until). Safe to run any number of times: existing slots are left alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alongside.hubs.services.schedule import slots_extend_all


class Command(BaseCommand):
    help = "Generate Talking Point slots for every active session."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--until", help="Last date to generate for, as YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        until = None
        if options.get("until"):
            try:
                until = dt.date.fromisoformat(options["until"])
            except ValueError as error:
                raise CommandError("--until must be a date like 2026-03-31") from error
        made = slots_extend_all(until=until)
        self.stdout.write(f"Made {made} slot{'' if made == 1 else 's'}.")
