"""Reads: exercises by their public reference, a student's own submissions, re-grade reports."""

import time

from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.functions import Coalesce

from courseware.models import Exercise
from grading import services
from grading.models import RegradeRun, StudentExerciseProgress, Submission, VerdictChange


def exercise_by_ref(ref: str) -> Exercise | None:
    """An exercise by id, by key "topic/slug", or by slug when that slug is unique."""
    ref = ref.strip()
    exercises = Exercise.objects.select_related("topic")
    if ref.isdigit():
        return exercises.filter(pk=int(ref)).first()
    if "/" in ref:
        topic, _, slug = ref.partition("/")
        return exercises.filter(topic__slug=topic, slug=slug).first()
    matches = list(exercises.filter(slug=ref)[:2])
    return matches[0] if len(matches) == 1 else None


def submissions_of(*, user) -> QuerySet[Submission]:
    return Submission.objects.filter(user=user).select_related("exercise__topic")


def submission_of(*, user, submission_id: int) -> Submission | None:
    """The submission, only if it is the user's own."""
    return submissions_of(user=user).filter(pk=submission_id).first()


def submission_wait_final(*, user, submission_id: int, timeout: float) -> Submission | None:
    """The user's submission once it is final, or as it stands after `timeout` seconds (a long poll)."""
    submission = submission_of(user=user, submission_id=submission_id)
    if submission is None or submission.is_final or timeout <= 0:
        return submission
    deadline = time.monotonic() + timeout
    try:
        pubsub = services.redis_client().pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(services.verdict_channel(submission_id))
    except Exception:  # no Redis: fall back to polling the database
        pubsub = None
    try:
        while True:
            submission = submission_of(user=user, submission_id=submission_id)
            left = deadline - time.monotonic()
            if submission is None or submission.is_final or left <= 0:  # None: deleted while we waited
                return submission
            if pubsub is None:
                time.sleep(min(left, 0.25))
            else:
                pubsub.get_message(timeout=min(left, 1.0))  # the announcement, or a re-check every second
    finally:
        if pubsub is not None:
            pubsub.close()


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


def regrade_report(*, run: RegradeRun, examples: int = 5) -> dict:
    """Examples of verdicts that went up, down, or changed at the same score (feedback, status)."""
    zero = Value(0.0, output_field=FloatField())
    changes = (
        VerdictChange.objects.filter(run=run)
        .select_related("submission")
        .annotate(before=Coalesce("old_score", zero), after=Coalesce("new_score", zero))
        .order_by("pk")
    )
    return {
        "up": list(changes.filter(after__gt=F("before"))[:examples]),
        "down": list(changes.filter(after__lt=F("before"))[:examples]),
        "same score": list(changes.filter(after=F("before"))[:examples]),
    }
