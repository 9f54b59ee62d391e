"""Every reference form, with and without `at`, with parameters: SymPy's value, JAX's agreement."""

import numpy as np
import pytest

from grading.core import Exercise, grade
from grading.core import derivatives as derivatives_module

XY = ["x", "y"]


def exercise(kind, reference, variables=(), parameters=None, **extra):
    spec = {"slug": "e", "kind": kind, "variables": list(variables), "reference": reference, **extra}
    if parameters:
        spec["parameters"] = parameters
    return Exercise.from_spec(spec)


# (kind, reference, variables, parameters, correct answer for parameters p -> text)
FORMS = [
    ("expression", {"expression": "a x^2"}, ["x"], {"a": {"integers": [1, 3]}}, lambda p: f"{p['a']}x^2"),
    (
        "numeric",
        {"partial": {"function": "x^2 y + sin(y)", "wrt": XY, "variable": "y", "at": {"x": 1, "y": 0}}},
        [],
        None,
        lambda p: "2",
    ),
    (
        "expression",
        {"partial": {"function": "a x^3 y", "wrt": XY, "variable": "x"}},
        XY,
        {"a": {"integers": [2, 4]}},
        lambda p: f"{3 * p['a']} x^2 y",
    ),
    (
        "vector",
        {"gradient": {"function": "a x^2 y + y^3", "wrt": XY, "at": {"x": 1, "y": 2}}},
        [],
        {"a": {"integers": [2, 5]}},
        lambda p: f"[{4 * p['a']}, {p['a'] + 12}]",
    ),
    ("vector", {"gradient": {"function": "x^2 y + y^3", "wrt": XY}}, XY, None, lambda p: "[2xy, x^2 + 3y^2]"),
    (
        "numeric",
        {"directional_derivative": {"function": "x^2 + y^2", "wrt": XY, "at": {"x": 1, "y": 2}, "direction": [3, 4]}},
        [],
        None,
        lambda p: "22/5",
    ),
    (
        "expression",
        {"directional_derivative": {"function": "x^2 + y^2", "wrt": XY, "direction": "d"}},
        XY,
        {"d": {"choice": [[1, 1], [3, 4]]}},
        lambda p: "(2x + 2y)/sqrt(2)" if p["d"] == [1, 1] else "(6x + 8y)/5",
    ),
    (
        "numeric",
        {"directional_derivative": {"function": "c x y", "wrt": XY, "at": {"x": "c", "y": 1}, "direction": ["c", 0]}},
        [],
        {"c": {"choice": [1, 2.5]}},
        lambda p: str(p["c"]),
    ),
    (
        "numeric",
        {"max_rate": {"function": "x^2 + y^2", "wrt": XY, "at": {"x": 1, "y": 2}}},
        [],
        None,
        lambda p: "2 sqrt(5)",
    ),
    (
        "vector",
        {"steepest_ascent": {"function": "x^2 + y^2", "wrt": XY, "at": {"x": 1, "y": 2}}},
        [],
        None,
        lambda p: "[1/sqrt(5), 2/sqrt(5)]",
    ),
    (
        "matrix",
        {"jacobian": {"function": ["x y", "x + y^2"], "wrt": XY, "at": {"x": 2, "y": 3}}},
        [],
        None,
        lambda p: "[[3, 2], [1, 6]]",
    ),
    (
        "matrix",
        {"jacobian": {"function": ["k x y", "exp(x) + y^2"], "wrt": XY}},
        XY,
        {"k": {"integers": [1, 2]}},
        lambda p: f"[[{p['k']} y, {p['k']} x], [e^x, 2y]]",
    ),
    (
        "matrix",
        {"hessian": {"function": "x^3 y", "wrt": XY, "at": {"x": 1, "y": 2}}},
        [],
        None,
        lambda p: "[[12, 3], [3, 0]]",
    ),
    (
        "matrix",
        {"hessian": {"function": "sin(x y)", "wrt": XY}},
        XY,
        None,
        lambda p: "[[-y^2 sin(xy), cos(xy) - xy sin(xy)], [cos(xy) - xy sin(xy), -x^2 sin(xy)]]",
    ),
    (
        "numeric",
        {"partial": {"function": "atan(x/y) + log(x^2 + y^2)", "wrt": XY, "variable": "x", "at": {"x": 1, "y": 1}}},
        [],
        None,
        lambda p: "3/2",
    ),
]


@pytest.mark.parametrize(("kind", "reference", "variables", "parameters", "answer"), FORMS)
def test_every_form_checks_and_grades(kind, reference, variables, parameters, answer):
    ex = exercise(kind, reference, variables, parameters)
    assert ex.check() == []
    for index in range(ex.variant_count):
        variant = ex.variant_at(index)
        result = grade(variant, answer(variant.params))
        assert result.status == "correct", (variant.params, result.feedback, variant.reference_latex)


def test_direction_is_normalised():
    ex = exercise(
        "numeric", {"directional_derivative": {"function": "x", "wrt": XY, "at": {"x": 0, "y": 0}, "direction": [3, 4]}}
    )
    assert grade(ex.variant(0), "3/5").status == "correct"
    assert grade(ex.variant(0), "3").status == "incorrect"


def test_steepest_ascent_at_a_critical_point_is_refused():
    ex = exercise("vector", {"steepest_ascent": {"function": "x^2 + y^2", "wrt": XY, "at": {"x": 0, "y": 0}}})
    problems = ex.check()
    assert problems and problems[0].key == "reference" and "zero" in problems[0].message


def test_an_exercise_where_sympy_and_jax_disagree_is_refused(monkeypatch):
    ex = exercise(
        "vector",
        {"gradient": {"function": "a x^2 y", "wrt": XY, "at": {"x": 1, "y": 2}}},
        [],
        {"a": {"integers": [1, 2]}},
    )
    assert ex.check() == []
    real = derivatives_module.numeric
    monkeypatch.setattr(derivatives_module, "numeric", lambda *args: real(*args) * (1 + 1e-4))
    problems = ex.check()
    assert [(p.key, p.variant) for p in problems] == [("reference", {"a": 1}), ("reference", {"a": 2})]
    assert all("derivative differ at" in p.message for p in problems)


def test_a_symbolic_reference_is_cross_checked_at_sample_points(monkeypatch):
    ex = exercise("vector", {"gradient": {"function": "sin(x) y", "wrt": XY}}, XY)
    assert ex.check() == []
    monkeypatch.setattr(derivatives_module, "numeric", lambda *args: np.array([0.0, 0.0]))
    assert "derivative differ at" in ex.check()[0].message


def test_a_non_differentiable_point_is_caught_by_the_cross_check():
    ex = exercise(
        "numeric", {"partial": {"function": "abs(x) + y", "wrt": XY, "variable": "x", "at": {"x": 0, "y": 1}}}
    )
    assert "kink" in ex.check()[0].message


def test_reference_values_are_exact():
    ex = exercise("numeric", {"max_rate": {"function": "x^2 + y^2", "wrt": XY, "at": {"x": 1, "y": 2}}})
    assert ex.variant(0).reference_latex == r"2 \sqrt{5}"
