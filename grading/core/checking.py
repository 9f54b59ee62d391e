"""The import-time check of one variant: the reference computes and has the promised form, SymPy
and JAX agree on it, and every authored wrong answer parses and is really graded incorrect."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import sympy

from . import derivatives, numeric
from .assessment import assess, symbols_for
from .equivalence import Tolerance, components, sample_reference
from .parsing import AnswerError, Parsed, parse, symbol
from .spec import SpecProblem, wrong_answer_problem


class Variant(Protocol):
    """What the check needs of an `exercises.Variant` (named here so that this module needs no import of it)."""

    @property
    def exercise(self) -> Any: ...
    @property
    def reference(self) -> Parsed: ...
    @property
    def constants(self) -> Mapping[str, sympy.Basic]: ...


_CROSS_POINTS = 5
# How closely SymPy and JAX must agree (both exact up to float64 rounding).
_CROSS_CHECK = Tolerance(rtol=1e-7, atol=1e-9)


def check_variant(variant: Variant) -> list[SpecProblem]:
    ex = variant.exercise
    ref = variant.reference
    symbols = symbols_for(ex.variables)
    comps = components(ref.value)
    free = set().union(*(c.free_symbols for c in comps))
    wanted = {"numeric": 0, "expression": 0, "vector": 1, "matrix": 2}[ex.kind]
    if len(ref.shape) != wanted or (ex.kind == "numeric" and free):
        return [SpecProblem("reference", f"the reference {ref.latex} is not what kind {ex.kind} asks for")]
    if extra := free - set(symbols):
        return [SpecProblem("reference", f"the reference uses {sorted(map(str, extra))}, which are not in variables")]
    if free:
        if not all(sample_reference(c, symbols).usable for c in comps):
            undefined = "the reference is undefined at almost every sample point; answers could not be checked"
            return [SpecProblem("reference", undefined)]
    elif not np.isfinite(_floats(comps)).all():
        return [SpecProblem("reference", f"the reference {ref.latex} is not a real number")]
    problems = _cross_check(variant) if ex.derivative is not None else []
    for i, (text, _) in enumerate(ex.wrong_answers):
        try:
            parsed = parse(text, ex.variables, constants=variant.constants)
        except AnswerError as exc:
            problems.append(SpecProblem(f"wrong_answers[{i}].answer", exc.message))
            continue
        verdict = assess(ref, parsed, ex.variables, ex.tolerance, budget_s=5.0)
        if problem := wrong_answer_problem(i, text, verdict.status, verdict.feedback):
            problems.append(problem)
    return problems


def _floats(comps: list[sympy.Basic]) -> np.ndarray:
    return np.array([numeric.evaluate(c, (), np.zeros((1, 0)))[0] for c in comps])


def _cross_check(variant: Variant) -> list[SpecProblem]:
    """SymPy's reference against JAX's, at the point or (symbolic) at a few sample points."""
    ex = variant.exercise
    d = ex.derivative
    assert d is not None
    at, direction = ex.point(variant.constants)
    params = [
        (symbol(p.name), float(variant.constants[p.name]))
        for p in ex.parameters
        if not isinstance(variant.constants[p.name], sympy.MatrixBase)
    ]
    comps = components(variant.reference.value)
    if at is not None:
        points = np.array([[float(at[w]) for w in d.wrt]])
        expected = _floats(comps)[None, :]
    else:
        grid = numeric.sample_points(len(d.wrt))
        values = np.stack([numeric.evaluate(c, d.wrt, grid) for c in comps], axis=1)
        rows = np.flatnonzero(np.isfinite(values).all(axis=1))[:_CROSS_POINTS]
        points, expected = grid[rows], values[rows]
    unit = [float(c) for c in direction] if direction is not None else None
    for point, want in zip(points, expected, strict=True):
        try:
            got = derivatives.numeric(d, params, point, unit)
        except Exception as exc:  # noqa: BLE001 - JAX's errors are many; the author needs the text
            says = f"the derivative cannot be computed numerically here; is the function defined there? ({exc})"
            return [SpecProblem("reference", says)]
        if got.shape != want.shape or not numeric.close(want, got, _CROSS_CHECK.rtol, _CROSS_CHECK.atol).all():
            where = ", ".join(f"{w}={v:.6g}" for w, v in zip(d.wrt, point, strict=True))
            disagree = (
                f"the symbolic and the numeric derivative differ at {where} ({want.tolist()} against {got.tolist()}): "
                "the function probably has a kink or a branch there; choose another point or simplify the function"
            )
            return [SpecProblem("reference", disagree)]
    return []
