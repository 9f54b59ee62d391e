"""Grading one answer's text: parse, then assess under the time budget. Never needs JAX."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from .assessment import assess_within, symbols_for
from .budget import Budget, BudgetExceeded
from .equivalence import Tolerance, describe
from .feedback import Mistake
from .parsing import AnswerError, Parsed, ParseError, parse
from .printing import normal_form
from .spec import DEFAULT_ATOL, DEFAULT_RTOL, KINDS, MATRIX_KIND, SpecError, is_number, name_list, tolerance
from .verdict import TOO_COMPLEX, Preview, Verdict

if TYPE_CHECKING:
    from .exercises import Exercise, Variant
    from .matrix.exercise import MatrixExercise

_RANK = {"numeric": 0, "expression": 0, "vector": 1, "matrix": 2}


def _grade_text(
    reference: Parsed,
    text: str,
    variables: tuple[str, ...],
    tol: Tolerance,
    *,
    partial_credit: bool = False,
    mistakes: tuple[Mistake, ...] = (),
    budget_s: float,
) -> Verdict:
    budget = Budget.within(budget_s)
    parsed: list[Parsed] = []  # kept for the LaTeX when time runs out after parsing

    def run() -> Verdict:
        try:
            parsed.append(parse(text, variables))
        except AnswerError as exc:
            return Verdict.invalid(exc.message)
        return assess_within(reference, parsed[0], symbols_for(variables), tol, partial_credit, mistakes, budget)

    try:
        return budget.guard(run)
    except BudgetExceeded:
        return Verdict.invalid(TOO_COMPLEX, parsed[0].latex if parsed else None)


def grade(variant: Variant, answer_text: str, *, budget_s: float = 2.0) -> Verdict:
    """Grade a student's text against one variant of an exercise."""
    ex = variant.exercise
    if ex.kind == MATRIX_KIND:
        return ex.grade(answer_text, budget_s=budget_s)  # type: ignore[attr-defined]
    return _grade_text(
        variant.reference,
        answer_text,
        ex.variables,
        ex.tolerance,
        partial_credit=ex.partial_credit,
        mistakes=variant.mistakes,
        budget_s=budget_s,
    )


@lru_cache(maxsize=1024)
def _reference(kind: str, text: str, variables: tuple[str, ...]) -> Parsed:
    try:
        reference = parse(text, variables)
    except AnswerError as exc:
        raise SpecError(exc.message, key="reference") from None
    if len(reference.shape) != _RANK[kind] or (kind == "numeric" and reference.value.free_symbols):
        raise SpecError(f"the reference is {describe(reference.shape)}, which does not fit kind {kind}", key="kind")
    return reference


def read_request(spec: object) -> tuple[Parsed, tuple[str, ...], Tolerance]:
    """The CLI's grading request {kind, reference, variables?, rtol?, atol?}; SpecError if malformed."""
    if not isinstance(spec, dict):
        raise SpecError("expected a JSON object")
    kind, text = spec.get("kind"), spec.get("reference")
    if kind not in KINDS:
        raise SpecError(f"expected one of {', '.join(KINDS)}, got {kind!r}", key="kind")
    if not (isinstance(text, str) or is_number(text)):
        raise SpecError("expected text", key="reference")
    variables = name_list(spec.get("variables") or [], "variables")
    tol = Tolerance(tolerance(spec, "rtol", DEFAULT_RTOL), tolerance(spec, "atol", DEFAULT_ATOL))
    return _reference(kind, str(text), variables), variables, tol


def grade_spec(spec: dict, answer_text: str, *, budget_s: float = 2.0) -> Verdict:
    """Grade against a bare reference (no exercise); SpecError if the spec itself is malformed."""
    if isinstance(spec, dict) and spec.get("kind") == MATRIX_KIND:
        from .matrix.request import grade_request

        return grade_request(spec, answer_text, budget_s=budget_s)
    reference, variables, tol = read_request(spec)
    if not isinstance(answer_text, str):
        raise SpecError("expected text", key="answer")
    return _grade_text(reference, answer_text, variables, tol, budget_s=budget_s)


def preview(text: str, kind: str, variables: Sequence[str]) -> Preview:
    """What the text was read as, or why it cannot be read; never grades."""
    try:
        parsed = parse(text, tuple(variables))
    except ParseError as exc:
        return Preview(False, None, exc.message, exc.position)
    except AnswerError as exc:
        return Preview(False, None, exc.message, getattr(exc, "position", None))
    rank = _RANK.get(kind, len(parsed.shape))
    if len(parsed.shape) != rank and not (rank == 2 and len(parsed.shape) == 1):
        wanted = {0: "a single value", 1: "a vector", 2: "a matrix"}[rank]
        return Preview(False, parsed.latex, f"The answer should be {wanted}; this is {describe(parsed.shape)}.")
    return Preview(True, parsed.latex, None, notes=parsed.notes)


def normalize(text: str, variables: Sequence[str]) -> str | None:
    """A canonical text for de-duplicating answers; None if the text does not parse."""
    try:
        parsed = parse(text, tuple(variables))
        return normal_form(parsed.value, parsed.guards)
    except AnswerError:
        return None


def preview_answer(exercise: Exercise | MatrixExercise, text: str) -> Preview:
    """`preview` for an exercise of any kind."""
    if exercise.kind == MATRIX_KIND:
        return exercise.preview(text)  # type: ignore[union-attr]
    return preview(text, exercise.kind, exercise.variables)


def normalize_answer(exercise: Exercise | MatrixExercise, text: str) -> str | None:
    """`normalize` for an exercise of any kind."""
    if exercise.kind == MATRIX_KIND:
        return exercise.normalize(text)  # type: ignore[union-attr]
    return normalize(text, exercise.variables)
