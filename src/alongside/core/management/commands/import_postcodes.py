from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alongside.core.services import postcodes_import


class Command(BaseCommand):
    help = (
        "Import postcodes from an ONS Postcode Directory (ONSPD) CSV. By default only the "
        "council's own local authority is kept (LOCAL_AUTHORITY_CODE)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The ONSPD CSV file")
        parser.add_argument(
            "--local-authority",
            default=settings.COUNCIL["local_authority_code"],
            help="GSS code to keep (default: %(default)s); use 'all' for every row",
        )

    def handle(self, *args, path: Path, local_authority: str, **options):
        if not path.exists():
            raise CommandError(f"No file at {path}")
        result = postcodes_import(
            path=path, local_authority=None if local_authority == "all" else local_authority
        )
        self.stdout.write(
            f"Read {result.read} rows: imported {result.imported}, "
            f"{result.skipped_outside_area} outside the area, "
            f"{result.skipped_no_location} without a location, {result.invalid} not valid."
        )
