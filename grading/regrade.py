"""Re-grade every stored submission of an exercise with the current grader, through the batch queue.

Each distinct (variant, normalised answer) is graded once; the verdict is then written to every
submission that shares it. Changed verdicts are kept in the audit trail (VerdictChange).
"""

import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.lookups import In
from django.utils import timezone

from courseware.models import Exercise
from grading import claimers, dispatch, engine
from grading.models import RegradeChunk, RegradeRun, Submission, VerdictChange
from grading.progress_table import progress_refresh

logger = logging.getLogger(__name__)
Status = Submission.Status

# Only answers that have a verdict: queued and grading ones get the current grader anyway.
REGRADABLE = (Status.GRADED, Status.INVALID, Status.ERROR)
CHUNK_GROUPS = 100
CHUNK_SUBMISSIONS = 5000
PROGRESS_BATCH = 20  # students whose progress one transaction of `regrade_finish` recomputes


def regrade_plan(*, exercise: Exercise) -> list[list]:
    """Groups [seed, answer, [submission ids]], one per distinct (variant, normalised answer)."""
    stored = Submission.objects.filter(exercise=exercise, status__in=REGRADABLE).order_by("pk")
    rows = list(stored.values_list("pk", "seed", "answer"))
    normal_forms: dict[str, str] = {}
    for answer in {answer for _, _, answer in rows}:
        try:
            normalized = engine.normalize_answer(exercise, answer)
        except Exception:  # a broken spec or engine: keep answers apart by their text
            logger.exception("could not normalise %r", answer)
            normalized = None
        normal_forms[answer] = f"n:{normalized}" if normalized is not None else f"t:{answer.strip()}"
    groups: dict[tuple[int, str], list] = {}
    for pk, seed, answer in rows:
        group = groups.setdefault((seed, normal_forms[answer]), [seed, answer, []])
        group[2].append(pk)
    return list(groups.values())


def _chunks(groups: list[list]) -> list[list[list]]:
    chunks: list[list[list]] = []
    current: list[list] = []
    size = 0
    for group in groups:
        if current and (len(current) >= CHUNK_GROUPS or size + len(group[2]) > CHUNK_SUBMISSIONS):
            chunks.append(current)
            current, size = [], 0
        current.append(group)
        size += len(group[2])
    if current:
        chunks.append(current)
    return chunks


def regrade_create(*, exercise: Exercise, requested_by=None, dry_run: bool = False) -> tuple[RegradeRun, list[int]]:
    """Plan the re-grade and store the run with its chunks; returns the run and its chunks' ids (not sent)."""
    groups = regrade_plan(exercise=exercise)
    now = timezone.now()
    with transaction.atomic():
        run = RegradeRun.objects.create(
            exercise=exercise,
            requested_by=requested_by,
            dry_run=dry_run,
            grader_version=engine.grader_version(),
            total=_size(groups),
            distinct=len(groups),
            applied_at=None if groups else now,
            finished_at=None if groups else now,
        )
        chunks = RegradeChunk.objects.bulk_create(
            RegradeChunk(run=run, groups=chunk, submissions=_size(chunk), sent_at=now) for chunk in _chunks(groups)
        )
    return run, [chunk.pk for chunk in chunks]


def regrade_start(*, exercise: Exercise, requested_by=None, dry_run: bool = False) -> RegradeRun:
    """Plan and store the re-grade, and send its chunks to the batch queue once it is committed."""
    with transaction.atomic():
        run, chunk_ids = regrade_create(exercise=exercise, requested_by=requested_by, dry_run=dry_run)
        for chunk_id in chunk_ids:
            dispatch.send_on_commit(dispatch.REGRADE_CHUNK, (chunk_id,))
    return run


def _size(groups: list[list]) -> int:
    return sum(len(ids) for _, _, ids in groups)


def _verdict_fields(verdict, version: str) -> dict:
    return {
        "status": Status.INVALID if verdict.status == "invalid" else Status.GRADED,
        "verdict": verdict.status,
        "score": verdict.score,
        "feedback": verdict.feedback or "",
        "latex": verdict.latex or "",
        "normalized": verdict.normalized or "",
        "grader_version": version,
    }


AUDITED = ("status", "verdict", "score", "feedback", "grader_version")


