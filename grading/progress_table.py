"""The progress tables: per student and exercise, a fold of the submissions; per student and topic, its sum.

Every write that changes a final submission updates them inside its own transaction: a worker's
verdict through `progress_record` (one step of the fold when the answer is the newest), a re-grade
applied, a submission given up on or deleted through `progress_refresh`. Both lock the affected
rows first and only then read what they derive from, so two verdicts committed at once for the same
student cannot overwrite each other, and running either twice changes nothing. An exercise moved to
another topic or (un)retired changes the topic sums only: `topic_progress_refresh`.
`progress_rebuild` recomputes everything the same way.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q

from courseware.models import Exercise, Topic
from grading.models import StudentExerciseProgress, StudentTopicProgress, Submission

Status = Submission.Status
FINAL = list(Submission.FINAL)
SUMMARY_FIELDS = (
    "answers", "attempts", "invalid", "errors", "first_try_correct", "solved", "attempts_to_correct",
    "best_score", "last_submission_pk", "last_status", "last_verdict", "last_score", "last_answered_at",
)  # fmt: skip
ROWS = ("user_id", "pk", "status", "verdict", "score", "created_at")
TOPIC_FIELDS = ("attempted", "solved", "first_try")


def empty() -> dict:
    fields: dict[str, Any] = dict.fromkeys(SUMMARY_FIELDS, 0)
    fields.update(first_try_correct=None, solved=False, attempts_to_correct=None, best_score=None)
    fields.update(last_submission_pk=None, last_status="", last_verdict="", last_score=None, last_answered_at=None)
    return fields


def step(fields: dict, pk: int, status: str, verdict: str, score: float | None, created_at) -> dict:
    """`fields` with one more final submission, newer than every one already in it (changed in place)."""
    fields["answers"] += 1
    fields.update(last_submission_pk=pk, last_status=status, last_verdict=verdict, last_score=score)
    fields["last_answered_at"] = created_at
    if status == Status.INVALID:
        fields["invalid"] += 1
    elif status == Status.ERROR:
        fields["errors"] += 1
    if status != Status.GRADED:
        return fields
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


def summarise(rows: Iterable[tuple]) -> dict | None:
    """The progress fields for one student's final submissions to one exercise, oldest first; None if none.

    `rows` are (pk, status, verdict, score, created_at).
    """
    rows = list(rows)
    return step_all(rows) if rows else None


def step_all(rows: Iterable[tuple]) -> dict:
    fields = empty()
    for row in rows:
        step(fields, *row)
    return fields


def _topic_counts(fields: dict) -> tuple[int, int, int]:
    """What one exercise row adds to its topic's sums: (attempted, solved, first try)."""
    return int(fields["attempts"] > 0), int(fields["solved"]), int(fields["first_try_correct"] is True)


def progress_record(*, submission: Submission) -> None:
    """A submission has just become final (in the caller's transaction): fold it into its student's rows.

    When it is newer than every final answer the row already holds (the usual case), the row is
    extended by one step and the topic sums moved by the difference; otherwise (an older answer
    finishing late) both are recomputed from the submissions.
    """
    user_id, exercise_id = submission.user_id, submission.exercise_id
    with transaction.atomic(savepoint=False):
        row = StudentExerciseProgress.objects.select_for_update().filter(user_id=user_id, exercise_id=exercise_id)
        stored = next(iter(row.values(*SUMMARY_FIELDS).order_by()), None)  # one row at most: nothing to sort
        if stored is None:  # the student's first final answer here (a concurrent first one waits on the insert)
            StudentExerciseProgress.objects.bulk_create(
                [StudentExerciseProgress(user_id=user_id, exercise_id=exercise_id)], ignore_conflicts=True
            )
            stored = row.values(*SUMMARY_FIELDS).get()
        if stored["answers"] and stored["last_submission_pk"] >= submission.pk:
            progress_refresh(exercise_id=exercise_id, user_ids=[user_id], topic_id=submission.exercise.topic_id)
            return
        before = _topic_counts(stored)
        fresh = step(
            dict(stored) if stored["answers"] else empty(),
            submission.pk, submission.status, submission.verdict, submission.score, submission.created_at,
        )  # fmt: skip
        row.update(**fresh)
        delta = [new - old for new, old in zip(_topic_counts(fresh), before, strict=True)]
        if any(delta) and not submission.exercise.retired:
            topic = submission.exercise.topic_id
            sums = StudentTopicProgress.objects.filter(user_id=user_id, topic_id=topic)
            moved = {name: F(name) + d for name, d in zip(TOPIC_FIELDS, delta, strict=True)}
            # Additions commute: a concurrent refresh of the same sums either sees this row or waits for it.
            if not sums.update(**moved):  # no row yet: make it, then add (a concurrent maker waits on the insert)
                StudentTopicProgress.objects.bulk_create(
                    [StudentTopicProgress(user_id=user_id, topic_id=topic)], ignore_conflicts=True
                )
                sums.update(**moved)


