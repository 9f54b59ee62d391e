"""Why an answer is wrong, said only when it can be verified.

In order: the exercise's own wrong answers and the slips its reference form makes typical
(both matched by equivalence, per variant, before anything the engine says itself); then what
the shapes say (wrong length, transposed); then recognisable slips. For a number: close but
outside the tolerance (how close, and why that happens), the wrong sign, the reciprocal, a
factor of 2; otherwise a plain "not correct" (any two numbers differ by a constant factor, so
saying so would tell the student nothing). For an expression, vector or matrix: the negative,
the transpose, the right components in the wrong places, too few digits, a constant factor or a
direction that is not a unit vector; finally which components are wrong. Every claim is an
equivalence that was checked numerically; nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import TYPE_CHECKING

import numpy as np
import sympy

from . import numeric
from .equivalence import TRANSPOSED, Comparison, Tolerance, compare, components, sample_reference

if TYPE_CHECKING:
    from .parsing import Parsed

_MAX_PERMUTED = 6
_CLOSE = 2e-2  # within 2 %: "close", the usual sign of rounding too early
NOT_CORRECT = "Not correct."


@dataclass(frozen=True)
class Mistake:
    value: Parsed
    feedback: str


def explain(
    reference: Parsed,
    answer: Parsed,
    comparison: Comparison,
    symbols: tuple[sympy.Symbol, ...],
    tol: Tolerance,
    mistakes: tuple[Mistake, ...] = (),
) -> str:
    for mistake in mistakes:
        if compare(mistake.value, answer, symbols, tol).status == "match":
            return mistake.feedback
    if comparison.message:
        return comparison.message
    if not reference.shape and not reference.value.free_symbols:
        return _number(reference, answer, tol)
    try:
        values = _Values(reference, answer, symbols, tol)
    except numeric.Unsupported:
        return NOT_CORRECT
    for recognise in (_undefined, _negated, _transposed, _reordered, _rounded, _reciprocal, _scaled):
        if message := recognise(values):
            return message
    return _wrong_components(values, comparison)


class _Values:
    """The reference's components where each is defined, and the answer's everywhere: every claim
    below is a comparison of these arrays (the float screening of `equivalence`)."""

    def __init__(self, reference: Parsed, answer: Parsed, symbols: tuple[sympy.Symbol, ...], tol: Tolerance):
        self.reference, self.symbols, self.tol = reference, symbols, tol
        self.points = numeric.sample_points(len(symbols))
        self.refs = [sample_reference(r, symbols, reference.guards) for r in components(reference.value)]
        # Too large for float64 stays infinite (a mismatch), so NaN means undefined over the reals.
        self.answers = [
            numeric.evaluate(a, symbols, self.points, answer.guards, overflow=True) for a in components(answer.value)
        ]

    def agree(self, i: int, j: int, transform=None, tol: Tolerance | None = None) -> bool:
        """Whether answer component j matches `transform` of reference component i at i's points."""
        tol = tol or self.tol
        sampled = self.refs[i]
        if not sampled.usable:
            return False
        with np.errstate(all="ignore"):
            r = transform(sampled.values) if transform else sampled.values
            a = self.answers[j][sampled.index]
            return bool((np.abs(r - a) <= numeric.allowed(r, a, sampled.scale, tol.rtol, tol.atol)).all())

    def all_agree(self, transform=None, tol: Tolerance | None = None) -> bool:
        return all(self.agree(k, k, transform, tol) for k in range(len(self.refs)))

    def zero(self, i: int) -> bool:
        sampled = self.refs[i]
        return bool(np.all(np.abs(sampled.values) <= self.tol.atol))


def _number(reference: Parsed, answer: Parsed, tol: Tolerance) -> str:
    """A wrong number: a diagnosis only when it is one."""
    if answer.value.free_symbols:
        return NOT_CORRECT
    r, a = _float(reference.value), _float(answer.value)
    if r is None or a is None or r == 0:
        return NOT_CORRECT if a is not None else "Your answer is not a real number."
    relative = abs(a - r) / abs(r)
    if relative < max(_CLOSE, 10 * tol.rtol):
        return (
            f"Close, but outside the tolerance: your answer is off by {100 * relative:.2g} % of the correct "
            "value. Rounding too early is the usual cause: keep exact values (like sqrt(2) or 1/3) or more "
            "digits until the very end."
        )
    slips = (
        (-r, "Check the sign: your answer is the negative of the correct one."),
        (1 / r, "Your answer is the reciprocal of the correct one (upside down)."),
        (2 * r, "Your answer is twice the correct one: look for a factor of 2."),
        (r / 2, "Your answer is half the correct one: look for a missing factor of 2."),
    )
    for value, message in slips:
        if numeric.close(np.array(value), np.array(a), max(tol.rtol, 1e-9), tol.atol):
            return message
    return NOT_CORRECT


def _float(value: sympy.Basic) -> float | None:
    number = float(numeric.evaluate(value, (), np.zeros((1, 0)))[0])
    return number if np.isfinite(number) else None