def _differs(old: dict, new: dict) -> bool:
    return any(old[k] != new[k] for k in ("status", "verdict", "score", "feedback"))


def _change(run: RegradeRun, row: dict, new: dict, version: str) -> VerdictChange:
    old = {k: row[k] for k in AUDITED}
    return VerdictChange(
        submission_id=row["pk"],
        run=run,
        applied=not run.dry_run,
        old=old,
        new={k: new[k] for k in AUDITED},
        old_score=old["score"],
        new_score=new["score"],
        grader_version=version,
    )


def regrade_chunk_claim(*, chunk_id: int) -> uuid.UUID | None:
    """Take the chunk unless it is done or a live claim holds it; the token proves the claim at commit."""
    now = timezone.now()
    token = uuid.uuid4()
    lapsed = claimers.lapsed_before(now)
    claimed = (
        RegradeChunk.objects.filter(pk=chunk_id, done_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=lapsed))
        .update(claim_token=token, claimed_by=claimers.worker_name(), claimed_at=now, deliveries=F("deliveries") + 1)
    )
    return token if claimed else None


def regrade_chunk_process(*, chunk_id: int) -> bool:
    """Grade each group of the chunk once, then apply them in one transaction with the chunk's share of the totals.

    Returns True when this delivery ran out of time and left groups for a fresh message (already sent
    on commit). A delivery that dies before its commit leaves nothing behind: the chunk is claimed
    again once its holder is known dead, or its claim lapses. A duplicate delivery finds the chunk
    done, or held, and does nothing, so nothing is counted twice.
    """
    token = regrade_chunk_claim(chunk_id=chunk_id)
    if token is None:
        return False
    chunk = RegradeChunk.objects.select_related("run__exercise__topic").get(pk=chunk_id)
    run = chunk.run
    version = engine.grader_version()
    deadline = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    totals = {"processed": 0, "changed": 0, "up": 0, "down": 0, "failed": 0}
    leftover: list[list] = []
    graded: list[tuple[list[int], str, dict]] = []
    groups = chunk.groups
    if chunk.deliveries > settings.SWEEP_MAX_ATTEMPTS:  # it failed every time (a time limit, a crash): give up on it
        logger.error("re-grade %s: giving up on chunk %s after %s deliveries", run.pk, chunk_id, chunk.deliveries - 1)
        totals["processed"] = totals["failed"] = chunk.submissions
        groups = []
    for index, (seed, answer, ids) in enumerate(groups):
        if index and time.monotonic() > deadline:
            leftover = groups[index:]
            break
        totals["processed"] += len(ids)
        try:
            graded.append((ids, answer, _verdict_fields(engine.grade_answer(run.exercise, seed, answer), version)))
        except Exception:
            logger.exception("re-grade %s: the grader failed on %r", run.pk, answer)
            totals["failed"] += len(ids)
    now = timezone.now()
    with transaction.atomic():
        mine = RegradeChunk.objects.select_for_update().filter(pk=chunk_id, claim_token=token, done_at__isnull=True)
        if not mine.exists():  # our claim lapsed and another delivery took the chunk over: it does this work
            return False
        changes, stale_users = _apply(run, graded, version, now)
        totals["changed"] = len(changes)
        totals["up"] = sum(1 for c in changes if (c.new_score or 0.0) > (c.old_score or 0.0))
        totals["down"] = sum(1 for c in changes if (c.new_score or 0.0) < (c.old_score or 0.0))
        stale = sorted(stale_users.union(chunk.stale_users))  # ours to change alone while we hold the claim
        if leftover:
            # It made progress: the next delivery starts a fresh count toward giving up.
            mine.update(groups=leftover, submissions=_size(leftover), stale_users=stale, claim_token=None,
                        claimed_by="", claimed_at=None, sent_at=now, deliveries=0)  # fmt: skip
            dispatch.send_on_commit(dispatch.REGRADE_CHUNK, (chunk_id,))
        else:
            mine.update(groups=[], submissions=0, stale_users=stale, claim_token=None, done_at=now)
        RegradeRun.objects.filter(pk=run.pk).update(**{k: F(k) + v for k, v in totals.items()})
        if RegradeRun.objects.filter(pk=run.pk, applied_at__isnull=True, processed__gte=F("total")).update(
            applied_at=now, progress_at=now
        ):  # the last chunk: correct the students' progress, once each, then the run is finished
            dispatch.send_on_commit(dispatch.REGRADE_FINISH, (run.pk,))
    return bool(leftover)


