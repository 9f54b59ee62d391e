"""Building values only once they are known to be cheap, and recording where they are defined.

SymPy evaluates eagerly: ``Pow(9, 10**6)`` computes the integer at once. So every value carries an
upper bound on the digits of the exact numbers inside it, and each operation checks the bound of its
result before asking SymPy for it.

SymPy also simplifies as it builds: ``sqrt(x)^2`` becomes ``x`` and ``exp(log(x))`` becomes ``x``,
which are defined where what the student wrote is not. So every value also carries its *guards*:
the subexpressions, as built when they were written, that must be finite and real for the whole
to be defined (roots, logarithms, inverse trigonometric functions, powers with a non-integer
exponent). Equivalence evaluates them with the value, so the domain is that of the text as written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

import numpy as np
import sympy
from sympy.functions.elementary.hyperbolic import InverseHyperbolicFunction
from sympy.functions.elementary.trigonometric import InverseTrigonometricFunction

from .errors import AnswerError, LimitError, ShapeError
from .limits import Limits

_INVERSES = (InverseTrigonometricFunction, InverseHyperbolicFunction)
Value = Union[sympy.Expr, sympy.ImmutableMatrix]  # noqa: UP007 (a runtime alias)
Shape = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Val:
    """A value being built, with the bounds that are checked before SymPy computes anything."""

    expr: Value
    shape: Shape = ()
    digits: float = 0.0  # upper bound on log10 of every exact number inside
    radicand: float = 0.0  # digits of the numbers under roots that a product may merge
    guards: tuple[sympy.Expr, ...] = ()  # must be finite and real wherever the value is defined


def merge(*values: Val) -> tuple[sympy.Expr, ...]:
    """The guards of several values, each once."""
    if not any(v.guards for v in values):
        return ()
    return tuple(dict.fromkeys(g for v in values for g in v.guards))


def _real_constant(expr: sympy.Expr) -> bool:
    """Whether a constant is a finite real number (log(-1) and asin(2) are not)."""
    if expr.has(sympy.I):
        return False
    try:
        value = complex(expr.evalf(15))
    except (TypeError, ValueError):
        return False
    return abs(value.imag) <= 1e-12 * max(1.0, abs(value.real)) and bool(np.isfinite(value.real))


def guarded(expr: sympy.Expr, inputs: tuple[Val, ...]) -> tuple[sympy.Expr, ...]:
    """The guards of a partial function's result: its inputs' guards and itself as written."""
    guards = merge(*inputs)
    if expr.free_symbols:
        return (*guards, expr) if expr not in guards else guards
    if _real_constant(expr):
        return guards
    return (*guards, sympy.nan)  # undefined everywhere over the reals


def digits(number: sympy.Rational) -> float:
    """log10 of the larger of a rational's numerator and denominator (0 for 0 and ±1)."""
    return math.log10(max(abs(number.p), number.q))


def digits_of(value: sympy.Basic) -> float:
    """Largest digit count of the exact numbers inside a trusted value (constants only)."""
    return max((digits(a) for a in value.atoms(sympy.Rational)), default=0.0)


def _count(entries: int) -> str:
    return f"{entries} entr{'y' if entries == 1 else 'ies'}"


def shape_name(shape: Shape) -> str:
    """A shape as a student reads it: "a number", "a vector of length 2", "a 2×3 matrix"."""
    if shape == ():
        return "a number"
    if len(shape) == 1:
        return f"a vector of length {shape[0]}"
    return f"a {shape[0]}×{shape[1]} matrix"


def _coefficients(term: sympy.Expr) -> list[sympy.Rational]:
    """The rational coefficients SymPy adds up when ``term`` joins a sum (floats and nan have none)."""
    coefficients = [t.as_coeff_Mul()[0] for t in sympy.Add.make_args(term)]
    return [c for c in coefficients if c.is_Rational]


def _sum_digits(coefficients: list[sympy.Rational]) -> float:
    """Bound on the digits of a sum of rationals: the denominators multiply, the numerators barely grow."""
    if not coefficients:
        return 0.0
    numerator = max(math.log10(max(abs(c.p), 1)) for c in coefficients)
    denominators = sum(math.log10(c.q) for c in coefficients)
    return numerator + denominators + math.log10(len(coefficients))


