"""Rebuild the per-student, per-exercise progress table from the submissions (or only check it)."""

import time

from django.core.management.base import BaseCommand, CommandError

from grading import selectors
from grading.progress_table import progress_rebuild


class Command(BaseCommand):
    help = "Recompute every student's progress on every exercise from the stored submissions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--exercise", action="append", help="an exercise id or topic/slug (repeatable); default: all"
        )
        parser.add_argument("--check", action="store_true", help="only count rows that differ; write nothing")

    def handle(self, *args, exercise=None, check=False, verbosity=1, **options):
        ids = None
        if exercise:
            ids = []
            for ref in exercise:
                found = selectors.exercise_by_ref(ref)
                if found is None:
                    raise CommandError(f"No exercise {ref!r}.")
                ids.append(found.pk)
        started, done = time.monotonic(), [0]

        def progress(_exercise_id):
            done[0] += 1
            if verbosity > 1:
                self.stdout.write(f"  {done[0]} exercises done ({time.monotonic() - started:.1f} s)")

        report = progress_rebuild(exercise_ids=ids, check_only=check, on_exercise=progress)
        elapsed = time.monotonic() - started
        if check:
            self.stdout.write(
                f"{report.exercises} exercises checked in {elapsed:.1f} s: {report.corrected} rows differ"
            )
            if report.corrected:
                raise CommandError("The progress table differs from the submissions; run rebuild_progress.")
        else:
            self.stdout.write(
                f"{report.exercises} exercises rebuilt in {elapsed:.1f} s: "
                f"{report.corrected} {'row' if report.corrected == 1 else 'rows'} corrected"
            )
