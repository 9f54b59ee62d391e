"""The pipeline end to end: HTTP, Redis, a real prefork worker, the database; and its failure modes."""

import http.client
import json
import os
import signal
import uuid
from urllib.parse import urlsplit

import pytest
from celery.signals import before_task_publish
from django.db import transaction

from grading import engine, services
from grading.models import ApiToken, StudentExerciseProgress, Submission
from grading.tasks import grade_submission
from tests.builders import CONSTANT_SPEC, correct_answer, final, queued_submission
from tests.celery_worker import wait_for
from tests.grading_pipeline.worker import release

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
Status = Submission.Status


def test_a_submission_over_http_gets_its_verdict(worker, live_server, student, make_exercise):
    exercise = make_exercise()
    _, secret = ApiToken.issue(student)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}

    def call(path, body=None):
        host, port = urlsplit(live_server.url).hostname, urlsplit(live_server.url).port
        connection = http.client.HTTPConnection(host, port, timeout=20)
        try:
            connection.request("POST" if body else "GET", path, json.dumps(body) if body else None, headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    status, body = call("/api/submissions", {"exercise": exercise.key, "answer": correct_answer(exercise, student)})
    assert status == 201 and body["status"] == "queued"
    result = wait_for(lambda: (r := call(f"/api/submissions/{body['id']}")[1])["status"] == "graded" and r, 20)
    assert result["score"] == 1.0 and result["feedback"] and result["latex"]
    assert result["grader_version"] == engine.grader_version()

    # Long polling: the answer comes as soon as the verdict is stored.
    _, wrong = call("/api/submissions", {"exercise": exercise.key, "answer": "1000"})
    _, result = call(f"/api/submissions/{wrong['id']}?wait=15")
    assert result["status"] == "graded" and result["score"] == 0.0

    # Or in one request: the POST waits for its own verdict.
    status, at_once = call("/api/submissions?wait=15", {"exercise": exercise.key, "answer": "999"})
    assert status == 201 and at_once["status"] == "graded" and at_once["verdict"] == "incorrect"
    assert at_once["score"] == 0.0 and at_once["feedback"] and at_once["latex"] == "999"

    # The worker kept the student's progress with the verdicts: what dashboards and mastery read.
    progress = StudentExerciseProgress.objects.get(user=student, exercise=exercise)
    assert (progress.attempts, progress.first_try_correct, progress.solved) == (3, True, True)
    assert (progress.last_verdict, progress.last_submission_pk) == ("incorrect", at_once["id"])


def test_jax_is_never_loaded_in_the_worker_parent(worker):
    maps = [m.path for m in __import__("psutil").Process(worker.process.pid).memory_maps()]
    assert maps and not [path for path in maps if "jax" in path.lower()]


def test_a_rolled_back_submission_sends_no_task(worker, student, make_exercise):
    exercise = make_exercise(CONSTANT_SPEC)
    published = []

    def record(sender=None, body=None, **kwargs):
        published.append(sender)

    before_task_publish.connect(record)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.submission_create(user=student, exercise=exercise, answer="4")
            raise RuntimeError("the request failed after the submission was written")
        assert published == [] and not Submission.objects.exists()
        committed = services.submission_create(user=student, exercise=exercise, answer="4")
        assert published == ["grading.tasks.grade_submission"]
    finally:
        before_task_publish.disconnect(record)
    assert wait_for(lambda: final(committed.pk), 20).status == Status.GRADED


def test_a_duplicate_delivery_at_the_same_time_yields_one_verdict(worker, pipeline_redis, student, make_exercise):
    hold = uuid.uuid4().hex
    submission = queued_submission(student, make_exercise(CONSTANT_SPEC), f"hold:{hold}:4")
    grade_submission.delay(submission.pk)
    grade_submission.delay(submission.pk)  # both children take one: the second finds a live claim
    wait_for(lambda: worker.scheduled() >= 1, 30, 0.2, "the second delivery to back off while the first grades")
    release(pipeline_redis, hold)
    graded = wait_for(lambda: final(submission.pk), 20)
    wait_for(lambda: worker.idle(), 30, 0.5, "the duplicate delivery to finish")
    submission.refresh_from_db()
    assert (submission.status, submission.score, submission.delivery_attempts) == (Status.GRADED, 1.0, 1)
    assert submission.graded_at == graded.graded_at


def test_a_child_killed_mid_grade_is_graded_exactly_once_after_it_is_replaced(
    worker, pipeline_redis, student, make_exercise
):
    hold = uuid.uuid4().hex
    submission = queued_submission(student, make_exercise(CONSTANT_SPEC), f"hold:{hold}:4")
    grade_submission.delay(submission.pk)
    grading = wait_for(lambda: Submission.objects.filter(pk=submission.pk, status=Status.GRADING).first(), 20)
    pid = int(grading.claimed_by.rsplit(":", 1)[1])
    assert pid in [child.pid for child in worker.children()]
    os.kill(pid, signal.SIGKILL)  # held mid-grade: it cannot have finished
    release(pipeline_redis, hold)
    wait_for(lambda: pid not in [c.pid for c in worker.children()] and len(worker.children()) == 2, 20)
    graded = wait_for(lambda: final(submission.pk), 30)
    assert (graded.status, graded.score) == (Status.GRADED, 1.0)
    assert graded.delivery_attempts == 2  # the killed claim, then the one that stored the verdict
    assert int(graded.claimed_by.rsplit(":", 1)[1]) != pid
    wait_for(lambda: worker.idle(), 30, 0.5, "every redelivery to finish")
    submission.refresh_from_db()
    assert submission.graded_at == graded.graded_at and submission.delivery_attempts == 2
