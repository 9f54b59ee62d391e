"""What the worker's main process does when a pool child dies mid-grade.

Celery re-queues the task (acks_late with reject_on_worker_lost), but the dead child's claim would
keep every redelivery waiting for the claim lease to lapse (GRADING_CLAIM_LEASE_S). The main
process knows which child died, so it releases that child's claim first, and the redelivery grades
at once.
"""

import logging

from billiard.einfo import ExceptionWithTraceback
from billiard.exceptions import WorkerLostError
from celery.worker.request import Request

logger = logging.getLogger(__name__)


class GradingRequest(Request):
    def on_failure(self, exc_info, send_failed_event=True, return_ok=False):
        exc = exc_info.exception
        if isinstance(exc, ExceptionWithTraceback):
            exc = exc.exc
        lost = isinstance(exc, WorkerLostError) or (
            isinstance(exc, (SystemExit, KeyboardInterrupt)) and not (self._already_cancelled or self._already_revoked)
        )
        if lost and self.worker_pid and self.args:
            self._release_claim(self.args[0], self.worker_pid)
        return super().on_failure(exc_info, send_failed_event=send_failed_event, return_ok=return_ok)

    @staticmethod
    def _release_claim(submission_id, pid: int) -> None:
        from grading import services

        try:
            released = services.submission_release_claim(submission_id=int(submission_id), pid=pid)
        except Exception:  # the lease still bounds the wait: never let this break the worker
            logger.warning("could not release the claim on submission %s", submission_id, exc_info=True)
            return
        if released:
            logger.warning("submission %s: pool child %s died mid-grade; released its claim", submission_id, pid)
