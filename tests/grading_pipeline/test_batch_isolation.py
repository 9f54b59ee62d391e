"""Batch workers give students the CPU first: they run at a lower priority than interactive ones."""

import os

import pytest

from tests.celery_worker import Worker

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_a_batch_only_worker_and_its_children_run_niced(pipeline_redis, worker, tmp_path):
    ours = os.nice(0)
    batch = Worker(pipeline_redis, tmp_path, queues="batch", concurrency=1)
    try:
        processes = [batch.process.pid, *(child.pid for child in batch.children())]
        assert len(processes) >= 2
        assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in processes} == {min(ours + 19, 19)}
    finally:
        batch.stop()
    # The session's worker also serves students (interactive,batch): it keeps its priority.
    assert {os.getpriority(os.PRIO_PROCESS, child.pid) for child in worker.children()} == {ours}
