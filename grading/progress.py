"""The per-student, per-exercise progress table: one fold of the submissions, refreshed where verdicts change.

Every write that changes a final submission (a verdict stored, a re-grade applied, a submission
given up on or deleted) calls `progress_refresh` inside its own transaction. The refresh locks the
affected progress rows first and only then re-reads those students' submissions, so two verdicts
committed at once for the same student and exercise cannot overwrite each other, and running it
twice changes nothing. `progress_rebuild` runs the same fold over everything.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction

from grading.models import StudentExerciseProgress, Submission

Status = Submission.Status
FINAL = list(Submission.FINAL)
SUMMARY_FIELDS = (
    "answers", "attempts", "invalid", "errors", "first_try_correct", "solved", "attempts_to_correct",
    "best_score", "last_submission_pk", "last_status", "last_verdict", "last_score", "last_answered_at",
)  # fmt: skip
ROWS = ("user_id", "pk", "status", "verdict", "score", "created_at")


def summarise(rows: Iterable[tuple]) -> dict | None:
    """The progress fields for one student's final submissions to one exercise, oldest first; None if none.

    `rows` are (pk, status, verdict, score, created_at).
    """
    fields: dict | None = None
    for pk, status, verdict, score, created_at in rows:
        if fields is None:
            fields = dict.fromkeys(SUMMARY_FIELDS, 0)
            fields.update(first_try_correct=None, solved=False, attempts_to_correct=None, best_score=None)
        fields["answers"] += 1
        fields.update(last_submission_pk=pk, last_status=status, last_verdict=verdict, last_score=score)
        fields["last_answered_at"] = created_at
        if status == Status.INVALID:
            fields["invalid"] += 1
        elif status == Status.ERROR:
            fields["errors"] += 1
        if status != Status.GRADED:
            continue
        fields["attempts"] += 1
        correct = verdict == "correct"
        if fields["first_try_correct"] is None:
            fields["first_try_correct"] = correct
        if correct and not fields["solved"]:
            fields["solved"] = True
            fields["attempts_to_correct"] = fields["attempts"]
        if score is not None and (fields["best_score"] is None or score > fields["best_score"]):
            fields["best_score"] = score
    return fields


def _by_user(rows: Iterable[tuple]) -> Iterator[tuple[int, list[tuple]]]:
    """Group rows ordered by (user, pk) into each user's (pk, status, verdict, score, created_at) rows."""
    current, batch = None, []
    for user_id, *rest in rows:
        if user_id != current:
            if batch:
                yield current, batch
            current, batch = user_id, []
        batch.append(tuple(rest))
    if batch:
        yield current, batch


def _final_submissions(exercise_id: int, user_ids: list[int] | None):
    rows = Submission.objects.filter(exercise_id=exercise_id, status__in=FINAL)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    return rows.order_by("user_id", "pk").values_list(*ROWS)


def computed(*, exercise_id: int, user_ids: list[int] | None = None) -> dict[int, dict]:
    """What the progress rows of this exercise (for these users, or all) should hold, by user id."""
    found = {}
    for user_id, rows in _by_user(_final_submissions(exercise_id, user_ids).iterator(chunk_size=5000)):
        found[user_id] = summarise(rows)
    return found


def progress_refresh(*, exercise_id: int, user_ids: Iterable[int] | None = None) -> int:
    """Recompute these students' rows (every student's when None) for one exercise; returns rows written.

    Runs in the caller's transaction when there is one, so the rows commit with the verdicts.
    """
    ids = None if user_ids is None else sorted(set(user_ids))
    if ids == []:
        return 0
    with transaction.atomic():
        scope = StudentExerciseProgress.objects.filter(exercise_id=exercise_id)
        if ids is not None:
            scope = scope.filter(user_id__in=ids)
        # Make sure a row exists for everyone who has a final answer, then lock them all (in a fixed
        # order, so concurrent refreshes cannot deadlock) before reading the submissions.
        having = _final_submissions(exercise_id, ids).order_by("user_id").values_list("user_id", flat=True).distinct()
        StudentExerciseProgress.objects.bulk_create(
            [StudentExerciseProgress(user_id=u, exercise_id=exercise_id) for u in having], ignore_conflicts=True
        )
        locked = set(scope.select_for_update().order_by("user_id").values_list("user_id", flat=True))
        fresh = computed(exercise_id=exercise_id, user_ids=ids)
        if fresh:
            StudentExerciseProgress.objects.bulk_create(
                [StudentExerciseProgress(user_id=u, exercise_id=exercise_id, **f) for u, f in fresh.items()],
                update_conflicts=True,
                unique_fields=["user", "exercise"],
                update_fields=list(SUMMARY_FIELDS),
                batch_size=1000,
            )
        gone = locked - fresh.keys()
        if gone:
            scope.filter(user_id__in=sorted(gone)).delete()
    return len(fresh)


@dataclass(frozen=True)
class RebuildReport:
    exercises: int
    rows: int
    differences: int  # rows that were missing, extra or different before the rebuild


def progress_differences(*, exercise_id: int) -> int:
    """How many of this exercise's progress rows differ from what the submissions say (0 when exact)."""
    fresh = computed(exercise_id=exercise_id)
    stored = {
        row["user_id"]: {k: row[k] for k in SUMMARY_FIELDS}
        for row in StudentExerciseProgress.objects.filter(exercise_id=exercise_id).values("user_id", *SUMMARY_FIELDS)
    }
    return sum(1 for u in fresh.keys() | stored.keys() if fresh.get(u) != stored.get(u))


def progress_rebuild(*, exercise_ids: Iterable[int] | None = None, check_only: bool = False, on_exercise=None):
    """Recompute the table from the submissions, one exercise per transaction (live verdicts wait briefly)."""
    from courseware.models import Exercise

    if exercise_ids is None:
        exercise_ids = Exercise.objects.order_by("pk").values_list("pk", flat=True)
    ids = list(exercise_ids)
    rows = differences = 0
    for exercise_id in ids:
        differences += progress_differences(exercise_id=exercise_id)
        if not check_only:
            rows += progress_refresh(exercise_id=exercise_id)
        if on_exercise:
            on_exercise(exercise_id)
    return RebuildReport(len(ids), rows, differences)


def on_submission_deleted(sender, instance: Submission, **kwargs) -> None:
    """post_delete: a deleted answer leaves its student's progress (in the deleting transaction).

    Whatever the instance in memory says its status was: it may be older than the row that was deleted.
    """
    progress_refresh(exercise_id=instance.exercise_id, user_ids=[instance.user_id])
