"""A long poll survives Redis: it falls back to reading the database when Redis is down or drops mid-wait;
the process's one subscription to every verdict comes back with Redis and wakes its waiters."""

import threading

import pytest
import redis
from django.test import Client
from django.utils import timezone

from grading import announcements
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
        listener = announcements.listener()
        wait_for(lambda: listener.subscribed and listener.waiting_on(submission.pk) == 1, 10, 0.05, "the long poll")
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


def test_the_listener_subscribes_again_when_redis_comes_back_and_wakes_its_waiter(settings, tmp_path):
    port = free_port()
    process = start_redis(port, tmp_path / "first")
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    listener = announcements.listener()
    try:
        wait_for(lambda: listener.subscribed, 10, 0.05, "the subscription")
        assert redis.Redis(port=port).pubsub_numpat() == 1  # one subscription for the whole process
        woken = listener.register(41)
    finally:
        process.kill()
        process.wait(10)
    wait_for(woken.is_set, 10, 0.05, "the waiter told to read the database: announcements cannot reach it now")
    assert not listener.subscribed
    other = listener.register(42)
    process = start_redis(port, tmp_path / "second")
    try:
        wait_for(lambda: listener.subscribed, 20, 0.05, "the subscription again")
        woken.clear()  # both were woken again on subscribing: what was announced meanwhile is lost
        other.clear()
        announcements.announce(41)
        assert woken.wait(10) and not other.is_set()  # each announcement wakes its own submission's waiters only
    finally:
        listener.unregister(41, woken)
        listener.unregister(42, other)
        process.kill()
        process.wait(10)
