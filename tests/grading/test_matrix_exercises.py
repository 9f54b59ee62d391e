"""Authored matrix_expression exercises: the spec, references by SymPy and JAX, the import check,
the preview, and the command line's protocol."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grading.core import Exercise, SpecError, grade, preview_answer

ROOT = Path(__file__).resolve().parents[2]
NETWORK = {
    "slug": "network",
    "kind": "matrix_expression",
    "shapes": {"x": ["n"], "W1": ["h", "n"], "b1": ["h"], "W2": ["m", "h"]},
    "functions": ["sigma"],
    "reference": {"jacobian": {"function": "W2 sigma(W1 x + b1)", "wrt": "x"}},
}


def spec(**changes):
    return {**NETWORK, **changes}


def jacobian(**body):
    return {"jacobian": {"function": "W2 sigma(W1 x + b1)", "wrt": "x", **body}}


def test_without_a_closed_form_sympy_supplies_one_and_the_diagnoses_use_it():
    ex = Exercise.from_spec(spec())
    assert ex.check() == []
    variant = ex.variant(7)
    assert variant.reference_latex.startswith(r"W_{2} \, \operatorname{diag}")
    assert grade(variant, "W2 diag(σ'(W1 x + b1)) W1").status == "correct"
    verdict = grade(variant, "W2 W1")
    assert verdict.status == "incorrect" and "diag(sigma'(W1 x + b1)) is missing" in verdict.feedback
    assert "bias b1" in grade(variant, "W2 diag(sigma'(W1 x)) W1").feedback


def test_a_closed_form_that_disagrees_with_jax_is_refused():
    problems = Exercise.from_spec(spec(reference=jacobian(closed_form="W2 diag(sigma(W1 x + b1)) W1"))).check()
    assert len(problems) == 1 and problems[0].key == "reference.jacobian.closed_form"
    assert "disagrees with JAX" in str(problems[0])
    assert Exercise.from_spec(spec(reference=jacobian(closed_form="W2 diag(sigma'(W1 x + b1)) W1"))).check() == []


def test_a_closed_form_of_the_wrong_shape_is_refused_with_its_shape():
    with pytest.raises(SpecError, match=r"closed_form: .*n×m, but the Jacobian is m×n"):
        Exercise.from_spec(spec(reference=jacobian(closed_form="W1^T diag(sigma'(W1 x + b1)) W2^T")))
    with pytest.raises(SpecError, match="cannot be multiplied"):
        Exercise.from_spec(spec(reference=jacobian(closed_form="W1 W2")))


def test_a_listed_wrong_answer_that_is_right_is_refused():
    wrong = [{"answer": "W2 (diag(sigma'(b1 + W1 x)) W1)", "feedback": "no"}, {"answer": "W2 W1", "feedback": "f"}]
    problems = Exercise.from_spec(spec(wrong_answers=wrong)).check()
    assert len(problems) == 1 and problems[0].key == "wrong_answers[0].answer"
    assert "equals the reference" in problems[0].message


def test_the_authored_feedback_comes_first():
    wrong = [{"answer": "W2 W1", "feedback": "Where is the activation's Jacobian?"}]
    variant = Exercise.from_spec(spec(wrong_answers=wrong)).variant(1)
    assert grade(variant, "W₂W₁").feedback == "Where is the activation's Jacobian?"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"shapes": {"x": "n"}}, "shapes.x: expected []"),
        ({"shapes": {"x": ["n", "m", "k"]}}, "shapes.x"),
        ({"shapes": {"I": ["n"]}}, "reserved"),
        ({"shapes": {"diag": ["n"]}}, "reserved"),
        ({"shapes": {"x": [0]}}, "dimension is a name"),
        ({"shapes": {f"x{i}": ["n"] for i in range(41)}}, "shapes: at most 40 symbols"),
        ({"shapes": {f"x{i}": [f"n{i}"] for i in range(11)}}, "shapes: at most 10 dimension names"),
        ({"functions": [f"f{i}" for i in range(11)]}, "functions: at most 10"),
        ({"shapes": {"x": ["n", 51]}}, "dimension is a name"),
        ({"functions": {"sigma": "relu"}}, "functions.sigma: expected one of logistic"),
        ({"functions": ["x"], "shapes": {"x": ["n"]}}, "already a symbol"),
        ({"reference": jacobian(wrt="y")}, "wrt: 'y' is not one of the declared symbols"),
        ({"reference": jacobian(wrt="W1")}, "respect to a vector"),
        ({"reference": {"gradient": {"function": "W1 x", "wrt": "x"}}}, "needs a scalar function"),
        ({"reference": {"jacobian": {"function": "W1 x", "wrt": "x", "layout": "sideways"}}}, "layout"),
        ({"reference": {"hessian": {"function": "x^T x", "wrt": "x", "layout": "numerator"}}}, "layout"),
        ({"reference": {"jacobian": {"function": "W1 W2", "wrt": "x"}}}, "cannot be multiplied"),
        ({"reference": {"integral": {"function": "x", "wrt": "x"}}}, "unknown form"),
        ({"variables": ["x"]}, "variables: unknown key for kind matrix_expression"),
    ],
)
def test_malformed_specs_name_the_key(changes, message):
    with pytest.raises(SpecError) as caught:
        Exercise.from_spec(spec(**changes))
    assert message in caught.value.message


def test_layouts_gradient_default_denominator_and_numerator_on_request():
    base = {"slug": "q", "kind": "matrix_expression", "shapes": {"A": ["m", "n"], "b": ["m"], "x": ["n"]}}
    gradient = {"function": "1/2 ||A x - b||^2", "wrt": "x"}
    column = Exercise.from_spec({**base, "reference": {"gradient": gradient}})
    row = Exercise.from_spec({**base, "reference": {"gradient": {**gradient, "layout": "numerator"}}})
    assert column.check() == [] and row.check() == []
    assert grade(column.variant(0), "A^T (A x - b)").status == "correct"
    assert grade(row.variant(0), "(A x - b)^T A").status == "correct"
    verdict = grade(column.variant(0), "(A x - b)^T A")
    assert verdict.feedback == (
        "Your answer is 1×n, the gradient is n×1 — this is its transpose (the Jacobian layout rather than the "
        "gradient layout)."
    )


def test_gradient_with_respect_to_a_matrix_and_a_hessian():
    linear = {
        "slug": "w",
        "kind": "matrix_expression",
        "shapes": {"W": ["m", "n"], "x": ["n"], "y": ["m"]},
        "reference": {"gradient": {"function": "y^T W x", "wrt": "W"}},
    }
    ex = Exercise.from_spec(linear)
    assert ex.check() == []
    assert grade(ex.variant(0), "y x^T").status == "correct"
    assert "transpose" in grade(ex.variant(0), "x y^T").feedback
    hessian = {
        "slug": "h",
        "kind": "matrix_expression",
        "shapes": {"A": ["n", "n"], "x": ["n"]},
        "reference": {"hessian": {"function": "x^T A x", "wrt": "x"}},
    }
    ex = Exercise.from_spec(hessian)
    assert ex.check() == []
    assert grade(ex.variant(0), "A + A'").status == "correct"
    assert "symmetric" in grade(ex.variant(0), "2A").feedback


def test_where_sympy_cannot_differentiate_jax_alone_gives_the_reference():
    logistic = {
        "slug": "logistic",
        "kind": "matrix_expression",
        "shapes": {"X": ["N", "d"], "y": ["N"], "w": ["d"]},
        "functions": {"sigma": "logistic", "softplus": "softplus"},
        "reference": {"gradient": {"function": "sum(softplus(X w)) - y^T X w", "wrt": "w"}},
    }
    ex = Exercise.from_spec(logistic)
    assert ex.sympy_closed is None and ex.check() == []
    assert grade(ex.variant(0), "X^T (sigma(X w) - y)").status == "correct"
    assert grade(ex.variant(0), "Xᵀ(softplus'(Xw) − y)").status == "correct"
    verdict = grade(ex.variant(0), "X^T (y - sigma(X w))")
    assert verdict.status == "incorrect" and "sign" in verdict.feedback


def test_every_content_exercise_of_this_kind_passes_its_check(content_documents):
    matrix = [e for d in content_documents for e in d.exercises if e.spec["kind"] == "matrix_expression"]
    assert len(matrix) >= 6
    for exercise in matrix:
        assert Exercise.from_spec(exercise.spec).check() == [], exercise.slug


def test_the_seed_problem_2_is_graded_as_it_is_asked(content_documents):
    (problem,) = [e for d in content_documents for e in d.exercises if e.slug == "two-layer-network-jacobian-symbolic"]
    ex = Exercise.from_spec(problem.spec)
    variant = ex.variant(12345)
    assert grade(variant, r"W_2 \operatorname{diag}(\sigma'(W_1 x)) W_1").status == "correct"
    assert grade(variant, "W2 diag(sigma'(W1 x)) W1").status == "correct"
    assert grade(variant, "W1 W2").feedback.startswith("W1 W2: W1 is h×n and W2 is m×h, so they cannot be multiplied")
    shown = preview_answer(ex, "W2 diag(σ'(W1 x)) W1")
    assert shown.ok and shown.latex.endswith(r"\;:\; m \times n") and r"\sigma'" in shown.latex
    assert preview_answer(ex, "W1 W2").error.startswith("W1 W2: W1 is h×n")
    transposed = preview_answer(ex, "W1ᵀ diag(σ'(W1 x)) W2ᵀ")
    assert transposed.ok and transposed.note == "Your answer is n×m, but the Jacobian is m×n."


def test_batch_speaks_the_matrix_protocol_line_by_line():
    base = {
        "kind": "matrix_expression",
        "shapes": {"x": ["n"], "W1": ["h", "n"], "b1": ["h"], "W2": ["m", "h"]},
        "functions": ["sigma"],
        "reference": "W2 diag(sigma'(W1 x + b1)) W1",
    }
    answers = ["W2 diag(σ'(W1x + b1)) W1", "W2 W1", "W1 W2", "W2 diag(sigma'(W1 x + b1)) W1", "x +"]
    lines = [json.dumps({**base, "answer": a}) for a in answers]
    lines.append(json.dumps({**base, "shapes": {"x": "n"}, "answer": "x"}))
    done = subprocess.run(
        [sys.executable, "-m", "grading", "batch"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["status"] for o in out] == ["correct", "incorrect", "invalid", "correct", "invalid", "invalid"]
    assert all(set(o) == {"status", "score", "feedback", "latex"} for o in out)
    assert [o["score"] for o in out] == [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    assert "missing" in out[1]["feedback"] and "cannot be multiplied in this order" in out[2]["feedback"]
    assert out[0]["latex"].startswith(r"W_{2} \, \operatorname{diag}") and out[2]["latex"] is None
    assert out[5]["feedback"].startswith("Malformed request: shapes.x")


def test_check_command_grades_one_matrix_answer():
    done = subprocess.run(
        [sys.executable, "-m", "grading", "check", "--kind", "matrix_expression", "--shapes",
         '{"x": ["n"], "A": ["n", "n"]}', "--reference", "(A + A^T) x", "--answer", "2 A x"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "symmetric" in done.stdout


def test_grading_a_matrix_answer_needs_no_jax():
    code = """
import sys
import grading.core
ex = grading.core.Exercise.from_spec({"slug": "s", "kind": "matrix_expression", "shapes": {"x": ["n"], "A": ["n", "n"]},
    "reference": {"gradient": {"function": "x^T A x", "wrt": "x", "closed_form": "(A + A^T) x"}}})
assert grading.core.grade(ex.variant(3), "A x + A' x").status == "correct"
print(sorted(m for m in ("django", "celery", "jax") if m in sys.modules))
ex.check()
print("jax" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "True"]
