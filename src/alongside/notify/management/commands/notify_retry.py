"""Send again the messages left queued when the sending service (GOV.UK Notify) was down.
Run it every few minutes with a sending backend; safe to run at any time, as nothing is
sent twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.notify.services import messages_retry


class Command(BaseCommand):
    help = "Queue again messages still waiting to send after --minutes (default 10)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--minutes", type=int, default=10, help="Minutes a message waits")

    def handle(self, *args: Any, **options: Any) -> None:
        count = messages_retry(waiting_minutes=options["minutes"])
        self.stdout.write(f"Queued {count} message(s) to send again.")
