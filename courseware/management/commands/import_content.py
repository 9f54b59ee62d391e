from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courseware.content import ContentError, import_directory


class Command(BaseCommand):
    help = "Load topic documents (Markdown + YAML front matter) into the database, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(settings.CONTENT_DIR))
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, directory, dry_run, **options):
        try:
            report = import_directory(Path(directory), dry_run=dry_run)
        except ContentError as exc:
            raise CommandError(f"refused, nothing was imported:\n{exc}") from None
        prefix = "would be " if dry_run else ""
        for label, slugs in (("created", report.created), ("updated", report.updated)):
            for slug in slugs:
                self.stdout.write(f"{prefix}{label}: {slug}")
        for key in report.exercises_retired:
            self.stdout.write(f"{prefix}retired exercise (no longer in its document): {key}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.created)} {prefix}created, {len(report.updated)} {prefix}updated, "
                f"{len(report.unchanged)} unchanged"
            )
        )
