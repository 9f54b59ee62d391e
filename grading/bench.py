"""`python -m grading.bench`: latency and throughput of the engine beside a naive SymPy grader.

The naive grader is what many systems do: `parse_expr` both sides and accept when
`simplify(reference - answer) == 0`. It reads this file's own trusted texts; student text
never goes near `parse_expr`.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

from grading.core import grade_spec
from grading.core.budget import Budget, BudgetExceeded

XY = ["x", "y"]
# (kind, reference, answer, variables): correct, wrong, equivalent in another form, invalid.
CASES: list[tuple[str, str, str, list[str]]] = [
    ("numeric", "sqrt(13)", "3.605551275", []),
    ("numeric", "3/sqrt(5)", "3*sqrt(5)/5", []),
    ("numeric", "3/sqrt(5)", "1.34", []),
    ("numeric", "0", "1e-12", []),
    ("expression", "2*x*y", "2xy", XY),
    ("expression", "exp(x)*sin(y)", "sin(y)*exp(x)", XY),
    ("expression", "(x+1)^2", "x^2+2x+1", XY),
    ("expression", "1", "sin(x)^2+cos(x)^2", XY),
    ("expression", "x/2", "0.5x", XY),
    ("expression", "2*x*y*cos(x^2*y)", "2xy cos(x^2 y)", XY),
    ("expression", "2*x*y*cos(x^2*y)", "cos(x^2 y)", XY),
    ("expression", "x", "sqrt(x^2)", XY),
    ("expression", "x^50", "x^50+1", XY),
    ("expression", "log(x^2)", "2*log(x)", XY),
    ("expression", "(x^2-y^2)/(x-y)", "x+y", XY),
    ("expression", "tan(x)", "sin(x)/cos(x)", XY),
    ("expression", "(x+y)^6", "x^6+6x^5y+15x^4y^2+20x^3y^3+15x^2y^4+6xy^5+y^6", XY),
    ("expression", "x*exp(x*y)", "x*exp(x*y)+1e-3", XY),
    ("expression", "x", "x+", XY),
    ("vector", "[2*x*y, x^2+3*y^2]", "[2xy, x^2+3y^2]", XY),
    ("vector", "[2*x*y, x^2+3*y^2]", "[x^2+3y^2, 2xy]", XY),
    ("vector", "[2*x*y, x^2+3*y^2]", "[-2xy, -x^2-3y^2]", XY),
    ("vector", "[3/5, 4/5]", "[0.6, 0.8]", []),
    ("vector", "[3/5, 4/5]", "[3, 4]", []),
    ("vector", "[1, 2, 3]", "[1, 2]", []),
    ("matrix", "[[2*y, 2*x], [2*x, 0]]", "[[2y, 2x], [2x, 0]]", XY),
    ("matrix", "[[1, 2], [3, 4]]", "[[1, 3], [2, 4]]", []),
    ("matrix", "[[cos(x), -sin(x)], [sin(x), cos(x)]]", "[[cos(x), -sin(x)], [sin(x), cos(x)]]", XY),
    ("matrix", "[[exp(x)*y, exp(x)], [1, 1]]", "[[y*exp(x), exp(x)], [1, 2]]", XY),
    # Soundness traps and notations: the domain as written, beyond |x| <= 10, real arithmetic, a
    # tolerance relative to the reference, LaTeX, rows separated by ";".
    ("expression", "x", "sqrt(x)^2", XY),
    ("expression", "x^2", "x^2 + (x/20)^20", XY),
    ("expression", "log((x-1)/(x+1))", "log(x-1) - log(x+1)", XY),
    ("numeric", "1e-9", "2e-9", []),
    ("expression", "x/2", "\\frac{1}{2}x", XY),
    ("matrix", "[[1, 2], [3, 4]]", "[1, 2; 3, 4]", []),
]
_TRANSFORMS = (*standard_transformations, implicit_multiplication_application, convert_xor)


def _naive_value(text: str, names: dict) -> sympy.Basic:
    value = parse_expr(text, local_dict=names, transformations=_TRANSFORMS)  # noqa: S307 - trusted bench text
    return sympy.Matrix(value) if isinstance(value, list | tuple) else value


def naive_grade(kind: str, reference: str, answer: str, variables: list[str]) -> str:
    names = {v: sympy.Symbol(v) for v in variables}
    try:
        ref, ans = _naive_value(reference, names), _naive_value(answer, names)
        difference = sympy.simplify(ref - ans)
        zero = difference.is_zero_matrix if isinstance(difference, sympy.MatrixBase) else difference == 0
        return "correct" if zero else "incorrect"
    except Exception:  # noqa: BLE001 - the naive grader's failures are part of what is measured
        return "invalid"


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _stats(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1e3, p95 * 1e3, len(ordered) / sum(ordered)


def main(rounds: int = 20) -> None:
    for kind, ref, ans, variables in CASES:  # warm: references parsed and sampled once
        grade_spec({"kind": kind, "reference": ref, "variables": variables}, ans)
    engine = [
        _timed(lambda c=c: grade_spec({"kind": c[0], "reference": c[1], "variables": c[3]}, c[2]))
        for _ in range(rounds)
        for c in CASES
    ]
    naive: list[float] = []
    for c in CASES[:3]:  # import and first-use costs out of the way (later runs hit SymPy's cache)
        naive_grade(*c)
    for c in CASES:
        try:
            naive.append(Budget(5.0).guard(lambda c=c: _timed(lambda: naive_grade(*c))))
        except BudgetExceeded:
            naive.append(5.0)
    verdicts = [grade_spec({"kind": c[0], "reference": c[1], "variables": c[3]}, c[2]).status for c in CASES]
    differ = sum(v != naive_grade(*c) for v, c in zip(verdicts, CASES, strict=True))
    (em, ep, et), (nm, np_, nt) = _stats(engine), _stats(naive)
    print(f"{len(CASES)} answers ({len(engine)} engine gradings, {len(naive)} naive), warm")
    print(f"{'grader':<14}{'median ms':>11}{'p95 ms':>10}{'answers/s':>12}")
    print(f"{'engine':<14}{em:>11.2f}{ep:>10.2f}{et:>12.0f}")
    print(f"{'naive sympy':<14}{nm:>11.2f}{np_:>10.2f}{nt:>12.0f}")
    print(f"speedup (throughput): {et / nt:.1f}x; verdicts differing from the naive grader: {differ}")
    marks = {"correct": "+", "incorrect": "-", "invalid": "?"}
    print("engine verdicts:", "".join(marks[v] for v in verdicts), "(+ correct, - incorrect, ? invalid)")
    from grading.matrix_bench import report

    report(rounds)


# Hostile answers the parser must refuse (or read) at once: what tests/grading/test_hostile_input.py
# checks for their outcome, timed here rather than there.
HOSTILE = [
    "9^9^9",
    "((9^9)^9999)^9999",
    "100!!",
    "x" * 1_000_000,
    "(" * 50 + "x" + ")" * 50,
    "sin(" * 50 + "x" + ")" * 50,
    "|" * 50 + "x" + "|" * 50,
    "x+" * 499 + "x",
    "+".join(f"{n}x^{n}" for n in range(1, 130)),
    "__import__('os').system('ls')",
    "sinh(acosh(10^200))",
]


def hostile(rounds: int = 5) -> None:
    from grading.core.parsing import AnswerError, parse

    def attempt(text: str) -> None:
        with contextlib.suppress(AnswerError):
            parse(text, XY)

    times = [max(_timed(lambda t=t: attempt(t)) for _ in range(rounds)) for t in HOSTILE]
    print(f"hostile input: {len(HOSTILE)} texts, slowest of {rounds} tries each")
    print(f"  median {statistics.median(times) * 1e3:.2f} ms, worst {max(times) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
    hostile()
