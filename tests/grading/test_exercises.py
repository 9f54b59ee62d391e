"""Specs: validation that names the key, parameters, deterministic variants, partial credit, attempts."""

import subprocess
import sys
from pathlib import Path

import pytest

from grading.core import Exercise, SpecError, grade

ROOT = Path(__file__).resolve().parents[2]
BASE = {
    "slug": "s",
    "kind": "expression",
    "variables": ["x"],
    "reference": {"expression": "a x"},
    "parameters": {"a": {"integers": [1, 4]}},
}


def spec(**changes):
    result = {**BASE, **changes}
    return {k: v for k, v in result.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"slug": None}, "slug"),
        ({"kind": "scalar"}, "kind"),
        ({"reference": None}, "reference"),
        ({"partial_credits": True}, "partial_credits"),
        ({"variables": "x"}, "variables"),
        ({"variables": ["x", "x"]}, "variables"),
        ({"parameters": {"a": {"integers": [3, 1]}}}, "parameters.a.integers"),
        ({"parameters": {"a": {"range": [1, 3]}}}, "parameters.a"),
        ({"parameters": {"x": {"integers": [1, 3]}}}, "parameters.x"),
        ({"parameters": {"a": {"choice": []}}}, "parameters.a.choice"),
        ({"parameters": {"a": {"integers": [1, 40]}, "b": {"integers": [1, 40]}}}, "parameters"),
        ({"rtol": -1}, "rtol"),
        ({"atol": "small"}, "atol"),
        ({"attempts": 0}, "attempts"),
        ({"partial_credit": "yes"}, "partial_credit"),
        ({"reference": {"expression": "a x", "gradient": {}}}, "reference"),
        ({"reference": {"integral": "x"}}, "reference"),
        (
            {"reference": {"gradient": {"function": "x", "wrt": ["x"], "at": {"y": 1}}}, "kind": "vector"},
            "reference.gradient.at",
        ),
        (
            {"reference": {"gradient": {"function": "x y", "wrt": ["x", "y"]}}, "kind": "vector"},
            "reference.gradient.wrt",
        ),
        ({"reference": {"gradient": {"function": "x", "wrt": ["x"]}}}, "kind"),
        ({"reference": {"partial": {"function": "x", "wrt": ["x"], "variable": "y"}}}, "reference.partial.variable"),
        ({"reference": {"partial": {"function": "x", "wrt": ["x"]}}}, "reference.partial"),
        ({"reference": {"partial": {"function": "x +", "wrt": ["x"], "variable": "x"}}}, "reference.partial.function"),
        ({"reference": {"partial": {"function": "x z", "wrt": ["x"], "variable": "x"}}}, "reference.partial.function"),
        ({"reference": {"max_rate": {"function": "x", "wrt": ["x"]}}, "kind": "numeric"}, "reference.max_rate"),
        (
            {"reference": {"directional_derivative": {"function": "x", "wrt": ["x"], "direction": [1, 2]}}},
            "reference.directional_derivative.direction",
        ),
        ({"wrong_answers": [{"answer": "x"}]}, "wrong_answers[0]"),
        ({"wrong_answers": [{"answer": "q x", "feedback": "no"}]}, "wrong_answers[0].answer"),
    ],
)
def test_spec_errors_name_the_key(changes, key):
    with pytest.raises(SpecError) as caught:
        Exercise.from_spec(spec(**changes))
    problem = caught.value.problem
    assert problem.key == key, problem
    assert problem.message and not problem.message.startswith(key)  # the key is data, not part of the text
    assert caught.value.message == f"{key}: {problem.message}"


def test_defaults():
    ex = Exercise.from_spec(spec())
    assert (ex.slug, ex.kind, ex.variables) == ("s", "expression", ("x",))
    assert (ex.rtol, ex.atol, ex.partial_credit, ex.attempts, ex.wrong_answers) == (1e-6, 0.0, False, None, ())
    assert ex.variant_count == 4


def test_variant_count_is_the_product_and_capped():
    params = {"a": {"integers": [1, 10]}, "b": {"choice": [1, 2, [1, 2]]}, "c": {"integers": [0, 0]}}
    assert Exercise.from_spec(spec(parameters=params)).variant_count == 30
    assert Exercise.from_spec(spec(parameters={"a": {"integers": [1, 1000]}})).variant_count == 1000
    with pytest.raises(SpecError):
        Exercise.from_spec(spec(parameters={"a": {"integers": [1, 1001]}}))