def _by_user(rows: Iterable[tuple]) -> Iterator[tuple[int, list[tuple]]]:
    """Group rows ordered by (user, pk) into each user's (pk, status, verdict, score, created_at) rows."""
    batch: list[tuple]
    current, batch = 0, []
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
        found[user_id] = step_all(rows)
    return found


def progress_refresh(*, exercise_id: int, user_ids: Iterable[int] | None = None, topic_id: int | None = None) -> int:
    """Recompute these students' rows (every student's when None) for one exercise, and their topic sums.

    Runs in the caller's transaction when there is one, so the rows commit with the verdicts. Only
    rows that differ from what the submissions say are written; returns how many (of both tables).
    """
    ids = None if user_ids is None else sorted(set(user_ids))
    if ids == []:
        return 0
    with transaction.atomic(savepoint=False):  # a failure fails the caller's transaction as a whole
        scope = StudentExerciseProgress.objects.filter(exercise_id=exercise_id)
        if ids is not None:
            scope = scope.filter(user_id__in=ids)
        # Make sure a row exists for everyone concerned, then lock them all (in a fixed order, so
        # concurrent refreshes cannot deadlock) before reading the submissions. A row left without
        # a final answer behind it is deleted below.
        having = (
            ids
            if ids is not None
            else _final_submissions(exercise_id, None).order_by("user_id").values_list("user_id", flat=True).distinct()
        )
        StudentExerciseProgress.objects.bulk_create(
            [StudentExerciseProgress(user_id=u, exercise_id=exercise_id) for u in having], ignore_conflicts=True
        )
        stored = {
            row.pop("user_id"): row
            for row in scope.select_for_update().order_by("user_id").values("user_id", *SUMMARY_FIELDS)
        }
        fresh = computed(exercise_id=exercise_id, user_ids=ids)
        changed, gone = _write_differences(scope, stored, fresh, SUMMARY_FIELDS, exercise_id=exercise_id)
        gone = [u for u in gone if stored[u]["answers"]]  # not the empty rows made above
        corrected = len(changed) + len(gone)
        if corrected:  # only these students' topic sums can have moved
            if topic_id is None:
                topic_id = Exercise.objects.filter(pk=exercise_id).values_list("topic_id", flat=True).first()
            if topic_id is not None:
                corrected += topic_progress_refresh(topic_id=topic_id, user_ids=changed + gone)
    return corrected


def _write_differences(
    scope, stored: dict[int, dict], fresh: dict[int, dict], fields: tuple[str, ...], **key: int
) -> tuple[list, list]:
    """Upsert the rows of `scope` whose fields differ from `fresh` and delete those it no longer has.

    `key` is the row's other half of its unique key (exercise_id= or topic_id=); returns the
    user ids written and deleted.
    """
    model = scope.model
    changed = [u for u, fields in fresh.items() if stored.get(u) != fields]
    if changed:
        (name,) = key
        model.objects.bulk_create(
            [model(user_id=u, **key, **fresh[u]) for u in changed],
            update_conflicts=True,
            unique_fields=["user", name.removesuffix("_id")],
            update_fields=list(fields),
            batch_size=1000,
        )
    gone = sorted(stored.keys() - fresh.keys())
    if gone:
        scope.filter(user_id__in=gone).delete()
    return changed, gone


def _topic_sums(topic_id: int, user_ids: list[int] | None) -> dict[int, dict]:
    rows = StudentExerciseProgress.objects.filter(exercise__topic_id=topic_id, exercise__retired=False, attempts__gt=0)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    sums = rows.values("user_id").annotate(
        attempted=Count("pk"),
        solved=Count("pk", filter=Q(solved=True)),
        first_try=Count("pk", filter=Q(first_try_correct=True)),
    )
    return {row.pop("user_id"): row for row in sums.order_by()}


