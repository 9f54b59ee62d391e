"""Evaluating SymPy expressions over the reals: float64 at many points, exactly, or at high precision.

Three evaluators walk the expression tree themselves (no `lambdify`/`exec` of anything derived
from student text), each with real-number semantics: anything that is not a finite real number
(log of a negative, sqrt of a negative, arcsin(2), 1/0, i) is *undefined* at that point, and so is
any point where one of the answer's guards (its subexpressions as written, see `builder`) is.

* `evaluate`: float64 over all sample points at once with numpy; tens of microseconds.
* `exact`: exact rational arithmetic (GMP's rationals) for rational functions of the variables,
  at rational points; refuses, rather than computes, numbers that would grow too large.
* `precise`: mpmath real arithmetic at a precision chosen from the numbers in the expression;
  any complex intermediate makes the point undefined (so log(-1) - log(-1) is undefined, not 0).

Each also reports the *scale* of the expression at each point: the largest magnitude among its
subexpressions that depend on the variables (for the tolerance floor) and among all of them (for
the rounding allowance).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import gmpy2
import mpmath
import numpy as np
import sympy

# The first PRIMARY points are used where the reference is defined; the rest are reserves for
# references with a narrow domain (sqrt(1 - x^2 - y^2), log(x - 2), ...).
PRIMARY = 32
MIN_VALID = 8
_RESERVE = 200
_EPS_ALLOWANCE = 64 * np.finfo(float).eps
_MAX_EXACT_BITS = 200_000  # beyond this an exact value is not computed (high precision decides instead)


class Unsupported(Exception):
    """The expression contains something this evaluator does not know, or would cost too much."""


def _cot(v: np.ndarray) -> np.ndarray:
    return np.cos(v) / np.sin(v)


_FUNCTIONS: dict[type, Callable[..., np.ndarray]] = {
    sympy.sin: np.sin,
    sympy.cos: np.cos,
    sympy.tan: np.tan,
    sympy.sec: lambda v: 1 / np.cos(v),
    sympy.csc: lambda v: 1 / np.sin(v),
    sympy.cot: _cot,
    sympy.asin: np.arcsin,
    sympy.acos: np.arccos,
    sympy.atan: np.arctan,
    sympy.acot: lambda v: np.arctan(1 / v),
    sympy.asec: lambda v: np.arccos(1 / v),
    sympy.acsc: lambda v: np.arcsin(1 / v),
    sympy.sinh: np.sinh,
    sympy.cosh: np.cosh,
    sympy.tanh: np.tanh,
    sympy.sech: lambda v: 1 / np.cosh(v),
    sympy.csch: lambda v: 1 / np.sinh(v),
    sympy.coth: lambda v: 1 / np.tanh(v),
    sympy.asinh: np.arcsinh,
    sympy.acosh: np.arccosh,
    sympy.atanh: np.arctanh,
    sympy.asech: lambda v: np.arccosh(1 / v),
    sympy.acsch: lambda v: np.arcsinh(1 / v),
    sympy.acoth: lambda v: np.arctanh(1 / v),
    sympy.exp: np.exp,
    sympy.log: np.log,
    sympy.Abs: np.abs,
    sympy.sign: np.sign,
    sympy.atan2: np.arctan2,
}


def _spread(rng: np.random.Generator, low: float, high: float, size: tuple[int, int], signed: bool) -> np.ndarray:
    """Magnitudes spread evenly in log scale between 10^low and 10^high, of random sign if ``signed``."""
    values = 10 ** rng.uniform(low, high, size=size)
    return values * rng.choice([-1.0, 1.0], size=size) if signed else values


def _points(seed: int, nvars: int, primary: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = np.empty((0, nvars))
    if primary:
        uniform = [(-3, 3)] * 10 + [(-0.7, 0.7)] * 4 + [(0.1, 10)] * 4 + [(0.05, 2)] * 4
        lows, highs = np.array(uniform, dtype=float).T
        rows = rng.uniform(lows[:, None], highs[:, None], size=(len(uniform), nvars))
    # Reserves: each coordinate in a regime of its own, so a reference defined only where x is small
    # still gets points where y is large, negative, near zero, ...
    regimes = np.array([(-1, 1), (0, 1), (-10, 10), (1, 30), (-30, -1)], dtype=float)
    pick = rng.integers(0, len(regimes), size=(_RESERVE, nvars))
    reserves = rng.uniform(regimes[pick, 0], regimes[pick, 1])
    rows = np.concatenate([rows, reserves])
    if not primary:
        return rows
    # Beyond |x| <= 10: terms that only show at large magnitudes ((x/20)^20, |x - 12|), and tiny ones.
    wide = np.concatenate(
        [
            _spread(rng, 1, 6, (6, nvars), signed=True),
            _spread(rng, 1, 4, (2, nvars), signed=False),
            _spread(rng, -9, -5, (2, nvars), signed=True),
        ]
    )
    return np.concatenate([rows[:22], wide, rows[22:]])


@lru_cache(maxsize=16)
def sample_points(nvars: int) -> np.ndarray:
    """Fixed pseudo-random points (rows) in R^nvars, never integers, so verdicts are reproducible.

    Mixed regimes: both signs of moderate size (|x| vs x, sqrt(x^2) vs x), near zero (x^50 + 1 vs
    x^50), positive up to 10 (log/sqrt domains), magnitudes from 10 to 10^6 of both signs and from
    10^-9 to 10^-5 (1e-8 x + 1e-20 vs 1e-8 x), then reserves over wider and narrower ranges.
    """
    return _points(20261101 + nvars, nvars, primary=True)


@lru_cache(maxsize=16)
def confirmation_points(nvars: int) -> np.ndarray:
    """Other fixed points, never used by the float pass: where high precision confirms agreement."""
    rng = np.random.default_rng(7_000_003 + nvars)
    rows = [
        rng.uniform(-2.5, 2.5, size=nvars),
        _spread(rng, 2, 6, (1, nvars), signed=True)[0],  # where float64 may overflow: mpmath does not
        rng.uniform(0.2, 4, size=nvars),
        _spread(rng, 2, 6, (1, nvars), signed=True)[0],
        rng.uniform(-0.5, 0.5, size=nvars),
    ]
    return np.concatenate([np.array(rows), _points(7_000_013 + nvars, nvars, primary=False)])


# -- float64 ---------------------------------------------------------------------------------------


class _Floats:
    """One evaluation at many points, sharing repeated subexpressions, tracking scales."""

    def __init__(self, env: dict, size: int):
        self.env = env
        self.memo: dict[sympy.Basic, np.ndarray | float] = {}

    def value(self, e: sympy.Basic) -> np.ndarray | float:
        found = self.memo.get(e)
        if found is None:
            found = self._compute(e)
            if not isinstance(found, np.ndarray) and not np.isfinite(found) and not e.is_Atom:
                found = _constant(e)  # cos(exp(729)): float64 overflows on the way, not at the end
            self.memo[e] = found
        return found

    def _compute(self, e: sympy.Basic) -> np.ndarray | float:
        if e.is_Symbol:
            if e not in self.env:
                raise Unsupported(f"unexpected name {e}")
            return self.env[e]
        if e is sympy.I or e is sympy.nan:  # not real
            return np.nan
        if e.is_Number or e.is_NumberSymbol:
            if not e.is_real:
                raise Unsupported(str(e))
            try:
                return float(e)
            except OverflowError:
                return np.inf
        value = self.value
        if e.is_Add:
            total: np.ndarray | float = 0.0
            for a in e.args:
                total = total + value(a)
            return total
        if e.is_Mul:
            result: np.ndarray | float = 1.0
            for a in e.args:
                result = result * value(a)
            return result
        if e.is_Pow:
            base, exponent = e.args
            if exponent is sympy.S.Half:  # the only Rational equal to 1/2
                return np.sqrt(value(base))
            power = int(exponent.p) if exponent.is_Integer and abs(exponent.p) < 2**31 else value(exponent)
            return np.power(np.asarray(value(base), dtype=float), power)
        func = _FUNCTIONS.get(type(e))
        if func is None:
            raise Unsupported(type(e).__name__)
        return func(*(value(a) for a in e.args))


def _filled(value: np.ndarray | float, n: int) -> np.ndarray:
    """A value of the walk as a new float array of length n (a constant repeated)."""
    if isinstance(value, np.ndarray) and value.shape == (n,):
        return value.astype(float)  # a copy: the walk's memo keeps the original
    return np.array(np.broadcast_to(np.asarray(value, dtype=float), (n,)))


def _walk(
    expr: sympy.Basic,
    symbols: Sequence[sympy.Symbol],
    points: np.ndarray,
    guards: Sequence[sympy.Basic],
    overflow: bool,
) -> tuple[np.ndarray, _Floats]:
    """The values (NaN where undefined), and the walk that computed them; inside np.errstate(all="ignore")."""
    n = len(points)
    walk = _Floats({s: points[:, i] for i, s in enumerate(symbols)}, n)
    values = _filled(walk.value(expr), n)
    for guard in guards:
        found = walk.value(guard)
        if isinstance(found, np.ndarray):
            values[~np.isfinite(found)] = np.nan
        elif not np.isfinite(found):
            values[:] = np.nan
    if not overflow:
        values[~np.isfinite(values)] = np.nan
    return values, walk


def evaluate_scaled(
    expr: sympy.Basic,
    symbols: Sequence[sympy.Symbol],
    points: np.ndarray,
    guards: Sequence[sympy.Basic] = (),
    *,
    overflow: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values at each row of `points` (NaN where undefined), their scale and their rounding scale.

    The scale is the sum of the magnitudes of the terms when the expression is a sum that depends
    on the variables (the size of what it combines), else 0; the rounding scale is the largest sum
    of magnitudes of terms anywhere inside, or the value itself. With ``overflow``, values too large
    for float64 stay infinite instead of undefined (high precision can still evaluate them there).
    """
    n = len(points)
    values, rounding_scale = evaluate_lazily(expr, symbols, points, guards, overflow=overflow)
    scale = np.zeros(n)
    with np.errstate(all="ignore"):
        memo = rounding_scale.memo
        if expr.is_Add and isinstance(memo[expr], np.ndarray):  # a sum of terms that depend on the variables
            for a in expr.args:
                scale = scale + np.abs(memo[a])
    return values, scale, rounding_scale()


