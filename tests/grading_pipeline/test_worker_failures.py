"""Workers never lose an answer: a database outage is retried, a killed child's claim is released at once.

Each test runs a worker of its own on a queue of its own, without beat, so the sweeper cannot help.
"""

import os
import signal
import uuid
from pathlib import Path

import pytest

from grading.models import Submission
from grading.tasks import grade_submission
from tests.builders import CONSTANT_SPEC, final, queued_submission
from tests.celery_worker import Worker, wait_for
from tests.grading_pipeline.worker import release

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
Status = Submission.Status


@pytest.fixture
def own_worker(pipeline_redis, django_db_setup, tmp_path):
    workers = []

    def start(beat=False, queue=None, also=(), **env):
        # The sweeper and re-enqueued answers go to "interactive": workers that need them listen there too.
        queue = queue or ("interactive" if beat else f"own-{uuid.uuid4().hex[:6]}")
        worker = Worker(pipeline_redis, tmp_path, queues=",".join([queue, *also]), concurrency=2, beat=beat, env=env)
        worker.queue = queue
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def test_a_worker_whose_database_is_down_grades_the_answer_once_it_is_back(
    own_worker, tmp_path, student, make_exercise
):
    outage = tmp_path / "database-down"
    outage.touch()
    worker = own_worker(TEST_DATABASE_DOWN_WHILE=str(outage))
    submission = queued_submission(student, make_exercise(CONSTANT_SPEC), "4")
    grade_submission.apply_async((submission.pk,), queue=worker.queue)

    # The task is retried with backoff, not acknowledged and dropped.
    wait_for(lambda: worker.log.read_text().count("the database is unreachable") >= 2, 30, 0.1, "two retries")
    submission.refresh_from_db()
    assert (submission.status, submission.delivery_attempts) == (Status.QUEUED, 0)

    outage.unlink()  # the database is back
    graded = wait_for(lambda: final(submission.pk), 60, 0.1, "the verdict after the outage")
    assert (graded.status, graded.score, graded.delivery_attempts) == (Status.GRADED, 1.0, 1)


def test_a_killed_childs_claim_is_released_so_the_redelivery_grades_at_once(
    own_worker, pipeline_redis, student, make_exercise
):
    # A claim lease far longer than the bound below: a verdict within the bound did not wait for it.
    lease_s, bound_s = 600, 60
    worker = own_worker(GRADING_CLAIM_LEASE_S=str(lease_s), CELERY_SOFT_TIME_LIMIT="40", CELERY_TIME_LIMIT="50")
    hold = uuid.uuid4().hex
    submission = queued_submission(student, make_exercise(CONSTANT_SPEC), f"hold:{hold}:4")
    grade_submission.apply_async((submission.pk,), queue=worker.queue)
    grading = wait_for(lambda: Submission.objects.filter(pk=submission.pk, status=Status.GRADING).first(), 30)
    pid = int(grading.claimed_by.rsplit(":", 1)[1])
    os.kill(pid, signal.SIGKILL)  # held mid-grade: it cannot have finished
    release(pipeline_redis, hold)

    graded = wait_for(lambda: final(submission.pk), bound_s, 0.1, "the verdict after the child was killed")
    assert (graded.status, graded.score, graded.delivery_attempts) == (Status.GRADED, 1.0, 2)
    assert int(graded.claimed_by.rsplit(":", 1)[1]) != pid
    assert "released its claim" in worker.log.read_text()


def test_a_child_that_outgrows_the_memory_ceiling_is_replaced_and_no_answer_is_lost(own_worker, student, make_exercise):
    worker = own_worker(CELERY_MAX_MEMORY_PER_CHILD_MB="1")  # every child is past it after its first task
    exercise = make_exercise(CONSTANT_SPEC)
    graders = []
    for n in range(3):
        submission = queued_submission(student, exercise, "4" if n % 2 else "5")
        grade_submission.apply_async((submission.pk,), queue=worker.queue)
        graded = wait_for(lambda pk=submission.pk: final(pk), 30, 0.05, "the verdict")
        assert (graded.status, graded.score) == (Status.GRADED, 1.0 if n % 2 else 0.0)
        graders.append(graded.claimed_by)
    # Two children to begin with: three answers in turn graded by three processes means replaced ones.
    assert len(set(graders)) == 3


