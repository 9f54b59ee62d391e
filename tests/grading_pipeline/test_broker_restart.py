"""Redis goes away with submissions queued (and one mid-grade); when it is back, every submission ends final."""

import uuid

import pytest
from django.utils import timezone

from config.celery import app
from grading import engine
from grading.models import Submission
from grading.tasks import grade_submission
from tests.builders import CONSTANT_SPEC
from tests.celery_worker import Worker, wait_for
from tests.grading_pipeline.worker import release
from tools.redis_server import free_port, start_redis

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis(tmp_path):
    port = free_port()
    state = {"port": port, "url": f"redis://127.0.0.1:{port}/0", "process": start_redis(port, tmp_path)}
    yield state
    if state["process"].poll() is None:
        state["process"].terminate()
        state["process"].wait(10)


def test_every_submission_reaches_a_final_state_after_a_broker_restart(
    own_redis, tmp_path, student, make_exercise, django_db_setup
):
    worker = Worker(own_redis["url"], tmp_path, queues="interactive", concurrency=1, beat=True)
    try:
        exercise = make_exercise(CONSTANT_SPEC)
        seed = engine.student_seed(student.pk, exercise)
        # Each answer is held mid-grade until the broker is back, so one is surely in the worker when Redis goes.
        hold = uuid.uuid4().hex
        submissions = [
            Submission.objects.create(
                user=student, exercise=exercise, seed=seed, answer=f"hold:{hold}:4", enqueued_at=timezone.now()
            )
            for _ in range(4)
        ]
        with app.connection_for_write(own_redis["url"]) as connection:
            for submission in submissions:
                grade_submission.apply_async((submission.pk,), connection=connection)
        wait_for(lambda: Submission.objects.filter(status=Submission.Status.GRADING).exists(), 20)

        # Redis keeps nothing on disk: the queued messages and the unacked one are gone with it.
        own_redis["process"].terminate()
        own_redis["process"].wait(10)
        own_redis["process"] = start_redis(own_redis["port"], tmp_path)
        release(own_redis["url"], hold)

        pks = [s.pk for s in submissions]
        wait_for(lambda: Submission.objects.filter(pk__in=pks, status__in=Submission.FINAL).count() == 4, 60)
        for submission in Submission.objects.filter(pk__in=pks):
            assert (submission.status, submission.score) == (Submission.Status.GRADED, 1.0)
    finally:
        worker.stop()
