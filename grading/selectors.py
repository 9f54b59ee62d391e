"""Reads: exercises by their public reference, a student's own submissions, re-grade reports."""

import logging
import time

from django.db import connection
from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.functions import Coalesce

from courseware.models import Exercise
from grading import announcements
from grading.models import RegradeRun, StudentExerciseProgress, Submission, VerdictChange

logger = logging.getLogger(__name__)
RECHECK_S = 5.0  # with Redis: how often the database is read anyway (an announcement can be lost)
POLL_S = 0.5  # without Redis
STATUS_SQL = f"SELECT status FROM {Submission._meta.db_table} WHERE id = %s AND user_id = %s"  # noqa: S608 (no input)


def exercise_by_ref(ref: str) -> Exercise | None:
    """An exercise by id, by key "topic/slug", or by slug when that slug is unique."""
    ref = ref.strip()
    if "\x00" in ref:  # PostgreSQL cannot even compare text containing NUL
        return None
    exercises = Exercise.objects.select_related("topic").order_by()  # at most one row: nothing to sort
    if ref.isdigit():
        matches = list(exercises.filter(pk=int(ref)))
    elif "/" in ref:
        topic, _, slug = ref.partition("/")
        matches = list(exercises.filter(topic__slug=topic, slug=slug))
    else:
        matches = list(exercises.filter(slug=ref)[:2])
    return matches[0] if len(matches) == 1 else None


def submissions_of(*, user) -> QuerySet[Submission]:
    return Submission.objects.filter(user=user).select_related("exercise__topic")


def submission_of(*, user, submission_id: int, exercise: Exercise | None = None) -> Submission | None:
    """The submission, only if it is the user's own. With its `exercise` (already read), it is not joined again."""
    if exercise is None:
        rows = submissions_of(user=user).filter(pk=submission_id).order_by()
    else:
        rows = Submission.objects.filter(user=user, pk=submission_id, exercise=exercise).order_by()
    submission = next(iter(rows), None)
    if submission is not None and exercise is not None:
        submission.exercise = exercise
    return submission


def submission_wait_final(
    *, user, submission_id: int, timeout: float, exercise: Exercise | None = None
) -> Submission | None:
    """The user's submission once it is final, or as it stands after `timeout` seconds (a long poll).

    The worker announces each verdict on Redis, and this process's listener wakes the waiting request;
    the database stays the truth, read again after every announcement and every RECHECK_S. While the
    listener is not subscribed (Redis down or reconnecting) the wait goes on by reading the database
    every POLL_S. A waiting request holds no database connection. While waiting only the status is
    read; the whole row (with its exercise, unless given) once, for the answer.
    """
    if timeout <= 0:
        return submission_of(user=user, submission_id=submission_id, exercise=exercise)
    deadline = time.monotonic() + timeout
    listener = announcements.listener()
    # Registered before the first read, so that a verdict stored in between wakes us.
    woken = listener.register(submission_id)
    announced = False
    try:
        while True:
            if announced:  # most likely final now: read the whole row at once
                submission = submission_of(user=user, submission_id=submission_id, exercise=exercise)
                if submission is None or submission.is_final or deadline <= time.monotonic():
                    return submission
            status = _status_of(user=user, submission_id=submission_id)
            left = deadline - time.monotonic()
            if status is None:  # not the user's, or deleted while we waited
                return None
            if status in Submission.FINAL or left <= 0:
                return submission_of(user=user, submission_id=submission_id, exercise=exercise)
            _release_database_connection()
            announced = woken.wait(min(left, RECHECK_S if listener.subscribed else POLL_S))
            woken.clear()
    finally:
        listener.unregister(submission_id, woken)


def _status_of(*, user, submission_id: int) -> str | None:
    # Read again and again by every waiting request: plain SQL costs a fraction of building the query.
    with connection.cursor() as cursor:
        cursor.execute(STATUS_SQL, [submission_id, user.pk])
        row = cursor.fetchone()
    return row[0] if row else None


def _release_database_connection() -> None:
    # Hundreds of students may wait at once: while waiting they must not hold a connection each.
    if not connection.in_atomic_block:
        connection.close()


def verdict_summaries_of(*, user) -> dict[int, list[bool]]:
    """Per live exercise with a graded answer: [first answer correct] plus [True] if solved later.

    That short sequence is all `courseware.mastery.topic_mastery` reads of a student's answers.
    """
    rows = StudentExerciseProgress.objects.filter(user=user, attempts__gt=0, exercise__retired=False)
    return {
        exercise_id: [first] if first or not solved else [False, True]
        for exercise_id, first, solved in rows.values_list("exercise_id", "first_try_correct", "solved")
    }


def solved_exercise_ids(*, user, exercise_ids: list[int]) -> set[int]:
    rows = StudentExerciseProgress.objects.filter(user=user, exercise_id__in=exercise_ids, solved=True)
    return set(rows.values_list("exercise_id", flat=True))


def regrade_report(*, run: RegradeRun, examples: int = 5, students=None) -> dict:
    """Examples of verdicts that went up, down, or changed at the same score (feedback, status).

    `students`, when given, limits the examples to those accounts' submissions (an instructor's own cohorts).
    """
    zero = Value(0.0, output_field=FloatField())
    changes = VerdictChange.objects.filter(run=run)
    if students is not None:
        changes = changes.filter(submission__user__in=students)
    changes = (
        changes.select_related("submission")
        .annotate(before=Coalesce("old_score", zero), after=Coalesce("new_score", zero))
        .order_by("pk")
    )
    return {
        "up": list(changes.filter(after__gt=F("before"))[:examples]),
        "down": list(changes.filter(after__lt=F("before"))[:examples]),
        "same score": list(changes.filter(after=F("before"))[:examples]),
    }