def test_the_sweeper_survives_a_database_outage_and_sweeps_after(own_worker, tmp_path, student, make_exercise):
    from datetime import timedelta

    from django.utils import timezone

    # An answer whose task was lost (a broker restart without persistence, say): only the sweeper finds it.
    submission = queued_submission(student, make_exercise(CONSTANT_SPEC), "4")
    Submission.objects.filter(pk=submission.pk).update(enqueued_at=timezone.now() - timedelta(minutes=5))
    outage = tmp_path / "database-down"
    outage.touch()
    queue = f"own-{uuid.uuid4().hex[:6]}"  # its sweeps and their re-enqueued answer stay with this worker
    worker = own_worker(beat=True, queue=queue, TEST_GRADING_QUEUE=queue, TEST_DATABASE_DOWN_WHILE=str(outage))
    wait_for(lambda: worker.log.read_text().count("skipped this round") >= 2, 90, 0.1, "two skipped sweeps")
    assert worker.process.poll() is None
    outage.unlink()
    graded = wait_for(lambda: final(submission.pk), 60, 0.1, "the sweeper's re-enqueued verdict")
    assert (graded.status, graded.score) == (Status.GRADED, 1.0)


def test_a_worker_killed_whole_and_restarted_grades_its_claims_at_once(
    own_worker, pipeline_redis, student, make_exercise
):
    # The message stays unacknowledged in Redis (visibility timeout 900 s) and the claim lease is 600 s:
    # a verdict within the bound came from the restarted worker releasing its dead predecessor's claim.
    lease_s, bound_s = 600, 60
    queue = f"own-{uuid.uuid4().hex[:6]}"  # re-enqueued answers come back here, never to another test's worker
    env = {"GRADING_CLAIM_LEASE_S": str(lease_s), "CELERY_SOFT_TIME_LIMIT": "40", "CELERY_TIME_LIMIT": "50"}
    first = own_worker(queue=queue, TEST_GRADING_QUEUE=queue, **env)
    hold = uuid.uuid4().hex
    submission = queued_submission(student, make_exercise(CONSTANT_SPEC), f"hold:{hold}:4")
    grade_submission.apply_async((submission.pk,), queue=first.queue)
    wait_for(lambda: Submission.objects.filter(pk=submission.pk, status=Status.GRADING).exists(), 30)
    children = first.children()
    # The main process first, so that it cannot see its child die and release the claim itself.
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(10)
    for child in children:
        os.kill(child.pid, signal.SIGKILL)  # held mid-grade: nothing can have finished
    release(pipeline_redis, hold)

    second = own_worker(queue=queue, TEST_GRADING_QUEUE=queue, **env)
    graded = wait_for(lambda: final(submission.pk), bound_s, 0.1, "the verdict after the worker was restarted")
    assert (graded.status, graded.score, graded.delivery_attempts) == (Status.GRADED, 1.0, 2)
    assert "claimed by processes that no longer exist" in second.log.read_text()


