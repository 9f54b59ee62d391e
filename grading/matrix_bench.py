"""The matrix_expression part of `python -m grading.bench`: warm latency of matrix answers.

Answers to the seed's Problem 2 and the other matrix-calculus exercises — right, equivalent in
another form, wrong (each with its diagnosis), shape errors and hostile input — graded through the
command line's request path, after one warm-up pass (references read and evaluated once).
"""

from __future__ import annotations

import statistics
import time

from grading.core import grade_spec

NET = {"x": ["n"], "W1": ["h", "n"], "b1": ["h"], "W2": ["m", "h"]}
LSQ = {"A": ["m", "n"], "b": ["m"], "x": ["n"]}
QUAD = {"A": ["n", "n"], "x": ["n"]}
LOGI = {"X": ["N", "d"], "y": ["N"], "w": ["d"]}
NET_REF = "W2 diag(sigma'(W1 x + b1)) W1"
# (shapes, functions, reference, answer)
CASES: list[tuple[dict, object, str, str]] = [
    (NET, ["sigma"], NET_REF, "W2 diag(σ'(W1x + b1)) W1"),
    (NET, ["sigma"], NET_REF, r"W_2 \operatorname{diag}(\sigma'(W_1 x + b_1)) W_1"),
    (NET, ["sigma"], NET_REF, "(W1^T diag(sigma'(W1 x + b1)) W2^T)^T"),
    (NET, ["sigma"], NET_REF, "W2 W1"),
    (NET, ["sigma"], NET_REF, "W2 diag(sigma(W1 x + b1)) W1"),
    (NET, ["sigma"], NET_REF, "W2 diag(sigma'(W1 x)) W1"),
    (NET, ["sigma"], NET_REF, "W1ᵀ diag(σ'(W1 x + b1)) W2ᵀ"),
    (NET, ["sigma"], NET_REF, "W2 diag(sigma'(W1 x + b1)) W1 + W2 W1"),
    (NET, ["sigma"], NET_REF, "W1 diag(sigma'(W1 x + b1)) W2"),
    (NET, ["sigma"], NET_REF, "(" * 100 + "W2" + ")" * 100),
    (LSQ, [], "A^T (A x - b)", "A^T A x - A^T b"),
    (LSQ, [], "A^T (A x - b)", "(A x - b)^T A"),
    (LSQ, [], "A^T (A x - b)", "2 A^T (A x - b)"),
    (QUAD, [], "(A + A^T) x", "A x + A' x"),
    (QUAD, [], "(A + A^T) x", "2 A x"),
    (QUAD, [], "(A + A^T) x", "A^99999 x"),
    (LOGI, {"sigma": "logistic"}, "X^T (sigma(X w) - y)", "X^T sigma(X w) - X^T y"),
    (LOGI, {"sigma": "logistic"}, "X^T (sigma(X w) - y)", "X^T (y - sigma(X w))"),
    ({"A": ["n", "n"], "B": ["n", "n"]}, [], "inv(A B)", "B^-1 A^-1"),
    ({"A": ["n", "n"], "B": ["n", "n"]}, [], "inv(A B)", "A^-1 B^-1"),
]


def _request(case: tuple[dict, object, str, str]) -> dict:
    shapes, functions, reference, _ = case
    return {"kind": "matrix_expression", "shapes": shapes, "functions": functions, "reference": reference}


def report(rounds: int = 20) -> None:
    for case in CASES:
        grade_spec(_request(case), case[3])
    samples = []
    for _ in range(rounds):
        for case in CASES:
            request = _request(case)
            start = time.perf_counter()
            grade_spec(request, case[3])
            samples.append(time.perf_counter() - start)
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    verdicts = [grade_spec(_request(c), c[3]).status for c in CASES]
    marks = {"correct": "+", "incorrect": "-", "invalid": "?"}
    print()
    print(f"matrix_expression: {len(CASES)} answers ({len(samples)} gradings), warm")
    print(f"{'grader':<14}{'median ms':>11}{'p95 ms':>10}{'max ms':>9}{'answers/s':>12}")
    print(
        f"{'matrix':<14}{statistics.median(ordered) * 1e3:>11.2f}{p95 * 1e3:>10.2f}{ordered[-1] * 1e3:>9.2f}"
        f"{len(ordered) / sum(ordered):>12.0f}"
    )
    print("matrix verdicts:", "".join(marks[v] for v in verdicts), "(+ correct, - incorrect, ? invalid)")


if __name__ == "__main__":
    report()
