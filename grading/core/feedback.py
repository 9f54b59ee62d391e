"""Why an answer is wrong, said only when it can be verified.

In order: the exercise's own wrong answers and the slips its reference form makes typical
(both matched by equivalence, per variant); then recognisable slips: the negative of the answer,
the transpose, the right components in the wrong order, too few digits, a constant factor (a
direction that is not a unit vector); finally which components are wrong. Every claim is an
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
_CLOSE = 1e-3
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
    if comparison.message:
        return comparison.message
    for mistake in mistakes:
        if compare(mistake.value, answer, symbols, tol).status == "match":
            return mistake.feedback
    for recognise in (_negated, _transposed, _reordered, _rounded, _scaled):
        if message := recognise(reference, answer, symbols, tol):
            return message
    return _wrong_components(reference, answer, comparison, symbols, tol)


def _is_zero(value: sympy.Basic, symbols: tuple[sympy.Symbol, ...], tol: Tolerance) -> bool:
    return all(same(c, sympy.S.Zero, symbols, tol) is True for c in components(value))


def _negated(reference: Parsed, answer: Parsed, symbols: tuple, tol: Tolerance) -> str | None:
    negative = _like(-reference.value, reference)
    if compare(negative, answer, symbols, tol).status == "match" and not _is_zero(reference.value, symbols, tol):
        return "Check the signs: your answer is the negative of the correct one."
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
    """Within 0.1 % everywhere but not within the exercise's tolerance: too few digits."""
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
        ratios.append(values[nonzero] / sampled.values[nonzero])
    flat = np.concatenate(ratios) if ratios else np.array([])
    if flat.size == 0 or not numeric.close(flat, flat[0], 1e-9, 0.0).all() or abs(flat[0]) < 1e-12:
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
