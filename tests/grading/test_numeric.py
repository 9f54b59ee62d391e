"""High-precision evaluation: when an answer that seems undefined at a point is settled at once."""

import pytest
import sympy

from grading.core import numeric
from grading.core.parsing import symbol

x = symbol("x")


def agree(reference: sympy.Expr, answer: sympy.Expr, at: float) -> bool | None:
    return numeric.agree_precisely((reference, ()), (answer, ()), (x,), [at], 1e-6, 0.0)


@pytest.mark.parametrize(
    ("answer", "at"),
    [
        (sympy.log(x), -1.5),  # a coordinate outside the domain
        (sympy.sqrt(x), -0.25),
        (sympy.log(x - 1), 0.5),  # a rational function of the coordinates, negative exactly
        (sympy.asin(x**2 + 1), 0.75),
    ],
)
def test_a_partial_function_of_an_exact_argument_outside_its_domain_is_settled_without_more_digits(answer, at):
    with pytest.raises(numeric._OffDomain):
        numeric._precise(answer, (x,), [at], (), 41)
    assert agree(x, answer, at) is False


def test_an_argument_rounded_outside_a_domain_gets_more_digits():
    # Exactly 1 everywhere; at 41 digits the cancellation at x = 7.1e30 leaves a negative number under the root.
    answer = sympy.sqrt((x + 1) ** 2 - x**2 - 2 * x)
    assert numeric._precise(answer, (x,), [7.1e30], (), 41) is None
    assert agree(sympy.Integer(1), answer, 7.1e30) is True


def test_an_interval_open_at_one_is_never_settled_by_a_rounded_argument():
    # x/(x + 1) is just below 1, so atanh is defined; at 41 digits it rounds to 1, where atanh is not.
    answer = sympy.atanh(x / (x + 1))
    assert numeric._precise(answer, (x,), [1e50], (), 41) is None
    assert agree(sympy.log(2 * x + 1) / 2, answer, 1e50) is True
