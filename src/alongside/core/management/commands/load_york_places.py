from django.core.management.base import BaseCommand

from alongside.core.services import places_load


class Command(BaseCommand):
    help = "Load York's wards, small areas and default neighbourhoods (safe to run again)."

    def handle(self, *args, **options):
        result = places_load()
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"Places: {result.wards_created} wards added, {result.wards_updated} updated; "
            f"{result.small_areas_created} small areas added, {result.small_areas_updated} "
            f"updated; {result.neighbourhoods_created} neighbourhoods added."
        )
