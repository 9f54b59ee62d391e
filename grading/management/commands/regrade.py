import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from grading import selectors
from grading.models import RegradeRun
from grading.regrade import regrade_resume, regrade_start


class Command(BaseCommand):
    help = "Re-grade every stored submission of an exercise with the current grader, on the batch queue."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--exercise", help="id, topic/slug, or slug when unique")
        target.add_argument(
            "--resume", type=int, metavar="RUN", help="finish an unfinished re-grade run (e.g. after losing the broker)"
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would change; write no verdict")
        parser.add_argument(
            "--stall-timeout", type=float, default=120.0, help="seconds without progress before giving up"
        )
        parser.add_argument("--examples", type=int, default=5)

    def handle(self, exercise, resume, dry_run, stall_timeout, examples, **options):
        started = time.monotonic()
        if resume is not None:
            run = RegradeRun.objects.select_related("exercise__topic").filter(pk=resume).first()
            if run is None:
                raise CommandError(f"no re-grade run #{resume}")
            sent = regrade_resume(run=run)
            self.stdout.write(
                f"Re-grade #{run.pk} of {run.exercise.key}: {run.processed} of {run.total} done; "
                f"sent {sent} unfinished chunk(s) again"
            )
            run = self.wait(run, stall_timeout)
            self.report(run, time.monotonic() - started, examples)
            return
        target = selectors.exercise_by_ref(exercise)
        if target is None:
            raise CommandError(f'no exercise "{exercise}" (give its id, topic/slug, or a unique slug)')
        run = regrade_start(exercise=target, dry_run=dry_run)
        self.stdout.write(
            f"Re-grade #{run.pk} of {target.key} with grader {run.grader_version}{' (dry run)' if dry_run else ''}: "
            f"{run.total} submissions, {run.distinct} distinct (variant, answer) pairs"
        )
        run = self.wait(run, stall_timeout)
        elapsed = time.monotonic() - started
        self.report(run, elapsed, examples)

    def wait(self, run: RegradeRun, stall_timeout: float) -> RegradeRun:
        last_progress = time.monotonic()
        seen = run.processed
        with tqdm(total=run.total, initial=seen, unit="sub", file=self.stderr._out, disable=not run.total) as bar:
            while run.finished_at is None:
                time.sleep(0.2)
                heartbeat = run.progress_at
                run.refresh_from_db()
                if run.processed != seen or run.progress_at != heartbeat:  # chunks applied, or progress corrected
                    bar.update(run.processed - seen)
                    seen, last_progress = run.processed, time.monotonic()
                elif time.monotonic() - last_progress > stall_timeout:
                    raise CommandError(
                        f"no progress for {stall_timeout:.0f} s: is a worker consuming the batch queue? "
                        f"(re-grade #{run.pk}: {run.processed} of {run.total} done)"
                    )
        return run

    def report(self, run: RegradeRun, elapsed: float, examples: int) -> None:
        rate = run.total / elapsed if elapsed else 0.0
        verb = "would change" if run.dry_run else "changed"
        self.stdout.write(f"Done in {elapsed:.1f} s ({rate:.0f} submissions/s).")
        self.stdout.write(f"Verdicts {verb}: {run.changed} of {run.total} (up {run.up}, down {run.down}).")
        if run.failed:
            self.stdout.write(self.style.WARNING(f"The grader failed on {run.failed} submissions; kept as they were."))
        for direction, changes in selectors.regrade_report(run=run, examples=examples).items():
            if changes:
                self.stdout.write(f"Examples, {direction}:")
            for change in changes:
                self.stdout.write(
                    f"  #{change.submission_id} {change.submission.answer!r}: "
                    f"{change.old['status']} {change.old_score} -> {change.new['status']} {change.new_score}"
                    f"  ({change.new['feedback'][:80]})"
                )
        if run.dry_run:
            self.stdout.write("Dry run: no verdict was written.")