def test_a_regrade_whose_worker_is_killed_and_restarted_finishes_with_every_submission_counted_once(
    own_worker, pipeline_redis, student, make_exercise, monkeypatch
):
    from grading import engine, regrade
    from grading.models import RegradeChunk, RegradeRun, VerdictChange
    from grading.tasks import regrade_chunk
    from tests.builders import graded

    exercise = make_exercise(CONSTANT_SPEC)
    hold = uuid.uuid4().hex
    answers = ["4", "4.0", "5", f"hold:{hold}:2+2", "2*2", "3"]
    stored = [graded(student, exercise, False, answer=answer) for answer in answers]  # an old grader said: all wrong
    monkeypatch.setattr(regrade, "CHUNK_GROUPS", 1)  # a chunk per answer
    run, chunks = regrade.regrade_create(exercise=exercise)
    assert (run.total, run.distinct, len(chunks)) == (6, 4, 4)  # "4", "4.0" and "2*2" are graded once
    # Leases far beyond the test's bound: only the restarted worker's release can finish the held chunk in time.
    queue = f"own-{uuid.uuid4().hex[:6]}"
    env = {"GRADING_CLAIM_LEASE_S": "600", "CELERY_SOFT_TIME_LIMIT": "40", "CELERY_TIME_LIMIT": "50"}
    first = own_worker(queue=queue, TEST_GRADING_QUEUE=queue, **env)
    for chunk in chunks:
        regrade_chunk.apply_async((chunk,), queue=queue)
    pending = RegradeChunk.objects.filter(run=run, done_at__isnull=True)
    wait_for(lambda: pending.count() == 1 and pending.exclude(claimed_by="").exists(), 30, 0.1, "the other chunks done")
    children = first.children()
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(10)
    for child in children:
        os.kill(child.pid, signal.SIGKILL)  # the held chunk dies before its commit
    release(pipeline_redis, hold)

    second = own_worker(queue=queue, TEST_GRADING_QUEUE=queue, **env)
    run = wait_for(lambda: RegradeRun.objects.filter(pk=run.pk, finished_at__isnull=False).first(), 60, 0.1, "the end")
    assert "re-grade chunk(s) claimed by processes that no longer exist" in second.log.read_text()
    right = {submission.pk for submission in stored if submission.answer not in ("5", "3")}
    assert (run.processed, run.failed, run.up, run.down) == (6, 0, 4, 0)
    changes = VerdictChange.objects.filter(run=run)
    assert run.changed == changes.count() and changes.values("submission").distinct().count() == changes.count()
    assert set(changes.filter(new_score=1.0).values_list("submission", flat=True)) == right
    for submission in Submission.objects.filter(exercise=exercise):
        assert submission.grader_version == engine.grader_version()
        assert submission.score == (1.0 if submission.pk in right else 0.0)


def test_only_dead_processes_of_this_host_lose_their_claims(student, make_exercise, monkeypatch):
    import socket
    import subprocess
    import sys

    from django.utils import timezone

    from grading import services

    exercise = make_exercise(CONSTANT_SPEC)
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    stat = Path(f"/proc/{zombie.pid}/stat")
    wait_for(lambda: stat.read_text().rpartition(")")[2].split()[0] == "Z", 10, message="a zombie child")
    claims = {
        "dead child (a zombie)": f"{socket.gethostname()}:{zombie.pid}",
        "live process": f"{socket.gethostname()}:{os.getpid()}",
        "another host": f"elsewhere.example:{zombie.pid}",
    }
    rows = {}
    for label, claimed_by in claims.items():
        submission = queued_submission(student, exercise, "4")
        Submission.objects.filter(pk=submission.pk).update(
            status=Status.GRADING, claimed_by=claimed_by, claimed_at=timezone.now(), delivery_attempts=1
        )
        rows[label] = submission.pk
    sent = []
    monkeypatch.setattr(services, "submission_enqueue_on_commit", lambda submission_id: sent.append(submission_id))
    released = services.submissions_release_dead_claims()
    zombie.wait()
    assert released == sent == [rows["dead child (a zombie)"]]
    statuses = dict(Submission.objects.filter(pk__in=rows.values()).values_list("pk", "status"))
    assert {label: statuses[pk] for label, pk in rows.items()} == {
        "dead child (a zombie)": Status.QUEUED, "live process": Status.GRADING, "another host": Status.GRADING,
    }  # fmt: skip
