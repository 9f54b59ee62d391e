"""The progress table stays exactly what the submissions say, through every path that changes a verdict."""

import random
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from courseware.mastery import Level
from courseware.models import Exercise, Topic
from grading import progress as student_pages
from grading import regrade, services
from grading.models import RegradeRun, StudentExerciseProgress, StudentTopicProgress, Submission
from grading.progress_table import progress_rebuild, progress_refresh, summarise
from instructors import selectors
from instructors.models import Cohort

pytestmark = pytest.mark.django_db
Status = Submission.Status
FOUR = {"slug": "four", "kind": "numeric", "reference": {"expression": "4"}}


def expected_rows() -> dict[tuple[int, int], dict]:
    """The table as defined, computed the plain way from every final submission (an independent oracle)."""
    found: dict[tuple[int, int], dict] = {}
    for s in Submission.objects.filter(status__in=Submission.FINAL).order_by("pk"):
        row = found.setdefault(
            (s.user_id, s.exercise_id),
            {"answers": 0, "attempts": 0, "invalid": 0, "errors": 0, "first_try_correct": None, "solved": False,
             "attempts_to_correct": None},
        )  # fmt: skip
        row["answers"] += 1
        row["invalid"] += s.status == Status.INVALID
        row["errors"] += s.status == Status.ERROR
        row.update(last_submission_pk=s.pk, last_verdict=s.verdict, last_status=s.status)
        if s.status == Status.GRADED:
            row["attempts"] += 1
            if row["first_try_correct"] is None:
                row["first_try_correct"] = s.verdict == "correct"
            if s.verdict == "correct" and not row["solved"]:
                row["solved"], row["attempts_to_correct"] = True, row["attempts"]
    return found


def stored_rows() -> dict[tuple[int, int], dict]:
    fields = ["answers", "attempts", "invalid", "errors", "first_try_correct", "solved", "attempts_to_correct",
              "last_submission_pk", "last_verdict", "last_status"]  # fmt: skip
    return {
        (r["user_id"], r["exercise_id"]): {k: r[k] for k in fields}
        for r in StudentExerciseProgress.objects.values("user_id", "exercise_id", *fields)
    }


def expected_topic_rows() -> dict[tuple[int, int], dict]:
    """Per (student, topic): live exercises attempted, solved, solved on the first try; only topics started."""
    topic_of = dict(Exercise.objects.filter(retired=False).values_list("pk", "topic_id"))
    found: dict[tuple[int, int], dict] = {}
    for (user_id, exercise_id), row in expected_rows().items():
        if exercise_id in topic_of and row["attempts"]:
            sums = found.setdefault((user_id, topic_of[exercise_id]), {"attempted": 0, "solved": 0, "first_try": 0})
            sums["attempted"] += 1
            sums["solved"] += row["solved"]
            sums["first_try"] += bool(row["first_try_correct"])
    return found


def stored_topic_rows() -> dict[tuple[int, int], dict]:
    return {
        (r.pop("user_id"), r.pop("topic_id")): r
        for r in StudentTopicProgress.objects.values("user_id", "topic_id", "attempted", "solved", "first_try")
    }


def assert_exact():
    assert stored_rows() == expected_rows()
    assert stored_topic_rows() == expected_topic_rows()
    assert progress_rebuild(check_only=True).corrected == 0


@pytest.fixture
def exercises(make_exercise):
    return [make_exercise(FOUR, slug=f"four-{i}") for i in range(3)]


@pytest.fixture
def students(django_user_model):
    return [django_user_model.objects.create_user(f"learner{i}", password="pw-for-tests-9") for i in range(3)]


def answer(user, exercise, text: str) -> Submission:
    """Submit as the API does and grade as the worker does (its task calls exactly this service)."""
    submission = services.submission_create(user=user, exercise=exercise, answer=text)
    assert services.submission_grade(submission_id=submission.pk).outcome is services.Outcome.STORED
    return submission


def regrade_now(exercise, *, dry_run=False) -> RegradeRun:
    """What the batch workers do with a re-grade's chunks, done here in order."""
    run, chunks = regrade.regrade_create(exercise=exercise, dry_run=dry_run)
    for chunk in chunks:
        assert regrade.regrade_chunk_process(chunk_id=chunk) is False  # nothing left over
    assert regrade.regrade_finish(run_id=run.pk) is False
    run.refresh_from_db()
    assert run.processed == run.total and run.finished_at is not None
    return run


