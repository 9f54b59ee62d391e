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


@pytest.mark.django_db
def test_a_batch_worker_nices_its_own_postgresql_backend_on_the_same_host(monkeypatch):

    from django.db import connection

    from grading import batch_priority

    if connection.vendor != "postgresql" or connection.settings_dict["HOST"] not in batch_priority.LOCAL_HOSTS:
        pytest.skip("needs PostgreSQL on this host")
    monkeypatch.setattr(batch_priority, "_niceness", 7)
    monkeypatch.setattr(batch_priority, "_lowered", set())
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    try:
        batch_priority.lower_database_backend(connection)
        assert os.getpriority(os.PRIO_PROCESS, backend) == 7
    finally:
        connection.close()  # the niced backend ends with its connection
