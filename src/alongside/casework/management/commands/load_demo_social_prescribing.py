from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from alongside.casework.sp_demo import sp_demo_load


class Command(BaseCommand):
    help = (
        "Load a year of demo social prescribing (primary care networks, a hospital team, "
        "referrals, link workers' work and welfare calls) with fictional people. Run after "
        "load_demo, and after load_demo_directory for connections to groups; never in "
        "production."
    )

    def handle(self, *args, **options):
        try:
            result = sp_demo_load()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        added = ", ".join(f"{n:,} {kind}" for kind, n in result.created.items()) or "nothing new"
        self.stdout.write(f"Demo social prescribing: {added}.")
