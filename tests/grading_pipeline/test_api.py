"""The submissions API in-process: auth, CSRF, ownership, limits and the schema (grading runs elsewhere)."""

import json

import pytest
from django.test import Client

from grading.models import ApiToken, Submission
from tests.builders import CONSTANT_SPEC

pytestmark = pytest.mark.django_db


@pytest.fixture
def exercise(make_exercise):
    return make_exercise(CONSTANT_SPEC)


def token_client(user) -> Client:
    _, secret = ApiToken.issue(user)
    return Client(headers={"authorization": f"Bearer {secret}"})


def post(client, exercise_ref, answer="4", **extra):
    body = json.dumps({"exercise": str(exercise_ref), "answer": answer})
    return client.post("/api/submissions", body, content_type="application/json", **extra)


def test_it_queues_a_submission_and_enqueues_it_on_commit(student, exercise, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(token_client(student), exercise.key, " 2+2 ")
    assert response.status_code == 201
    submission = Submission.objects.get()
    body = response.json()
    assert (body["id"], body["status"], body["verdict"], body["answer"]) == (submission.pk, "queued", "", " 2+2 ")
    assert submission.answer == " 2+2 " and submission.user == student and len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_a_post_that_waits_answers_at_its_deadline_with_the_status_so_far(student, exercise):
    """No worker runs here: the POST waits out `wait`, then says where its answer stands (the id to poll)."""
    response = token_client(student).post(
        "/api/submissions?wait=0.3", json.dumps({"exercise": exercise.key, "answer": "4"}), "application/json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "queued" and response.json()["id"] == Submission.objects.get().pk
    too_long = token_client(student).post(
        "/api/submissions?wait=600", json.dumps({"exercise": exercise.key, "answer": "5"}), "application/json"
    )
    assert too_long.status_code == 422 and Submission.objects.count() == 1  # refused before anything is stored


@pytest.mark.parametrize("ref", ["id", "key", "slug"])
def test_the_exercise_is_found_by_id_key_or_slug(student, exercise, ref):
    value = {"id": exercise.pk, "key": exercise.key, "slug": exercise.slug}[ref]
    assert post(token_client(student), value).status_code == 201


def test_an_unknown_exercise_is_404(student):
    assert post(token_client(student), "nope/nothing").status_code == 404


def test_anonymous_and_bad_tokens_are_refused(exercise):
    assert post(Client(), exercise.key).status_code == 401
    assert post(Client(headers={"authorization": "Bearer nope"}), exercise.key).status_code == 401


def test_session_auth_needs_the_csrf_token(student, exercise):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert post(client, exercise.key).status_code == 403
    token = "k" * 32  # what a page's CSRF cookie holds: the browser sends it back in the header
    client.cookies["csrftoken"] = token
    assert post(client, exercise.key, HTTP_X_CSRFTOKEN=token).status_code == 201


def test_a_student_reads_only_their_own_submissions(student, exercise, django_user_model):
    other = django_user_model.objects.create_user("other", password="pw-for-tests-2")
    mine = Submission.objects.create(user=student, exercise=exercise, seed=1, answer="4", status="graded", score=1.0,
                                     verdict="correct", feedback="Correct.", latex="4", grader_version="v")  # fmt: skip
    theirs = Submission.objects.create(user=other, exercise=exercise, seed=2, answer="5")
    client = token_client(student)
    body = client.get(f"/api/submissions/{mine.pk}").json()
    assert body["status"] == "graded" and body["score"] == 1.0 and body["latex"] == "4" and body["feedback"]
    assert body["verdict"] == "correct"
    assert set(body) == {"id", "exercise", "answer", "status", "verdict", "score", "feedback", "latex",
                         "grader_version", "created_at", "graded_at"}  # fmt: skip
    assert client.get(f"/api/submissions/{theirs.pk}").status_code == 404
    assert client.get("/api/submissions/999999").status_code == 404
    listed = client.get(f"/api/exercises/{exercise.key}/submissions").json()
    assert [s["id"] for s in listed] == [mine.pk]
    assert client.get(f"/api/exercises/{exercise.pk}/submissions").json() == listed


def test_too_many_submissions_are_429_with_retry_after(student, exercise, settings):
    settings.SUBMISSION_RATE = "3/m"
    client = token_client(student)
    assert [post(client, exercise.key, f"{i} + 4 - {i}").status_code for i in range(3)] == [201, 201, 201]
    response = post(client, exercise.key, "4 + 0")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Submission.objects.count() == 3


def test_used_up_attempts_are_409(student, make_exercise):
    exercise = make_exercise({**CONSTANT_SPEC, "slug": "once", "attempts": 1})
    client = token_client(student)
    assert post(client, exercise.key).status_code == 201
    response = post(client, exercise.key, "5")
    assert response.status_code == 409 and "attempts" in response.json()["detail"]


def test_the_same_answer_sent_again_while_it_is_graded_is_not_a_second_attempt(student, exercise):
    client = token_client(student)
    first = post(client, exercise.key, "2 + 2")
    again = post(client, exercise.key, "2 + 2")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and Submission.objects.count() == 1
    assert post(client, exercise.key, "5").status_code == 201  # another answer is another attempt
    Submission.objects.filter(pk=first.json()["id"]).update(status="graded", verdict="correct", score=1.0)
    assert post(client, exercise.key, "2 + 2").status_code == 201  # once graded, sending it again is a new attempt
    assert Submission.objects.count() == 3


def test_an_overlong_answer_is_refused(student, exercise, settings):
    assert post(token_client(student), exercise.key, "1+" * settings.SUBMISSION_MAX_LENGTH).status_code == 422


def test_the_openapi_schema_documents_the_endpoints():
    schema = Client().get("/api/openapi.json").json()
    assert {"/api/submissions", "/api/submissions/{submission_id}"} <= set(schema["paths"])
    assert any(p.startswith("/api/exercises/") for p in schema["paths"])


@pytest.mark.parametrize("field", ["answer", "exercise"])
def test_a_nul_byte_is_refused_before_anything_is_stored_or_counted(student, exercise, settings, field):
    settings.SUBMISSION_RATE = "2/m"
    client = token_client(student)
    for _ in range(5):
        body = {"exercise": exercise.key, "answer": "4"} | {field: "4\x00" if field == "answer" else "four\x00"}
        response = client.post("/api/submissions", json.dumps(body), content_type="application/json")
        assert response.status_code == 422
        assert "NUL character" in json.dumps(response.json())
    assert not Submission.objects.exists()
    # Refused requests used none of the rate limit: two real answers still go through.
    assert post(client, exercise.key, "4").status_code == 201 and post(client, exercise.key, "2 + 2").status_code == 201


def test_a_nul_byte_in_a_preview_or_an_exercise_path_is_a_clear_4xx(student, exercise):
    client = token_client(student)
    body = json.dumps({"exercise": exercise.key, "answer": "x\x00"})
    assert client.post("/api/preview", body, content_type="application/json").status_code == 422
    assert client.get("/api/exercises/pipeline%00four/submissions").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_submission_deleted_during_a_long_poll_is_404_not_500(student, exercise):
    """The poll wakes on the announcement, finds the row gone and answers 404 (it used to dereference None)."""
    import threading

    from django.db import connection

    from grading import announcements
    from tests.celery_worker import wait_for

    submission = Submission.objects.create(user=student, exercise=exercise, seed=1, answer="4")
    listener = announcements.listener()

    def delete_once_the_poll_listens():
        try:
            wait_for(lambda: listener.subscribed and listener.waiting_on(submission.pk), 30, message="the long poll")
            Submission.objects.filter(pk=submission.pk).delete()
            announcements.announce(submission.pk)
        finally:
            connection.close()

    deleter = threading.Thread(target=delete_once_the_poll_listens)
    deleter.start()
    response = token_client(student).get(f"/api/submissions/{submission.pk}?wait=20")
    deleter.join(30)
    assert response.status_code == 404
    assert response.json() == {"detail": "No such submission."}


def test_a_token_notes_its_use_every_few_minutes_and_stops_with_its_account(student, exercise):
    from datetime import timedelta

    from grading import credentials

    token, secret = ApiToken.issue(student)
    client = Client(headers={"authorization": f"Bearer {secret}"})
    mine = f"/api/exercises/{exercise.key}/submissions"
    assert client.get(mine).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert client.get(mine).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first  # used again within USE_RESOLUTION: not written on every request
    long_ago = first - credentials.USE_RESOLUTION - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    assert client.get(mine).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at >= first
    student.is_active = False
    student.save()
    assert client.get(mine).status_code == 401
