import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alongside.directory.synthetic import synthetic_clear, synthetic_count, synthetic_generate


class Command(BaseCommand):
    help = (
        "Make a synthetic directory of N public listings across York's wards, for benchmarks "
        "(never in production). --clear removes earlier synthetic data and nothing else."
    )

    def add_arguments(self, parser):
        parser.add_argument("--services", type=int, default=0, help="How many listings to make.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Date the schedules and events are built around (YYYY-MM-DD); default today.",
        )
        parser.add_argument(
            "--clear", action="store_true", help="Remove earlier synthetic data first."
        )
        parser.add_argument(
            "--no-index", action="store_true", help="Do not rebuild the search index after."
        )

    def handle(self, *args, **options):
        if getattr(settings, "ALONGSIDE_ENVIRONMENT", "") == "production":
            raise CommandError("Synthetic data cannot be made under production settings.")
        services = options["services"]
        if services < 0 or (services == 0 and not options["clear"]):
            raise CommandError("Give --services N (N at least 1), or --clear.")
        verbose = options["verbosity"] > 0
        if options["clear"]:
            start = time.perf_counter()
            removed = synthetic_clear()
            if verbose:
                total = sum(removed.values())
                self.stdout.write(
                    f"Cleared {total:,} synthetic rows in {time.perf_counter() - start:.1f} s."
                )
        elif synthetic_count():
            raise CommandError(
                f"There are {synthetic_count():,} synthetic listings already. "
                "Add --clear to replace them."
            )
        if not services:
            return

        def progress(done: int, total: int) -> None:
            if verbose:
                self.stdout.write(f"  {done:,} of {total:,} listings", ending="\r")
                self.stdout.flush()

        start = time.perf_counter()
        result = synthetic_generate(
            services=services,
            seed=options["seed"],
            today=options["today"],
            rebuild_index=not options["no_index"],
            progress=progress,
        )
        if verbose:
            made = ", ".join(f"{n:,} {what}" for what, n in result.created.items())
            self.stdout.write("")
            self.stdout.write(
                f"Made {made} in {time.perf_counter() - start:.1f} s; "
                f"{result.indexed:,} listings in the search index."
            )
