from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from alongside.hubs.demo import hubs_demo_load


class Command(BaseCommand):
    help = (
        "Load demo Talking Points: a front door and four hubs with six months of history "
        "(after load_demo_directory and load_demo_casework; never in production; safe to run "
        "again)."
    )

    def handle(self, *args, **options):
        try:
            result = hubs_demo_load()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] == 0:
            return
        added = ", ".join(f"{n} {kind}" for kind, n in result.created.items()) or "nothing new"
        self.stdout.write(f"Demo Talking Points: {added}.")
