"""Thin Celery tasks: each takes ids, re-reads the database and calls a service."""

import logging
import os
import sys

from celery import shared_task
from celery.signals import celeryd_after_setup, worker_init, worker_process_init
from django.conf import settings

from grading import dispatch, regrade, services

logger = logging.getLogger(__name__)
BATCH_QUEUES = {"batch"}


@shared_task(bind=True, max_retries=None, name=dispatch.GRADE_SUBMISSION)
def grade_submission(self, submission_id: int) -> str:
    result = services.submission_grade(submission_id=submission_id)
    if result.outcome is services.Outcome.BUSY:
        # Another delivery holds a live claim: look again once it has finished or lapsed.
        raise self.retry(countdown=result.retry_in)
    return result.outcome.value


@shared_task(bind=True, name=dispatch.REGRADE_CHUNK)
def regrade_chunk(self, run_id: int, groups: list[list]) -> None:
    leftover = regrade.regrade_chunk_process(run_id=run_id, groups=groups)
    if leftover:  # out of time for this delivery: hand the rest on rather than hit the time limit
        regrade_chunk.apply_async((run_id, leftover))


@shared_task
def sweep_stuck_submissions() -> dict:
    report = services.submissions_sweep()
    return {"requeued": len(report.requeued), "failed": len(report.failed)}


@celeryd_after_setup.connect
def _batch_workers_yield_the_cpu(sender, instance, **_):
    # Before the pool forks: its children inherit the niceness. A worker that also serves students
    # (-Q interactive,batch) keeps its priority and takes interactive tasks first instead.
    queues = set(instance.app.amqp.queues.consume_from or ())
    if queues and queues <= BATCH_QUEUES and settings.BATCH_WORKER_NICENESS:
        niceness = os.nice(settings.BATCH_WORKER_NICENESS)
        logger.info("batch worker %s: CPU niceness %s, below interactive workers", sender, niceness)


@worker_init.connect
def _warn_about_jax_in_parent(**_):
    # Celery's pool forks this process: JAX's threads must not exist yet (they can deadlock a fork).
    if "jax" in sys.modules:
        logger.error("JAX was imported in the worker's parent process before the fork; grading may deadlock")


@worker_process_init.connect
def _warm_up_child(**_):
    # In each pool child, after the fork: load the engine before the first student waits for it.
    import grading.core  # noqa: F401
