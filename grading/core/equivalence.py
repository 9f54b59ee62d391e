"""Is an answer equal to the reference over the reals? Tri-state, shape first, then numbers.

Policy (the verdict is never `correct` on an undecided check):

1. Shapes. A scalar, vector or matrix where another is expected is the wrong *form* (`invalid`,
   it costs no attempt). A vector of the wrong length, a matrix of the wrong size, or the
   transpose of a non-square matrix is a wrong answer with feedback saying so. A vector and an
   n×1 matrix are the same object.
2. Domain, as written. Each side is defined where it and its guards (the roots, logarithms and
   inverse functions as the text wrote them, before SymPy simplified anything: see `builder`)
   are finite and real. The answer must be defined wherever the reference is: `sqrt(x)^2` is
   not `x`, `2 log(x)` is not `log(x^2)`.
3. Tolerance. At a point where the reference is r, its variable subexpressions reach s, and the
   answer is a, the two agree when |a - r| <= atol + rtol·max(|a|, |r|, s). For a number the
   comparison is purely relative (2e-9 is not 1e-9); for an expression the floor follows the size
   of what the reference combines there, never a fixed amount (x^50 + 1 is not x^50 near 0).
   `atol` is 0 unless the author sets it.
4. Float screening, per component, at fixed pseudo-random real points (`numeric.sample_points`:
   both signs, near zero, up to 10, and magnitudes up to 10^4 where the reference is finite).
   A float disagreement is re-evaluated at high precision in real arithmetic; a confirmed one is
   `incorrect` at once.
5. Decision. Agreement at every float point is not yet proof. When both sides are rational
   functions of the variables, both are evaluated exactly (rational arithmetic at rational
   points, so no rounding can hide a difference) and held to the tolerance of step 3; otherwise
   at fresh points in high-precision real arithmetic (mpmath, where any complex intermediate is
   undefined). Sampling cannot see a difference confined to a band narrower than the points'
   spacing, nor a pole the points miss: those answers are contrived, but not refused.
   A check that cannot be made (too few points where the reference is defined, an expression no
   evaluator knows) is undecided: the caller reports it as `invalid`, never `correct`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from typing import TYPE_CHECKING, Literal

import gmpy2
import numpy as np
import sympy

from . import numeric
from .budget import Budget

if TYPE_CHECKING:
    from .parsing import Parsed

TRANSPOSED = "Rows and columns are swapped: your matrix is the transpose of the answer."
_CONFIRM_POINTS = 3
_EXACT_POINTS = 8

Shape = tuple[int, ...]
Guards = tuple[sympy.Basic, ...]


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-6
    atol: float = 0.0


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
    scale: np.ndarray
    total: np.ndarray
    usable: bool


@lru_cache(maxsize=8192)
def sample_reference(ref: sympy.Basic, symbols: tuple[sympy.Symbol, ...], guards: Guards = ()) -> _Sampled:
    points = numeric.sample_points(len(symbols))
    try:
        values, scale, total = numeric.evaluate_scaled(ref, symbols, points, guards)
    except numeric.Unsupported:
        empty = np.arange(0.0)
        return _Sampled(np.arange(0), empty, empty, empty, usable=False)
    index = np.flatnonzero(np.isfinite(values))[: numeric.PRIMARY]
    return _Sampled(index, values[index], scale[index], total[index], usable=index.size >= numeric.MIN_VALID)


@lru_cache(maxsize=8192)
def _confirmation_rows(ref: sympy.Basic, symbols: tuple[sympy.Symbol, ...], guards: Guards) -> np.ndarray:
    """Fresh points (not the float pass's) where the reference is defined, if perhaps too large for float64."""
    points = numeric.confirmation_points(len(symbols))
    try:
        values = numeric.evaluate(ref, symbols, points, guards, overflow=True)
    except numeric.Unsupported:
        return points[:0]
    return points[np.flatnonzero(~np.isnan(values))[: _CONFIRM_POINTS * 2]]


def same(
    ref: sympy.Basic,
    ans: sympy.Basic,
    symbols: tuple[sympy.Symbol, ...],
    tol: Tolerance,
    budget: Budget | None = None,
    *,
    ref_guards: Guards = (),
    ans_guards: Guards = (),
) -> bool | None:
    """True, False, or None (undecided). Without a budget: the float screening only (for feedback)."""
    if ref == ans and set(ans_guards) <= set(ref_guards):
        return True
    sampled = sample_reference(ref, symbols, ref_guards)
    if not sampled.usable:
        return None
    points = numeric.sample_points(len(symbols))[sampled.index]
    try:
        values, total = numeric.evaluate_lazily(ans, symbols, points, ans_guards)
    except numeric.Unsupported:
        return None
    with np.errstate(all="ignore"):
        bound = numeric.allowed(sampled.values, values, sampled.scale, tol.rtol, tol.atol)
        difference = np.abs(sampled.values - values)
        ok = difference <= bound
        if not ok.all():  # rounding may account for the rest (it is never NaN where the values are finite)
            ok = difference <= bound + numeric.rounding(sampled.total + total())
    if budget is None:
        return bool(ok.all())
    # One step under the budget (one child process where signals cannot be used).
    undefined = np.isnan(values)  # where the reference is defined and the answer (as written) seems not
    return budget.run(partial(_decide, (ref, ref_guards), (ans, ans_guards), symbols, tol, points, ~ok, undefined))


def _decide(
    ref: tuple[sympy.Basic, Guards],
    ans: tuple[sympy.Basic, Guards],
    symbols: tuple[sympy.Symbol, ...],
    tol: Tolerance,
    points: np.ndarray,
    disagree: np.ndarray,
    undefined: np.ndarray,
) -> bool | None:
    """Settle the float screening: a disagreement counts once high precision confirms it; agreement
    is confirmed exactly where both sides are rational functions, else at high precision. Where
    the answer seemed undefined, only real high-precision evaluation of it as written decides."""
    precision = cache(partial(numeric.confirmation_precision, ref[0], ans[0]))  # once, and only if needed

    def agree(point: Sequence) -> bool | None:
        return numeric.agree_precisely(ref, ans, symbols, point, tol.rtol, tol.atol, precision())

    try:
        for j in np.flatnonzero(undefined):
            if agree(points[j]) is False:
                return False
    except numeric.Unsupported:
        return None
    disagree = disagree & ~undefined
    if numeric.is_rational_function(ref[0]) and numeric.is_rational_function(ans[0]):
        # Exactly, first where floats disagreed (cancellation or a real difference), then spread out.
        spread = points[:: max(1, len(points) // _EXACT_POINTS)]
        decided = _exactly_same(ref[0], ans[0], symbols, tol, np.concatenate([points[disagree], spread]))
        if decided is not None:
            return decided
    try:
        for j in np.flatnonzero(disagree):
            if agree(points[j]) is False:
                return False
    except numeric.Unsupported:
        return None
    confirmed = 0
    try:
        for point in _confirmation_rows(ref[0], symbols, ref[1]):
            agreed = agree(point)
            if agreed is False:
                return False
            confirmed += agreed is True
            if confirmed == _CONFIRM_POINTS or (confirmed and not symbols):  # a number: one point is all
                break
    except numeric.Unsupported:
        return None
    return True if confirmed else None


def _exactly_same(
    ref: sympy.Basic, ans: sympy.Basic, symbols: tuple[sympy.Symbol, ...], tol: Tolerance, points: np.ndarray
) -> bool | None:
    rtol, atol = gmpy2.mpq(tol.rtol), gmpy2.mpq(tol.atol)
    checked = 0
    for point in points:
        here = tuple(float(v) for v in point)
        reference = _exact_reference(ref, symbols, here)
        if reference is ZeroDivisionError:
            continue  # a pole of one side: a point of measure zero
        if not isinstance(reference, tuple):  # too large for exact arithmetic
            return None
        r, scale = reference
        try:
            a, _ = numeric.exact(ans, _rational_env(symbols, here))
        except ZeroDivisionError:
            continue
        except numeric.Unsupported:
            return None
        if abs(r - a) > atol + rtol * max(abs(r), abs(a), scale):
            return False
        checked += 1
        if not symbols:
            return True
    return True if checked >= _EXACT_POINTS // 2 else None


@lru_cache(maxsize=8192)
def _exact_reference(
    ref: sympy.Basic, symbols: tuple[sympy.Symbol, ...], point: tuple[float, ...]
) -> tuple[gmpy2.mpq, gmpy2.mpq] | type[Exception]:
    """The reference's exact value and scale at a point, or why there is none: the same points serve every answer."""
    try:
        return numeric.exact(ref, _rational_env(symbols, point))
    except (ZeroDivisionError, numeric.Unsupported) as exc:
        return type(exc)


@lru_cache(maxsize=1024)
def _rational_env(symbols: tuple[sympy.Symbol, ...], point: tuple[float, ...]) -> dict[sympy.Symbol, gmpy2.mpq]:
    """A sample point as exact rationals, by variable (shared: never modified)."""
    return dict(zip(symbols, numeric.rational_point(point), strict=True))


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
    guards = {"ref_guards": ref.guards, "ans_guards": ans.guards}
    if rs == shape or (_column_length(rs) is not None and _column_length(rs) == _column_length(shape)):
        return by_component(ref.value, ans.value, syms, tol, budget, **guards)
    if len(rs) != len(shape):
        if len(rs) == 2 and rs[0] == 1 and shape == (rs[1],):
            return Comparison("form", message=f"This answer is {describe(rs)} (one row): type it as [[a, b, ...]].")
        return Comparison("form", message=f"The answer should be {describe(rs)}; you entered {describe(shape)}.")
    if len(rs) == 1:
        return Comparison("mismatch", message=f"Your vector has {shape[0]} components; it should have {rs[0]}.")
    if shape == rs[::-1] and by_component(ref.value, ans.value.T, syms, tol, budget, **guards).status == "match":
        return Comparison("mismatch", message=TRANSPOSED)
    return Comparison("mismatch", message=f"Your matrix is {shape[0]}×{shape[1]}; it should be {rs[0]}×{rs[1]}.")


def by_component(
    ref: sympy.Basic,
    ans: sympy.Basic,
    symbols: tuple[sympy.Symbol, ...],
    tol: Tolerance,
    budget: Budget | None,
    *,
    ref_guards: Guards = (),
    ans_guards: Guards = (),
) -> Comparison:
    pairs = zip(components(ref), components(ans), strict=True)
    results = tuple(same(r, a, symbols, tol, budget, ref_guards=ref_guards, ans_guards=ans_guards) for r, a in pairs)
    if all(r is True for r in results):
        return Comparison("match", results)
    return Comparison("mismatch" if False in results else "unknown", results)
