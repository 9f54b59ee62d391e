"""Reference derivatives, computed twice: exactly with SymPy and numerically with jitted JAX.

The SymPy result is what answers are graded against. JAX is an independent second opinion used
only by `Exercise.check` at import time; it is imported lazily here (never at module import: a
Celery prefork pool forks after import, and a fork after JAX has started threads can deadlock)
and compiled once per function, with the exercise's parameters as arguments, so all variants of
an exercise share one compilation.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy

Point = dict[sympy.Symbol, sympy.Basic]


@dataclass(frozen=True)
class Derivative:
    """One reference form applied to parsed functions (parameters still symbols for JAX)."""

    form: str
    functions: tuple[sympy.Expr, ...]  # one, or the components for a Jacobian
    wrt: tuple[sympy.Symbol, ...]
    variable: sympy.Symbol | None = None  # for `partial`


def gradient(f: sympy.Expr, wrt: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
    return [sympy.diff(f, w) for w in wrt]


def exact(d: Derivative, at: Point | None, direction: Sequence[sympy.Expr] | None) -> sympy.Basic:
    """The reference value: a scalar, an n×1 vector or an m×n matrix (parameters substituted)."""
    f = d.functions[0]
    if d.form == "partial":
        value: sympy.Basic = sympy.diff(f, d.variable)
    elif d.form == "jacobian":
        value = sympy.ImmutableMatrix([gradient(fi, d.wrt) for fi in d.functions])
    elif d.form == "hessian":
        value = sympy.ImmutableMatrix(sympy.hessian(f, d.wrt))
    else:
        value = sympy.ImmutableMatrix(gradient(f, d.wrt))
    if at is not None:
        value = value.xreplace(at)
    if d.form == "directional_derivative":
        assert direction is not None
        norm = sympy.sqrt(sum(c**2 for c in direction))
        value = sum(g * c for g, c in zip(value, direction, strict=True)) / norm
    elif d.form == "max_rate":
        value = sympy.sqrt(sum(g**2 for g in value))
    elif d.form == "steepest_ascent":
        norm = sympy.sqrt(sum(g**2 for g in value))
        if norm == 0:
            raise ValueError("the gradient is zero at this point: there is no direction of steepest ascent")
        value = sympy.ImmutableMatrix([g / norm for g in value])
    return value


def slips(d: Derivative, at: Point | None, direction: Sequence[sympy.Expr] | None) -> list[tuple[sympy.Basic, str]]:
    """Typical wrong results for this form, each with the feedback that names the slip."""
    f = d.functions[0]
    found: list[tuple[sympy.Basic, str]] = []
    if d.form == "partial":
        for w in d.wrt:
            if w != d.variable:
                slip = sympy.diff(f, w)
                found.append((slip, f"That is the partial derivative with respect to {w}, not {d.variable}."))
        for inner, slip in _chain_slips(f, [d.variable]):
            found.append((slip[0], _chain_message(inner)))
    elif d.form in ("gradient", "directional_derivative", "max_rate", "steepest_ascent"):
        grad = gradient(f, d.wrt)
        if d.form == "gradient":
            for inner, slip in _chain_slips(f, d.wrt):
                found.append((sympy.ImmutableMatrix(slip), _chain_message(inner)))
        elif d.form == "directional_derivative":
            assert direction is not None
            plain = sum(g * c for g, c in zip(grad, direction, strict=True))
            found.append((plain, "Normalise the direction first: use the unit vector d/|d|, not d."))
        elif d.form == "max_rate":
            found.append((sum(g**2 for g in grad), "That is the squared length of the gradient."))
        else:
            found.append((sympy.ImmutableMatrix(grad), "This is the gradient itself: divide it by its length."))
    return [(v.xreplace(at) if at is not None else v, message) for v, message in found]


def _chain_message(inner: sympy.Basic) -> str:
    from .printing import to_text

    return f"Check the chain rule: the derivative of the inner function {to_text(inner)} seems to be missing."


def _chain_slips(f: sympy.Expr, wrt: Sequence[sympy.Symbol]) -> list[tuple[sympy.Basic, list[sympy.Expr]]]:
    """For each inner function g of f: the derivative taken as if dg/dw were 1 (chain factor dropped)."""
    result: list[tuple[sympy.Basic, list[sympy.Expr]]] = []
    u = sympy.Dummy("u", real=True)
    for node in sympy.preorder_traversal(f):
        if isinstance(node, sympy.Function) and len(node.args) == 1:
            inner, outer = node.args[0], node.func(u)
        elif node.is_Pow and not node.exp.free_symbols:
            inner, outer = node.base, u**node.exp
        else:
            continue
        if not any(inner.has(w) for w in wrt):
            continue
        replaced = f.xreplace({node: outer})
        slip = [
            (sympy.diff(replaced, w) + (sympy.diff(replaced, u) if inner.has(w) else 0)).xreplace({u: inner})
            for w in wrt
        ]
        if slip != gradient(f, wrt):
            result.append((inner, slip))
        if len(result) == 4:
            break
    return result


# --- the JAX second opinion -------------------------------------------------------------------


@lru_cache(maxsize=256)
def _compiled(d: Derivative, params: tuple[sympy.Symbol, ...]) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    # CPU unless the operator says otherwise: a reference needs no accelerator, and probing for one is noisy.
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    raw = sympy.lambdify([*d.wrt, *params], list(d.functions), modules="jax", dummify=True)
    n = len(d.wrt)

    def components(x: jax.Array, p: jax.Array) -> jax.Array:
        return jnp.stack([jnp.asarray(v, dtype=jnp.float64) for v in raw(*(x[i] for i in range(n)), *p)])

    if d.form == "jacobian":
        return jax.jit(jax.jacobian(components))
    if d.form == "hessian":
        return jax.jit(jax.hessian(lambda x, p: components(x, p)[0]))
    return jax.jit(jax.grad(lambda x, p: components(x, p)[0]))


def numeric(
    d: Derivative,
    params: Sequence[tuple[sympy.Symbol, float]],
    point: Sequence[float],
    direction: Sequence[float] | None,
) -> np.ndarray:
    """The reference at one point by JAX, row-major like `exact` (a 1-element array for scalars)."""
    fn = _compiled(d, tuple(s for s, _ in params))
    raw = np.asarray(fn(np.asarray(point, dtype=float), np.asarray([v for _, v in params], dtype=float)))
    if d.form == "partial":
        return raw[[d.wrt.index(d.variable)]]
    if d.form in ("gradient", "jacobian", "hessian"):
        return raw.ravel()
    if d.form == "directional_derivative":
        u = np.asarray(direction, dtype=float)
        return np.array([raw @ u / np.linalg.norm(u)])
    if d.form == "max_rate":
        return np.array([np.linalg.norm(raw)])
    return raw / np.linalg.norm(raw)
