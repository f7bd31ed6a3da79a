import datetime as dt

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from alongside.directory.demo import demo_directory_load


class Command(BaseCommand):
    help = (
        "Load the York demo directory: fictional providers, venues, activities and events "
        "(never in production; safe to run again)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Build the demo around this date (YYYY-MM-DD); defaults to today.",
        )

    def handle(self, *args, **options):
        try:
            result = demo_directory_load(today=options["today"])
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] == 0:
            return
        added = ", ".join(f"{n} {kind}" for kind, n in result.created.items()) or "nothing new"
        self.stdout.write(f"Demo directory: {added}.")
