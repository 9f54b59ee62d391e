"""Claim, grade, store and sweep, called directly (the worker tests run the same code in a real worker)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grading import engine, services
from grading.models import Submission
from tests.builders import CONSTANT_SPEC, correct_answer

pytestmark = pytest.mark.django_db
Status = Submission.Status


def queued(user, exercise, answer="4", **fields):
    return Submission.objects.create(
        user=user, exercise=exercise, seed=engine.student_seed(user.pk, exercise), answer=answer, **fields
    )


def test_variant_seed_is_stable_and_per_student():
    assert engine.variant_seed(1, "topic/ex") == engine.variant_seed(1, "topic/ex")
    assert engine.variant_seed(1, "topic/ex") != engine.variant_seed(2, "topic/ex")
    assert engine.variant_seed(1, "topic/ex") == 2079958701  # sha256, not the salted hash()
    assert 0 <= engine.variant_seed(10**9, "x" * 300) < 2**31


def test_it_grades_and_stores_the_verdict(student, make_exercise):
    exercise = make_exercise()
    submission = queued(student, exercise, correct_answer(exercise, student))
    assert services.submission_grade(submission_id=submission.pk).outcome is services.Outcome.STORED
    submission.refresh_from_db()
    assert (submission.status, submission.verdict, submission.score) == (Status.GRADED, "correct", 1.0)
    assert submission.latex and submission.grader_version == engine.grader_version()
    assert submission.delivery_attempts == 1 and submission.claim_token is None and submission.graded_at


def test_a_second_delivery_does_nothing(student, make_exercise):
    submission = queued(student, make_exercise(CONSTANT_SPEC))
    services.submission_grade(submission_id=submission.pk)
    graded_at = Submission.objects.get(pk=submission.pk).graded_at
    assert services.submission_grade(submission_id=submission.pk).outcome is services.Outcome.ALREADY_FINAL
    submission.refresh_from_db()
    assert submission.delivery_attempts == 1 and submission.graded_at == graded_at


def test_a_live_claim_makes_other_deliveries_wait(student, make_exercise):
    submission = queued(student, make_exercise(CONSTANT_SPEC))
    token, _ = services.submission_claim(submission_id=submission.pk)
    assert token
    result = services.submission_grade(submission_id=submission.pk)
    assert result.outcome is services.Outcome.BUSY and 0 < result.retry_in <= 10
    assert Submission.objects.get(pk=submission.pk).delivery_attempts == 1


def test_a_lapsed_claim_is_taken_over_and_the_stale_claimer_cannot_store(student, make_exercise, settings):
    submission = queued(student, make_exercise(CONSTANT_SPEC))
    long_ago = timezone.now() - timedelta(seconds=settings.GRADING_CLAIM_LEASE_S + 1)
    stale_token, stale = services.submission_claim(submission_id=submission.pk, now=long_ago)
    assert services.submission_grade(submission_id=submission.pk).outcome is services.Outcome.STORED
    assert not services._store(stale, stale_token, status=Status.ERROR, feedback="stale")
    submission.refresh_from_db()
    assert (submission.status, submission.score, submission.delivery_attempts) == (Status.GRADED, 1.0, 2)


def test_invalid_answers_are_stored_as_invalid(student, make_exercise):
    submission = queued(student, make_exercise(CONSTANT_SPEC), answer="4 +")
    services.submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Status.INVALID and submission.score == 0.0 and submission.feedback


def test_an_engine_failure_ends_as_error_not_a_crash_loop(student, make_exercise, monkeypatch):
    def broken(*args):
        raise ZeroDivisionError("engine bug")

    monkeypatch.setattr(engine, "grade_answer", broken)
    submission = queued(student, make_exercise(CONSTANT_SPEC))
    assert services.submission_grade(submission_id=submission.pk).outcome is services.Outcome.STORED
    submission.refresh_from_db()
    assert submission.status == Status.ERROR and submission.feedback == services.GRADER_FAILED


def test_a_poison_submission_ends_as_error_after_the_maximum_deliveries(student, make_exercise, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.GRADING_CLAIM_LEASE_S + 1)
    submission = queued(
        student, make_exercise(CONSTANT_SPEC), status=Status.GRADING, claimed_at=long_ago,
        delivery_attempts=settings.SWEEP_MAX_ATTEMPTS,
    )  # fmt: skip
    services.submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Status.ERROR and "could not be graded" in submission.feedback


def test_a_missing_submission_is_ignored():
    assert services.submission_grade(submission_id=987654).outcome is services.Outcome.MISSING


def test_the_sweeper_requeues_stuck_submissions_and_gives_up_on_poison(
    student, make_exercise, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from grading import dispatch

    sent = []
    monkeypatch.setattr(
        dispatch, "send", lambda name, args, **kw: sent.append(args[0]) if name == dispatch.GRADE_SUBMISSION else None
    )
    exercise = make_exercise(CONSTANT_SPEC)
    now = timezone.now()
    old = now - timedelta(seconds=max(settings.SWEEP_STUCK_AFTER_S, settings.GRADING_CLAIM_LEASE_S) + 1)
    lost = queued(student, exercise, enqueued_at=old)
    fresh = queued(student, exercise, enqueued_at=now)
    killed = queued(student, exercise, status=Status.GRADING, claimed_at=old, enqueued_at=old, delivery_attempts=1)
    working = queued(student, exercise, status=Status.GRADING, claimed_at=now, enqueued_at=old, delivery_attempts=1)
    poison = queued(
        student, exercise, status=Status.GRADING, claimed_at=old, enqueued_at=old,
        delivery_attempts=settings.SWEEP_MAX_ATTEMPTS,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        report = services.submissions_sweep(now=now)
    assert sorted(report.requeued) == sorted([lost.pk, killed.pk]) == sorted(sent)
    assert report.failed == [poison.pk]
    assert Submission.objects.get(pk=poison.pk).status == Status.ERROR
    assert fresh.pk not in sent and working.pk not in sent
    # Re-enqueued just now: the next sweep leaves them alone.
    assert services.submissions_sweep(now=now + timedelta(seconds=1)).requeued == []


def test_a_refused_submission_when_attempts_are_used_up(student, make_exercise, django_capture_on_commit_callbacks):
    exercise = make_exercise({**CONSTANT_SPEC, "attempts": 2})
    queued(student, exercise, status=Status.GRADED)
    queued(student, exercise, status=Status.INVALID)  # invalid input is not an attempt
    queued(student, exercise, status=Status.ERROR)  # nor is our own failure
    with django_capture_on_commit_callbacks():
        services.submission_create(user=student, exercise=exercise, answer="4")
    with pytest.raises(services.SubmissionRefused, match="all 2 attempts"):
        services.submission_create(user=student, exercise=exercise, answer="5")


def test_a_retired_exercise_takes_no_answers(student, make_exercise):
    exercise = make_exercise(CONSTANT_SPEC)
    exercise.retired = True
    with pytest.raises(services.SubmissionRefused, match="retired"):
        services.submission_create(user=student, exercise=exercise, answer="4")


def test_the_names_the_services_send_are_the_workers_tasks_and_routes():
    from django.conf import settings as django_settings

    import grading.tasks
    from config.celery import app
    from grading import dispatch

    for name in (dispatch.GRADE_SUBMISSION, dispatch.REGRADE_CHUNK):
        assert app.tasks[name].__module__ == grading.tasks.__name__
        assert name in django_settings.CELERY_TASK_ROUTES
