"""Assessing a parsed answer against a parsed reference: compare under a budget, then explain.

Shared by grading a student's text (`grader`) and by the import-time check of authored wrong
answers (`checking`), which is why it lives apart from both.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import sympy

from .budget import Budget, BudgetExceeded
from .equivalence import Tolerance, compare
from .feedback import Mistake, explain
from .parsing import Parsed, symbol
from .printing import normal_form
from .verdict import TOO_COMPLEX, Verdict

CORRECT = "Correct."


@lru_cache(maxsize=256)
def symbols_for(variables: tuple[str, ...]) -> tuple[sympy.Symbol, ...]:
    return tuple(symbol(v) for v in variables)


def assess(
    reference: Parsed,
    answer: Parsed,
    variables: Sequence[str],
    tol: Tolerance,
    *,
    partial_credit: bool = False,
    mistakes: tuple[Mistake, ...] = (),
    budget_s: float = 2.0,
) -> Verdict:
    """Grade an already parsed answer (authored wrong answers are checked this way too)."""
    budget = Budget.within(budget_s)
    symbols = symbols_for(tuple(variables))
    try:
        return budget.guard(lambda: assess_within(reference, answer, symbols, tol, partial_credit, mistakes, budget))
    except BudgetExceeded:
        return Verdict.invalid(TOO_COMPLEX, answer.latex)


def assess_within(
    reference: Parsed,
    answer: Parsed,
    symbols: tuple[sympy.Symbol, ...],
    tol: Tolerance,
    partial_credit: bool,
    mistakes: tuple[Mistake, ...],
    budget: Budget,
) -> Verdict:
    normalized = normal_form(answer.value, answer.guards)
    comparison = compare(reference, answer, symbols, tol, budget)
    if comparison.status == "form":
        return Verdict.invalid(comparison.message, answer.latex)
    if comparison.status == "unknown":
        return Verdict.invalid(TOO_COMPLEX, answer.latex)
    if comparison.status == "match":
        return Verdict("correct", 1.0, CORRECT, answer.latex, normalized)
    results = comparison.components
    score = sum(r is True for r in results) / len(results) if partial_credit and results else 0.0
    message = explain(reference, answer, comparison, symbols, tol, mistakes)
    return Verdict("incorrect", score, message, answer.latex, normalized)
