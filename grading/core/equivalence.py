"""Is an answer equal to the reference? Tri-state, shape first, numbers first, symbols last.

Policy (the verdict is never `correct` on an undecided check):

1. Shapes. A scalar, vector or matrix where another is expected is the wrong *form* (`invalid`,
   it costs no attempt). A vector of the wrong length, a matrix of the wrong size, or the
   transpose of a non-square matrix is a wrong answer with feedback saying so. A vector and an
   n×1 matrix are the same object.
2. Numbers, per component. The reference is evaluated once at fixed pseudo-random real points
   (both signs, near zero, up to 10; see `numeric.sample_points`) and only points where it is
   finite and real are kept (up to 24). The answer must be finite there too and agree at every
   kept point within |a - b| <= atol + rtol·max(|a|, |b|): the absolute floor lets a zero
   reference work, the near-zero points stop a huge term from hiding a constant (x^50 + 1 vs
   x^50), non-integer points stop sin(pi x) passing for 0, negative points stop sqrt(x^2) or
   log(x^2) standing in for x or 2·log(x) when the reference is defined there.
   A float disagreement is confirmed at 30 digits before it counts (so cancellation in a long
   but correct expansion is not held against the student); a confirmed one is `incorrect` at once.
   Agreement at every point is accepted without symbolic work: for the elementary functions of
   the input language, a wrong answer that agrees with the reference to 1e-6 at 24 random points
   of both signs and three scales is not something a student types by accident, and the tolerance
   is the author's stated contract anyway (symbolic confirmation would reject 0.333333x for x/3).
3. Symbols, only when numbers cannot decide: fewer than 8 points where the reference is defined,
   a node the float evaluator does not know, or many float disagreements that all turned out to
   be rounding. `simplify(ref - ans) == 0`, then `ref.equals(ans)`, under the answer's time
   budget; undecided or out of time is never `correct` (the caller reports it as `invalid`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Literal

import numpy as np
import sympy

from . import numeric
from .budget import Budget

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .parsing import Parsed

_RECHECKS = 3
TRANSPOSED = "Rows and columns are swapped: your matrix is the transpose of the answer."

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-6
    atol: float = 1e-9


@dataclass(frozen=True)
class Comparison:
    """`components` holds one tri-state per entry of the reference, row-major (empty for `form`)."""

    status: Literal["match", "mismatch", "unknown", "form"]
    components: tuple[bool | None, ...] = ()
    message: str = ""


@dataclass(frozen=True)
class _Sampled:
    index: np.ndarray  # rows of the sample points where the reference is defined
    values: np.ndarray
    usable: bool


@lru_cache(maxsize=8192)
def sample_reference(ref: sympy.Basic, symbols: tuple[sympy.Symbol, ...]) -> _Sampled:
    points = numeric.sample_points(len(symbols))
    try:
        values = numeric.evaluate(ref, symbols, points)
    except numeric.Unsupported:
        return _Sampled(np.arange(0), np.arange(0.0), usable=False)
    index = np.flatnonzero(np.isfinite(values))[: numeric.PRIMARY]
    return _Sampled(index, values[index], usable=index.size >= numeric.MIN_VALID)


def same(
    ref: sympy.Basic,
    ans: sympy.Basic,
    symbols: tuple[sympy.Symbol, ...],
    tol: Tolerance,
    budget: Budget | None = None,
) -> bool | None:
    """True, False, or None (undecided). Without a budget: float sampling only, no confirmation."""
    if ref == ans:
        return True
    sampled = sample_reference(ref, symbols)
    if sampled.usable:
        points = numeric.sample_points(len(symbols))[sampled.index]
        try:
            values = numeric.evaluate(ans, symbols, points)
        except numeric.Unsupported:
            values = None
        if values is not None:
            bad = np.flatnonzero(~numeric.close(sampled.values, values, tol.rtol, tol.atol))
            if bad.size == 0:
                return True
            if budget is None:
                return False
            undecided = False
            for j in bad[:_RECHECKS]:
                agreed = budget.run(partial(numeric.agree_precisely, ref, ans, symbols, points[j], tol.rtol, tol.atol))
                if agreed is False:
                    return False
                undecided = undecided or agreed is None
            if bad.size <= _RECHECKS and not undecided:  # every float disagreement was rounding
                return True
    if budget is None:
        return None
    return budget.run(partial(_symbolic_same, ref, ans))


def _symbolic_same(ref: sympy.Basic, ans: sympy.Basic) -> bool | None:
    try:
        if sympy.simplify(ref - ans) == 0:
            return True
        return ref.equals(ans)
    except Exception:  # noqa: BLE001 - SymPy fails in many ways on odd input; that is "undecided"
        return None


def components(value: sympy.Basic) -> list[sympy.Basic]:
    return list(value) if isinstance(value, sympy.MatrixBase) else [value]


def describe(shape: Shape) -> str:
    if not shape:
        return "a single value"
    if len(shape) == 1:
        return f"a vector with {shape[0]} components"
    return f"a {shape[0]}×{shape[1]} matrix"


def _column_length(shape: Shape) -> int | None:
    if len(shape) == 1:
        return shape[0]
    if len(shape) == 2 and shape[1] == 1:
        return shape[0]
    return None


def compare(
    ref: Parsed, ans: Parsed, symbols: Sequence[sympy.Symbol], tol: Tolerance, budget: Budget | None = None
) -> Comparison:
    syms = tuple(symbols)
    rs, shape = ref.shape, ans.shape
    if rs == shape or (_column_length(rs) is not None and _column_length(rs) == _column_length(shape)):
        return by_component(ref.value, ans.value, syms, tol, budget)
    if len(rs) != len(shape):
        if len(rs) == 2 and rs[0] == 1 and shape == (rs[1],):
            return Comparison("form", message=f"This answer is {describe(rs)} (one row): type it as [[a, b, ...]].")
        return Comparison("form", message=f"The answer should be {describe(rs)}; you entered {describe(shape)}.")
    if len(rs) == 1:
        return Comparison("mismatch", message=f"Your vector has {shape[0]} components; it should have {rs[0]}.")
    if shape == rs[::-1] and by_component(ref.value, ans.value.T, syms, tol, budget).status == "match":
        return Comparison("mismatch", message=TRANSPOSED)
    return Comparison("mismatch", message=f"Your matrix is {shape[0]}×{shape[1]}; it should be {rs[0]}×{rs[1]}.")


def by_component(
    ref: sympy.Basic, ans: sympy.Basic, symbols: tuple[sympy.Symbol, ...], tol: Tolerance, budget: Budget | None
) -> Comparison:
    results = tuple(same(r, a, symbols, tol, budget) for r, a in zip(components(ref), components(ans), strict=True))
    if all(r is True for r in results):
        return Comparison("match", results)
    return Comparison("mismatch" if False in results else "unknown", results)