def _undefined(v: _Values) -> str | None:
    """The answer is undefined (over the reals, as written) somewhere the reference is defined."""
    if len(v.answers) != len(v.refs) or not v.symbols:
        return None
    for sampled, answer in zip(v.refs, v.answers, strict=True):
        missing = sampled.index[np.isnan(answer[sampled.index])]
        if missing.size:
            where = ", ".join(f"{s} = {x:.3g}" for s, x in zip(v.symbols, v.points[missing[0]], strict=True))
            return (
                f"Your answer is not defined everywhere the correct one is (for example at {where}): "
                "check square roots, logarithms and inverse functions, which are defined for some numbers only."
            )
    return None


def _negated(v: _Values) -> str | None:
    if v.all_agree(np.negative) and not all(v.zero(k) for k in range(len(v.refs))):
        return "Check the signs: your answer is the negative of the correct one."
    return None


def _reciprocal(v: _Values) -> str | None:
    if v.reference.shape or v.zero(0):
        return None
    if v.all_agree(np.reciprocal):
        return "Your answer is the reciprocal of the correct one (upside down)."
    return None


def _transposed(v: _Values) -> str | None:
    shape = v.reference.shape
    if len(shape) != 2 or shape[0] != shape[1] or shape[0] == 1:
        return None
    n = shape[0]
    if all(v.agree(r * n + c, c * n + r) for r in range(n) for c in range(n)):
        return TRANSPOSED
    return None


def _reordered(v: _Values) -> str | None:
    count = len(v.refs)
    if not v.reference.shape or count > _MAX_PERMUTED or count != len(v.answers):
        return None
    match: dict[tuple[int, int], bool] = {}  # (j, i): answer j matches reference i, checked when first needed

    def matches(j: int, i: int) -> bool:
        if (j, i) not in match:
            match[j, i] = v.agree(i, j)
        return match[j, i]

    for order in permutations(range(count)):
        if all(matches(j, i) for j, i in enumerate(order)):
            where = "components" if len(v.reference.shape) == 1 else "entries"
            return f"The {where} are right but in the wrong places."
    return None


def _rounded(v: _Values) -> str | None:
    """Within 2 % everywhere but not within the exercise's tolerance: too few digits."""
    loose = Tolerance(rtol=_CLOSE, atol=v.tol.atol * 1e3)
    if v.tol.rtol < _CLOSE and v.all_agree(tol=loose):
        return "Close, but not accurate enough: use exact values (like sqrt(2) or 1/3) or more digits."
    return None


def _scaled(v: _Values) -> str | None:
    """The answer is c times the reference for one constant c (checked at the sample points)."""
    ratios = []
    for sampled, answer in zip(v.refs, v.answers, strict=True):
        if not sampled.usable:
            return None
        values = answer[sampled.index]
        nonzero = np.abs(sampled.values) > v.tol.atol
        if not numeric.close(values[~nonzero], 0.0, 0.0, v.tol.atol).all():
            return None
        with np.errstate(all="ignore"):
            ratios.append(values[nonzero] / sampled.values[nonzero])
    flat = np.concatenate(ratios) if ratios else np.array([])
    if flat.size == 0 or not numeric.close(flat, flat[0], 1e-9, 0.0).all() or abs(flat[0]) < 1e-12:
        return None
    if abs(flat[0] - 1) < 1e-6:  # equal where both are defined: not a factor at all
        return None
    reference = v.reference.value
    length = float(np.linalg.norm([float(c) for c in components(reference)])) if not reference.free_symbols else 0.0
    if len(v.reference.shape) == 1 and flat[0] > 0 and abs(length - 1) < 1e-9:
        return "Your vector points in the right direction but is not a unit vector: divide it by its length."
    return "Your answer is off by a constant factor."


def _wrong_components(v: _Values, comparison: Comparison) -> str:
    shape = v.reference.shape
    if not shape:
        return NOT_CORRECT
    columns = shape[1] if len(shape) == 2 else 1
    signs: list[str] = []
    wrong: list[str] = []
    for k, ok in enumerate(comparison.components):
        if ok is not False:
            continue
        label = str(k + 1) if len(shape) == 1 else f"({k // columns + 1}, {k % columns + 1})"
        negated = v.agree(k, k, np.negative) and not v.zero(k)
        (signs if negated else wrong).append(label)
    noun = "Component" if len(shape) == 1 else "Entry"
    plural = "Components" if len(shape) == 1 else "Entries"
    parts = []
    if wrong:
        parts.append(f"{noun} {wrong[0]} is wrong." if len(wrong) == 1 else f"{plural} {_join(wrong)} are wrong.")
    if signs:
        verb = "has" if len(signs) == 1 else "have"
        parts.append(f"{noun if len(signs) == 1 else plural} {_join(signs)} {verb} the wrong sign.")
    return " ".join(parts) or NOT_CORRECT


def _join(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