class _InArray(In):
    """`IN (...)`, sent to PostgreSQL as one array: for a chunk's thousands of ids, a placeholder each cost
    the worker more CPU to build, and the server more to parse, than the read itself."""

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


WRITTEN = ("status", "verdict", "score", "feedback", "latex", "normalized", "grader_version")
# The verdict of a group: the same for each of its answers (their LaTeX is each text's own).
VERDICT = ("status", "verdict", "score", "feedback", "normalized")


def _apply(run: RegradeRun, graded: list[tuple[list[int], str, dict]], version: str, now) -> tuple[list, set[int]]:
    """Write the new verdicts where they differ, with the audit trail; returns the changes and the students
    whose progress they moved.

    A verdict the new grader confirms is left as it is, grader version included (it names the grader
    that gave the verdict; the run records the one that checked it): most of a re-grade is such rows,
    and not rewriting them spares the database the work that would slow the students answering meanwhile.
    A row's LaTeX shows its own text: it is rewritten only where that text is the one graded for its group.
    """
    new_of = {pk: new for ids, _, new in graded for pk in ids}
    if not new_of:  # a chunk given up on, or one whose every group failed
        return [], set()
    # No ORDER BY: the model's default ordering would sort the chunk's thousands of rows for nothing.
    current = Submission.objects.filter(_InArray(F("pk"), list(new_of)), status__in=REGRADABLE).order_by()
    # First without locks, to find the few rows that may change; then those under lock, so that the
    # audit trail and progress see exactly what is replaced.
    suspects = [
        row["pk"] for row in current.values("pk", *VERDICT) if any(row[k] != new_of[row["pk"]][k] for k in VERDICT)
    ]
    # Not `current.filter(...)`: beside the chunk's thousands of ids, PostgreSQL's planner reads the whole table.
    locked = Submission.objects.filter(pk__in=suspects, status__in=REGRADABLE).select_for_update().order_by("pk")
    rows = {row["pk"]: row for row in locked.values("pk", "user_id", "answer", *WRITTEN)}
    changes: list[VerdictChange] = []
    changed_users: set[int] = set()
    for ids, answer, new in graded:
        mine = [rows[pk] for pk in ids if pk in rows]
        differing = [row for row in mine if _differs(row, new)]
        changes += [_change(run, row, new, version) for row in differing]
        # Only a changed status, verdict or score moves progress; the rest is bookkeeping.
        changed_users.update(row["user_id"] for row in differing)
        stale = [row for row in mine if any(row[k] != new[k] for k in VERDICT)]
        if stale and not run.dry_run:
            verdict = {k: new[k] for k in (*VERDICT, "grader_version")}
            same_text = [row["pk"] for row in stale if row["answer"] == answer]
            other_text = [row["pk"] for row in stale if row["answer"] != answer]
            Submission.objects.filter(pk__in=same_text).update(**verdict, latex=new["latex"], graded_at=now)
            Submission.objects.filter(pk__in=other_text).update(**verdict, graded_at=now)
    VerdictChange.objects.bulk_create(changes, batch_size=1000)
    return changes, set() if run.dry_run else changed_users


def regrade_finish(*, run_id: int, after_user: int = 0) -> bool:
    """Recompute the progress of every student a chunk of the run changed, a batch at a time, then finish the run.

    Per run, not per chunk: a student's whole history of the exercise is read once, however many
    chunks touched it. Idempotent, so a redelivery or a second message only repeats work. Returns
    True when this delivery ran out of time and sent the rest on (after `after_user`).
    """
    run = RegradeRun.objects.select_related("exercise").get(pk=run_id)
    if run.finished_at is not None or run.applied_at is None:
        return False
    users = sorted({u for stale in RegradeChunk.objects.filter(run=run).values_list("stale_users", flat=True)
                    for u in stale if u > after_user})  # fmt: skip
    deadline = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    for start in range(0, len(users), PROGRESS_BATCH):
        batch = users[start : start + PROGRESS_BATCH]
        progress_refresh(exercise_id=run.exercise_id, user_ids=batch, topic_id=run.exercise.topic_id)
        RegradeRun.objects.filter(pk=run.pk).update(progress_at=timezone.now())  # alive: nobody starts another
        if start + PROGRESS_BATCH < len(users) and time.monotonic() > deadline:
            dispatch.send(dispatch.REGRADE_FINISH, (run.pk, batch[-1]))
            return True
    RegradeRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(finished_at=timezone.now())
    return False