def test_variants_are_deterministic_and_cover_the_parameters():
    ex = Exercise.from_spec(spec())
    assert [ex.variant(s).index for s in range(50)] == [ex.variant(s).index for s in range(50)]
    assert {ex.variant(s).params["a"] for s in range(50)} == {1, 2, 3, 4}
    variant = ex.variant(7)
    assert variant.context == {"a": str(variant.params["a"])}
    assert grade(variant, f"{variant.params['a']} x").status == "correct"


def test_variants_are_stable_across_processes():
    code = (
        "from grading.core import Exercise;"
        f"ex = Exercise.from_spec({BASE!r});"
        "print([ex.variant(s).index for s in range(20)])"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    ex = Exercise.from_spec(spec())
    assert other.strip() == str([ex.variant(s).index for s in range(20)])


def test_decimal_parameters_are_exact_and_shown_as_latex():
    ex = Exercise.from_spec(spec(parameters={"a": {"choice": [0.1]}}))
    assert ex.variant(0).context == {"a": r"\frac{1}{10}"}
    assert grade(ex.variant(0), "x/10").status == "correct"


def test_list_parameters_are_vectors():
    ex = Exercise.from_spec(spec(parameters={"d": {"choice": [[1, 2]]}}, reference={"expression": "d"}, kind="vector"))
    assert ex.variant(0).context == {"d": r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}"}
    assert grade(ex.variant(0), "[1, 2]").status == "correct"


def test_partial_credit_scores_components():
    common = {"slug": "p", "kind": "vector", "reference": {"expression": "[1, 2, 3]"}}
    partial = Exercise.from_spec({**common, "partial_credit": True})
    result = grade(partial.variant(0), "[1, 2, 4]")
    assert result.status == "incorrect" and result.score == pytest.approx(2 / 3)
    assert "Component 3 is wrong" in result.feedback
    strict = Exercise.from_spec(common)
    assert grade(strict.variant(0), "[1, 2, 4]").score == 0.0


def test_partial_credit_for_matrices_names_entries():
    ex = Exercise.from_spec(
        {"slug": "m", "kind": "matrix", "partial_credit": True, "reference": {"expression": "[[1, 2], [3, 4]]"}}
    )
    result = grade(ex.variant(0), "[[1, 0], [3, 5]]")
    assert result.score == 0.5
    assert result.feedback == "Entries (1, 2) and (2, 2) are wrong."


def test_attempts_and_tolerances_are_read():
    ex = Exercise.from_spec(spec(attempts=3, rtol=0.01, atol=0.5))
    assert (ex.attempts, ex.rtol, ex.atol) == (3, 0.01, 0.5)


def test_check_reports_a_wrong_answer_that_is_really_correct():
    # The wrong answer of docs/content-format.md's example: 2*a*2 is exactly 4a, the right x-component.
    doc = {
        "slug": "gradient-at-a-point",
        "kind": "vector",
        "parameters": {"a": {"integers": [2, 5]}},
        "reference": {"gradient": {"function": "a*x^2*y + y^3", "wrt": ["x", "y"], "at": {"x": 1, "y": 2}}},
        "attempts": 3,
        "wrong_answers": [{"answer": "[2*a*2, a + 12]", "feedback": "Differentiate a x^2 y: the factor y stays."}],
    }
    problems = Exercise.from_spec(doc).check()
    assert [p.variant for p in problems] == [{"a": a} for a in (2, 3, 4, 5)]
    assert all(p.key == "wrong_answers[0].answer" and "equals the reference" in p.message for p in problems)
    assert str(problems[0]).startswith("variant {a=2}: wrong_answers[0].answer: ")
    doc["wrong_answers"][0]["answer"] = "[2*a, a + 12]"
    assert Exercise.from_spec(doc).check() == []


def test_check_reports_references_that_do_not_fit():
    assert (
        "not a real number"
        in Exercise.from_spec({"slug": "n", "kind": "numeric", "reference": {"expression": "log(-1)"}})
        .check()[0]
        .message
    )
    assert (
        "kind numeric"
        in Exercise.from_spec({"slug": "n", "kind": "numeric", "variables": ["x"], "reference": {"expression": "x"}})
        .check()[0]
        .message
    )
    nowhere_real = {"expression": "asin(x^2 + 2)"}
    assert (
        "undefined"
        in Exercise.from_spec({"slug": "n", "kind": "expression", "variables": ["x"], "reference": nowhere_real})
        .check()[0]
        .message
    )
