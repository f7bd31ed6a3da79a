from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from alongside.casework.demo import casework_demo_load
from alongside.demo.loader import ensure_not_production


class Command(BaseCommand):
    help = (
        "Load a year of demo Local Area Coordination casework with fictional people "
        "(after load_demo and load_demo_directory; never in production)."
    )

    def handle(self, *args, **options):
        try:
            ensure_not_production()
            result = casework_demo_load()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        added = ", ".join(f"{n} {kind}" for kind, n in result.created.items()) or "nothing new"
        self.stdout.write(f"Demo casework: {added}.")