def regrade_release_dead_claims(*, pid_alive=None) -> list[int]:
    """Send again the chunks that processes of this host that no longer exist were re-grading, and the
    progress passes of runs whose chunks are all applied (one may have died with them; a second is harmless)."""
    held = claimers.dead_claims(RegradeChunk.objects.filter(done_at__isnull=True), pid_alive)
    released = [pk for pk, claimed_by in held if _release(pk, claimed_by=claimed_by)]
    _finish_again(now=timezone.now())
    return released


def _finish_again(*, now) -> int:
    """Start again the progress passes that stopped showing signs of life (their worker died)."""
    # A live pass marks progress_at after every batch of students, well within a claim lease.
    silent = claimers.lapsed_before(now)
    unfinished = RegradeRun.objects.filter(applied_at__isnull=False, finished_at__isnull=True, progress_at__lt=silent)
    sent = 0
    for run_id, seen in unfinished.values_list("pk", "progress_at"):
        # Conditioned on what we saw, so that two sweepers, or a sweeper and a starting worker, send one pass.
        if RegradeRun.objects.filter(pk=run_id, progress_at=seen).update(progress_at=now):
            dispatch.send_on_commit(dispatch.REGRADE_FINISH, (run_id,))
            sent += 1
    return sent


def regrade_sweep(*, now=None) -> list[int]:
    """Send again what was lost: chunks whose claim lapsed, and, when the batch queue is empty,
    chunks of unfinished runs sent long ago and never taken (a broker that restarted without its data).

    A chunk sent twice is harmless: the second delivery finds it done or held.
    """
    now = now or timezone.now()
    pending = RegradeChunk.objects.filter(done_at__isnull=True)
    lapsed = pending.filter(claimed_at__lt=claimers.lapsed_before(now))
    resent = [pk for pk, claimed_at in lapsed.values_list("pk", "claimed_at") if _release(pk, claimed_at=claimed_at)]
    long_ago = now - timedelta(seconds=settings.SWEEP_STUCK_AFTER_S)
    unclaimed = pending.filter(claimed_at__isnull=True, sent_at__lt=long_ago)
    if unclaimed.exists() and _batch_queue_empty():
        resent += [pk for pk, sent_at in unclaimed.values_list("pk", "sent_at") if _release(pk, sent_at=sent_at)]
    _finish_again(now=now)
    if resent:
        logger.warning("re-grade sweeper: sent %s chunk(s) again", len(resent))
    return resent


def _batch_queue_empty() -> bool:
    try:
        return dispatch.waiting_messages(dispatch.BATCH_QUEUE) == 0
    except Exception:  # the broker is unreachable: nothing could be sent now anyway
        logger.warning("re-grade sweeper: could not read the batch queue", exc_info=True)
        return False


def regrade_resume(*, run: RegradeRun) -> int:
    """Send again every chunk of the run that is not done and no live claim holds (an operator's resume)."""
    now = timezone.now()
    lapsed = claimers.lapsed_before(now)
    pending = RegradeChunk.objects.filter(run=run, done_at__isnull=True)
    free = pending.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=lapsed))
    sent = sum(_release(pk, claimed_at=claimed_at) for pk, claimed_at in free.values_list("pk", "claimed_at"))
    if run.applied_at is not None and run.finished_at is None:  # every chunk applied: the progress pass is what is left
        RegradeRun.objects.filter(pk=run.pk).update(progress_at=now)
        dispatch.send_on_commit(dispatch.REGRADE_FINISH, (run.pk,))
    return sent


def _release(pk: int, **seen) -> bool:
    """Clear the claim and send the chunk again, conditioned on what the caller saw (a new claim wins)."""
    released = RegradeChunk.objects.filter(pk=pk, done_at__isnull=True, **seen).update(
        claim_token=None, claimed_by="", claimed_at=None, sent_at=timezone.now()
    )
    if released:
        dispatch.send_on_commit(dispatch.REGRADE_CHUNK, (pk,))
    return bool(released)
