"""Properties over random expressions: rewriting one in a form equal over the reals is accepted;
adding a term that is non-zero somewhere it is defined never is."""

import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from grading.core import grade_spec
from grading.core.equivalence import sample_reference
from grading.core.parsing import symbol
from grading.core.printing import to_text

X, Y = symbol("x"), symbol("y")
UNARY = [
    sympy.sin,
    sympy.cos,
    sympy.exp,
    sympy.atan,
    sympy.Abs,
    lambda e: sympy.sqrt(e**2 + 1),
    lambda e: sympy.log(e**2 + 1),
]

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
    # A generous budget: these are properties of the verdict, not of its time (test_equivalence has the budget).
    spec = {"kind": "expression", "reference": to_text(reference), "variables": ["x", "y"]}
    return grade_spec(spec, answer, budget_s=60.0)


# Identities valid for every real argument u: (the function, what it is rewritten as).
REWRITES = {
    "double angle": (sympy.sin, lambda u: 2 * sympy.sin(u / 2) * sympy.cos(u / 2)),
    "cosine": (sympy.cos, lambda u: 1 - 2 * sympy.sin(u / 2) ** 2),
    "exponent law": (sympy.exp, lambda u: sympy.exp(u / 2) ** 2),
    "log law": (lambda u: sympy.log(u**2 + 1), lambda u: sympy.log((u**2 + 1) / 2) + sympy.log(2)),
    "absolute value": (sympy.Abs, lambda u: sympy.sqrt(u**2)),
    "arctangent": (sympy.atan, lambda u: sympy.asin(u / sympy.sqrt(u**2 + 1))),
}


def _writable(value) -> bool:
    try:
        to_text(value)
    except ValueError:
        return False
    return sympy.count_ops(value) < 200


@given(expressions)
def test_a_reference_is_equal_to_itself_in_another_form(expr):
    assert grade(expr, to_text(expr)).status == "correct"
    assume(sample_reference(expr, (X, Y)).usable)
    for rewritten in (sympy.expand(expr), sympy.factor(expr)):
        assume(_writable(rewritten))
        assert grade(expr, to_text(rewritten)).status == "correct"


@given(expressions, expressions, expressions, st.sampled_from(sorted(REWRITES)))
def test_identities_valid_over_the_reals_are_accepted(a, b, u, name):
    function, identity = REWRITES[name]
    expr, rewritten = a + b * function(u), a + b * identity(u)
    # A reference no evaluator can sample (cos(exp(19683))) is refused at import, not graded.
    assume(_writable(expr) and _writable(rewritten) and sample_reference(expr, (X, Y)).usable)
    assert grade(expr, to_text(rewritten)).status == "correct", name


@given(expressions, st.sampled_from([sympy.Rational(1, 1000), sympy.Rational(-1, 1000), sympy.Rational(1, 10**4)]))
def test_a_small_change_is_incorrect(expr, nudge):
    assume(sample_reference(expr, (X, Y)).usable)
    nudged = expr + nudge * (1 + sympy.Abs(expr))  # off by at least 1e-4, relatively too, everywhere
    assert grade(expr, to_text(nudged)).status == "incorrect"


# Terms that are non-zero on part of the plane only: beyond a line, in a half-plane, away from a point.
REGIONS = [
    lambda a: sympy.Abs(X - a) + X - a,  # x > a
    lambda a: sympy.Abs(Y + a) - Y - a,  # y < -a
    lambda a: (X - a) ** 2,  # everywhere but x = a
    lambda a: sympy.Abs(X * Y - a) + X * Y - a,  # xy > a
]


@given(expressions, st.sampled_from(range(len(REGIONS))), st.integers(-8, 8), st.sampled_from([1, -1, 1000]))
def test_adding_a_term_that_is_non_zero_somewhere_is_never_accepted(expr, region, a, size):
    assume(sample_reference(expr, (X, Y)).usable)
    term = REGIONS[region](sympy.Integer(a)) * (1 + sympy.Abs(expr)) / size
    answer = expr + term
    assume(_writable(answer))
    assert grade(expr, to_text(answer)).status == "incorrect"
