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
from .equivalence import TRANSPOSED, Comparison, Tolerance, compare, components, same, sample_reference

if TYPE_CHECKING:
    from .parsing import Parsed

_MAX_PERMUTED = 6
_CLOSE = 1e-2  # within 1 %: "close", the usual sign of rounding too early
NOT_CORRECT = "Not correct."


@dataclass(frozen=True)
class Mistake:
    value: Parsed
    feedback: str


def _like(value: sympy.Basic, model: Parsed) -> Parsed:
    from .parsing import Parsed

    return Parsed(value, model.shape, "")


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
    for recognise in (_undefined, _negated, _transposed, _reordered, _rounded, _reciprocal, _scaled):
        if message := recognise(reference, answer, symbols, tol):
            return message
    return _wrong_components(reference, answer, comparison, symbols, tol)


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


def _is_zero(value: sympy.Basic, symbols: tuple[sympy.Symbol, ...], tol: Tolerance) -> bool:
    return all(same(c, sympy.S.Zero, symbols, tol) is True for c in components(value))


def _undefined(reference: Parsed, answer: Parsed, symbols: tuple, tol: Tolerance) -> str | None:
    """The answer is undefined (over the reals, as written) somewhere the reference is defined."""
    if reference.shape != answer.shape or not symbols:
        return None
    for r, a in zip(components(reference.value), components(answer.value), strict=True):
        sampled = sample_reference(r, symbols, reference.guards)
        points = numeric.sample_points(len(symbols))[sampled.index]
        try:
            values = numeric.evaluate(a, symbols, points, answer.guards)
        except numeric.Unsupported:
            return None
        missing = np.flatnonzero(np.isnan(values))
        if missing.size:
            where = ", ".join(f"{s} = {v:.3g}" for s, v in zip(symbols, points[missing[0]], strict=True))
            return (
                f"Your answer is not defined everywhere the correct one is (for example at {where}): "
                "check square roots, logarithms and inverse functions, which are defined for some numbers only."
            )
    return None


def _negated(reference: Parsed, answer: Parsed, symbols: tuple, tol: Tolerance) -> str | None:
    negative = _like(-reference.value, reference)
    if compare(negative, answer, symbols, tol).status == "match" and not _is_zero(reference.value, symbols, tol):
        return "Check the signs: your answer is the negative of the correct one."
    return None


def _reciprocal(reference: Parsed, answer: Parsed, symbols: tuple, tol: Tolerance) -> str | None:
    if reference.shape or reference.value == 0:
        return None
    upside_down = _like(1 / reference.value, reference)
    if compare(upside_down, answer, symbols, tol).status == "match":
        return "Your answer is the reciprocal of the correct one (upside down)."
    return None


def _transposed(reference: Parsed, answer: Parsed, symbols: tuple, tol: Tolerance) -> str | None:
    shape = reference.shape
    if len(shape) != 2 or shape[0] != shape[1] or shape[0] == 1:
        return None
    transpose = _like(reference.value.T, reference)
    if compare(transpose, answer, symbols, tol).status == "match":
        return TRANSPOSED
    return None


def _reordered(reference: Parsed, answer: Parsed, symbols: tuple, tol: Tolerance) -> str | None:
    refs, answers = components(reference.value), components(answer.value)
    if not reference.shape or len(refs) > _MAX_PERMUTED or len(refs) != len(answers):
        return None
    match = [[same(r, a, symbols, tol) is True for r in refs] for a in answers]
    for order in permutations(range(len(refs))):
        if all(match[i][j] for i, j in enumerate(order)):
            where = "components" if len(reference.shape) == 1 else "entries"
            return f"The {where} are right but in the wrong places."
    return None


def _rounded(reference: Parsed, answer: Parsed, symbols: tuple, tol: Tolerance) -> str | None:
    """Within 1 % everywhere but not within the exercise's tolerance: too few digits."""
    loose = Tolerance(rtol=_CLOSE, atol=tol.atol * 1e3)
    if tol.rtol < _CLOSE and compare(reference, answer, symbols, loose).status == "match":
        return "Close, but not accurate enough: use exact values (like sqrt(2) or 1/3) or more digits."
    return None


def _scaled(reference: Parsed, answer: Parsed, symbols: tuple, tol: Tolerance) -> str | None:
    """The answer is c times the reference for one constant c (checked at the sample points)."""
    ratios = []
    for r, a in zip(components(reference.value), components(answer.value), strict=True):
        sampled = sample_reference(r, symbols)
        if not sampled.usable:
            return None
        try:
            values = numeric.evaluate(a, symbols, numeric.sample_points(len(symbols))[sampled.index])
        except numeric.Unsupported:
            return None
        nonzero = np.abs(sampled.values) > tol.atol
        if not numeric.close(values[~nonzero], 0.0, 0.0, tol.atol).all():
            return None
        with np.errstate(all="ignore"):
            ratios.append(values[nonzero] / sampled.values[nonzero])
    flat = np.concatenate(ratios) if ratios else np.array([])
    if flat.size == 0 or not numeric.close(flat, flat[0], 1e-9, 0.0).all() or abs(flat[0]) < 1e-12:
        return None
    if abs(flat[0] - 1) < 1e-6:  # equal where both are defined: not a factor at all
        return None
    length = (
        float(np.linalg.norm([float(c) for c in components(reference.value)]))
        if not reference.value.free_symbols
        else 0.0
    )
    if len(reference.shape) == 1 and flat[0] > 0 and abs(length - 1) < 1e-9:
        return "Your vector points in the right direction but is not a unit vector: divide it by its length."
    return "Your answer is off by a constant factor."


def _wrong_components(reference: Parsed, answer: Parsed, comparison: Comparison, symbols: tuple, tol: Tolerance) -> str:
    if not reference.shape:
        return NOT_CORRECT
    refs, answers = components(reference.value), components(answer.value)
    columns = reference.shape[1] if len(reference.shape) == 2 else 1
    signs: list[str] = []
    wrong: list[str] = []
    for k, ok in enumerate(comparison.components):
        if ok is not False:
            continue
        label = str(k + 1) if len(reference.shape) == 1 else f"({k // columns + 1}, {k % columns + 1})"
        negated = same(-refs[k], answers[k], symbols, tol) is True and not _is_zero(refs[k], symbols, tol)
        (signs if negated else wrong).append(label)
    noun = "Component" if len(reference.shape) == 1 else "Entry"
    plural = "Components" if len(reference.shape) == 1 else "Entries"
    parts = []
    if wrong:
        parts.append(f"{noun} {wrong[0]} is wrong." if len(wrong) == 1 else f"{plural} {_join(wrong)} are wrong.")
    if signs:
        verb = "has" if len(signs) == 1 else "have"
        parts.append(f"{noun if len(signs) == 1 else plural} {_join(signs)} {verb} the wrong sign.")
    return " ".join(parts) or NOT_CORRECT


def _join(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