class _RoundingScale:
    """The rounding scale of `evaluate_scaled`, computed when asked for (often it is not needed)."""

    def __init__(self, expr: sympy.Basic, memo: dict, values: np.ndarray):
        self.expr, self.memo, self.values = expr, memo, values

    def __call__(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            total = _filled(_magnitude(self.expr, self.memo, np.abs), len(self.values))
            return np.fmax(total, np.abs(self.values))


def evaluate_lazily(
    expr: sympy.Basic,
    symbols: Sequence[sympy.Symbol],
    points: np.ndarray,
    guards: Sequence[sympy.Basic] = (),
    *,
    overflow: bool = False,
) -> tuple[np.ndarray, _RoundingScale]:
    """`evaluate_scaled`'s values, and its rounding scale to compute only if needed."""
    with np.errstate(all="ignore"):
        values, walk = _walk(expr, symbols, points, guards, overflow)
    return values, _RoundingScale(expr, walk.memo, values)


def evaluate(
    expr: sympy.Basic,
    symbols: Sequence[sympy.Symbol],
    points: np.ndarray,
    guards: Sequence[sympy.Basic] = (),
    *,
    overflow: bool = False,
) -> np.ndarray:
    """Values of `expr` at each row of `points` (columns in `symbols` order); NaN where undefined."""
    with np.errstate(all="ignore"):
        return _walk(expr, symbols, points, guards, overflow)[0]


def allowed(reference: np.ndarray, answer: np.ndarray, scale: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """The tolerance per point: relative to the larger side, or to the reference's scale there."""
    with np.errstate(all="ignore"):
        return atol + rtol * np.fmax(np.fmax(np.abs(reference), np.abs(answer)), scale)


def close(a: np.ndarray | float, b: np.ndarray | float, rtol: float, atol: float) -> np.ndarray:
    """Per point: |a - b| <= atol + rtol * max(|a|, |b|); False wherever either side is NaN."""
    with np.errstate(all="ignore"):
        return np.abs(a - b) <= atol + rtol * np.maximum(np.abs(a), np.abs(b))


def _magnitude(e: sympy.Basic, memo: dict, absolute: Callable, found: dict | None = None) -> Any:
    """What rounding in `e` is relative to, in the units of `e`: sums add the sizes of their terms,
    products multiply them, whole powers raise them; any other node is rounded afresh (its own size).
    A sum inside a function (log(y^6 + 1)) does not count: the function's output has other units."""
    found = {} if found is None else found
    if e in found:
        return found[e]
    if e.is_Add:
        size = sum((_magnitude(a, memo, absolute, found) for a in e.args), start=0 * absolute(memo[e]))
    elif e.is_Mul:
        size = 1 + 0 * absolute(memo[e])
        for a in e.args:
            size = size * _magnitude(a, memo, absolute, found)
    elif e.is_Pow and e.exp.is_Integer and e.exp > 0 and e.base in memo:
        size = _magnitude(e.base, memo, absolute, found) ** int(e.exp)
    else:
        size = absolute(memo[e]) if e in memo else 0
    found[e] = size
    return size


def rounding(total: np.ndarray) -> np.ndarray:
    """What float64 rounding can account for in a value whose subexpressions reach `total`."""
    return _EPS_ALLOWANCE * total


# -- exact rationals ------------------------------------------------------------------------------


def is_rational_function(expr: sympy.Basic) -> bool:
    """Built from the variables and rational numbers by +, ×, and integer powers only."""
    if expr.is_Symbol or expr.is_Rational:
        return True
    if expr.is_Add or expr.is_Mul:
        return all(is_rational_function(a) for a in expr.args)
    if expr.is_Pow:
        return expr.exp.is_Integer and is_rational_function(expr.base)
    return False


def exact(expr: sympy.Basic, env: dict[sympy.Symbol, gmpy2.mpq]) -> tuple[gmpy2.mpq, gmpy2.mpq]:
    """The exact value of a rational function at a rational point, and its scale there (as `evaluate_scaled`).

    Raises ZeroDivisionError at a pole and Unsupported when a number would grow too large.
    """

    def walk(e: sympy.Basic) -> gmpy2.mpq:
        if e.is_Symbol:
            return env[e]  # a float's exact value: far below the limit
        if e.is_Rational:
            return gmpy2.mpq(int(e.p), int(e.q))
        elif e.is_Add:
            value = sum((walk(a) for a in e.args), start=gmpy2.mpq(0))
        elif e.is_Mul:
            value = gmpy2.mpq(1)
            for a in e.args:
                value *= walk(a)
        else:
            base, n = walk(e.base), int(e.exp)
            size = max(base.numerator.bit_length(), base.denominator.bit_length())
            if size * abs(n) > _MAX_EXACT_BITS:
                raise Unsupported("too large for exact arithmetic")
            value = base**n
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > _MAX_EXACT_BITS:
            raise Unsupported("too large for exact arithmetic")
        return value

    if expr.is_Add and env:
        terms = [walk(a) for a in expr.args]
        return sum(terms, start=gmpy2.mpq(0)), sum((abs(t) for t in terms), start=gmpy2.mpq(0))
    return walk(expr), gmpy2.mpq(0)


def rational_point(point: Sequence[float] | np.ndarray) -> list[gmpy2.mpq]:
    """A float point as the exact rational number it is."""
    return [gmpy2.mpq(float(v)) for v in point]


# -- high precision, real ---------------------------------------------------------------------------


def _real(value: object) -> mpmath.mpf:
    if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value):
        raise ValueError("not a finite real number")
    return value


def _inverse(f: Callable) -> Callable:
    return lambda v: f(1 / v)


_PRECISE: dict[type, Callable] = {
    sympy.sin: mpmath.sin,
    sympy.cos: mpmath.cos,
    sympy.tan: mpmath.tan,
    sympy.sec: mpmath.sec,
    sympy.csc: mpmath.csc,
    sympy.cot: mpmath.cot,
    sympy.asin: mpmath.asin,
    sympy.acos: mpmath.acos,
    sympy.atan: mpmath.atan,
    sympy.acot: _inverse(mpmath.atan),
    sympy.asec: _inverse(mpmath.acos),
    sympy.acsc: _inverse(mpmath.asin),
    sympy.sinh: mpmath.sinh,
    sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh,
    sympy.sech: mpmath.sech,
    sympy.csch: mpmath.csch,
    sympy.coth: mpmath.coth,
    sympy.asinh: mpmath.asinh,
    sympy.acosh: mpmath.acosh,
    sympy.atanh: mpmath.atanh,
    sympy.asech: _inverse(mpmath.acosh),
    sympy.acsch: _inverse(mpmath.asinh),
    sympy.acoth: _inverse(mpmath.atanh),
    sympy.exp: mpmath.exp,
    sympy.log: mpmath.log,
    sympy.Abs: abs,
    sympy.sign: mpmath.sign,
    sympy.atan2: mpmath.atan2,
}


# Functions whose relative error grows with the size of their argument: exp(z) needs log10|z| more
# digits of z than of the result (so does sin(z) to know where in its period z is).
_CONDITIONED = (
    sympy.exp, sympy.sin, sympy.cos, sympy.tan, sympy.sec, sympy.csc, sympy.cot, sympy.sinh, sympy.cosh,
    sympy.tanh, sympy.sech, sympy.csch, sympy.coth,
)  # fmt: skip
_MAX_DPS = 1200
# An argument beyond 2^this to a conditioned function loses far more than _MAX_DPS digits (the point is
# unreliable whatever follows), and exp or sin of it would need more memory than GMP can address.
_MAX_ARGUMENT_BITS = 1 << 20


class _Unreliable(Exception):
    """The working precision cannot give this value to the digits it must be compared at."""


# Defined on an interval open at ±1, which rounding can reach: atanh(1 - 10^-60) is finite, atanh(1) is not.
_OPEN_AT_ONE = (sympy.atanh, sympy.acoth)


class _Precise:
    """One real evaluation at one point; raises ValueError where the expression is undefined."""

    def __init__(self, env: dict, exact_env: Callable[[], dict[sympy.Symbol, gmpy2.mpq]]):
        self.env = env
        self.exact_env = exact_env  # the same point as exact rationals, for `_off_domain`
        self.memo: dict[sympy.Basic, mpmath.mpf] = {}
        self.condition = mpmath.mpf(1)  # how much the relative error of the inputs is amplified
        self.settled = False  # undefined at the point itself: no precision can make it defined

    def value(self, e: sympy.Basic) -> mpmath.mpf:
        found = self.memo.get(e)
        if found is None:
            try:
                found = self.memo[e] = _real(self._compute(e))
            except ValueError:
                self.settled = self.settled or self._off_domain(e)
                raise
        return found

    def _off_domain(self, e: sympy.Basic) -> bool:
        """Whether `e` is undefined at the point itself, not just at its rounded arguments: its arguments,
        rational functions, computed exactly and rounded once. Rounding is monotone and keeps 0 and ±1,
        the ends of every domain here (but `_OPEN_AT_ONE`), so a rounded argument is outside a domain
        only if the exact one is: log(x - 1) at x = 0.5, sqrt(x) at x < 0."""
        func = _PRECISE.get(type(e))
        if (func is None and not e.is_Pow) or isinstance(e, _OPEN_AT_ONE):
            return False
        if not all(is_rational_function(a) for a in e.args):
            return False
        try:
            env = self.exact_env()
            args = [exact(a, env)[0] for a in e.args]
            rounded = [mpmath.fdiv(int(v.numerator), int(v.denominator)) for v in args]
            _real(self._power(e.exp, rounded[0], lambda: rounded[1]) if func is None else func(*rounded))
        except ValueError:
            return True
        except (ZeroDivisionError, OverflowError, Unsupported):
            return False
        return False

    def _compute(self, e: sympy.Basic) -> object:
        if e.is_Symbol:
            if e not in self.env:
                raise Unsupported(f"unexpected name {e}")
            return self.env[e]
        if e.is_Rational:
            return mpmath.mpf(int(e.p)) / int(e.q)
        if e is sympy.pi:
            return +mpmath.pi
        if e is sympy.E:
            return mpmath.e()
        if e.is_Float:
            return mpmath.mpf(e._mpf_)
        if e is sympy.I or e is sympy.nan or e.is_Number:
            raise ValueError("not real")
        if e.is_Add:
            return mpmath.fsum(self.value(a) for a in e.args)
        if e.is_Mul:
            return mpmath.fprod(self.value(a) for a in e.args)
        if e.is_Pow:
            return self._power(e.exp, self.value(e.base), lambda: self.value(e.exp))
        func = _PRECISE.get(type(e))
        if func is None:
            raise Unsupported(type(e).__name__)
        args = [self.value(a) for a in e.args]
        if isinstance(e, _CONDITIONED):
            if mpmath.mag(args[0]) > _MAX_ARGUMENT_BITS:
                raise _Unreliable
            self.condition = max(self.condition, abs(args[0]))
        return func(*args)

    def _power(self, exponent: sympy.Basic, base: mpmath.mpf, value: Callable[[], mpmath.mpf]) -> mpmath.mpf:
        """base^exponent over the reals; `value` gives the exponent's value when it is not an integer."""
        if exponent.is_Integer:
            if base == 0 and exponent < 0:
                raise ValueError("division by zero")
            return base ** int(exponent)
        if base < 0:
            raise ValueError("a non-integer power of a negative number")
        power = value()
        if base == 0 and power <= 0:
            raise ValueError("division by zero")
        if base != 0:
            self.condition = max(self.condition, abs(power) * max(1, abs(mpmath.log(base))))
            if mpmath.mag(self.condition) > _MAX_ARGUMENT_BITS:  # base^power is exp(power log(base))
                raise _Unreliable
        return base**power


def _constant(e: sympy.Basic) -> float:
    """A number that float64 cannot compute directly, at high precision (NaN where undefined)."""
    try:
        found = precise(e, (), (), (), precision_for(e))
    except (_Unreliable, Unsupported):
        return np.nan
    return np.nan if found is None else float(found[0])


def precision_for(*exprs: sympy.Basic) -> int:
    """Decimal digits for high precision: the largest exact number written, and 40 more."""
    written = max((len(str(max(abs(r.p), r.q))) for e in exprs for r in e.atoms(sympy.Rational)), default=1)
    return min(40 + written, 1100)


def confirmation_precision(reference: sympy.Basic, answer: sympy.Basic) -> int:
    """`precision_for` both sides (the reference's digits are counted once per reference)."""
    return max(_precision_written(reference), precision_for(answer))


@lru_cache(maxsize=8192)
def _precision_written(reference: sympy.Basic) -> int:
    return precision_for(reference)


class _OffDomain(Exception):
    """Undefined at this point whatever the precision: a partial function of a coordinate outside its domain."""


def precise(
    expr: sympy.Basic, symbols: Sequence[sympy.Symbol], point: Sequence, guards: Sequence[sympy.Basic], dps: int
) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf] | None:
    """(value, scale, rounding scale) at one point, to about `dps` digits; None where undefined over the reals.

    Where the expression is ill-conditioned (exp or sin of a huge number) the precision is raised by
    the digits it loses; past `_MAX_DPS` the point cannot be evaluated reliably (`_Unreliable`).
    """
    try:
        return _conditioned(expr, symbols, point, guards, dps)
    except _OffDomain:
        return None


