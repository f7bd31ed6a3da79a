"""manage.py directory_import FILE_OR_URL [--format json|csv] [--dry-run] [--draft]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from alongside.directory.hsds_import import (
    ImportReport,
    directory_import_bytes,
    directory_import_url,
)


class Command(BaseCommand):
    help = (
        "Import directory listings from Open Referral UK 3.0 JSON or the CSV template, from a "
        "file or an http(s) address. Listings are matched by id: new ones are added, known "
        "ones updated. If any record has an error nothing is changed. Exits 1 on errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="A file path or an http(s) URL")
        parser.add_argument("--format", choices=["json", "csv"], default=None)
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing"
        )
        parser.add_argument(
            "--draft", action="store_true", help="Add new listings as drafts, not published"
        )

    def handle(self, *args, **options):
        source: str = options["source"]
        fmt = options["format"] or (
            "csv" if source.lower().split("?")[0].endswith(".csv") else "json"
        )
        common = {"dry_run": options["dry_run"], "draft": options["draft"]}
        if source.startswith(("http://", "https://")):
            report = directory_import_url(url=source, file_format=fmt, **common)
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"No such file: {source}")
            report = directory_import_bytes(
                raw=path.read_bytes(), file_format=fmt, source=path.name, **common
            )
        self.show(report)
        if not report.ok:
            raise CommandError(
                f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}: nothing "
                "was imported."
            )

    def show(self, report: ImportReport) -> None:
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}")
        for error in report.errors:
            self.stderr.write(f"Error: {error}")
        if not report.ok:
            return
        verb = "Would change" if report.dry_run else "Changed"
        self.stdout.write(f"{report.services_in_file} services in the file.")
        for line in report.summary_lines():
            self.stdout.write(f"  {line}")
        if report.changed_services:
            self.stdout.write(f"{verb} {len(report.changed_services)} listings:")
            for change in report.changed_services[:50]:
                self.stdout.write(f"  {change.action}: {change.name} ({change.id})")
            if len(report.changed_services) > 50:
                self.stdout.write(f"  … and {len(report.changed_services) - 50} more")
        else:
            self.stdout.write(
                "No listings would change." if report.dry_run else "No listings changed."
            )
        if report.dry_run:
            self.stdout.write("Dry run: nothing was saved.")
