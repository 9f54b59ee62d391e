"""Derivatives of a defining function, twice: jitted JAX over the instantiated arrays, and SymPy's
matrix expressions (`MatrixSymbol` differentiation) wherever SymPy can do it.

JAX is imported here lazily, on first use (never at engine import: a Celery prefork pool forks after
import, and a fork after JAX has started its threads can deadlock). SymPy's result is translated back
into the answer language, so that it is evaluated by the same float64 evaluator as the answers and can
serve as the closed form the diagnoses mutate. SymPy's layout for vector-by-vector derivatives is not
consistent, so its result is oriented by its (symbolic) shape.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from . import evaluate
from .answers import Context
from .printing import to_text
from .shapes import Shape, Typed, check
from .syntax import MatrixInputError, Node

FORMS = ("jacobian", "gradient", "hessian")


def result_shape(form: str, function_shape: Shape, wrt_shape: Shape, layout: str) -> Shape:
    if form == "gradient":
        shape = wrt_shape
        return shape if layout == "denominator" else (shape[1], shape[0])
    if form == "hessian":
        return (wrt_shape[0], wrt_shape[0])
    shape = (function_shape[0], wrt_shape[0])
    return shape if layout == "numerator" else (shape[1], shape[0])


# --- JAX ---------------------------------------------------------------------------------------------


def _jax() -> Any:
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


def jax_values(context: Context, function: Typed, wrt: str, form: str, layout: str) -> list[np.ndarray]:
    """The derivative at every instance of the context (DRAWS, rows, cols), by jax.jit(jax.vmap(...))."""
    jax = _jax()
    import jax.numpy as jnp

    out = []
    for inst in context.instances:

        def f(w: Any, values: dict, coefficients: dict, inst: evaluate.Instance = inst) -> Any:
            env = {**values, wrt: w}
            return evaluate.Evaluator(function, inst, jnp, env, coefficients, check_conditioning=False)()

        if form == "gradient":
            d = jax.grad(lambda w, v, c, f=f: f(w, v, c)[0, 0])
        elif form == "hessian":
            d = jax.hessian(lambda w, v, c, f=f: f(w, v, c)[0, 0])
        else:
            d = jax.jacobian(f)
        batched = jax.jit(jax.vmap(d, in_axes=(0, 0, 1)))
        others = {k: jnp.asarray(v) for k, v in inst.values.items() if k != wrt}
        coefficients = {k: jnp.asarray(v) for k, v in inst.coefficients.items()}
        raw = np.asarray(batched(jnp.asarray(inst.values[wrt]), others, coefficients), dtype=float)
        draws = raw.shape[0]
        if form == "gradient":
            value = raw.reshape(draws, *raw.shape[-2:])
        elif form == "hessian":
            n = raw.shape[1]
            value = raw.reshape(draws, n, n)
        else:
            value = raw.reshape(draws, raw.shape[1], raw.shape[3])
        if (form == "gradient" and layout == "numerator") or (form == "jacobian" and layout == "denominator"):
            value = np.swapaxes(value, -1, -2)
        out.append(value)
    return out


# --- SymPy -------------------------------------------------------------------------------------------


class Unsupported(Exception):
    """SymPy cannot take this function (or its result cannot be read back)."""


_FIXED = {
    "logistic": lambda t: 1 / (1 + sympy.exp(-t)),
    "tanh": sympy.tanh,
    "softplus": lambda t: sympy.log(1 + sympy.exp(t)),
    "exp": sympy.exp,
}


class _ToSympy:
    def __init__(self, context: Context, typed: Typed) -> None:
        self.context = context
        self.typed = typed
        self.dims: dict[str, sympy.Symbol] = {}
        self.symbols: dict[str, Any] = {}

    def dim(self, d: str | int) -> Any:
        if isinstance(d, int):
            return d
        return self.dims.setdefault(d, sympy.Symbol(d, integer=True, positive=True))

    def symbol(self, name: str) -> Any:
        if name not in self.symbols:
            r, c = self.context.declared[name]
            self.symbols[name] = (
                sympy.Symbol(name, real=True)
                if (r, c) == (1, 1)
                else sympy.MatrixSymbol(name, self.dim(r), self.dim(c))
            )
        return self.symbols[name]

    def function(self, name: str, order: int) -> sympy.Lambda:
        t = sympy.Dummy("t")
        fixed = dict(self.context.functions).get(name)
        body = _FIXED[fixed](t) if fixed else sympy.Function(name)(t)
        return sympy.Lambda(t, sympy.diff(body, t, order) if order else body)

    def __call__(self, node: Node) -> Any:
        op = node.op
        if op == "sym":
            return self.symbol(node.name)
        if op == "num":
            return sympy.Rational(str(node.value)) if np.isfinite(node.value) else _unsupported()
        if op == "eye":
            r, _ = self.typed.of(node)
            return sympy.Identity(self.dim(r))
        if op == "pow" and node.value == 2 and node.args[0].op == "call" and node.args[0].name == "norm":
            v = self(node.args[0].args[0])  # ‖v‖² = vᵀv (a trace for a matrix)
            if not isinstance(v, sympy.MatrixExpr):
                return v**2
            return v.T * v if v.shape[1] == 1 else sympy.Trace(v.T * v)
        args = [self(a) for a in node.args]
        is_matrix = [isinstance(a, sympy.MatrixExpr) for a in args]
        if op == "T":
            return args[0].T if is_matrix[0] else args[0]
        if op == "neg":
            return -args[0]
        if op in ("add", "sub"):
            if is_matrix[0] != is_matrix[1]:
                _unsupported()
            return args[0] + args[1] if op == "add" else args[0] - args[1]
        if op == "had":
            return sympy.HadamardProduct(*args) if all(is_matrix) else args[0] * args[1]
        if op == "mul":
            a, b = args
            if all(is_matrix) and node in self.typed.scalar_mul and (a.shape != (1, 1) or b.shape != (1, 1)):
                _unsupported()  # a 1×1 matrix expression scaling a matrix
            return a * b
        if op == "div":
            if is_matrix[1]:
                _unsupported()
            return args[0] / args[1]
        if op == "pow":
            p = node.value
            if not is_matrix[0]:
                return args[0] ** sympy.Rational(str(p))
            if p == -1:
                return sympy.Inverse(args[0])
            if p == int(p) and p > 0:
                return sympy.MatPow(args[0], int(p))
            _unsupported()
        if op == "fn":
            fn = self.function(node.name, int(node.value))
            return ElementwiseApplyFunction(fn, args[0]) if is_matrix[0] else fn(args[0])
        if op == "call":
            a = args[0]
            name = node.name
            if name == "norm" or name == "sum" or (name == "diag" and self.typed.of(node.args[0])[1] != 1):
                _unsupported()
            if not is_matrix[0]:
                return {"diag": lambda v: v, "tr": lambda v: v, "det": lambda v: v, "inv": lambda v: 1 / v,
                        "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt}[name](a)  # fmt: skip
            if name == "diag":
                return sympy.DiagMatrix(a)
            if name == "tr":
                return sympy.Trace(a)
            if name == "det":
                return sympy.Determinant(a)
            if name == "inv":
                return sympy.Inverse(a)
            t = sympy.Dummy("t")
            return ElementwiseApplyFunction(
                sympy.Lambda(t, {"exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt}[name](t)), a
            )
        _unsupported()


def _unsupported() -> Any:
    raise Unsupported


def _num(value: Any) -> Node:
    if not value.is_number:
        raise Unsupported
    return Node("num", value=float(value))


def _fn_of(lam: Any, functions: dict[str, str | None]) -> tuple[str, int]:
    """Read Lambda(t, sigma(t)) or Lambda(t, Derivative(sigma(t), (t, k))) back as (sigma, k)."""
    t, body = lam.variables[0], lam.expr
    if isinstance(body, sympy.Derivative):
        inner, ((var, order),) = body.expr, body.variable_count
        if var == t and isinstance(inner, sympy.core.function.AppliedUndef) and inner.args == (t,):
            return inner.func.__name__, int(order)
    if isinstance(body, sympy.core.function.AppliedUndef) and body.args == (t,):
        return body.func.__name__, 0
    raise Unsupported


def _from_sympy(expr: Any, functions: dict[str, str | None]) -> Node:
    if isinstance(expr, sympy.MatrixSymbol | sympy.Symbol):
        return Node("sym", name=expr.name)
    if isinstance(expr, sympy.Transpose):
        return Node("T", (_from_sympy(expr.arg, functions),))
    if isinstance(expr, sympy.Identity):
        return Node("eye", name="I")
    if isinstance(expr, sympy.Inverse):
        return Node("pow", (_from_sympy(expr.arg, functions),), value=-1.0)
    if isinstance(expr, sympy.MatPow) and expr.exp.is_Integer:
        return Node("pow", (_from_sympy(expr.base, functions),), value=float(expr.exp))
    if isinstance(expr, sympy.Pow) and expr.exp.is_number:
        return Node("pow", (_from_sympy(expr.base, functions),), value=float(expr.exp))
    if isinstance(expr, sympy.Trace):
        return Node("call", (_from_sympy(expr.arg, functions),), name="tr")
    if isinstance(expr, sympy.DiagMatrix):
        return Node("call", (_from_sympy(expr.args[0], functions),), name="diag")
    if isinstance(expr, ElementwiseApplyFunction):
        name, order = _fn_of(expr.function, functions)
        if name not in functions or functions[name]:
            raise Unsupported
        return Node("fn", (_from_sympy(expr.expr, functions),), name=name, value=float(order))
    if isinstance(expr, sympy.HadamardProduct):
        return _fold("had", [_from_sympy(a, functions) for a in expr.args])
    if isinstance(expr, sympy.MatMul | sympy.Mul):
        return _fold("mul", [_from_sympy(a, functions) for a in expr.args])
    if isinstance(expr, sympy.MatAdd | sympy.Add):
        return _fold("add", [_from_sympy(a, functions) for a in expr.args])
    if expr.is_number:
        return _num(expr)
    raise Unsupported


def _fold(op: str, parts: list[Node]) -> Node:
    node = parts[0]
    for part in parts[1:]:
        node = Node(op, (node, part))
    return node


def sympy_closed_form(context: Context, function: Typed, wrt: str, form: str, layout: str, expected: Shape) -> Typed:
    """SymPy's derivative read back into the answer language and shape-checked; Unsupported if it cannot."""
    convert = _ToSympy(context, function)
    try:
        f = convert(function.root)
        var = convert.symbol(wrt)
        if not isinstance(var, sympy.MatrixSymbol) or not isinstance(f, sympy.MatrixExpr):
            raise Unsupported
        tree = None
        for attempt in (f, sympy.Trace(f)) if form != "jacobian" else (f,):
            try:  # the plain derivative reads back more often; a scalar w.r.t. a matrix needs the trace
                result = attempt.diff(var)
                tree = _from_sympy(result.diff(var) if form == "hessian" else result, dict(context.functions))
                break
            except (Unsupported, ValueError, TypeError, AttributeError, NotImplementedError):
                continue
        if tree is None:
            raise Unsupported
        typed = check(tree, to_text(tree), context.declared, expected)
    except (Unsupported, MatrixInputError, TypeError, ValueError, AttributeError, NotImplementedError, KeyError):
        raise Unsupported from None
    if typed.shape == expected:
        return typed
    if typed.shape == expected[::-1]:
        tree = Node("T", (tree,))
        return check(tree, to_text(tree), context.declared, expected)
    raise Unsupported
