"""Attaching targeted feedback to a group of wrong answers, from the exercise dashboard."""

import pytest
import yaml
from django.urls import reverse

from courseware.authoring import exercise_attach_feedback
from courseware.models import Exercise
from grading.models import RegradeRun
from tests.builders import submit

pytestmark = pytest.mark.django_db


def attach_url(cohort, exercise):
    return reverse("instructors:attach-feedback", args=[cohort.slug, exercise.pk])


def test_feedback_is_appended_to_the_authored_yaml_and_checked(instructor_client, cohort, course):
    derivative = course["derivative"]
    response = instructor_client.post(
        attach_url(cohort, derivative), {"answer": "x^2", "feedback": "That is f itself, not its derivative."}
    )
    assert response.status_code == 302
    derivative.refresh_from_db()
    assert derivative.spec["wrong_answers"] == [{"answer": "x^2", "feedback": "That is f itself, not its derivative."}]
    assert derivative.spec_yaml.startswith("slug: derivative\nkind: expression\n")  # the authored text is kept
    assert yaml.safe_load(derivative.spec_yaml) == derivative.spec
    assert not RegradeRun.objects.exists()


def test_new_answers_get_the_feedback(cohort, course, users):
    derivative = course["derivative"]
    assert exercise_attach_feedback(exercise=derivative, answer="x^2", feedback="That is f itself.") == []
    derivative = Exercise.objects.get(pk=derivative.pk)
    assert submit(users["student"], derivative, "x*x").feedback == "That is f itself."


def test_a_second_feedback_goes_after_the_first(cohort, course):
    gradient = course["gradient"]
    assert exercise_attach_feedback(exercise=gradient, answer="[4*a, 12]", feedback="Keep the y^3 term.") == []
    gradient.refresh_from_db()
    assert [w["answer"] for w in gradient.spec["wrong_answers"]] == ["[2*a, a + 12]", "[4*a, 12]"]
    assert "# " not in gradient.spec_yaml and yaml.safe_load(gradient.spec_yaml) == gradient.spec


def test_an_answer_that_is_right_is_refused(instructor_client, cohort, course):
    derivative = course["derivative"]
    response = instructor_client.post(
        attach_url(cohort, derivative), {"answer": "x + x", "feedback": "Wrong?"}, follow=True
    )
    page = response.content.decode()
    assert "The feedback was not added" in page and "equals the reference" in page
    derivative.refresh_from_db()
    assert "wrong_answers" not in derivative.spec


def test_an_answer_right_in_one_variant_is_refused(cohort, course):
    problems = exercise_attach_feedback(exercise=course["gradient"], answer="[8, 14]", feedback="No.")
    assert problems and problems[0].startswith(
        "variant {a=2}: wrong_answers[1].answer: [8, 14] is listed as wrong, but it equals the reference"
    )


def test_empty_feedback_is_refused(cohort, course):
    assert exercise_attach_feedback(exercise=course["derivative"], answer="x^2", feedback="  ") != []


def test_attaching_can_start_a_regrade_of_past_answers(instructor_client, cohort, course, users):
    derivative = course["derivative"]
    submit(users["student"], derivative, "x^2")
    response = instructor_client.post(
        attach_url(cohort, derivative), {"answer": "x^2", "feedback": "That is f.", "regrade": "1"}, follow=True
    )
    run = RegradeRun.objects.get()
    assert run.exercise == derivative and run.total == 1
    assert f"/admin/courseware/exercise/{derivative.pk}/regrade/{run.pk}/" in response.content.decode()


@pytest.mark.parametrize("role", ["student", "other_instructor"])
def test_only_the_cohorts_instructors_may_attach(client, cohort, course, users, role):
    client.force_login(users[role])
    response = client.post(attach_url(cohort, course["derivative"]), {"answer": "x^2", "feedback": "f"})
    assert response.status_code == 403


def test_attaching_needs_post_and_csrf(cohort, course, users):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["instructor"])
    url = attach_url(cohort, course["derivative"])
    assert strict.get(url).status_code == 405
    assert strict.post(url, {"answer": "x^2", "feedback": "f"}).status_code == 403
