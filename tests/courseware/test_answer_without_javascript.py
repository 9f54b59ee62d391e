"""The answer box as a plain form post (no JavaScript): the answer is stored once and leads to its verdict page.

Grading itself runs in a real worker in tests/browser/test_phone_and_accessibility.py; here the verdicts are
stored directly, so the pages are checked in-process.
"""

import pytest

from courseware.views import VERDICT_WAIT_S
from grading.models import Submission
from tests.builders import LIMITED_SPEC, graded, make_exercise, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    monkeypatch.setattr("courseware.views.VERDICT_WAIT_S", 0)  # the page shows "grading" at once
    assert VERDICT_WAIT_S > 0


@pytest.fixture
def exercise():
    return make_exercise(make_topic("limits"), "limits-1", LIMITED_SPEC)


@pytest.fixture
def student(django_user_model, client):
    user = django_user_model.objects.create_user("learner", password="pw-for-tests-1")
    client.force_login(user)
    return user


URL = "/topics/limits/exercises/limits-1/answers"


def test_the_topic_page_s_answer_box_posts_without_javascript(client, student, exercise):
    page = client.get("/topics/limits/").content.decode()
    assert f'method="post" action="{URL}"' in page and 'name="csrfmiddlewaretoken"' in page
    assert "Answering needs JavaScript" not in page


def test_an_answer_is_stored_once_and_leads_to_its_verdict_page(
    client, student, exercise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post(URL, {"answer": "6*7"})
    submission = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}/{submission.pk}"
    assert submission.answer == "6*7" and submission.user == student and len(enqueued) == 1
    assert client.post(URL, {"answer": "6*7"})["Location"] == f"{URL}/{submission.pk}"  # resent: same answer
    assert Submission.objects.count() == 1

    pending = client.get(f"{URL}/{submission.pk}").content.decode()
    assert "Grading…" in pending and '<meta http-equiv="refresh" content="3">' in pending

    Submission.objects.filter(pk=submission.pk).update(
        status="graded", verdict="correct", score=1.0, feedback="Correct.", latex="42"
    )
    done = client.get(f"{URL}/{submission.pk}").content.decode()
    assert '✓ </span><strong class="verdict-title">Correct!' in done and "http-equiv" not in done
    assert "Worked solution" in done and "Forty-two" in done


def test_partial_credit_and_wrong_answers_read_as_they_do_with_javascript(client, student, exercise):
    partial = graded(student, exercise, False, answer="[1, 2]")
    Submission.objects.filter(pk=partial.pk).update(score=0.5, feedback="One component is right.")
    page = client.get(f"{URL}/{partial.pk}").content.decode()
    assert "Partly right (50 %)." in page and "One component is right." in page
    wrong = graded(student, exercise, False, answer="41")
    assert "Not quite." in client.get(f"{URL}/{wrong.pk}").content.decode()


def test_an_empty_answer_costs_nothing_and_says_so(client, student, exercise):
    response = client.post(URL, {"answer": "  "}, follow=True)
    assert "type an answer first" in response.content.decode() and not Submission.objects.exists()


def test_no_attempts_left_is_said_on_the_lesson(client, student, exercise):
    graded(student, exercise, False, answer="1")
    graded(student, exercise, False, answer="2")
    response = client.post(URL, {"answer": "42"}, follow=True)
    assert "used all 2 attempts" in response.content.decode() and Submission.objects.count() == 2


def test_answers_over_the_rate_are_refused_with_a_message(client, student, exercise, settings):
    settings.SUBMISSION_RATE = "1/m"
    client.post(URL, {"answer": "1"})
    response = client.post(URL, {"answer": "2"}, follow=True)
    assert "Too many answers" in response.content.decode() and Submission.objects.count() == 1


def test_a_student_sees_only_their_own_verdict_pages(client, student, exercise, django_user_model):
    other = django_user_model.objects.create_user("other", password="pw-for-tests-2")
    theirs = graded(other, exercise, True, answer="42")
    assert client.get(f"{URL}/{theirs.pk}").status_code == 404
    mine = graded(student, exercise, True, answer="42")
    elsewhere = make_exercise(make_topic("other-topic"), "other-topic-1")
    assert client.get(f"/topics/other-topic/exercises/{elsewhere.slug}/answers/{mine.pk}").status_code == 404


def test_visitors_are_sent_to_log_in_and_a_get_is_refused(client, exercise, django_user_model):
    assert client.post(URL, {"answer": "1"})["Location"].startswith("/accounts/login/")
    client.force_login(django_user_model.objects.create_user("someone", password="pw-for-tests-3"))
    assert client.get(URL).status_code == 405 and not Submission.objects.exists()
