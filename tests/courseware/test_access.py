"""A student sees only their own work, and no reference answer or solution before it is meant to be shown."""

import html
import json

import pytest
from django.test import Client

from courseware.models import Exercise
from courseware.rendering import render_markdown
from grading import services
from grading.engine import student_seed, variant
from grading.models import Submission
from tests.builders import LIMITED_SPEC, SOLUTION, graded, make_exercise, make_topic

pytestmark = pytest.mark.django_db
SEED = "differentiation-in-rn"
# How a page says that a topic is attempted: the map's data, the dashboard's table, the topic's status.
ATTEMPTED = ['"level": "attempted"', 'level-attempted">attempted</span></td>', "topic-status level-attempted"]


@pytest.fixture(autouse=True)
def _local_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def users(django_user_model):
    return [django_user_model.objects.create_user(name, password="pw-for-tests-1") for name in ("mine", "theirs")]


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def secrets(user, exercise: Exercise) -> list[str]:
    """What must not reach this student yet: their variant's reference (when distinctive) and the solution."""
    found = [render_markdown(exercise.solution).strip()[:80], exercise.solution.strip()[:60]]
    reference = variant(exercise, student_seed(user.pk, exercise)).reference_latex
    if len(reference) >= 12:  # a bare number such as "14" appears on any page; a matrix's LaTeX does not
        found.append(reference)
    return [s for s in found if s]


def responses(client, exercise: Exercise) -> dict[str, str]:
    """Every page and API answer a student meets around an exercise."""
    ref = exercise.key
    pages = {
        url: client.get(url).content.decode()
        for url in ["/", "/map/", "/dashboard/", exercise.topic.get_absolute_url(), f"/api/exercises/{ref}/submissions",
                    f"/topics/{exercise.topic.slug}/exercises/{exercise.slug}/progress"]
    }  # fmt: skip
    for submission in Submission.objects.filter(exercise=exercise):
        pages[f"submission {submission.pk}"] = client.get(f"/api/submissions/{submission.pk}").content.decode()
    body = json.dumps({"exercise": ref, "answer": "[[1, 2], [3, 4]]"})
    pages["preview"] = client.post("/api/preview", body, content_type="application/json").content.decode()
    return {url: html.unescape(text) for url, text in pages.items()}


def assert_hidden(client, user, exercise):
    for url, text in responses(client, exercise).items():
        for secret in secrets(user, exercise):
            assert html.unescape(secret) not in text, f"{url} shows {secret[:40]!r}"


def test_no_reference_or_solution_reaches_a_student_who_has_not_solved(users, lesson_content):
    user = users[0]
    client = as_user(user)
    for exercise in Exercise.objects.filter(topic__slug=SEED).select_related("topic"):
        assert_hidden(client, user, exercise)


def test_wrong_answers_graded_for_real_reveal_nothing_and_a_right_one_shows_the_solution(users, lesson_content):
    user = users[0]
    client = as_user(user)
    exercise = Exercise.objects.select_related("topic").get(topic__slug=SEED, slug="two-layer-network-jacobian")
    for answer in ["[[1, 1], [1, 2]]", "[[1, 2], [3]]", "[[a, 1 - a], [1, b - 1]]"]:
        submission = services.submission_create(user=user, exercise=exercise, answer=answer)
        services.submission_grade(submission_id=submission.pk)
    assert set(Submission.objects.values_list("status", flat=True)) == {"graded", "invalid"}
    assert_hidden(client, user, exercise)

    reference = variant(exercise, student_seed(user.pk, exercise)).reference
    right = "[[" + "], [".join(", ".join(str(reference.value[i, j]) for j in range(2)) for i in range(2)) + "]]"
    services.submission_grade(submission_id=services.submission_create(user=user, exercise=exercise, answer=right).pk)
    assert Submission.objects.filter(verdict="correct").exists()
    page = client.get(exercise.topic.get_absolute_url()).content.decode()
    assert render_markdown(exercise.solution).strip()[:80] in page


def test_out_of_attempts_shows_the_solution_and_takes_no_more_answers(users, db):
    user = users[0]
    exercise = make_exercise(make_topic("limits"), "limits-1", LIMITED_SPEC)
    client = as_user(user)
    graded(user, exercise, False)
    page = client.get("/topics/limits/").content.decode()
    assert SOLUTION not in page and "1 of 2 attempts left" in page
    graded(user, exercise, False)
    page = client.get("/topics/limits/").content.decode()
    assert SOLUTION in page and "No attempts left" in page and "disabled" in page
    body = json.dumps({"exercise": exercise.key, "answer": "42"})
    assert client.post("/api/submissions", body, content_type="application/json").status_code == 409
    assert SOLUTION not in as_user(users[1]).get("/topics/limits/").content.decode()


def test_a_student_never_sees_another_students_submissions_or_progress(users, lesson_content):
    mine, theirs = users
    exercise = Exercise.objects.select_related("topic").get(topic__slug=SEED, slug="partial-derivative")
    secret = graded(theirs, exercise, True, answer="their-own-answer-9137")
    client = as_user(mine)
    assert client.get(f"/api/submissions/{secret.pk}").status_code == 404
    assert client.get(f"/api/submissions/{secret.pk}?wait=1").status_code == 404
    assert client.get(f"/api/exercises/{exercise.key}/submissions").json() == []
    for url in ["/", "/map/", "/dashboard/", f"/dashboard/?user={theirs.pk}", exercise.topic.get_absolute_url(),
                f"/topics/{SEED}/exercises/partial-derivative/progress"]:  # fmt: skip
        page = client.get(url).content.decode()
        assert "their-own-answer-9137" not in page, url
        assert not any(mark in page for mark in ATTEMPTED), url
    # No page takes another student's id.
    for url in [f"/dashboard/{theirs.pk}/", f"/users/{theirs.pk}/", f"/progress/{theirs.pk}/", f"/map/{theirs.pk}/"]:
        assert client.get(url).status_code == 404, url
    # The solution they earned stays theirs.
    assert render_markdown(exercise.solution).strip()[:80] not in client.get(f"/topics/{SEED}/").content.decode()
    # ...while their own pages do show it.
    theirs_page = as_user(theirs).get("/dashboard/").content.decode()
    assert "their-own-answer-9137" not in theirs_page and ATTEMPTED[1] in theirs_page and ATTEMPTED[0] in theirs_page
