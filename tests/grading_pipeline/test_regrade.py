"""Batch re-grading through the batch queue of a real worker, its dry run, its audit trail and admin action."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from grading import engine, services
from grading.models import RegradeRun, Submission, VerdictChange
from tests.builders import correct_answer

Status = Submission.Status


@pytest.fixture
def graded_history(make_exercise, django_user_model):
    """Three students' graded answers, some with verdicts an older grader got wrong."""
    exercise = make_exercise()
    wrong_down, wrong_up = [], []
    for n in range(3):
        user = django_user_model.objects.create_user(f"learner{n}", password="pw-for-tests-3")
        seed = engine.student_seed(user.pk, exercise)
        a = engine.variant(exercise, seed).params["a"]
        answers = [correct_answer(exercise, user)] * 3 + [f"{a} + 2"] * 2 + ["1000"] * 2 + ["4 +"]
        for answer in answers:
            submission = Submission.objects.create(user=user, exercise=exercise, seed=seed, answer=answer)
            services.submission_grade(submission_id=submission.pk)
            if answer == f"{a} + 2":
                wrong_up.append(submission.pk)
            elif answer == "1000":
                wrong_down.append(submission.pk)
        Submission.objects.create(user=user, exercise=exercise, seed=seed, answer="5")  # still queued: left alone
    Submission.objects.filter(pk__in=wrong_up).update(verdict="incorrect", score=0.0, feedback="Not quite.")
    Submission.objects.filter(pk__in=wrong_down).update(verdict="correct", score=1.0, feedback="Correct.")
    Submission.objects.filter(exercise=exercise).exclude(status=Status.QUEUED).update(grader_version="0-old")
    return exercise, wrong_up, wrong_down


def students(exercise):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(submissions__exercise=exercise).distinct().order_by("pk")


def regrade(*args) -> str:
    out = StringIO()
    call_command("regrade", *args, "--stall-timeout", "30", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_regrade_fixes_old_verdicts_and_keeps_an_audit_trail(worker, graded_history):
    exercise, wrong_up, wrong_down = graded_history
    before = {s.pk: s.verdict_dict() for s in Submission.objects.all()}

    output = regrade("--exercise", exercise.key, "--dry-run")
    assert "24 submissions, 9 distinct" in output, output
    assert "would change: 12 of 24 (up 6, down 6)" in output, output
    assert "Examples, up:" in output and "Dry run" in output
    assert {s.pk: s.verdict_dict() for s in Submission.objects.all()} == before
    assert VerdictChange.objects.filter(applied=False).count() == 12 and not VerdictChange.objects.filter(applied=True)

    output = regrade("--exercise", str(exercise.pk))
    assert "changed: 12 of 24 (up 6, down 6)" in output, output
    for pk in wrong_up:
        assert Submission.objects.get(pk=pk).score == 1.0
    for pk in wrong_down:
        assert Submission.objects.get(pk=pk).score == 0.0
    regraded = Submission.objects.exclude(status=Status.QUEUED)
    changed = set(VerdictChange.objects.filter(applied=True).values_list("submission_id", flat=True))
    assert changed == set(wrong_up) | set(wrong_down)
    # A changed verdict carries the new grader's version; a confirmed one is not written again and keeps its own.
    versions = dict(regraded.values_list("pk", "grader_version"))
    assert {versions[pk] for pk in changed} == {engine.grader_version()}
    assert {version for pk, version in versions.items() if pk not in changed} == {"0-old"}
    assert RegradeRun.objects.get(dry_run=False).grader_version == engine.grader_version()  # what checked them all
    assert set(Submission.objects.filter(status=Status.QUEUED).values_list("grader_version", flat=True)) == {""}
    change = VerdictChange.objects.filter(applied=True, submission_id=wrong_up[0]).get()
    assert (change.old_score, change.new_score, change.direction) == (0.0, 1.0, "up")
    assert change.old["grader_version"] == "0-old" and change.grader_version == engine.grader_version()

    # Again: every verdict is confirmed, and no row is written.
    written = dict(regraded.values_list("pk", "graded_at"))
    latex = dict(regraded.values_list("pk", "latex"))
    assert "changed: 0 of 24" in regrade("--exercise", exercise.key)
    assert dict(regraded.values_list("pk", "graded_at")) == written
    assert dict(regraded.values_list("pk", "latex")) == latex
    assert RegradeRun.objects.filter(finished_at__isnull=False).count() == 3


@pytest.mark.django_db
def test_an_unknown_exercise_is_an_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no exercise"):
        regrade("--exercise", "missing/exercise")


@pytest.mark.django_db
def test_the_admin_action_starts_a_regrade(admin_client, graded_history, django_capture_on_commit_callbacks):
    exercise, _, _ = graded_history
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            "/admin/courseware/exercise/",
            {"action": "regrade", "_selected_action": [exercise.pk]},
            follow=True,
        )
    assert response.status_code == 200
    run = RegradeRun.objects.get()
    assert (run.exercise, run.total, run.distinct, run.dry_run) == (exercise, 24, 9, False)
    assert f"re-grade run #{run.pk}" in response.content.decode()
    assert len(callbacks) == 1  # one chunk, sent to the batch queue on commit


