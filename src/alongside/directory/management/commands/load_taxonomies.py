from django.core.management.base import BaseCommand

from alongside.directory.taxonomies import taxonomies_load


class Command(BaseCommand):
    help = (
        "Load the directory's needs, service-type and audience taxonomies. Safe to run again: "
        "only missing terms are added and staff edits are kept."
    )

    def handle(self, *args, **options):
        result = taxonomies_load()
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"Taxonomies: {result.taxonomies_created} taxonomies added; "
            f"{result.terms_created} terms added, {result.terms_kept} already present and kept."
        )
