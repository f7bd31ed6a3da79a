"""manage.py directory_export [--format json|csv] [--all-states] [OUTPUT]"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from alongside.directory.hsds_export import iter_csv, iter_json


class Command(BaseCommand):
    help = (
        "Export the directory as Open Referral UK 3.0 JSON (fully nested services) or as the "
        "CSV import template. Public listings only, unless --all-states (for staff backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", nargs="?", default="-", help="A file path, or - for stdout")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--all-states",
            action="store_true",
            help="Every listing, including drafts and archived ones",
        )

    def handle(self, *args, **options):
        pieces = (iter_csv if options["format"] == "csv" else iter_json)(
            all_states=options["all_states"]
        )
        if options["output"] == "-":
            for piece in pieces:
                sys.stdout.write(piece)
            sys.stdout.flush()
            return
        path = Path(options["output"])
        with path.open("w", encoding="utf-8", newline="") as fh:
            for piece in pieces:
                fh.write(piece)
        self.stderr.write(f"Wrote {path}")
