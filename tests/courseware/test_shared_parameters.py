"""Exercises of one group share each student's parameter values; worked solutions show the student's own values."""

import re
from textwrap import dedent

import pytest

from courseware.exercise_check import check_groups
from courseware.models import Exercise
from grading.core import Exercise as EngineExercise
from grading.core import SpecError
from grading.engine import student_seed, variant
from tests.builders import graded
from tests.topic_files import refused, topic_text, write

pytestmark = pytest.mark.django_db
SEED = "differentiation-in-rn"
PROBLEM_1 = ("gradient-at-a-point", "directional-derivative-at-a-point")


def test_problems_1a_and_1b_give_each_student_the_same_a(lesson_content, django_user_model):
    first, second = (Exercise.objects.get(topic__slug=SEED, slug=slug) for slug in PROBLEM_1)
    drawn = set()
    for i in range(40):
        user = django_user_model.objects.create_user(f"s{i}", password="pw-for-tests-1")
        a = variant(first, student_seed(user.pk, first)).params["a"]
        assert variant(second, student_seed(user.pk, second)).params["a"] == a
        drawn.add(a)
    assert drawn == {1, 2, 3, 4}  # shared, yet still drawn per student over the whole range


def test_the_topic_page_shows_one_student_the_same_a_in_1a_and_1b(client, lesson_content, django_user_model):
    for i in range(6):
        client.force_login(django_user_model.objects.create_user(f"s{i}", password="pw-for-tests-1"))
        page = client.get(f"/topics/{SEED}/").content.decode()
        shown = [
            re.search(rf'id="exercise-{slug}".*?a = (\d+)', page, re.S).group(1)  # the prompt's "Let a = {{a}}"
            for slug in PROBLEM_1
        ]
        assert shown[0] == shown[1]


def test_reusing_1a_gradient_in_1b_is_graded_with_the_same_a(lesson_content, django_user_model):
    """1b's reference is the 1a gradient dotted with u: true for every student only when both use one a."""
    first, second = (Exercise.objects.get(topic__slug=SEED, slug=slug) for slug in PROBLEM_1)
    for i in range(8):
        user = django_user_model.objects.create_user(f"s{i}", password="pw-for-tests-1")
        gradient = variant(first, student_seed(user.pk, first)).reference.value
        derivative = variant(second, student_seed(user.pk, second)).reference.value
        assert (3 * gradient[0] + 4 * gradient[1]) / 5 == derivative


def test_the_worked_solution_uses_the_student_s_own_values(client, lesson_content, django_user_model):
    user = django_user_model.objects.create_user("solver", password="pw-for-tests-1")
    exercise = Exercise.objects.get(topic__slug=SEED, slug="gradient-at-a-point")
    mine = variant(exercise, student_seed(user.pk, exercise))
    graded(user, exercise, True)
    client.force_login(user)
    for url in (f"/topics/{SEED}/", f"/topics/{SEED}/exercises/gradient-at-a-point/progress"):
        page = client.get(url).content.decode()
        solution = re.search(r'class="block block-solution".*?</section>', page, re.S).group(0)
        a = mine.params["a"]
        assert f"For your $a = {a}$" in solution or f"a = {a}" in solution
        assert f"{4 + 4 * a} \\\\ {1 + 4 * a}" in solution  # their own gradient, (4 + 4a, 1 + 4a)
        assert "{{" not in solution


def test_a_group_must_declare_the_same_parameters_in_each_exercise():
    same = {"group": "p", "parameters": {"a": {"integers": [1, 4]}}}
    other = {"group": "p", "parameters": {"a": {"integers": [1, 5]}}}
    assert (
        check_groups([("one", same), ("two", dict(same)), ("free", {"parameters": {"a": {"integers": [0, 1]}}})]) == []
    )
    [(slug, message)] = check_groups([("one", same), ("two", other)])
    assert slug == "two" and 'group "p"' in message and '"one"' in message and "same parameters" in message


def test_import_refuses_a_group_whose_parameters_differ_naming_file_and_line(tmp_path):
    exercise = dedent(
        """\
        ::: exercise NAME
        Let $a = {{a}}$.

        ```spec
        slug: NAME
        kind: numeric
        group: pair
        parameters:
          a: {integers: [1, HI]}
        reference: {expression: "2*a"}
        ```
        :::
        """
    )
    body = (
        exercise.replace("NAME", "first").replace("HI", "4")
        + "\n"
        + exercise.replace("NAME", "second").replace("HI", "5")
    )
    path = write(tmp_path, "a", topic_text("a", body=body))
    message = refused(tmp_path)
    assert f'{path}:30: exercise "second": group "pair"' in message


@pytest.mark.parametrize("group", ["", "two words", 3, "x" * 61, "-leading"])
def test_the_engine_refuses_a_malformed_group_name(group):
    with pytest.raises(SpecError, match="group"):
        EngineExercise({"slug": "s", "kind": "numeric", "group": group, "reference": {"expression": "1"}})
