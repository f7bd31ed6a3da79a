from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from alongside.demo.loader import demo_load


class Command(BaseCommand):
    help = "Load York demo organisations, teams, staff and people (never in production)."

    def handle(self, *args, **options):
        try:
            result = demo_load()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        added = ", ".join(f"{n} {kind}" for kind, n in result.created.items()) or "nothing new"
        self.stdout.write(f"Demo data: {added}.")
        self.stdout.write("")
        self.stdout.write("Demo sign-ins (one per role), at http://127.0.0.1:8000/staff/sign-in/")
        width = max(len(s.role) for s in result.sign_ins)
        for s in result.sign_ins:
            self.stdout.write(f"  {s.role:<{width}}  {s.email:<34} {s.password}")
        self.stdout.write("")
