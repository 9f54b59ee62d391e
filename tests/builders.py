"""Builders for test data shared across test packages: topics, exercises, stored submissions.

Test modules import these from here, never from one another.
"""

from courseware.models import Exercise, Topic, TopicPrerequisite
from grading import engine
from grading.engine import student_seed
from grading.models import Submission
from grading.progress_table import progress_refresh

CONSTANT_SPEC = {"slug": "four", "kind": "numeric", "reference": {"expression": "4"}}
# The small course of tests/instructors, as authored YAML.
GRADIENT_SPEC = """slug: gradient
kind: vector
parameters:
  a: {integers: [2, 3]}
reference:
  gradient: {function: "a*x^2*y + y^3", wrt: [x, y], at: {x: 1, y: 2}}
attempts: 5
wrong_answers:
  - answer: "[2*a, a + 12]"
    feedback: "Differentiate a x^2 y with respect to x: the factor y stays."
"""
DERIVATIVE_SPEC = """slug: derivative
kind: expression
variables: [x]
reference:
  expression: "2*x"
"""
NUMBER_SPEC = """slug: number
kind: numeric
reference:
  expression: "4"
"""
LIMITED_SPEC = {"slug": "limited", "kind": "numeric", "attempts": 2, "reference": {"expression": "41 + 1"}}
SOLUTION = "Forty-two, because six times seven makes exactly forty-two."


def make_topic(slug: str, layer: str = "1", needs: tuple[Topic, ...] = ()) -> Topic:
    topic = Topic.objects.create(slug=slug, title=slug.title(), layer=layer, summary="s", body=f"[[exercise:{slug}-1]]")
    for i, prerequisite in enumerate(needs):
        TopicPrerequisite.objects.create(topic=topic, prerequisite=prerequisite, position=i)
    return topic


def make_exercise(topic: Topic, slug: str, spec: dict | None = None, solution: str = SOLUTION) -> Exercise:
    spec = {**(spec or {"kind": "numeric", "reference": {"expression": "4"}}), "slug": slug}
    return Exercise.objects.create(
        topic=topic, slug=slug, title=slug, prompt="Compute.", spec_yaml="", spec=spec, kind=spec["kind"],
        solution=solution,
    )  # fmt: skip


def graded(user, exercise: Exercise, correct: bool, *, status: str = "graded", answer: str = "0") -> Submission:
    submission = Submission.objects.create(
        user=user, exercise=exercise, seed=student_seed(user.pk, exercise), answer=answer, status=status,
        verdict=("correct" if correct else "incorrect") if status == "graded" else status,
        score=1.0 if correct else 0.0, feedback="Correct." if correct else "Not this.", latex=answer,
    )  # fmt: skip
    progress_refresh(exercise_id=exercise.pk, user_ids=[user.pk])  # as storing a verdict does
    return submission


def submit(user, exercise, answer: str, *, status="graded", verdict=None, normalized=None, seed=None):
    """A stored, already graded submission (graded by the real engine unless told otherwise)."""
    seed = engine.student_seed(user.pk, exercise) if seed is None else seed
    result = engine.grade_answer(exercise, seed, answer)
    if status == "graded" and result.status == "invalid":
        status = "invalid"
    submission = Submission.objects.create(
        user=user, exercise=exercise, seed=seed, answer=answer, status=status,
        verdict=verdict or result.status, score=result.score, feedback=result.feedback,
        latex=result.latex or "", normalized=normalized if normalized is not None else (result.normalized or ""),
    )  # fmt: skip
    progress_refresh(exercise_id=exercise.pk, user_ids=[user.pk])  # as storing a verdict does
    return submission


def correct_answer(exercise, user) -> str:
    """The right answer to this student's variant of EXERCISE_SPEC (a + 2)."""
    return str(engine.variant(exercise, engine.student_seed(user.pk, exercise)).params["a"] + 2)


def queued_submission(user, exercise, answer: str) -> Submission:
    """A submission as the API stores it, before any worker has seen it."""
    seed = student_seed(user.pk, exercise)
    return Submission.objects.create(user=user, exercise=exercise, seed=seed, answer=answer)


def final(pk: int) -> Submission | None:
    """The submission once its status is final, else None (a condition for wait_for)."""
    submission = Submission.objects.get(pk=pk)
    return submission if submission.is_final else None