def test_the_fold_reads_attempts_first_try_and_the_last_verdict():
    rows = [(1, "invalid", "invalid", None, None), (2, "graded", "incorrect", 0.0, None), (3, "error", "", None, None),
            (4, "graded", "correct", 1.0, None), (5, "graded", "incorrect", 0.5, None)]  # fmt: skip
    fields = summarise(rows)
    assert (fields["answers"], fields["attempts"], fields["invalid"], fields["errors"]) == (5, 3, 1, 1)
    assert (fields["first_try_correct"], fields["solved"], fields["attempts_to_correct"]) == (False, True, 2)
    assert (fields["last_submission_pk"], fields["last_verdict"], fields["best_score"]) == (5, "incorrect", 1.0)
    assert summarise([]) is None
    only_invalid = summarise([(1, "invalid", "invalid", None, None)])
    assert only_invalid["attempts"] == 0 and only_invalid["first_try_correct"] is None


def test_grading_writes_progress_once_whatever_the_deliveries(students, exercises):
    ada, four = students[0], exercises[0]
    answer(ada, four, "5")
    right = answer(ada, four, "4")
    answer(ada, four, "4 +")  # unreadable: an answer, never an attempt
    row = StudentExerciseProgress.objects.get(user=ada, exercise=four)
    assert (row.answers, row.attempts, row.invalid, row.first_try_correct, row.solved) == (3, 2, 1, False, True)
    assert row.attempts_to_correct == 2 and row.last_status == "invalid"
    # A second delivery of a graded submission changes nothing.
    assert services.submission_grade(submission_id=right.pk).outcome is services.Outcome.ALREADY_FINAL
    assert StudentExerciseProgress.objects.get(pk=row.pk).answers == 3
    assert_exact()


def test_an_older_answer_graded_after_a_newer_one_takes_its_place_in_order(students, exercises):
    ada, four = students[0], exercises[0]
    first = services.submission_create(user=ada, exercise=four, answer="5")
    second = services.submission_create(user=ada, exercise=four, answer="4")
    services.submission_grade(submission_id=second.pk)
    assert StudentExerciseProgress.objects.get(user=ada).first_try_correct is True
    services.submission_grade(submission_id=first.pk)  # the first answer was wrong: not right the first time
    row = StudentExerciseProgress.objects.get(user=ada)
    assert (row.first_try_correct, row.attempts_to_correct, row.last_submission_pk) == (False, 2, second.pk)
    assert_exact()


def test_a_stale_claimer_stores_neither_the_verdict_nor_progress(students, exercises):
    submission = services.submission_create(user=students[0], exercise=exercises[0], answer="4")
    token, claimed = services.submission_claim(submission_id=submission.pk)
    Submission.objects.filter(pk=submission.pk).update(claim_token=None)  # someone else took it over
    assert not services._store(claimed, token, status=Status.GRADED, verdict="correct", score=1.0)
    assert not StudentExerciseProgress.objects.exists()
    assert_exact()


