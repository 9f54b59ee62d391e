"""Properties over random expressions: a reference is equal to itself in any form, and not to a nudge of it."""

import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from grading.core import grade_spec
from grading.core.equivalence import sample_reference
from grading.core.parsing import symbol
from grading.core.printing import to_text

X, Y = symbol("x"), symbol("y")
UNARY = [sympy.sin, sympy.cos, sympy.exp, sympy.atan, sympy.Abs, lambda e: sympy.sqrt(e**2 + 1)]

leaves = st.sampled_from([X, Y]) | st.integers(-4, 4).map(sympy.Integer) | st.sampled_from([sympy.Rational(1, 2)])
expressions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: p[0] + p[1]),
        st.tuples(inner, inner).map(lambda p: p[0] * p[1]),
        st.tuples(inner, st.integers(2, 3)).map(lambda p: p[0] ** p[1]),
        st.tuples(st.sampled_from(UNARY), inner).map(lambda p: p[0](p[1])),
    ),
    max_leaves=8,
)


def grade(reference, answer):
    return grade_spec({"kind": "expression", "reference": to_text(reference), "variables": ["x", "y"]}, answer)


@given(expressions)
def test_a_reference_is_equal_to_itself_in_another_form(expr):
    assert grade(expr, to_text(expr)).status == "correct"
    expanded = sympy.expand(expr)
    assume(sympy.count_ops(expanded) < 200)
    assert grade(expr, to_text(expanded)).status == "correct"


@given(expressions, st.sampled_from([sympy.Rational(1, 1000), sympy.Rational(-1, 1000), sympy.Rational(1, 10**4)]))
def test_a_small_change_is_incorrect(expr, nudge):
    assume(sample_reference(expr, (X, Y)).usable)
    nudged = expr + nudge * (1 + sympy.Abs(expr))  # off by at least 1e-4, relatively too, everywhere
    assert grade(expr, to_text(nudged)).status == "incorrect"