def _conditioned(
    expr: sympy.Basic, symbols: Sequence[sympy.Symbol], point: Sequence, guards: Sequence[sympy.Basic], dps: int
) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf] | None:
    """`precise`, raising `_OffDomain` where more digits cannot make the expression defined."""
    found = _precise(expr, symbols, point, guards, dps)
    if found is None or found[3] <= dps - 30:
        return None if found is None else found[:3]
    needed = found[3] + dps
    if needed > _MAX_DPS:
        raise _Unreliable
    again = _precise(expr, symbols, point, guards, needed)
    if again is not None and again[3] > needed - 30:
        raise _Unreliable
    return None if again is None else again[:3]


@lru_cache(maxsize=8192)
def _reference_precisely(
    expr: sympy.Basic, symbols: tuple[sympy.Symbol, ...], point: tuple[float, ...], guards: tuple, dps: int
) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf] | None:
    """`precise` for a reference: the same few points serve every answer to it (mpf values are immutable)."""
    return precise(expr, symbols, point, guards, dps)


def _precise(
    expr: sympy.Basic, symbols: Sequence[sympy.Symbol], point: Sequence, guards: Sequence[sympy.Basic], dps: int
) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf, int] | None:
    with mpmath.workdps(dps):
        walk = _Precise(
            {s: mpmath.mpf(float(v)) for s, v in zip(symbols, point, strict=True)},
            lambda: dict(zip(symbols, rational_point(point), strict=True)),
        )
        try:
            for guard in guards:
                walk.value(guard)
            value = walk.value(expr)
        except ValueError:
            if walk.settled:
                raise _OffDomain from None
            return None
        except (ZeroDivisionError, OverflowError):
            return None
        scale = mpmath.mpf(0)
        if expr.is_Add and symbols and expr.free_symbols:
            scale = mpmath.fsum(abs(walk.memo[a]) for a in expr.args)
        lost = 0
        if walk.condition > 1:
            # |c| <= 2^mag(c), so this bound is at least the digits lost; a logarithm only where it matters.
            lost = int(mpmath.mag(walk.condition)) * 30103 // 100000 + 1
            if lost > dps - 30:
                lost = int(mpmath.log10(walk.condition)) + 1
        return value, scale, max(_magnitude(expr, walk.memo, abs), abs(value)), lost