def topic_progress_refresh(*, topic_id: int, user_ids: Iterable[int] | None = None) -> int:
    """Recompute these students' sums (everyone's when None) on one topic; returns rows corrected."""
    ids = None if user_ids is None else sorted(set(user_ids))
    if ids == []:
        return 0
    with transaction.atomic(savepoint=False):
        scope = StudentTopicProgress.objects.filter(topic_id=topic_id)
        if ids is not None:
            scope = scope.filter(user_id__in=ids)
        # As above: a row for everyone concerned, locked in order, and only then the exercise rows read.
        having = ids if ids is not None else _topic_sums(topic_id, None).keys()
        StudentTopicProgress.objects.bulk_create(
            [StudentTopicProgress(user_id=u, topic_id=topic_id) for u in sorted(having)], ignore_conflicts=True
        )
        stored = {
            row.pop("user_id"): row
            for row in scope.select_for_update().order_by("user_id").values("user_id", *TOPIC_FIELDS)
        }
        fresh = _topic_sums(topic_id, ids)
        changed, gone = _write_differences(scope, stored, fresh, TOPIC_FIELDS, topic_id=topic_id)
    return len(changed) + sum(1 for u in gone if stored[u]["attempted"])  # not counting the empty rows made above


def topic_progress_differences(*, topic_id: int) -> int:
    fresh = _topic_sums(topic_id, None)
    stored = {
        row.pop("user_id"): row
        for row in StudentTopicProgress.objects.filter(topic_id=topic_id).values("user_id", *TOPIC_FIELDS)
    }
    return sum(1 for u in fresh.keys() | stored.keys() if fresh.get(u) != stored.get(u))


@dataclass(frozen=True)
class RebuildReport:
    exercises: int
    corrected: int  # rows that were missing, extra or different


def progress_differences(*, exercise_id: int) -> int:
    """How many of this exercise's progress rows differ from what the submissions say (0 when exact)."""
    fresh = computed(exercise_id=exercise_id)
    stored = {
        row.pop("user_id"): row
        for row in StudentExerciseProgress.objects.filter(exercise_id=exercise_id).values("user_id", *SUMMARY_FIELDS)
    }
    return sum(1 for u in fresh.keys() | stored.keys() if fresh.get(u) != stored.get(u))


def progress_rebuild(*, exercise_ids: Iterable[int] | None = None, check_only: bool = False, on_exercise=None):
    """Recompute the tables from the submissions, one exercise (then one topic) per transaction.

    Live verdicts wait briefly for the exercise being rebuilt; nothing is written where the tables are exact.
    """
    exercises = Exercise.objects.order_by("pk")
    if exercise_ids is not None:
        exercises = exercises.filter(pk__in=list(exercise_ids))
    pairs = list(exercises.values_list("pk", "topic_id"))
    corrected = 0
    for exercise_id, _ in pairs:
        if check_only:
            corrected += progress_differences(exercise_id=exercise_id)
        else:
            corrected += progress_refresh(exercise_id=exercise_id)
        if on_exercise:
            on_exercise(exercise_id)
    topic_ids = sorted({topic_id for _, topic_id in pairs}) if exercise_ids is not None else _all_topic_ids()
    for topic_id in topic_ids:
        if check_only:
            corrected += topic_progress_differences(topic_id=topic_id)
        else:
            corrected += topic_progress_refresh(topic_id=topic_id)
    return RebuildReport(len(pairs), corrected)


def _all_topic_ids() -> list[int]:
    """Every topic, and any a stray row points at (a topic with no exercises left keeps no sums)."""
    return sorted(
        set(Topic.objects.values_list("pk", flat=True))
        | set(StudentTopicProgress.objects.values_list("topic_id", flat=True))
    )


def on_submission_deleted(sender, instance: Submission, **kwargs) -> None:
    """post_delete: a deleted answer leaves its student's progress (in the deleting transaction).

    Whatever the instance in memory says its status was: it may be older than the row that was deleted.
    """
    progress_refresh(exercise_id=instance.exercise_id, user_ids=[instance.user_id])


def on_exercise_saving(sender, instance, **kwargs) -> None:
    """pre_save: remember where the exercise was and whether it was live, to see what its save changes."""
    before = sender.objects.filter(pk=instance.pk).values_list("topic_id", "retired").first() if instance.pk else None
    instance._progress_before = before


def on_exercise_saved(sender, instance, created: bool, **kwargs) -> None:
    """post_save: an exercise moved or (un)retired changes the topic sums of everyone who answered it."""
    before = getattr(instance, "_progress_before", None)
    if before is None or before == (instance.topic_id, instance.retired):
        return
    if not StudentExerciseProgress.objects.filter(exercise_id=instance.pk).exists():
        return
    for topic_id in sorted({before[0], instance.topic_id}):
        topic_progress_refresh(topic_id=topic_id)
