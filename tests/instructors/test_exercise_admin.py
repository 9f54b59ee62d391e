"""Exercises in the admin: the spec checked as the import checks it, trying answers, re-grading."""

import pytest

from courseware.models import Exercise
from grading.core.spec import SpecProblem
from grading.models import RegradeRun
from tests.builders import DERIVATIVE_SPEC, GRADIENT_SPEC, submit

pytestmark = pytest.mark.django_db


def exercise_form(topic, spec_yaml, **overrides):
    data = {
        "topic": str(topic.pk),
        "title": "Chain rule at a point",
        "position": "3",
        "prompt": "Let $g(x) = {{a}} x^3$. Compute $g'(x)$.",
        "spec_yaml": spec_yaml,
        "solution": "Bring the exponent down.",
    }
    data.update(overrides)
    return data


CUBE_SPEC = """slug: cube
kind: expression
variables: [x]
parameters:
  a: {integers: [2, 4]}
reference:
  expression: "3*a*x^2"
wrong_answers:
  - answer: "a*x^2"
    feedback: "The exponent comes down as a factor."
"""


def page(response) -> str:
    return response.content.decode()


def test_a_valid_exercise_is_saved_with_its_spec_and_placed_in_the_lesson(instructor_client, course):
    response = instructor_client.post("/admin/courseware/exercise/add/", exercise_form(course["calculus"], CUBE_SPEC))
    assert response.status_code == 302, page(response)[:3000]
    exercise = Exercise.objects.get(slug="cube")
    assert exercise.kind == "expression" and exercise.spec["parameters"] == {"a": {"integers": [2, 4]}}
    course["calculus"].refresh_from_db()
    assert course["calculus"].body.rstrip().endswith("[[exercise:cube]]")


@pytest.mark.parametrize(
    ("spec_yaml", "message"),
    [
        ("slug: [unclosed", "the spec is not valid YAML"),
        ("- a list", "the spec must be a mapping"),
        ("kind: numeric\nreference: {expression: '4'}", "the spec needs a &quot;slug&quot;"),
        ("slug: x\nkind: numeric\nreference: {expression: '4 +* 2'}", "reference"),
        ("slug: x\nkind: numeric\nreference: {expression: '4'}\ncolour: red", "colour: unknown key"),
        ("slug: x\nkind: vector\nreference: {expression: '4'}", "not what kind vector asks for"),
        (
            "slug: x\nkind: numeric\nreference: {expression: '4'}\nwrong_answers:\n  - {answer: '2+2', feedback: 'no'}",
            "wrong_answers[0].answer: 2+2 is listed as wrong, but it equals the reference",
        ),
        (
            "slug: x\nkind: numeric\nparameters:\n  a: {integers: [1, 3]}\nreference: {expression: 'a'}\n"
            "wrong_answers:\n  - {answer: '2', feedback: 'no'}",
            "variant {a=2}: wrong_answers[0].answer: 2 is listed as wrong, but it equals the reference",
        ),
        ("slug: derivative\nkind: numeric\nreference: {expression: '4'}", "already has an exercise with the slug"),
    ],
)
def test_a_broken_spec_is_refused_with_its_problem(instructor_client, course, spec_yaml, message):
    response = instructor_client.post("/admin/courseware/exercise/add/", exercise_form(course["calculus"], spec_yaml))
    assert response.status_code == 200
    assert message in page(response)
    assert Exercise.objects.count() == 3


def test_sympy_and_jax_disagreeing_on_a_variant_is_refused(instructor_client, course, monkeypatch):
    from grading.core import checking

    disagree = [SpecProblem("reference", "SymPy and JAX disagree: 4 against 4.5")]
    monkeypatch.setattr(checking, "_cross_check", lambda variant: disagree)
    response = instructor_client.post(
        "/admin/courseware/exercise/add/",
        exercise_form(course["calculus"], GRADIENT_SPEC.replace("slug: gradient", "slug: grad2")),
    )
    assert response.status_code == 200
    assert "variant {a=2}: reference: SymPy and JAX disagree" in page(response)


def test_the_slug_of_an_exercise_with_answers_cannot_change(instructor_client, course, users):
    derivative = course["derivative"]
    submit(users["student"], derivative, "2x")
    data = exercise_form(course["calculus"], DERIVATIVE_SPEC.replace("slug: derivative", "slug: slope"))
    response = instructor_client.post(f"/admin/courseware/exercise/{derivative.pk}/change/", data)
    assert response.status_code == 200
    assert "the slug cannot change" in page(response)


def test_renaming_an_exercise_without_answers_moves_its_slot(instructor_client, course):
    derivative = course["derivative"]
    data = exercise_form(course["calculus"], DERIVATIVE_SPEC.replace("slug: derivative", "slug: slope"))
    assert instructor_client.post(f"/admin/courseware/exercise/{derivative.pk}/change/", data).status_code == 302
    course["calculus"].refresh_from_db()
    assert "[[exercise:slope]]" in course["calculus"].body and "[[exercise:derivative]]" not in course["calculus"].body


