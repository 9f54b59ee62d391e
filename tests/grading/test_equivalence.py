"""Equivalence: equivalent forms accepted, the field's false-accept traps rejected, shapes, budget."""

import threading
import time

import pytest

from grading.core import Verdict, grade_spec, normalize, preview
from grading.core.budget import Budget, BudgetExceeded
from grading.core.verdict import TOO_COMPLEX

XY = ["x", "y"]


# Far above what any case here needs, so that a busy machine never turns a verdict into "too complex"
# (the budget's own tests below set theirs).
GENEROUS_S = 60.0


def verdict(kind: str, reference: str, answer: str, variables=(), budget_s=GENEROUS_S, **tol) -> Verdict:
    spec = {"kind": kind, "reference": reference, "variables": list(variables), **tol}
    return grade_spec(spec, answer, budget_s=budget_s)


@pytest.mark.parametrize(
    ("kind", "reference", "answer", "variables"),
    [
        ("expression", "2*x*y", "2xy", XY),
        ("expression", "exp(x)", "e^x", ["x"]),
        ("vector", "[a, b]", "<a, b>", ["a", "b"]),
        ("vector", "[a, b]", "(a, b)", ["a", "b"]),
        ("expression", "1", "sin^2 x + cos^2 x", ["x"]),
        ("expression", "(x+1)^2", "x^2 + 2x + 1", ["x"]),
        ("expression", "x/2", "0.5x", ["x"]),
        ("numeric", "sqrt(13)", "3.605551275", []),
        ("numeric", "3/sqrt(5)", "3 sqrt(5)/5", []),
        ("numeric", "3/sqrt(5)", "1.341640786", []),
        ("expression", "2*log(x)", "log(x^2)", ["x"]),  # equal wherever the reference is defined
        ("expression", "abs(x)", "sqrt(x^2)", ["x"]),
        ("expression", "x + y", "(x^2 - y^2)/(x - y)", XY),  # a removable singularity is never sampled
        ("expression", "tan(x)", "sin(x)/cos(x)", ["x"]),
        ("expression", "(x+y)^8", "expand", XY),
        ("expression", "exp(30x)", "exp(20x) exp(10x)", ["x"]),
        ("matrix", "[[cos(x), -sin(x)], [sin(x), cos(x)]]", "[[cos x, -sin x], [sin x, cos x]]", ["x"]),
        ("vector", "[1, 2]", "[[1], [2]]", []),  # an n×1 matrix is a vector
    ],
)
def test_equivalent_forms_are_accepted(kind, reference, answer, variables):
    if answer == "expand":
        answer = "+".join(f"{c}x^{8 - k}y^{k}" for k, c in enumerate([1, 8, 28, 56, 70, 56, 28, 8, 1]))
    result = verdict(kind, reference, answer, variables)
    assert result.status == "correct", result.feedback
    assert result.score == 1.0


@pytest.mark.parametrize(
    ("reference", "answer"),
    [
        ("x", "sqrt(x^2)"),
        ("sqrt(x^2)", "x"),
        ("0", "sin(pi x)"),
        ("x^50", "x^50 + 1"),
        ("log(x^2)", "2 log(x)"),  # the student's side is undefined where the reference is not
        ("x", "|x|"),
        ("x", "x + 1e-3"),
        ("x^2", "x^2 + 1e-8"),
        ("exp(x)", "exp(x) + 1e-4"),
        ("sin(x)", "sin(x + 1e-5)"),
        ("1/x", "1/(x + 1e-9) + 1e-3"),
    ],
)
def test_false_accept_traps_are_rejected(reference, answer):
    assert verdict("expression", reference, answer, ["x"]).status == "incorrect"


@pytest.mark.parametrize(
    ("answer", "status"),
    [("0", "correct"), ("1e-12", "incorrect"), ("-5e-10", "incorrect"), ("1e-6", "incorrect"), ("0.001", "incorrect")],
)
def test_a_zero_reference_has_no_absolute_floor_unless_the_author_sets_one(answer, status):
    assert verdict("numeric", "0", answer).status == status
    if answer != "0.001":
        assert grade_spec({"kind": "numeric", "reference": "0", "atol": 1e-5}, answer).status == "correct"


def test_arithmetic_is_real_only_even_through_complex_intermediates():
    euler = "(exp(sqrt(-1) x) + exp(-sqrt(-1) x))/2"  # cos(x), but only over the complex numbers
    assert verdict("expression", "cos(x)", euler, ["x"]).status == "incorrect"


def test_tolerances_are_the_authors():
    assert verdict("numeric", "pi", "3.14").status == "incorrect"
    assert verdict("numeric", "pi", "3.14", rtol=1e-3).status == "correct"
    assert verdict("numeric", "0", "1e-5", atol=1e-4).status == "correct"


def test_rounding_in_a_long_correct_expansion_is_not_held_against_the_student():
    expanded = "+".join(f"{c}x^{20 - k}" for k, c in enumerate(_binomials(20)))
    assert verdict("expression", "(x+1)^20", expanded, ["x"]).status == "correct"


