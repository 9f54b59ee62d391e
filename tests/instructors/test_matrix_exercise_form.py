"""Authoring a matrix_expression exercise in the admin: its fields, the import's checks on save, export."""

import pytest
import yaml

from courseware.models import Exercise
from tests.exercise_admin import errors, structured

pytestmark = pytest.mark.django_db


def matrix(topic, **overrides):
    """Problem 2 with biases typed into the structured fields."""
    data = structured(
        topic, slug="network", title="Two layers", kind="matrix_expression", variables="", parameters="",
        shapes="x: [n]\nW1: [h, n]\nb1: [h]\nW2: [m, h]", functions="sigma", reference_form="jacobian",
        function="W2 sigma(W1 x + b1)", wrt="x", at="", closed_form="W2 diag(sigma'(W1 x + b1)) W1",
        wrong_answers="W2 W1 => The Jacobian of the activation is missing.", rtol="", attempts="",
    )  # fmt: skip
    data.update(overrides)
    return data


def test_it_saves_a_matrix_exercise_in_the_documented_order(instructor_client, course):
    response = instructor_client.post("/admin/courseware/exercise/add/", matrix(course["calculus"]))
    assert response.status_code == 302, errors(response)
    exercise = Exercise.objects.get(slug="network")
    expected = {
        "slug": "network",
        "kind": "matrix_expression",
        "shapes": {"x": ["n"], "W1": ["h", "n"], "b1": ["h"], "W2": ["m", "h"]},
        "functions": ["sigma"],
        "reference": {
            "jacobian": {"function": "W2 sigma(W1 x + b1)", "wrt": "x", "closed_form": "W2 diag(sigma'(W1 x + b1)) W1"}
        },
        "wrong_answers": [{"answer": "W2 W1", "feedback": "The Jacobian of the activation is missing."}],
    }
    assert exercise.spec == expected and exercise.kind == "matrix_expression"
    assert yaml.safe_load(exercise.spec_yaml) == expected
    top_level = [line.split(":")[0] for line in exercise.spec_yaml.splitlines() if line[:1] not in (" ", "-")]
    assert top_level == list(expected)


def test_fixed_functions_scalars_and_a_layout(instructor_client, course):
    data = matrix(
        course["calculus"], slug="logistic", shapes="X: [N, d]\ny: N\nw: [d]\nc: []",
        functions="sigma: logistic, softplus: softplus", reference_form="gradient",
        function="c (sum(softplus(X w)) - y^T X w)", wrt="w", layout="numerator",
        closed_form="c (sigma(X w) - y)^T X", wrong_answers="",
    )  # fmt: skip
    response = instructor_client.post("/admin/courseware/exercise/add/", data)
    assert response.status_code == 302, errors(response)
    spec = Exercise.objects.get(slug="logistic").spec
    assert spec["shapes"] == {"X": ["N", "d"], "y": ["N"], "w": ["d"], "c": []}
    assert spec["functions"] == {"sigma": "logistic", "softplus": "softplus"}
    assert spec["reference"]["gradient"]["layout"] == "numerator"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("closed_form", "W2 diag(sigma(W1 x + b1)) W1", "disagrees with JAX"),
        ("closed_form", "W1^T diag(sigma'(W1 x + b1)) W2^T", "but the Jacobian is m×n"),
        ("shapes", "x: [n]\nW1: [h, n]\nb1", "line 3: write a symbol and its dimensions"),
        ("shapes", "", "needs its symbols with their shapes"),
        ("functions", "sigma: relu", "expected one of logistic, tanh, softplus, exp or nothing"),
        ("wrt", "W1", "respect to a vector"),
        ("function", "W2 sigma(W1 x + b1) + x", "cannot be added"),
        ("reference_form", "partial", "takes a plain answer, a Jacobian, a gradient or a Hessian"),
        ("wrong_answers", "W2 diag(sigma'(b1 + W1 x)) W1 => no", "equals the reference"),
    ],
)
def test_a_problem_is_reported_on_the_field_it_is_about(instructor_client, course, field, value, message):
    response = instructor_client.post("/admin/courseware/exercise/add/", matrix(course["calculus"], **{field: value}))
    assert response.status_code == 200
    assert list(errors(response)) == [field]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Exercise.objects.filter(slug="network").exists()


def test_trying_an_answer_grades_it_as_a_student_would(instructor_client, course):
    instructor_client.post("/admin/courseware/exercise/add/", matrix(course["calculus"]))
    exercise = Exercise.objects.get(slug="network")
    url = f"/admin/courseware/exercise/{exercise.pk}/try/"
    page = instructor_client.get(url, {"answer": "W1ᵀ diag(σ'(W1x + b1)) W2ᵀ"}).content.decode()
    assert "this is its transpose" in page
    page = instructor_client.get(url, {"answer": "W2 diag(σ'(W1x + b1)) W1"}).content.decode()
    assert "Correct." in page
