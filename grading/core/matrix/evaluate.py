"""Evaluating a typed answer in float64 over instantiated dimensions, symbols and functions.

The evaluator is written once against the array API that NumPy and JAX share, with a leading batch
axis: NumPy grades many random draws at once, and JAX (for references) differentiates the very same
code. Declared functions without a fixed meaning are drawn as random smooth functions
``a·sin(b·t + c) + d·t² + e·t + g`` per draw, so that σ, σ′ and σ″ all differ.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from .shapes import Shape, Typed
from .syntax import Node

DRAWS = 6  # random draws per dimension assignment
ASSIGNMENTS = 3  # dimension assignments, each with distinct sizes
COND_LIMIT = 1e10  # an inverse of a worse-conditioned matrix is treated as undefined
FIXED_FUNCTIONS = ("logistic", "tanh", "softplus", "exp")


@dataclass
class Instance:
    """One dimension assignment with a batch of random draws."""

    sizes: dict[str, int]
    values: dict[str, np.ndarray]  # symbol -> (DRAWS, rows, cols)
    coefficients: dict[str, np.ndarray]  # arbitrary function -> (6, DRAWS, 1, 1)
    fixed: dict[str, str]  # function -> one of FIXED_FUNCTIONS

    def size(self, d: str | int) -> int:
        return d if isinstance(d, int) else self.sizes[d]

    def dims(self, shape: Shape) -> tuple[int, int]:
        return self.size(shape[0]), self.size(shape[1])


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "big")


def instances(
    declared: dict[str, Shape], functions: dict[str, str | None], positive: bool = False, draws: int = DRAWS
) -> list[Instance]:
    """Deterministic instantiations: sizes distinct within each assignment and different across them.

    `positive` (for a reference undefined at most signed values, such as log(c)) takes absolute values.
    """
    salt = "positive" if positive else ""
    names = sorted({d for shape in declared.values() for d in shape if isinstance(d, str)})
    rng = np.random.default_rng(_seed("matrix", salt, tuple(sorted(declared.items())), tuple(sorted(functions))))
    count = len(names)
    orders = [list(range(2, 2 + count)), list(range(3 + count - 1, 2, -1)), list(rng.permutation(range(4, 4 + count)))]
    result = []
    for sizes in orders[:ASSIGNMENTS]:
        assign = {name: int(size) for name, size in zip(names, sizes, strict=True)}
        values = {}
        for sym in sorted(declared):
            r, c = (d if isinstance(d, int) else assign[d] for d in declared[sym])
            if r == 1 and c == 1:
                magnitude = rng.uniform(0.5, 2.0, size=(draws, 1, 1))
                values[sym] = magnitude * rng.choice([-1.0, 1.0], size=(draws, 1, 1))
            else:
                value = rng.normal(0.0, 1.0, size=(draws, r, c))
                if declared[sym][0] == declared[sym][1]:  # square: keep inverses well conditioned
                    value = value + 2.0 * np.eye(r)
                values[sym] = value
        if positive:
            values = {sym: np.abs(value) for sym, value in values.items()}
        coefficients = {}
        fixed: dict[str, str] = {}
        for f in sorted(functions):
            meaning = functions[f]
            if meaning:
                fixed[f] = meaning
                continue
            lows = np.array([0.5, 0.7, 0.0, -0.3, -1.0, -1.0])
            highs = np.array([1.5, 1.5, 6.28, 0.3, 1.0, 1.0])
            coefficients[f] = rng.uniform(lows, highs, size=(draws, 6)).T.reshape(6, draws, 1, 1)
        result.append(Instance(assign, values, coefficients, fixed))
    return result


def _arbitrary(xp: Any, c: Any, t: Any, order: int) -> Any:
    a, b, ph, d, e, g = c
    if order == 0:
        return a * xp.sin(b * t + ph) + d * t * t + e * t + g
    if order == 1:
        return a * b * xp.cos(b * t + ph) + 2 * d * t + e
    return -a * b * b * xp.sin(b * t + ph) + 2 * d


def _fixed(xp: Any, kind: str, t: Any, order: int) -> Any:
    if kind == "exp":
        return xp.exp(t)
    if kind == "tanh":
        th = xp.tanh(t)
        return (th, 1 - th * th, -2 * th * (1 - th * th))[order]
    s = 1 / (1 + xp.exp(-t))
    if kind == "softplus":
        if order == 0:
            return xp.logaddexp(0.0, t)
        order -= 1
    return (s, s * (1 - s), s * (1 - s) * (1 - 2 * s))[order]


class Evaluator:
    """Values of the nodes of one typed answer for one instance, under a NumPy or JAX namespace."""

    def __init__(self, typed: Typed, inst: Instance, xp: Any = np, values: dict[str, Any] | None = None,
                 coefficients: dict[str, Any] | None = None, check_conditioning: bool = True) -> None:  # fmt: skip
        self.typed = typed
        self.inst = inst
        self.xp = xp
        self.values = inst.values if values is None else values
        self.coefficients = inst.coefficients if coefficients is None else coefficients
        self.check_conditioning = check_conditioning and xp is np

    def __call__(self, node: Node | None = None) -> Any:
        return self.eval(self.typed.root if node is None else node)

    def inverse(self, a: Any) -> Any:
        xp = self.xp
        if not self.check_conditioning:
            return xp.linalg.inv(a)
        bad = ~np.isfinite(a).all(axis=(-2, -1))
        safe = np.where(bad[..., None, None], np.eye(a.shape[-1]), a)
        cond = np.linalg.cond(safe)
        bad |= ~(cond < COND_LIMIT)
        safe = np.where(bad[..., None, None], np.eye(a.shape[-1]), safe)
        return np.where(bad[..., None, None], np.nan, np.linalg.inv(safe))

    def eval(self, node: Node) -> Any:
        xp = self.xp
        op = node.op
        if op == "sym":
            return self.values[node.name]
        if op == "num":
            return xp.full((1, 1), node.value)
        if op == "eye":
            return xp.eye(self.inst.dims(self.typed.of(node))[0])
        args = [self.eval(a) for a in node.args]
        if op == "T":
            return xp.swapaxes(args[0], -1, -2)
        if op == "neg":
            return -args[0]
        if op == "add":
            return args[0] + args[1]
        if op == "sub":
            return args[0] - args[1]
        if op == "had":
            return args[0] * args[1]
        if op == "mul":
            return args[0] * args[1] if node in self.typed.scalar_mul else xp.matmul(args[0], args[1])
        if op == "div":
            return args[0] / args[1]
        if op == "fn":
            order = int(node.value)
            if node.name in self.inst.fixed:
                return _fixed(xp, self.inst.fixed[node.name], args[0], order)
            return _arbitrary(xp, self.coefficients[node.name], args[0], order)
        if op == "pow":
            base, p = args[0], node.value
            rows, cols = self.typed.of(node.args[0])
            if rows == 1 and cols == 1:
                return base**p
            power = int(abs(p))
            if p < 0:
                base = self.inverse(base)
            return xp.linalg.matrix_power(base, power) if power != 1 else base
        if op == "call":
            a = args[0]
            name = node.name
            rows, cols = self.typed.of(node.args[0])
            if name == "diag":
                if rows == 1 and cols == 1:
                    return a
                if cols == 1 or rows == 1:
                    return xp.eye(self.inst.size(rows if cols == 1 else cols)) * a
                return xp.diagonal(a, axis1=-2, axis2=-1)[..., :, None]
            if name == "tr":
                return xp.trace(a, axis1=-2, axis2=-1)[..., None, None]
            if name == "det":
                return xp.linalg.det(a)[..., None, None]
            if name == "inv":
                return self.inverse(a)
            if name == "norm":
                return xp.sqrt(xp.sum(a * a, axis=(-2, -1), keepdims=True))
            if name == "sum":
                return xp.sum(a, axis=(-2, -1), keepdims=True)
            return {"exp": xp.exp, "log": xp.log, "sqrt": xp.sqrt}[name](a)
        raise AssertionError(op)


def values(typed: Typed, inst: Instance, node: Node | None = None) -> np.ndarray:
    """float64 values (DRAWS, rows, cols) of the answer (or one of its nodes); NaN where undefined."""
    with np.errstate(all="ignore"):
        try:
            out = Evaluator(typed, inst)(node)
        except (np.linalg.LinAlgError, FloatingPointError, OverflowError, ValueError):
            r, c = inst.dims(typed.of(node or typed.root))
            return np.full((DRAWS, r, c), np.nan)
    r, c = inst.dims(typed.of(node or typed.root))
    draws = next(iter(inst.values.values())).shape[0] if inst.values else DRAWS
    return np.broadcast_to(np.asarray(out, dtype=float), (draws, r, c))