def _binomials(n):
    row = [1]
    for k in range(n):
        row.append(row[-1] * (n - k) // (k + 1))
    return row


@pytest.mark.parametrize(
    ("kind", "reference", "answer", "status", "fragment"),
    [
        ("vector", "[1, 2, 3]", "[1, 2]", "incorrect", "has 2 components; it should have 3"),
        ("vector", "[1, 2]", "3", "invalid", "should be a vector with 2 components; you entered a single value"),
        ("numeric", "3", "[1, 2]", "invalid", "should be a single value"),
        ("matrix", "[[1, 2], [3, 4]]", "[1, 2]", "invalid", "should be a 2×2 matrix"),
        ("matrix", "[[1, 2, 3], [4, 5, 6]]", "[[1, 4], [2, 5], [3, 6]]", "incorrect", "transpose"),
        ("matrix", "[[1, 2, 3], [4, 5, 6]]", "[[1, 2], [3, 4], [5, 6]]", "incorrect", "is 3×2; it should be 2×3"),
        ("matrix", "[[1, 2]]", "[1, 2]", "invalid", "one row"),
        ("vector", "[1, 2, 3]", "[3, 2, 1]", "incorrect", "right but in the wrong places"),
    ],
)
def test_shapes_are_checked_first_with_feedback(kind, reference, answer, status, fragment):
    result = verdict(kind, reference, answer)
    assert result.status == status
    assert fragment in result.feedback
    assert result.score == 0.0


@pytest.mark.parametrize("answer", ["x +", "2 ** ", "z", "sin(", "9^9^9^9", ""])
def test_unreadable_answers_are_invalid_with_the_parsers_message(answer):
    result = verdict("expression", "x", answer, ["x"])
    assert result.status == "invalid"
    assert result.score == 0.0
    assert result.feedback


def test_verdict_dict_form():
    result = verdict("expression", "2x", "2*x", ["x"]).to_dict()
    assert result["status"] == "correct" and result["score"] == 1.0 and result["latex"] == "2 x"
    assert {"status", "score", "feedback", "latex"} <= result.keys()


def test_preview_parses_only():
    assert preview("2xy", "expression", XY).ok
    bad = preview("2x +", "expression", XY)
    assert not bad.ok and bad.error and bad.position is not None
    wrong_form = preview("3", "vector", XY)
    assert not wrong_form.ok and "vector" in wrong_form.error and wrong_form.latex == "3"
    assert preview("[1, 2]", "matrix", []).ok  # a column is a matrix too


def test_normalize_gives_one_text_for_one_value():
    assert normalize("2xy", XY) == normalize("2 * y * x", XY) is not None
    assert normalize("2x +", XY) is None


# Equal to the reference, but only high-precision evaluation can say so (float64 loses it to cancellation).
SLOW = "(tan(x)+sec(y)+cosh(x y))^9 - (sec(y)+tan(x)+cosh(x y))^8 * (sin(x)/cos(x)+1/cos(y)+cosh(x y)) + x"
SPEC = {"kind": "expression", "reference": "x", "variables": XY}


def test_an_answer_over_its_budget_is_too_complex_never_correct_and_the_next_one_grades():
    assert grade_spec(SPEC, SLOW).status == "correct"  # with the time it needs
    result = grade_spec(SPEC, SLOW, budget_s=1e-4)  # the deadline passes during parsing
    assert result.status == "invalid" and result.feedback == TOO_COMPLEX
    assert verdict("expression", "2xy", "2*x*y", XY).status == "correct"


def test_a_reference_defined_nowhere_is_undecided_never_correct():
    result = verdict("expression", "asin(x^2+2)", "asin(x^2+2) + 1", XY)
    assert result.status == "invalid" and result.feedback == TOO_COMPLEX


def test_the_budget_holds_outside_the_main_thread_too():
    results = []
    thread = threading.Thread(target=lambda: results.append(grade_spec(SPEC, SLOW, budget_s=1e-4)))
    thread.start()
    thread.join(60)  # a hang guard, not a measurement: the verdict below says the budget cut it off
    assert not thread.is_alive()
    assert results[0].status == "invalid" and results[0].feedback == TOO_COMPLEX


def test_the_budget_cannot_be_swallowed_by_except_exception():
    def careless():
        while True:
            try:
                sum(range(10_000))
            except Exception:  # noqa: S112 - what careless library code does
                continue

    with pytest.raises(BudgetExceeded):
        Budget(0.2).guard(careless)
    assert Budget(0.2).guard(lambda: "the next guarded call is unaffected") == "the next guarded call is unaffected"


def test_no_alarm_is_left_behind_after_a_guard_returns_or_runs_out():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    assert Budget(0.2).guard(lambda: "done") == "done"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before

    def spin():
        while True:
            pass

    with pytest.raises(BudgetExceeded):
        Budget(0.05).guard(spin)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_budget_run_in_a_thread_kills_a_runaway_step():
    def runaway():  # finite, so that the thread fallback (no fork once JAX is loaded) does not spin forever
        end = time.monotonic() + 3
        while time.monotonic() < end:
            pass

    errors = []

    def target():
        try:
            Budget(0.3).run(runaway)
        except BudgetExceeded:
            errors.append("exceeded")

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)  # a hang guard: the runaway step ends by itself after 3 s, the budget at 0.3 s
    assert errors == ["exceeded"]
