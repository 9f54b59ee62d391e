"""Thin Celery tasks: each takes ids, re-reads the database and calls a service."""

import logging
import os
import random
import sys

from celery import shared_task
from celery.signals import celeryd_after_setup, task_prerun, worker_init, worker_process_init, worker_ready
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections

from grading import dispatch, regrade, services

logger = logging.getLogger(__name__)
BATCH_QUEUES = {dispatch.BATCH_QUEUE}
# A database that cannot be reached (a blip, a failover, a misconfigured worker): try again later,
# on this worker or another, rather than acknowledge the task and drop the answer.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
RETRY_BACKOFF_MAX_S = 60.0


def database_retry_delay(retries: int) -> float:
    """1, 2, 4 … seconds, capped, with jitter so that many waiting tasks do not return at once."""
    return min(RETRY_BACKOFF_MAX_S, 2.0**retries) * random.uniform(0.75, 1.25)  # noqa: S311 (not a secret)


def _drop_broken_connections() -> None:
    """The next attempt opens a fresh connection instead of reusing one the outage broke."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # already broken: nothing left to close
            logger.debug("closing a broken database connection failed", exc_info=True)


@shared_task(
    bind=True, max_retries=None, name=dispatch.GRADE_SUBMISSION, Request="grading.worker_requests:GradingRequest"
)
def grade_submission(self, submission_id: int) -> str:
    try:
        result = services.submission_grade(submission_id=submission_id)
    except DATABASE_UNREACHABLE as exc:
        _drop_broken_connections()
        delay = database_retry_delay(self.request.retries)
        logger.warning("submission %s: the database is unreachable (%s); retrying in %.1f s", submission_id, exc, delay)
        raise self.retry(countdown=delay, exc=exc) from None
    if result.outcome is services.Outcome.BUSY:
        # Another delivery holds a live claim: look again once it has finished or lapsed.
        raise self.retry(countdown=result.retry_in)
    return result.outcome.value


@shared_task(name=dispatch.REGRADE_CHUNK)
def regrade_chunk(chunk_id: int) -> None:
    # Out of time for this delivery, the rest goes on in a fresh message (sent by the service on commit).
    regrade.regrade_chunk_process(chunk_id=chunk_id)


@shared_task(name=dispatch.REGRADE_FINISH)
def regrade_finish(run_id: int, after_user: int = 0) -> None:
    regrade.regrade_finish(run_id=run_id, after_user=after_user)


@shared_task
def sweep_stuck_submissions() -> dict:
    """Beat runs this every SWEEP_INTERVAL_S, for stuck submissions and lost re-grade work: a database
    outage skips one round, the next one runs."""
    close_old_connections()
    try:
        report = services.submissions_sweep()
        chunks = regrade.regrade_sweep()
    except DATABASE_UNREACHABLE as exc:
        _drop_broken_connections()
        logger.warning("sweeper: the database is unreachable (%s); skipped this round", exc)
        return {"requeued": 0, "failed": 0, "skipped": str(exc)}
    return {"requeued": len(report.requeued), "failed": len(report.failed), "regrade_chunks": len(chunks)}


@task_prerun.connect
def _database_connection_fit_for_use(**_):
    # Connections are kept between tasks (CELERY_DB_REUSE_MAX): drop one that an error left unusable
    # or that has outlived CONN_MAX_AGE, as Django does between requests.
    close_old_connections()


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


@worker_ready.connect
def _release_claims_of_dead_processes(**_):
    # In the main process, once the pool is up: a worker killed whole on this host (and restarted)
    # left claims whose messages Redis keeps invisible for the visibility timeout; grade them now.
    try:
        released = services.submissions_release_dead_claims()
        chunks = regrade.regrade_release_dead_claims()
    except Exception:  # the sweeper still finds them: never keep the worker from starting
        logger.warning("could not release the claims of dead processes", exc_info=True)
        return
    finally:
        connections.close_all()  # the pool's future children must not inherit this connection
    if released:
        logger.warning("re-enqueued %s submission(s) claimed by processes that no longer exist", len(released))
    if chunks:
        logger.warning("sent again %s re-grade chunk(s) claimed by processes that no longer exist", len(chunks))


@worker_process_init.connect
def _warm_up_child(**_):
    # In each pool child, after the fork: load the engine before the first student waits for it.
    import grading.core  # noqa: F401
