"""Sending work to the Celery workers by task name.

The services decide what to send and when; `grading.tasks` calls the services. Sending by name keeps
that one-way: nothing below the tasks imports them. The names are checked against the registered
tasks by the tests.
"""

from functools import partial

from celery import current_app
from django.db import transaction
from kombu.exceptions import ChannelError

GRADE_SUBMISSION = "grading.tasks.grade_submission"
REGRADE_CHUNK = "grading.tasks.regrade_chunk"
REGRADE_FINISH = "grading.tasks.regrade_finish"
BATCH_QUEUE = "batch"


def send(name: str, args: tuple, **options) -> None:
    """Send now (routing to a queue by CELERY_TASK_ROUTES, as for `apply_async`)."""
    current_app.send_task(name, args=args, **options)


def send_on_commit(name: str, args: tuple, **options) -> None:
    """Send once the current transaction commits, so that the worker finds what it is sent to."""
    transaction.on_commit(partial(send, name, args, **options))


def waiting_messages(queue: str) -> int:
    """Messages waiting in `queue` on the broker, not counting those a worker has taken."""
    with current_app.connection_for_write() as connection:
        try:
            return connection.default_channel.queue_declare(queue=queue, passive=True).message_count
        except ChannelError as exc:
            if str(getattr(exc, "reply_code", "")) == "404":  # Redis keeps no key for an empty queue
                return 0
            raise
