"""Writes: create a submission, claim and grade it exactly once, sweep up what got stuck.

Delivery is at least once (acks_late), so every step here is idempotent: a claim is a conditional
UPDATE, and the verdict is stored only by the holder of the current claim.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from courseware.models import Exercise
from grading import announcements, claimers, dispatch, engine
from grading.models import Submission
from grading.progress_table import progress_record, progress_refresh

logger = logging.getLogger(__name__)
Status = Submission.Status

GRADER_FAILED = (
    "Something went wrong while grading this answer. It did not cost you an attempt, "
    "and it will be re-graded once the problem is fixed."
)
GAVE_UP = "This answer could not be graded after {n} tries. It did not cost you an attempt."


class SubmissionRefused(Exception):
    """The student may not submit to this exercise now; the message says why."""


def attempts_used(*, user, exercise: Exercise) -> int:
    return Submission.objects.filter(user=user, exercise=exercise, status__in=Submission.COUNTS_AS_ATTEMPT).count()


@dataclass(frozen=True)
class Submitted:
    submission: Submission
    new: bool  # False: the same answer was already being graded, and that submission is returned


def submission_create(*, user, exercise: Exercise, answer: str) -> Submission:
    """Store the answer as typed and enqueue its grading once (and only if) the transaction commits."""
    return submission_submit(user=user, exercise=exercise, answer=answer).submission


def submission_submit(*, user, exercise: Exercise, answer: str) -> Submitted:
    """Like `submission_create`, except that the same answer sent again while it is still being graded
    (a double click, a resent form) returns that submission instead of recording a second attempt."""
    if exercise.retired:
        raise SubmissionRefused("This exercise has been retired and takes no more answers.")
    limit = engine.attempts_allowed(exercise)
    with transaction.atomic():
        # Serialise this student's submissions: two at once can neither both take the last attempt
        # nor both record the same answer.
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        in_flight = (
            Submission.objects.filter(user=user, exercise=exercise, status__in=(Status.QUEUED, Status.GRADING))
            .filter(answer=answer)
            .order_by("-id")
            .first()
        )
        if in_flight is not None:
            return Submitted(in_flight, new=False)
        if limit is not None and attempts_used(user=user, exercise=exercise) >= limit:
            raise SubmissionRefused(f"You have used all {limit} attempts at this exercise.")
        submission = Submission.objects.create(
            user=user,
            exercise=exercise,
            seed=engine.student_seed(user.pk, exercise),
            answer=answer,
            status=Status.QUEUED,
            enqueued_at=timezone.now(),
        )
        submission_enqueue_on_commit(submission_id=submission.pk)
    return Submitted(submission, new=True)


def submission_enqueue_on_commit(*, submission_id: int) -> None:
    """`delay_on_commit`, except that a broker outage leaves the submission to the sweeper instead of failing."""

    def send():
        try:
            dispatch.send(dispatch.GRADE_SUBMISSION, (submission_id,), retry=True, retry_policy={"max_retries": 1})
        except Exception:
            logger.warning("could not enqueue submission %s; the sweeper will", submission_id, exc_info=True)

    transaction.on_commit(send)


class Outcome(Enum):
    STORED = "stored"  # this delivery graded it
    ALREADY_FINAL = "already final"  # a duplicate delivery: nothing to do
    BUSY = "busy"  # another delivery holds a live claim: try again later
    MISSING = "missing"  # deleted, or never committed


@dataclass(frozen=True)
class GradeResult:
    outcome: Outcome
    retry_in: float = 0.0


CLAIM_SQL = (
    f"UPDATE {Submission._meta.db_table} SET status = %s, claim_token = %s, claimed_at = %s, "  # noqa: S608
    "claimed_by = %s, delivery_attempts = delivery_attempts + 1 "
    "WHERE id = %s AND (status = %s OR (status = %s AND claimed_at < %s))"
)


def submission_claim(*, submission_id: int, now=None) -> tuple[uuid.UUID | None, Submission | None]:
    """Take the submission for grading: from `queued`, or from `grading` whose claim has lapsed.

    One conditional UPDATE, so two deliveries can never both hold the claim. Written as a plain
    statement: built by the ORM on every verdict, the query cost more CPU than running it.
    """
    now = now or timezone.now()
    token = uuid.uuid4()
    field = Submission._meta.get_field
    params = [
        Status.GRADING,
        field("claim_token").get_db_prep_value(token, connection),
        field("claimed_at").get_db_prep_value(now, connection),
        claimers.worker_name(),
        submission_id,
        Status.QUEUED,
        Status.GRADING,
        field("claimed_at").get_db_prep_value(claimers.lapsed_before(now), connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, params)
        claimed = cursor.rowcount
    if not claimed:
        return None, Submission.objects.filter(pk=submission_id).first()
    return token, Submission.objects.select_related("exercise").get(pk=submission_id)  # (its topic: only the id)


def submission_release_claim(*, submission_id: int, pid: int) -> bool:
    """Put back in the queue a submission whose claim belongs to the (dead) process `pid` on this host.

    Conditioned on that exact claimer, so a live delivery's claim is never taken away.
    """
    released = Submission.objects.filter(
        pk=submission_id, status=Status.GRADING, claimed_by=claimers.of_this_host(pid)
    ).update(status=Status.QUEUED, claim_token=None, claimed_at=None)
    return bool(released)


def submissions_release_dead_claims(*, pid_alive=None) -> list[int]:
    """Re-enqueue what processes on this host that no longer exist were grading (a worker killed whole).

    Their messages stay unacknowledged in Redis until the visibility timeout: without this, only the
    sweeper would find them. A live process's claim, or another host's, is never touched.
    """
    released = []
    for pk, claimed_by in claimers.dead_claims(Submission.objects.filter(status=Status.GRADING), pid_alive):
        row = Submission.objects.filter(pk=pk, status=Status.GRADING, claimed_by=claimed_by)
        if row.update(status=Status.QUEUED, claim_token=None, claimed_at=None, enqueued_at=timezone.now()):
            submission_enqueue_on_commit(submission_id=pk)
            released.append(pk)
    return released


def _store(submission: Submission, token: uuid.UUID, **fields) -> bool:
    """Write the outcome only while we still hold the claim: a stale claimer can never overwrite."""
    fields.setdefault("graded_at", timezone.now())
    with transaction.atomic():
        stored = Submission.objects.filter(pk=submission.pk, status=Status.GRADING, claim_token=token).update(
            claim_token=None, **fields
        )
        if stored:  # the student's progress commits with the verdict, or neither does
            for name, value in fields.items():
                setattr(submission, name, value)
            progress_record(submission=submission)
    if stored:
        announcements.announce(submission.pk)
    return bool(stored)


def submission_grade(*, submission_id: int) -> GradeResult:
    """Claim, grade with the engine, store the verdict. Safe to call any number of times."""
    token, submission = submission_claim(submission_id=submission_id)
    if submission is None:
        return GradeResult(Outcome.MISSING)
    if token is None:
        if submission.is_final:
            return GradeResult(Outcome.ALREADY_FINAL)
        if submission.status == Status.QUEUED:  # the row changed between our UPDATE and SELECT
            return GradeResult(Outcome.BUSY, retry_in=1.0)
        expires = submission.claimed_at + timedelta(seconds=settings.GRADING_CLAIM_LEASE_S)
        left = (expires - timezone.now()).total_seconds()
        return GradeResult(Outcome.BUSY, retry_in=min(max(left, 0.0) + 0.5, 10.0))

    if submission.delivery_attempts > settings.SWEEP_MAX_ATTEMPTS:
        logger.error("submission %s: giving up after %s deliveries", submission.pk, submission.delivery_attempts - 1)
        _store(submission, token, status=Status.ERROR, feedback=GAVE_UP.format(n=submission.delivery_attempts - 1))
        return GradeResult(Outcome.STORED)
    try:
        verdict = engine.grade_answer(submission.exercise, submission.seed, submission.answer)
        version = engine.grader_version()
    except Exception:  # the engine's own bug, a broken spec, or the soft time limit: never a crash loop
        logger.exception("submission %s: the grader failed", submission.pk)
        _store(submission, token, status=Status.ERROR, feedback=GRADER_FAILED)
        return GradeResult(Outcome.STORED)
    _store(
        submission,
        token,
        status=Status.INVALID if verdict.status == "invalid" else Status.GRADED,
        verdict=verdict.status,
        score=verdict.score,
        feedback=verdict.feedback or "",
        latex=verdict.latex or "",
        normalized=verdict.normalized or "",
        grader_version=version,
    )
    return GradeResult(Outcome.STORED)


@dataclass(frozen=True)
class SweepReport:
    requeued: list[int]
    failed: list[int]


def submissions_sweep(*, now=None, limit: int = 1000) -> SweepReport:
    """Re-enqueue submissions stuck in `queued` or `grading` (a lost message, a killed worker); give up on poison."""
    now = now or timezone.now()
    stale = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - timedelta(seconds=settings.SWEEP_STUCK_AFTER_S))
    lapsed = claimers.lapsed_before(now)
    stuck = Submission.objects.filter(stale).filter(
        Q(status=Status.QUEUED) | Q(status=Status.GRADING, claimed_at__lt=lapsed)
    )
    report = SweepReport([], [])
    rows = stuck.values_list("pk", "status", "delivery_attempts", "exercise_id", "user_id")[:limit]
    for pk, status, attempts, exercise_id, user_id in rows:
        # Conditioned on what we read, so a delivery that claims it meanwhile wins.
        row = Submission.objects.filter(pk=pk, status=status, delivery_attempts=attempts).filter(stale)
        if attempts >= settings.SWEEP_MAX_ATTEMPTS:
            with transaction.atomic():
                gave_up = row.update(
                    status=Status.ERROR, feedback=GAVE_UP.format(n=attempts), claim_token=None, graded_at=now
                )
                if gave_up:
                    progress_refresh(exercise_id=exercise_id, user_ids=[user_id])
            if gave_up:
                logger.error("submission %s: giving up after %s deliveries", pk, attempts)
                report.failed.append(pk)
        elif row.update(enqueued_at=now):
            submission_enqueue_on_commit(submission_id=pk)
            report.requeued.append(pk)
    if report.requeued or report.failed:
        logger.warning("sweeper: re-enqueued %s, gave up on %s", len(report.requeued), len(report.failed))
    return report
