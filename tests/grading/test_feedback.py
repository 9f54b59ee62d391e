"""Targeted feedback: authored wrong answers per variant, the form's typical slips, automatic recognition."""

import pytest

from grading.core import Exercise, grade, grade_spec

XY = ["x", "y"]


def feedback(kind, reference, answer, variables=()):
    result = grade_spec({"kind": kind, "reference": reference, "variables": list(variables)}, answer)
    assert result.status == "incorrect"
    return result.feedback


def test_authored_wrong_answers_come_first_and_use_the_variants_parameters():
    ex = Exercise.from_spec(
        {
            "slug": "w",
            "kind": "vector",
            "parameters": {"a": {"integers": [2, 5]}},
            "reference": {"gradient": {"function": "a*x^2*y + y^3", "wrt": XY, "at": {"x": 1, "y": 2}}},
            "wrong_answers": [
                {"answer": "[2*a, a + 12]", "feedback": "The factor y stays."},
                {"answer": "[-4a, -a - 12]", "feedback": "Authored, so it wins over the sign rule."},
            ],
        }
    )
    for seed in range(6):
        variant = ex.variant(seed)
        a = variant.params["a"]
        assert grade(variant, f"[{2 * a}, {a + 12}]").feedback == "The factor y stays."
        assert grade(variant, f"[{-4 * a}, {-a - 12}]").feedback == "Authored, so it wins over the sign rule."
        assert grade(variant, f"[{2 * a + 1}, {a + 12}]").feedback == "Component 1 is wrong."


@pytest.mark.parametrize(
    ("kind", "reference", "answer", "variables", "expected"),
    [
        ("expression", "2x cos(x^2)", "-2x cos(x^2)", ["x"], "negative of the correct one"),
        ("vector", "[1, x, 3]", "[1, -x, 3]", ["x"], "Component 2 has the wrong sign."),
        ("matrix", "[[1, 2], [3, 4]]", "[[1, 3], [2, 4]]", [], "transpose"),
        ("vector", "[x, y]", "[y, x]", XY, "components are right but in the wrong places"),
        ("matrix", "[[1, 2], [3, 4]]", "[[3, 4], [1, 2]]", [], "entries are right but in the wrong places"),
        ("vector", "[3/5, 4/5]", "[3, 4]", [], "not a unit vector"),
        ("expression", "3x^2", "x^2", ["x"], "off by a constant factor"),
        ("vector", "[1, 2, 3]", "[1, 2, 4]", [], "Component 3 is wrong."),
        ("vector", "[1, 2, 3]", "[0, 2, 4]", [], "Components 1 and 3 are wrong."),
        ("expression", "x^2", "x^3", ["x"], "Not correct."),
        ("numeric", "sqrt(2)", "1.4142", [], "Close, but outside the tolerance"),
        ("expression", "x/3", "0.333x", ["x"], "Close, but not accurate enough"),
    ],
)
def test_automatic_recognition(kind, reference, answer, variables, expected):
    assert expected in feedback(kind, reference, answer, variables)


def test_a_symmetric_matrix_is_never_called_transposed_and_zero_never_negated():
    assert "transpose" not in feedback("matrix", "[[1, 2], [2, 1]]", "[[1, 2], [2, 5]]")
    assert "sign" not in feedback("vector", "[0, 1]", "[0, 2]")


def exercise(kind, reference, variables=XY):
    return Exercise.from_spec({"slug": "f", "kind": kind, "variables": list(variables), "reference": reference})


def test_unnormalised_direction_in_a_directional_derivative():
    ex = exercise(
        "numeric",
        {"directional_derivative": {"function": "x^2 + y^2", "wrt": XY, "at": {"x": 1, "y": 2}, "direction": [3, 4]}},
        [],
    )
    assert "Normalise the direction" in grade(ex.variant(0), "22").feedback  # (2, 4)·(3, 4) without /5


def test_steepest_ascent_given_as_the_gradient():
    ex = exercise("vector", {"steepest_ascent": {"function": "x^2 + y^2", "wrt": XY, "at": {"x": 1, "y": 2}}}, [])
    assert "gradient itself" in grade(ex.variant(0), "[2, 4]").feedback
    assert "not a unit vector" in grade(ex.variant(0), "[1, 2]").feedback


def test_max_rate_given_squared():
    ex = exercise("numeric", {"max_rate": {"function": "x^2 + y^2", "wrt": XY, "at": {"x": 1, "y": 2}}}, [])
    assert "squared length" in grade(ex.variant(0), "20").feedback


def test_missing_chain_rule_factor():
    ex = exercise("expression", {"partial": {"function": "sin(x^2 y) + y^3", "wrt": XY, "variable": "x"}})
    result = grade(ex.variant(0), "cos(x^2 y)")
    assert "chain rule" in result.feedback and "x^2" in result.feedback
    gradient = exercise("vector", {"gradient": {"function": "exp(x y)", "wrt": XY}})
    assert "chain rule" in grade(gradient.variant(0), "[exp(xy), exp(xy)]").feedback
    product = exercise("expression", {"partial": {"function": "x sin(x^2)", "wrt": XY, "variable": "x"}})
    assert "chain rule" in grade(product.variant(0), "sin(x^2) + x cos(x^2)").feedback


def test_wrong_variable_in_a_partial_derivative():
    ex = exercise("expression", {"partial": {"function": "x^2 y^3", "wrt": XY, "variable": "x"}})
    assert "with respect to y, not x" in grade(ex.variant(0), "3x^2 y^2").feedback


def test_a_correct_answer_gets_no_slip_feedback():
    ex = exercise("expression", {"partial": {"function": "sin(x^2 y)", "wrt": XY, "variable": "x"}})
    assert grade(ex.variant(0), "2xy cos(x^2 y)").feedback == "Correct."


def test_an_authored_wrong_answer_wins_over_the_engines_own_shape_diagnosis():
    ex = Exercise.from_spec(
        {
            "slug": "j",
            "kind": "matrix",
            "reference": {"jacobian": {"function": ["x*y", "x + y", "x^2"], "wrt": XY, "at": {"x": 1, "y": 2}}},
            "wrong_answers": [
                {"answer": "[[2, 1, 2], [1, 1, 0]]", "feedback": "Rows are outputs: this is the transpose."}
            ],
        }
    )
    assert grade(ex.variant(0), "[[2, 1, 2], [1, 1, 0]]").feedback == "Rows are outputs: this is the transpose."
    assert "Your matrix is 2×3" in grade(ex.variant(0), "[[2, 1, 2], [1, 1, 1]]").feedback


@pytest.mark.parametrize(
    ("reference", "answer", "expected"),
    [
        ("22", "23", "Not correct."),
        ("sqrt(50)", "8", "Not correct."),
        ("22", "-22", "Check the sign: your answer is the negative of the correct one."),
        ("4", "0.25", "Your answer is the reciprocal of the correct one (upside down)."),
        ("5", "10", "Your answer is twice the correct one: look for a factor of 2."),
        ("5", "2.5", "Your answer is half the correct one: look for a missing factor of 2."),
    ],
)
def test_a_wrong_number_gets_a_diagnosis_only_when_it_is_one(reference, answer, expected):
    assert feedback("numeric", reference, answer) == expected


def test_a_close_number_says_how_close_and_why():
    message = feedback("numeric", "pi", "3.14")
    assert "0.051 %" in message and "Rounding too early" in message