@pytest.mark.django_db
def test_create_api_token_prints_a_working_token(student, make_exercise):
    from django.test import Client

    out = StringIO()
    call_command("create_api_token", student.username, stdout=out)
    client = Client(headers={"authorization": f"Bearer {out.getvalue().strip()}"})
    assert client.get("/api/submissions/1").status_code == 404  # authenticated, and not someone else's


@pytest.mark.django_db
def test_a_chunk_delivered_twice_is_applied_and_counted_once(graded_history):
    from grading import regrade

    exercise, wrong_up, wrong_down = graded_history
    run, chunks = regrade.regrade_create(exercise=exercise)
    for chunk in chunks:
        regrade.regrade_chunk_process(chunk_id=chunk)
    regrade.regrade_finish(run_id=run.pk)
    run.refresh_from_db()
    totals = (run.processed, run.changed, run.up, run.down)
    assert totals == (24, 12, 6, 6) and run.finished_at is not None
    for chunk in chunks:  # a redelivery after the commit, before the acknowledgement
        assert regrade.regrade_chunk_process(chunk_id=chunk) is False
    run.refresh_from_db()
    assert (run.processed, run.changed, run.up, run.down) == totals
    assert VerdictChange.objects.filter(run=run).count() == 12


@pytest.mark.django_db
def test_a_chunk_reads_again_under_lock_only_the_rows_whose_verdict_changes(graded_history):
    # Naming the chunk's other rows too made PostgreSQL read the whole table for every chunk of a large re-grade.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grading import regrade

    exercise, wrong_up, wrong_down = graded_history
    run, [chunk] = regrade.regrade_create(exercise=exercise)
    with CaptureQueriesContext(connection) as queries:
        regrade.regrade_chunk_process(chunk_id=chunk)
    table = Submission._meta.db_table
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]]
    locked = [sql for sql in reads if f'"{table}"."user_id"' in sql]
    assert len(locked) == 1, reads
    assert "ANY(" not in locked[0] and locked[0].count('"id" IN (') == 1, locked[0]  # only its own ids
    named = {int(pk) for pk in locked[0].split(f'"{table}"."id" IN (')[1].split(")")[0].split(", ")}
    assert named == set(wrong_up) | set(wrong_down)


@pytest.mark.django_db
def test_a_delivery_whose_claim_was_taken_over_writes_nothing(graded_history, monkeypatch):
    from django.utils import timezone

    from grading import regrade
    from grading.models import RegradeChunk

    exercise, wrong_up, _ = graded_history
    run, [chunk] = regrade.regrade_create(exercise=exercise)
    grade_answer = engine.grade_answer

    def taken_over_meanwhile(*args):
        # This delivery's claim lapses mid-grade and a second delivery claims the chunk.
        RegradeChunk.objects.filter(pk=chunk).update(claimed_at=timezone.now() - timedelta(hours=1))
        assert regrade.regrade_chunk_claim(chunk_id=chunk) is not None
        return grade_answer(*args)

    monkeypatch.setattr(engine, "grade_answer", taken_over_meanwhile)
    assert regrade.regrade_chunk_process(chunk_id=chunk) is False
    run.refresh_from_db()
    assert (run.processed, run.changed, run.finished_at) == (0, 0, None)
    assert Submission.objects.get(pk=wrong_up[0]).score == 0.0  # still the old verdict: the new holder writes it
    assert regrade.regrade_chunk_process(chunk_id=chunk) is False  # and a live claim keeps others out


