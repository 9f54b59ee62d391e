"""Evaluating SymPy expressions at sample points, in float64 and (to settle doubts) at 30 digits.

The float path walks the expression tree once with numpy arrays over all points, so it needs no
generated code (no `lambdify`/`exec` of anything derived from student text) and costs tens of
microseconds. Anything not finite and real comes out as NaN: the real-number semantics of the
course (log of a negative, sqrt of a negative, arcsin(2), 1/0 are all undefined).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import sympy

# The first PRIMARY points are used when the reference is defined there; the rest are reserves
# for references with a narrow domain (sqrt(1 - x^2 - y^2), log(x - 2), ...).
PRIMARY = 24
MIN_VALID = 8
_RESERVE = 200
_DIGITS = 30


class Unsupported(Exception):
    """The expression contains something the float evaluator does not know."""


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


@lru_cache(maxsize=16)
def sample_points(nvars: int) -> np.ndarray:
    """Fixed pseudo-random points (rows) in R^nvars: verdicts are reproducible.

    Mixed regimes, never integers: both signs of moderate size (catches |x| vs x, sqrt(x^2) vs x),
    near zero (catches x^50 + 1 vs x^50, where large points alone would hide the 1), positive up
    to 10 (log/sqrt domains, growth), then reserves over wider and narrower ranges.
    """
    rng = np.random.default_rng(20261101 + nvars)
    ranges = [(-3, 3)] * 12 + [(-0.7, 0.7)] * 4 + [(0.1, 10)] * 4 + [(0.05, 2)] * 4
    ranges += [(-1, 1), (0, 1), (-10, 10), (1, 30), (-30, -1)] * (_RESERVE // 5)
    lows, highs = np.array(ranges, dtype=float).T
    return rng.uniform(lows[:, None], highs[:, None], size=(len(ranges), nvars))


def evaluate(expr: sympy.Basic, symbols: Sequence[sympy.Symbol], points: np.ndarray) -> np.ndarray:
    """Values of `expr` at each row of `points` (columns in `symbols` order); NaN where undefined."""
    env = {s: points[:, i] for i, s in enumerate(symbols)}
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(_eval(expr, env), dtype=float), (len(points),))
    return np.where(np.isfinite(values), values, np.nan)


def _eval(e: sympy.Basic, env: dict) -> np.ndarray | float:
    if e.is_Symbol:
        if e not in env:
            raise Unsupported(f"unexpected name {e}")
        return env[e]
    if e is sympy.I:  # not real; the 30-digit recheck sees through i*i and friends
        return np.nan
    if e.is_Number or e.is_NumberSymbol:
        if not e.is_real:
            raise Unsupported(str(e))
        try:
            return float(e)
        except OverflowError:
            return np.inf
    if e.is_Add:
        return sum((_eval(a, env) for a in e.args), start=0.0)
    if e.is_Mul:
        result: np.ndarray | float = 1.0
        for a in e.args:
            result = result * _eval(a, env)
        return result
    if e.is_Pow:
        base, exponent = e.args
        if exponent == sympy.S.Half:
            return np.sqrt(_eval(base, env))
        power = int(exponent) if exponent.is_Integer and abs(exponent) < 2**31 else _eval(exponent, env)
        return np.power(np.asarray(_eval(base, env), dtype=float), power)
    func = _FUNCTIONS.get(type(e))
    if func is None:
        raise Unsupported(type(e).__name__)
    return func(*(_eval(a, env) for a in e.args))


def close(a: np.ndarray | float, b: np.ndarray | float, rtol: float, atol: float) -> np.ndarray:
    """Per point: |a - b| <= atol + rtol * max(|a|, |b|); False wherever either side is NaN."""
    with np.errstate(all="ignore"):
        return np.abs(a - b) <= atol + rtol * np.maximum(np.abs(a), np.abs(b))


def precise(expr: sympy.Basic, symbols: Sequence[sympy.Symbol], point: np.ndarray) -> float | None:
    """`expr` at one point with 30 significant digits; None where it is undefined or not real."""
    subs = {s: sympy.Float(float(v), _DIGITS) for s, v in zip(symbols, point, strict=True)}
    try:
        value = expr.evalf(_DIGITS, subs=subs)
    except Exception as exc:  # noqa: BLE001 - mpmath and SymPy raise many kinds; the caller stays undecided
        raise Unsupported(f"cannot evaluate {type(exc).__name__}") from None
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    try:
        z = complex(value)
    except (TypeError, ValueError):
        return None
    if abs(z.imag) > 1e-20 * max(1.0, abs(z.real)) or not np.isfinite(z.real):
        return None
    return z.real


def agree_precisely(
    ref: sympy.Basic, ans: sympy.Basic, symbols: Sequence[sympy.Symbol], point: np.ndarray, rtol: float, atol: float
) -> bool | None:
    """Whether a float64 disagreement at `point` was only rounding (both sides at 30 digits); None: unknown."""
    try:
        r = precise(ref, symbols, point)
        if r is None:  # the reference is not really defined here: the point proves nothing
            return True
        a = precise(ans, symbols, point)
    except Unsupported:
        return None
    return a is not None and bool(close(np.array(r), np.array(a), rtol, atol))