def test_changing_the_spec_of_an_answered_exercise_suggests_a_regrade(instructor_client, course, users):
    derivative = course["derivative"]
    submit(users["student"], derivative, "2x")
    spec = DERIVATIVE_SPEC + "wrong_answers:\n  - {answer: 'x^2', feedback: 'That is f itself.'}\n"
    response = instructor_client.post(
        f"/admin/courseware/exercise/{derivative.pk}/change/", exercise_form(course["calculus"], spec), follow=True
    )
    assert "re-grade the exercise to apply the change" in page(response)


@pytest.mark.parametrize(
    ("answer", "status", "text"),
    [
        ("[4*2, 2 + 12]", "correct", "Correct."),
        ("[2*2, 14]", "incorrect", "the factor y stays"),
        ("[4,", "invalid", ""),
    ],
)
def test_try_an_answer_shows_what_the_student_would_see(instructor_client, course, answer, status, text):
    gradient = course["gradient"]
    response = instructor_client.get(f"/admin/courseware/exercise/{gradient.pk}/try/", {"answer": answer, "variant": 0})
    body = page(response)
    assert f'class="module verdict verdict-{status}"' in body
    assert text in body
    assert "variant 0 of 2" in body and '<span class="math" id="reference">' in body


def test_try_an_answer_uses_a_named_students_variant(instructor_client, course, users, cohort):
    from grading.engine import student_seed, variant

    gradient = course["gradient"]
    mine = variant(gradient, student_seed(users["student"].pk, gradient))
    response = instructor_client.get(
        f"/admin/courseware/exercise/{gradient.pk}/try/", {"answer": "[1, 1]", "student": "ada"}
    )
    assert f"variant {mine.index} of 2" in page(response)
    missing = instructor_client.get(f"/admin/courseware/exercise/{gradient.pk}/try/", {"student": "nobody"})
    assert "No student &quot;nobody&quot; in the cohorts you teach" in page(missing)
    too_far = instructor_client.get(f"/admin/courseware/exercise/{gradient.pk}/try/", {"variant": 7})
    assert "There are 2 variants" in page(too_far)


def test_the_exercise_page_links_to_try_and_regrade(instructor_client, course):
    body = page(instructor_client.get(f"/admin/courseware/exercise/{course['gradient'].pk}/change/"))
    assert "Try an answer" in body and "Re-grade (dry run)" in body


def test_regrading_from_the_admin_shows_its_progress(instructor_client, course, users):
    derivative = course["derivative"]
    submit(users["student"], derivative, "2x")
    submit(users["classmate"], derivative, "x^2")
    response = instructor_client.post(f"/admin/courseware/exercise/{derivative.pk}/regrade/")
    run = RegradeRun.objects.get()
    assert response.url == f"/admin/courseware/exercise/{derivative.pk}/regrade/{run.pk}/"
    assert run.total == 2 and not run.dry_run
    progress = page(instructor_client.get(response.url))
    assert "Running on the batch queue" in progress and "regrade-progress.js" in progress
    status = instructor_client.get(f"{response.url}status/").json()
    assert status == {"total": 2, "distinct": 2, "processed": 0, "changed": 0, "up": 0, "down": 0, "failed": 0,
                      "applied": False, "finished": False}  # fmt: skip


def test_a_finished_regrade_shows_the_change_report(instructor_client, course, users, cohort):
    from grading.regrade import regrade_chunk_process, regrade_create, regrade_finish

    derivative = course["derivative"]
    submit(users["student"], derivative, "2x", verdict="incorrect")  # stored wrongly: the re-grade fixes it
    run, chunks = regrade_create(exercise=derivative, requested_by=users["instructor"])
    for chunk in chunks:
        regrade_chunk_process(chunk_id=chunk)
    regrade_finish(run_id=run.pk)
    body = page(instructor_client.get(f"/admin/courseware/exercise/{derivative.pk}/regrade/{run.pk}/"))
    assert "Change report" in body and "Finished" in body
    assert "<code>2x</code>" in body and "incorrect" in body


def test_the_regrade_action_on_one_exercise_opens_its_progress(instructor_client, course):
    derivative = course["derivative"]
    response = instructor_client.post(
        "/admin/courseware/exercise/", {"action": "regrade", "_selected_action": [derivative.pk]}
    )
    run = RegradeRun.objects.get()
    assert response.url == f"/admin/courseware/exercise/{derivative.pk}/regrade/{run.pk}/"


def test_students_cannot_try_answers_or_regrade(client, course, users):
    client.force_login(users["student"])
    gradient = course["gradient"]
    assert client.get(f"/admin/courseware/exercise/{gradient.pk}/try/").status_code == 302
    assert client.post(f"/admin/courseware/exercise/{gradient.pk}/regrade/").status_code == 302
    assert not RegradeRun.objects.exists()