@pytest.mark.django_db
def test_the_sweeper_sends_again_lapsed_chunks_and_lost_ones_only_when_the_batch_queue_is_empty(
    graded_history, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from grading import dispatch, regrade
    from grading.models import RegradeChunk

    exercise, _, _ = graded_history
    monkeypatch.setattr(regrade, "CHUNK_GROUPS", 3)
    _, chunks = regrade.regrade_create(exercise=exercise)
    assert len(chunks) == 3
    long_ago = timezone.now() - timedelta(hours=1)
    lapsed, lost, waiting = chunks
    RegradeChunk.objects.filter(pk=lapsed).update(claimed_by="elsewhere:1", claimed_at=long_ago, sent_at=long_ago)
    RegradeChunk.objects.filter(pk=lost).update(sent_at=long_ago)  # never taken: its message is gone
    sent = []
    monkeypatch.setattr(dispatch, "send", lambda name, args, **options: sent.append(args[0]))

    monkeypatch.setattr(dispatch, "waiting_messages", lambda queue: 5)  # the batch queue is still busy
    with django_capture_on_commit_callbacks(execute=True):
        assert regrade.regrade_sweep() == [lapsed]
    monkeypatch.setattr(dispatch, "waiting_messages", lambda queue: 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert regrade.regrade_sweep() == [lost]  # the lapsed one was just sent again: not yet lost
    assert sent == [lapsed, lost]
    assert RegradeChunk.objects.get(pk=lapsed).claimed_by == ""


@pytest.mark.django_db
def test_a_chunk_out_of_time_goes_on_in_a_fresh_message_and_the_run_ends_with_exact_totals_and_progress(
    graded_history, settings, django_capture_on_commit_callbacks
):
    from grading import dispatch, regrade
    from grading.progress_table import progress_refresh

    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0  # each delivery grades one group, then hands the rest on
    exercise, _, _ = graded_history
    firsts = [user.submissions.filter(exercise=exercise).order_by("pk")[0].pk for user in students(exercise)]
    Submission.objects.filter(pk__in=firsts).update(verdict="incorrect", score=0.0)  # the older grader's first-try slip
    progress_refresh(exercise_id=exercise.pk)  # the progress the older grader's verdicts gave
    run, [chunk] = regrade.regrade_create(exercise=exercise)
    with django_capture_on_commit_callbacks() as callbacks:
        deliveries = 1
        while regrade.regrade_chunk_process(chunk_id=chunk):
            deliveries += 1
    assert deliveries == run.distinct == 9
    sent = [callback.args for callback in callbacks]
    assert sent == [(dispatch.REGRADE_CHUNK, (chunk,))] * 8 + [(dispatch.REGRADE_FINISH, (run.pk,))]
    assert regrade.regrade_finish(run_id=run.pk) is False
    run.refresh_from_db()
    assert (run.processed, run.changed, run.up, run.down) == (24, 15, 9, 6) and run.finished_at is not None
    assert progress_refresh(exercise_id=exercise.pk) == 0  # every student's rows already say what the verdicts say


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_regrade_resume_sends_again_what_a_run_has_not_done_and_follows_it_to_the_end(worker, graded_history):
    from grading.regrade import regrade_create

    exercise, _, _ = graded_history
    run, chunks = regrade_create(exercise=exercise)  # stored, never sent: as if the broker lost them
    output = regrade("--resume", str(run.pk))
    assert f"Re-grade #{run.pk} of {exercise.key}: 0 of 24 done; sent {len(chunks)} unfinished chunk(s) again" in output
    assert "changed: 12 of 24 (up 6, down 6)" in output, output
    assert "changed: 12 of 24" in regrade("--resume", str(run.pk))  # nothing left to send: it reports the run again


@pytest.mark.django_db
def test_regrade_resume_of_an_unknown_run_is_an_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no re-grade run #999"):
        regrade("--resume", "999")


def test_the_broker_counts_an_empty_queue_as_zero_and_counts_what_waits(pipeline_redis):
    import uuid

    from config.celery import app
    from grading import dispatch

    queue = f"only-here-{uuid.uuid4().hex[:8]}"  # no worker consumes it
    assert dispatch.waiting_messages(queue) == 0  # Redis has no key at all for it
    for chunk in (1, 2):
        app.send_task(dispatch.REGRADE_CHUNK, args=(chunk,), queue=queue)
    assert dispatch.waiting_messages(queue) == 2
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


@pytest.mark.django_db
def test_a_silent_progress_pass_is_started_again_once_and_a_live_one_is_left_alone(
    graded_history, monkeypatch, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from grading import dispatch, regrade

    exercise, _, _ = graded_history
    run, chunks = regrade.regrade_create(exercise=exercise)
    for chunk in chunks:
        regrade.regrade_chunk_process(chunk_id=chunk)
    sent = []
    monkeypatch.setattr(dispatch, "send", lambda name, args, **options: sent.append((name, args)))
    monkeypatch.setattr(dispatch, "waiting_messages", lambda queue: 0)
    with django_capture_on_commit_callbacks(execute=True):
        regrade.regrade_sweep()
    assert sent == []  # applied just now: its pass is alive
    RegradeRun.objects.filter(pk=run.pk).update(progress_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        regrade.regrade_sweep()
        regrade.regrade_sweep()  # the first one marked it: no second pass
    assert sent == [(dispatch.REGRADE_FINISH, (run.pk,))]


@pytest.mark.django_db
def test_a_chunk_that_fails_every_delivery_is_given_up_and_counted_as_failed(graded_history, settings):
    from grading import regrade
    from grading.models import RegradeChunk

    exercise, wrong_up, _ = graded_history
    run, [chunk] = regrade.regrade_create(exercise=exercise)
    RegradeChunk.objects.filter(pk=chunk).update(deliveries=settings.SWEEP_MAX_ATTEMPTS)  # each one died mid-way
    assert regrade.regrade_chunk_process(chunk_id=chunk) is False
    regrade.regrade_finish(run_id=run.pk)
    run.refresh_from_db()
    assert (run.processed, run.failed, run.changed, run.finished_at is not None) == (24, 24, 0, True)
    assert Submission.objects.get(pk=wrong_up[0]).score == 0.0  # kept as it was