def agree_precisely(
    ref: tuple[sympy.Basic, Sequence[sympy.Basic]],
    ans: tuple[sympy.Basic, Sequence[sympy.Basic]],
    symbols: Sequence[sympy.Symbol],
    point: Sequence,
    rtol: float,
    atol: float,
    dps: int | None = None,
) -> bool | None:
    """At one point, at high precision: True/False, or None where the reference is not defined there
    (or neither side can be evaluated reliably there: the point proves nothing).

    ``dps``: `confirmation_precision` of the two, when the caller checks several points."""
    dps = dps or confirmation_precision(ref[0], ans[0])
    here, guards = tuple(float(v) for v in point), tuple(ref[1])
    try:
        r = _reference_precisely(ref[0], tuple(symbols), here, guards, dps)
        if r is None:
            return None
        try:
            a = _conditioned(ans[0], symbols, point, ans[1], dps)
        except _OffDomain:
            return False  # e.g. log(x) at x < 0: undefined whatever the precision
        while a is None and dps < _MAX_DPS:
            # Undefined, or rounded just outside a domain (asin of u/sqrt(u^2 + 1) for a huge u):
            # only more digits tell the two apart.
            dps = min(4 * dps, _MAX_DPS)
            a = precise(ans[0], symbols, point, ans[1], dps)
            r = _reference_precisely(ref[0], tuple(symbols), here, guards, dps) if a is not None else r
            if r is None:
                return None
    except _Unreliable:
        return None
    if a is None:
        return False
    with mpmath.workdps(dps):
        slack = mpmath.mpf(10) ** (12 - dps) * (r[2] + a[2])
        bound = atol + rtol * max(abs(r[0]), abs(a[0]), r[1]) + slack
        return bool(abs(r[0] - a[0]) <= bound)
