"""Re-grade every stored submission of an exercise with the current grader, through the batch queue.

Each distinct (variant, normalised answer) is graded once; the verdict is then written to every
submission that shares it. Changed verdicts are kept in the audit trail (VerdictChange).
"""

import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from courseware.models import Exercise
from grading import dispatch, engine
from grading.models import RegradeRun, Submission, VerdictChange
from grading.progress_table import progress_refresh

logger = logging.getLogger(__name__)
Status = Submission.Status

# Only answers that have a verdict: queued and grading ones get the current grader anyway.
REGRADABLE = (Status.GRADED, Status.INVALID, Status.ERROR)
CHUNK_GROUPS = 25
CHUNK_SUBMISSIONS = 2000


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


def regrade_start(*, exercise: Exercise, requested_by=None, dry_run: bool = False) -> RegradeRun:
    """Plan the re-grade and send its chunks to the batch queue once the run is committed."""
    groups = regrade_plan(exercise=exercise)
    with transaction.atomic():
        run = RegradeRun.objects.create(
            exercise=exercise,
            requested_by=requested_by,
            dry_run=dry_run,
            grader_version=engine.grader_version(),
            total=sum(len(ids) for _, _, ids in groups),
            distinct=len(groups),
            finished_at=None if groups else timezone.now(),
        )
        for chunk in _chunks(groups):
            dispatch.send_on_commit(dispatch.REGRADE_CHUNK, (run.pk, chunk))
    return run


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


def regrade_chunk_process(*, run_id: int, groups: list[list]) -> list[list]:
    """Grade each group once, then apply the whole chunk in one transaction with its share of the totals.

    Returns the groups left over when this delivery's time ran out. A delivery that dies before its
    commit leaves nothing behind, and its redelivery (acks_late) starts the chunk again.
    """
    run = RegradeRun.objects.select_related("exercise__topic").get(pk=run_id)
    version = engine.grader_version()
    deadline = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    totals = {"processed": 0, "changed": 0, "up": 0, "down": 0, "failed": 0}
    leftover: list[list] = []
    graded: list[tuple[list[int], dict]] = []
    for index, (seed, answer, ids) in enumerate(groups):
        if index and time.monotonic() > deadline:
            leftover = groups[index:]
            break
        totals["processed"] += len(ids)
        try:
            graded.append((ids, _verdict_fields(engine.grade_answer(run.exercise, seed, answer), version)))
        except Exception:
            logger.exception("re-grade %s: the grader failed on %r", run.pk, answer)
            totals["failed"] += len(ids)
    now = timezone.now()
    with transaction.atomic():
        # Read under lock what we replace, so the audit trail and progress see exactly what changed.
        current = Submission.objects.filter(pk__in=[pk for ids, _ in graded for pk in ids], status__in=REGRADABLE)
        rows = {row["pk"]: row for row in current.select_for_update().order_by("pk").values("pk", "user_id", *AUDITED)}
        changes: list[VerdictChange] = []
        changed_users: set[int] = set()
        for ids, new in graded:
            mine = [rows[pk] for pk in ids if pk in rows]
            differing = [row for row in mine if _differs(row, new)]
            changes += [_change(run, row, new, version) for row in differing]
            # Only a changed status, verdict or score moves progress; the rest is bookkeeping.
            changed_users.update(row["user_id"] for row in differing)
            if mine and not run.dry_run:
                Submission.objects.filter(pk__in=[row["pk"] for row in mine]).update(**new, graded_at=now)
        if not run.dry_run:
            progress_refresh(exercise_id=run.exercise_id, user_ids=changed_users, topic_id=run.exercise.topic_id)
        VerdictChange.objects.bulk_create(changes, batch_size=1000)
        totals["changed"] = len(changes)
        totals["up"] = sum(1 for c in changes if (c.new_score or 0.0) > (c.old_score or 0.0))
        totals["down"] = sum(1 for c in changes if (c.new_score or 0.0) < (c.old_score or 0.0))
        RegradeRun.objects.filter(pk=run_id).update(**{k: F(k) + v for k, v in totals.items()})
        RegradeRun.objects.filter(pk=run_id, finished_at__isnull=True, processed__gte=F("total")).update(
            finished_at=now
        )
    return leftover