class Builder:
    """Arithmetic on ``Val`` that refuses, with a LimitError or ShapeError, what would be too costly."""

    def __init__(self, limits: Limits):
        self.limits = limits

    def _check_digits(self, bound: float) -> None:
        if bound > self.limits.max_digits:
            raise LimitError(
                f"This answer would create a number with about {int(bound):,} digits; "
                f"the limit is {self.limits.max_digits:,}."
            )

    def _check_radicand(self, bound: float) -> None:
        if bound > self.limits.max_root_digits:
            raise LimitError(f"Roots of numbers with more than {self.limits.max_root_digits} digits are not allowed.")

    def _check_exponent(self, exponent: sympy.Rational) -> None:
        # In integers (|p/q| > m as |p| > m q): SymPy's comparisons with ints are slow.
        if abs(exponent.p) > self.limits.max_exponent * exponent.q or exponent.q > self.limits.max_exponent:
            raise LimitError(f"Exponents larger than {self.limits.max_exponent} are not allowed.")

    def _complex_bound(self, value: Val) -> float:
        """|a + b i| is sqrt(a^2 + b^2), computed at once: roots of complex values square their numbers."""
        if value.expr.has(sympy.I):
            self._check_radicand(2 * value.digits + math.log10(2))
            return 2 * value.digits + math.log10(2)
        return value.digits

    def _check_powers(self, expr: sympy.Expr) -> None:
        """Exponents merged by SymPy obey the exponent limit too: (x^600)^2 is x^1200."""
        for factor in sympy.Mul.make_args(expr):
            exp = factor.exp if factor.is_Pow else None
            if exp is not None and exp.is_Rational and abs(exp.p) > self.limits.max_exponent * exp.q:
                raise LimitError(f"Exponents larger than {self.limits.max_exponent} are not allowed.")

    def number(self, value: sympy.Rational) -> Val:
        """A number written in the answer."""
        return Val(value, (), digits(value))

    def negate(self, value: Val) -> Val:
        """-value; SymPy may distribute the sign, which creates no larger numbers."""
        return Val(-value.expr, value.shape, value.digits, value.radicand, value.guards)

    def vector(self, items: list[Val]) -> Val:
        """A vector of numbers or, when every item is a vector of the same length, a matrix of rows."""
        bound = max(item.digits for item in items)
        if all(item.shape == () for item in items):
            return Val(sympy.ImmutableMatrix([item.expr for item in items]), (len(items),), bound, 0.0, merge(*items))
        if any(len(item.shape) != 1 for item in items):
            raise ShapeError("The entries of a vector must be numbers; the rows of a matrix must all be vectors")
        length = items[0].shape[0]
        for number, item in enumerate(items[1:], start=2):
            if item.shape[0] != length:
                raise ShapeError(
                    f"Row {number} of the matrix has {_count(item.shape[0])} but row 1 has {_count(length)}"
                )
        rows = [list(item.expr) for item in items]
        return Val(sympy.ImmutableMatrix(rows), (len(items), length), bound, 0.0, merge(*items))

    def add(self, terms: list[Val]) -> Val:
        """A sum of terms of one shape."""
        shape = terms[0].shape
        for term in terms[1:]:
            if term.shape != shape:
                raise ShapeError(f"Can't add {shape_name(shape)} and {shape_name(term.shape)}")
        biggest = max(t.digits for t in terms)
        if shape == ():
            # Only coefficients are added up (like terms, rational terms); other numbers stay as they are.
            summed = _sum_digits([c for t in terms for c in _coefficients(t.expr)])
            bound = max(biggest, summed)
            self._check_digits(bound)
            return Val(sympy.Add(*[t.expr for t in terms]), (), bound, 0.0, merge(*terms))
        bound = sum(t.digits for t in terms) + math.log10(len(terms))
        self._check_digits(bound)
        total = terms[0].expr
        for term in terms[1:]:
            total = total + term.expr
        return Val(total, shape, bound, 0.0, merge(*terms))

    def multiply(self, factors: list[tuple[bool, Val]]) -> Val:
        """A product; each factor is (divide, value), so a/b*c is [(False, a), (True, b), (False, c)]."""
        # Coefficients multiply; exponents of repeated factors add up (x*x*x is x^3).
        repeated = sum(1 for _, f in factors if not f.expr.is_Rational)
        bound = sum(f.digits for _, f in factors) + math.log10(max(repeated, 1))
        self._check_digits(bound)
        radicand = sum(f.radicand for _, f in factors)
        self._check_radicand(radicand)  # a product merges roots: sqrt(a)*sqrt(b) = sqrt(a*b)
        if all(f.shape == () for _, f in factors):
            expr = sympy.Mul(*[self._reciprocal(f).expr if divide else f.expr for divide, f in factors])
            self._check_powers(expr)
            return Val(expr, (), bound, radicand, merge(*[f for _, f in factors]))
        result = factors[0][1]
        for divide, factor in factors[1:]:
            result = self._times(result, self._reciprocal(factor) if divide else factor)
        return result

    def _reciprocal(self, value: Val) -> Val:
        if value.shape:
            raise ShapeError(f"Can't divide by {shape_name(value.shape)}")
        if value.expr == 0:
            raise AnswerError("The answer divides by zero.")
        return Val(sympy.Pow(value.expr, -1), (), value.digits, value.radicand, value.guards)

    def _times(self, left: Val, right: Val) -> Val:
        if left.shape == () or right.shape == ():
            bound = left.digits + right.digits
            self._check_digits(bound)
            return Val(left.expr * right.expr, left.shape or right.shape, bound, 0.0, merge(left, right))
        if len(left.shape) == 2 and left.shape[1] == right.shape[0]:
            inner = left.shape[1]
            bound = left.digits + right.digits + math.log10(inner)
            self._check_digits(bound)
            shape = (left.shape[0],) if len(right.shape) == 1 else (left.shape[0], right.shape[1])
            return Val(left.expr * right.expr, shape, bound, 0.0, merge(left, right))
        raise ShapeError(f"Can't multiply {shape_name(left.shape)} by {shape_name(right.shape)}")

    def power(self, base: Val, exponent: Val) -> Val:
        """base^exponent, refused when the exponent or the numbers it would create are too large."""
        if base.shape or exponent.shape:
            raise ShapeError(f"Can't raise {shape_name(base.shape)} to the power of {shape_name(exponent.shape)}")
        b, e = base.expr, exponent.expr
        if b is sympy.E:
            return self.apply(sympy.exp, [exponent])
        if not e.is_Rational:  # a symbolic exponent: SymPy leaves the power as it is
            bound = max(base.digits, exponent.digits)
            expr = sympy.Pow(b, e)
            return Val(expr, (), bound, 0.0, guarded(expr, (base, exponent)))
        if b.is_Rational and b.p < 0 and not e.is_Integer and e.q % 2 == 1:
            # Odd roots of negative numbers are real: (-8)^(1/3) = -2, not SymPy's principal complex root.
            magnitude = self.power(Val(-b, (), base.digits), exponent)
            return magnitude if e.p % 2 == 0 else self.negate(magnitude)
        if b.is_Integer and b.p in (0, 1, -1):
            if b.p == 0 and e.p < 0:
                raise AnswerError("The answer divides by zero.")
            expr = sympy.Pow(b, e)
            return Val(expr, (), base.digits, 0.0, merge(base) if e.is_Integer else guarded(expr, (base,)))
        self._check_exponent(e)
        if b.is_Rational:
            bound = abs(float(e)) * base.digits
        elif b.is_Mul or b.is_Pow:
            # SymPy raises each factor: coefficients to the power e, exponents multiplied by e.
            bound = max(abs(float(e)), 1.0) * base.digits + digits(e)
        else:  # sums and functions keep their numbers: (x+1)^5 stays, exp(x)^5 is exp(5x)
            bound = base.digits + digits(e)
        self._check_digits(bound)
        radicand = base.radicand
        if not e.is_Integer:
            radicand = self._complex_bound(base)
            self._check_radicand(radicand)
            bound = max(bound, radicand)
        expr = sympy.Pow(b, e)
        self._check_powers(expr)
        guards = merge(base, exponent) if e.is_Integer else guarded(expr, (base,))
        return Val(expr, (), bound, radicand, guards)

    def apply(self, function: Callable[..., sympy.Expr], args: list[Val], *, partial: bool = False) -> Val:
        """A whitelisted function of scalars; most keep their arguments' numbers as they are.

        ``partial``: the function is defined on part of the real line only (log, asin, ...), so the
        result as built becomes a guard.
        """
        bound = max(self._complex_bound(a) for a in args)
        radicand = 0.0
        first = args[0].expr
        if function is sympy.exp and first.has(sympy.log):
            # exp(c*log(u)) is u^c, computed at once: the limits of a power apply.
            for term in sympy.Add.make_args(first):
                c = term.as_coeff_Mul()[0]
                if term.has(sympy.log) and c.is_Rational and c not in (1, -1):
                    self._check_exponent(c)
                    base = max(digits_of(log.args[0]) for log in term.atoms(sympy.log))
                    bound = max(bound, abs(float(c)) * base + digits(c))
                    if not c.is_Integer:
                        self._check_radicand(base)
                        radicand = max(radicand, base)
        elif isinstance(first, _INVERSES):
            bound = 2 * bound + math.log10(2)  # cos(atan(y)) is 1/sqrt(1 + y^2), computed at once
            self._check_radicand(bound)
        self._check_digits(bound)
        expr = function(*[a.expr for a in args])
        if isinstance(expr, sympy.Function) and expr.args:
            expr = expr.func(*expr.args)  # SymPy leaves abs(-abs(x)) as abs(abs(x)); a second pass settles it
        self._check_powers(expr)
        guards = guarded(expr, tuple(args)) if partial else merge(*args)
        return Val(expr, (), bound, radicand, guards)

    def cube_root(self, value: Val) -> Val:
        """The real cube root, so cbrt(-8) = -2 rather than SymPy's principal complex root."""
        third = Val(sympy.Rational(1, 3), (), math.log10(3))
        if value.expr.is_nonnegative or value.expr.is_Rational:
            return self.power(value, third)
        self._check_radicand(value.digits)
        # sign(x)*|x|^(1/3) for an x of unknown sign
        return Val(sympy.real_root(value.expr, 3), (), value.digits + third.digits, value.digits, value.guards)

    def factorial(self, value: Val) -> Val:
        """n! only for whole numbers 0 <= n <= max_factorial."""
        if value.shape:
            raise ShapeError(f"Factorial needs a number, not {shape_name(value.shape)}")
        n = value.expr
        if not (n.is_Integer and 0 <= n <= self.limits.max_factorial):
            raise LimitError(f"Factorial (!) works only on whole numbers from 0 to {self.limits.max_factorial}.")
        result = sympy.factorial(n)
        return Val(result, (), digits(result))
