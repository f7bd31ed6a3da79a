"""Remind everyone with a Talking Point tomorrow, and end waiting-list offers not taken up.
Safe to run more than once a day: nobody is reminded twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from alongside.hubs.services.bookings import offers_expire, reminders_send


class Command(BaseCommand):
    help = "Send Talking Point reminders for tomorrow (or --day) and end expired offers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--day", help="The day of the bookings to remind, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options.get("day"):
            try:
                day = dt.date.fromisoformat(options["day"])
            except ValueError:
                raise CommandError("Give the day as YYYY-MM-DD") from None
        ended = offers_expire()
        sent = reminders_send(day=day)
        self.stdout.write(f"Sent {sent} reminder(s); ended {ended} waiting-list offer(s).")
