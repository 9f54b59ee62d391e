"""A long poll survives Redis: it falls back to reading the database when Redis is down or drops mid-wait."""

import threading

import pytest
import redis
from django.test import Client
from django.utils import timezone

from grading import services
from grading.models import ApiToken, Submission
from tests.builders import CONSTANT_SPEC, queued_submission
from tests.celery_worker import wait_for
from tools.redis_server import free_port, start_redis

pytestmark = pytest.mark.django_db(transaction=True)


def long_poll_in_background(user, pk, wait=15):
    _, secret = ApiToken.issue(user)
    client = Client(headers={"authorization": f"Bearer {secret}"})
    result = {}
    thread = threading.Thread(target=lambda: result.update(response=client.get(f"/api/submissions/{pk}?wait={wait}")))
    thread.start()
    return thread, result


def store_verdict(pk):
    Submission.objects.filter(pk=pk).update(status="graded", verdict="correct", score=1.0, graded_at=timezone.now())


def test_a_long_poll_falls_back_to_the_database_when_redis_drops_mid_wait(settings, tmp_path, student, make_exercise):
    port = free_port()
    process = start_redis(port, tmp_path)
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    submission = queued_submission(student, make_exercise(CONSTANT_SPEC), "4")
    try:
        thread, result = long_poll_in_background(student, submission.pk)
        probe = redis.Redis(port=port)
        channel = services.verdict_channel(submission.pk)
        wait_for(lambda: dict(probe.pubsub_numsub(channel)).get(channel.encode()) == 1, 10, 0.05, "the subscription")
    finally:
        process.kill()  # Redis drops every connection, the long poll's included
        process.wait(10)
    store_verdict(submission.pk)  # no announcement can reach the waiting request now
    thread.join(20)
    response = result["response"]
    assert response.status_code == 200
    assert response.json()["status"] == "graded" and response.json()["score"] == 1.0


def test_a_long_poll_without_redis_reads_the_database(settings, student, make_exercise):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    submission = queued_submission(student, make_exercise(CONSTANT_SPEC), "4")
    thread, result = long_poll_in_background(student, submission.pk)
    wait_for(lambda: thread.is_alive(), 5)
    store_verdict(submission.pk)
    thread.join(20)
    assert result["response"].status_code == 200 and result["response"].json()["status"] == "graded"


def test_a_long_poll_answers_at_its_deadline_with_the_status_so_far(student, make_exercise):
    submission = queued_submission(student, make_exercise(CONSTANT_SPEC), "4")
    thread, result = long_poll_in_background(student, submission.pk, wait=1)
    thread.join(20)
    assert result["response"].status_code == 200 and result["response"].json()["status"] == "queued"