def test_progress_commits_with_the_verdict_or_not_at_all(students, exercises):
    submission = services.submission_create(user=students[0], exercise=exercises[0], answer="4")
    token, claimed = services.submission_claim(submission_id=submission.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        services._store(claimed, token, status=Status.GRADED, verdict="correct", score=1.0)
        assert StudentExerciseProgress.objects.get(user=students[0]).solved
        raise RuntimeError("the transaction fails after the verdict was written")
    assert Submission.objects.get(pk=submission.pk).status == Status.GRADING
    assert not StudentExerciseProgress.objects.exists()


def test_a_regrade_corrects_progress_and_a_dry_run_does_not(students, exercises):
    ada, bob = students[:2]
    four = exercises[0]
    answer(ada, four, "4")
    answer(bob, four, "5")
    answer(bob, four, "4")
    four.spec = {**FOUR, "reference": {"expression": "5"}}  # the reference was wrong: it is 5
    four.save()
    regrade_now(four, dry_run=True)
    assert StudentExerciseProgress.objects.get(user=ada, exercise=four).solved
    assert_exact()
    regrade_now(four)
    ada_row = StudentExerciseProgress.objects.get(user=ada, exercise=four)
    bob_row = StudentExerciseProgress.objects.get(user=bob, exercise=four)
    assert (ada_row.solved, ada_row.first_try_correct, ada_row.last_verdict) == (False, False, "incorrect")
    assert (bob_row.first_try_correct, bob_row.attempts_to_correct) == (True, 1)
    assert_exact()


def test_deleting_submissions_and_students(students, exercises):
    ada, bob = students[:2]
    four = exercises[0]
    first = answer(ada, four, "4")
    answer(ada, four, "5")
    only = answer(bob, four, "4")
    first.delete()
    row = StudentExerciseProgress.objects.get(user=ada, exercise=four)
    assert (row.attempts, row.solved, row.first_try_correct) == (1, False, False)
    Submission.objects.filter(pk=only.pk).delete()  # a queryset delete too
    assert not StudentExerciseProgress.objects.filter(user=bob).exists()
    assert_exact()
    answer(bob, four, "4")
    bob.delete()
    assert not StudentExerciseProgress.objects.filter(user_id=only.user_id).exists()
    assert_exact()


@pytest.mark.django_db(transaction=True)  # committed, so the database checks every foreign key
def test_deleting_a_student_with_answers_everywhere_leaves_no_rows(students, exercises):
    ada = students[0]
    for exercise in exercises:
        answer(ada, exercise, "5")
        answer(ada, exercise, "4")
    other = Topic.objects.create(slug="other", title="Other", layer="2", summary="s", body="b")
    exercises[2].topic = other
    exercises[2].save()
    ada.delete()
    assert not StudentExerciseProgress.objects.exists() and not StudentTopicProgress.objects.exists()
    assert_exact()


def test_a_student_given_up_on_counts_an_error_not_an_attempt(students, exercises, settings):
    submission = services.submission_create(user=students[0], exercise=exercises[0], answer="4")
    long_ago = timezone.now() - timedelta(hours=1)
    Submission.objects.filter(pk=submission.pk).update(delivery_attempts=settings.SWEEP_MAX_ATTEMPTS,
                                                       enqueued_at=long_ago)  # fmt: skip
    assert services.submissions_sweep().failed == [submission.pk]
    row = StudentExerciseProgress.objects.get(user=students[0])
    assert (row.answers, row.errors, row.attempts, row.last_status) == (1, 1, 0, "error")
    assert_exact()


def test_an_exercise_edited_moved_or_retired_is_read_as_it_is_now(students, exercises):
    ada = students[0]
    for exercise in exercises:
        answer(ada, exercise, "4")
    topic = exercises[0].topic
    assert student_pages.student_progress(ada).by_slug()[topic.slug].level is Level.MASTERED
    exercises[2].retired = True
    exercises[2].save()
    assert student_pages.student_progress(ada).by_slug()[topic.slug].mastery.exercises == 2
    assert StudentTopicProgress.objects.get(user=ada, topic=topic).solved == 2
    assert_exact()
    # Moved to a new topic: mastery follows the exercise without touching the table.
    other = Topic.objects.create(slug="other", title="Other", layer="2", summary="s", body="b")
    exercises[1].topic = other
    exercises[1].save()
    mine = student_pages.student_progress(ada).by_slug()
    assert mine["other"].level is Level.MASTERED and mine[topic.slug].mastery.exercises == 1
    assert StudentTopicProgress.objects.get(user=ada, topic=other).solved == 1
    assert_exact()
    exercises[2].retired = False
    exercises[2].save()
    assert student_pages.student_progress(ada).by_slug()[topic.slug].mastery.exercises == 2
    assert_exact()


def test_a_student_leaving_a_cohort_leaves_its_dashboards(students, exercises):
    ada, bob = students[:2]
    cohort = Cohort.objects.create(name="Class", slug="class")
    cohort.students.add(ada, bob)
    answer(ada, exercises[0], "4")
    answer(bob, exercises[0], "5")
    stats = selectors.exercise_stats(cohort, [exercises[0]])[0]
    assert (stats.students, stats.solved) == (2, 1)
    cohort.students.remove(ada)
    stats = selectors.exercise_stats(cohort, [exercises[0]])[0]
    assert (stats.students, stats.solved, stats.first_try) == (1, 0, 0)
    mastery = selectors.cohort_mastery(cohort)
    assert mastery.size == 1 and mastery.counts(exercises[0].topic.slug)[Level.ATTEMPTED] == 1
    assert StudentExerciseProgress.objects.filter(user=ada).exists()  # their own record stays theirs
    assert_exact()


def test_rebuild_and_incremental_updates_agree_through_a_random_history(students, exercises, settings):
    rng = random.Random(13)
    topics = [
        exercises[0].topic,
        Topic.objects.create(slug="elsewhere", title="Elsewhere", layer="2", summary="s", body="b"),
    ]
    for _ in range(80):
        roll, user, exercise = rng.random(), rng.choice(students), rng.choice(exercises)
        exercise.refresh_from_db()
        if roll < 0.9 and exercise.retired:
            continue  # takes no answers
        if roll < 0.55:
            answer(user, exercise, rng.choice(["4", "5", "2 + 2", "4 +", "x"]))
        elif roll < 0.7:
            mine = list(Submission.objects.filter(user=user).values_list("pk", flat=True))
            if mine:
                Submission.objects.get(pk=rng.choice(mine)).delete()
        elif roll < 0.8:
            exercise.spec = {**FOUR, "reference": {"expression": rng.choice(["4", "5"])}}
            exercise.save()
            regrade_now(exercise)
        elif roll < 0.9:
            stuck = services.submission_create(user=user, exercise=exercise, answer="4")
            Submission.objects.filter(pk=stuck.pk).update(delivery_attempts=settings.SWEEP_MAX_ATTEMPTS,
                                                          enqueued_at=timezone.now() - timedelta(hours=1))  # fmt: skip
            services.submissions_sweep()
        elif roll < 0.95:
            exercise.retired = not exercise.retired
            exercise.save()
        else:  # moved to another topic, or back
            exercise.topic = rng.choice(topics)
            exercise.save()
        assert_exact()
    snapshot, topic_snapshot = stored_rows(), stored_topic_rows()
    StudentExerciseProgress.objects.all().delete()
    StudentTopicProgress.objects.all().delete()
    report = progress_rebuild()
    assert stored_rows() == snapshot and stored_topic_rows() == topic_snapshot
    assert report.corrected == len(snapshot) + len(topic_snapshot)
    assert progress_rebuild().corrected == 0  # exact already: nothing written


def test_the_command_checks_and_rebuilds(students, exercises):
    answer(students[0], exercises[0], "4")
    answer(students[1], exercises[1], "5")
    StudentExerciseProgress.objects.filter(user=students[0]).update(solved=False)
    with pytest.raises(CommandError, match="differs"):
        call_command("rebuild_progress", "--check", stdout=StringIO())
    out = StringIO()
    call_command("rebuild_progress", stdout=out)
    assert "3 exercises rebuilt" in out.getvalue() and "1 row corrected" in out.getvalue()
    call_command("rebuild_progress", "--check", stdout=StringIO())
    assert_exact()


def test_the_migration_fills_the_table_from_existing_submissions(students, exercises):
    from importlib import import_module

    from django.apps import apps

    answer(students[0], exercises[0], "5")
    answer(students[0], exercises[0], "4")
    answer(students[1], exercises[2], "4 +")
    StudentExerciseProgress.objects.all().delete()
    StudentTopicProgress.objects.all().delete()
    import_module("grading.migrations.0002_progress_tables").fill_progress(apps, None)
    assert_exact()


@pytest.mark.django_db(transaction=True)
def test_verdicts_stored_at_once_for_one_student_all_count(students, exercises):
    """Each write locks its rows before reading or adding, so no commit can overwrite another's."""
    ada, (four, other) = students[0], exercises[:2]  # two exercises of one topic: one row of topic sums
    work = [
        (four, "5", "incorrect"),
        (four, "4", "correct"),
        (other, "4", "correct"),
        (other, "6", "incorrect"),
        (four, "2 + 2", "correct"),
        (other, "4 +", "invalid"),
    ]  # fmt: skip (one text in flight is one answer)
    claims = []
    for exercise, text, verdict in work:
        submission = services.submission_create(user=ada, exercise=exercise, answer=text)
        claims.append((*services.submission_claim(submission_id=submission.pk), verdict))
    barrier, errors = threading.Barrier(len(claims)), []

    def store(token, claimed, verdict):
        try:
            barrier.wait(10)
            status = Status.INVALID if verdict == "invalid" else Status.GRADED
            services._store(claimed, token, status=status, verdict=verdict, score=float(verdict == "correct"))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=store, args=claim) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert StudentExerciseProgress.objects.get(user=ada, exercise=four).attempts == 3
    assert StudentTopicProgress.objects.get(user=ada).attempted == 2
    assert_exact()


def test_refreshing_twice_changes_nothing(students, exercises):
    answer(students[0], exercises[0], "5")
    before = stored_rows()
    assert progress_refresh(exercise_id=exercises[0].pk, user_ids=[students[0].pk]) == 0
    assert progress_refresh(exercise_id=exercises[0].pk) == 0
    assert stored_rows() == before
