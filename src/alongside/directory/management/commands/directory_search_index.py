from django.core.management.base import BaseCommand

from alongside.core.db import refresh_planner_statistics
from alongside.directory.search.index import occurrence_window_days, rebuild_all


class Command(BaseCommand):
    help = (
        "Rebuild the directory's search index from the published listings. Run it once a day "
        "(e.g. from cron) so 'happening this week' and 'soonest' roll forward; it also "
        "refreshes the database's query planner statistics."
    )

    def handle(self, *args, **options):
        total = rebuild_all()
        refresh_planner_statistics()
        if options["verbosity"]:
            self.stdout.write(
                f"Search index rebuilt: {total} listings, dates for the next "
                f"{occurrence_window_days()} days."
            )
