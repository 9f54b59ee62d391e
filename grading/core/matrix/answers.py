"""Grading one matrix answer: read it, check its shape, compare values, explain a wrong one.

Equivalence is numeric and tri-state. Both sides are evaluated in float64 at every instance
(dimension assignments with distinct sizes, random well-conditioned symbols, random smooth
functions) and compared draw by draw with ``max|a − b| ≤ atol + rtol·max(max|a|, max|b|)``;
draws where the reference is undefined are skipped, the answer must be defined wherever the
reference is, and fewer than `MIN_DRAWS` usable draws leave the check undecided, which is never
`correct`. Every diagnosis is a claim checked the same way before it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ..budget import Budget, BudgetExceeded
from ..spec import SpecError
from ..verdict import TOO_COMPLEX, Preview, Verdict
from . import evaluate
from .evaluate import Instance
from .printing import shape_latex, to_latex, to_text
from .shapes import Shape, Typed, check, shape_text
from .syntax import RESERVED, MatrixInputError, Names, Node, parse

KIND = "matrix_expression"
MIN_DRAWS = 6
MAX_FIXED_SIZE = 50
MAX_SYMBOLS = 40
MAX_FUNCTIONS = 10
MAX_DIMENSIONS = 10
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9
CORRECT = "Correct."
UNDECIDED = (
    "This answer could not be checked reliably (it is undefined at most test values); it did not cost you an attempt."
)
_MAX_MUTATIONS = 24


def spec_error(text: str) -> SpecError:
    """A SpecError from "key: message" (the key a path into the spec, as the admin places problems by it)."""
    key, sep, message = text.partition(": ")
    if sep and re.fullmatch(r"[A-Za-z0-9_.\[\]]+", key):
        return SpecError(message, key=key)
    return SpecError(text)


class ContextError(ValueError):
    """A malformed declaration of shapes or functions; `message` names the key."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Context:
    """The symbols an answer may use, with their shapes, and its elementwise functions."""

    shapes: tuple[tuple[str, Shape], ...]
    functions: tuple[tuple[str, str | None], ...]
    positive: bool = False  # sample positive values only (a reference undefined at most signed ones)

    @cached_property
    def declared(self) -> dict[str, Shape]:
        return dict(self.shapes)

    @cached_property
    def names(self) -> Names:
        return Names(frozenset(self.declared), frozenset(f for f, _ in self.functions))

    @cached_property
    def instances(self) -> list[Instance]:
        return evaluate.instances(self.declared, dict(self.functions), self.positive)

    def usable(self, values: list[np.ndarray]) -> int:
        return sum(int(np.isfinite(v).all(axis=(-2, -1)).sum()) for v in values)

    def sampling(self, typed: Typed) -> tuple[Context, list[np.ndarray]]:
        """This context and the values of `typed` in it, or the positive one if that defines it more often."""
        values = [evaluate.values(typed, inst) for inst in self.instances]
        if self.usable(values) >= MIN_DRAWS or self.positive:
            return self, values
        other = replace(self, positive=True)
        other_values = [evaluate.values(typed, inst) for inst in other.instances]
        return (other, other_values) if self.usable(other_values) > self.usable(values) else (self, values)

    def read(self, text: str, expected: Shape | None = None) -> Typed:
        return check(parse(text, self.names), text_of(text), self.declared, expected)


def text_of(text: str) -> str:
    from .syntax import normalize_text

    return normalize_text(text)


def _name(value: object, key: str) -> str:
    import re

    from .syntax import GREEK

    if isinstance(value, str) and value[:1] in GREEK:  # σ declares sigma, δ2 declares delta2
        value = GREEK[value[0]] + value[1:]
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value):
        raise ContextError(f"{key}: expected a name (letters, digits, '_'), got {value!r}")
    return value


def read_context(shapes: object, functions: object, key: str = "") -> Context:
    """Shapes {name: [dims]} ([] a scalar, [n] a column vector, [h, n] a matrix) and functions
    (a list of names, each a random smooth function, or {name: logistic | tanh | softplus | exp | null})."""
    if not isinstance(shapes, dict) or not shapes:
        raise ContextError(f"{key}shapes: expected a mapping of symbol -> [dimensions], e.g. {{x: [n], W: [m, n]}}")
    if len(shapes) > MAX_SYMBOLS:
        raise ContextError(f"{key}shapes: at most {MAX_SYMBOLS} symbols")
    declared: list[tuple[str, Shape]] = []
    for name, dims in shapes.items():
        where = f"{key}shapes.{name}"
        name = _name(name, where)
        if name in RESERVED:
            raise ContextError(f"{where}: {name} is a reserved word of the answer language")
        if not isinstance(dims, list) or len(dims) > 2:
            raise ContextError(f"{where}: expected [] (a scalar), [n] (a column vector) or [rows, cols]")
        parsed: list[str | int] = []
        for d in dims:
            if isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= MAX_FIXED_SIZE:
                parsed.append(d)  # a fixed size; names are better (they are instantiated with distinct sizes)
            elif isinstance(d, str) and d.isdigit() and 1 <= int(d) <= MAX_FIXED_SIZE:
                parsed.append(int(d))
            elif isinstance(d, str) and d.isidentifier() and d.isascii():
                parsed.append(d)
            else:
                raise ContextError(f"{where}: a dimension is a name such as n (or a size from 1 to 50), got {d!r}")
        full = (parsed + [1, 1])[:2] if len(parsed) < 2 else parsed
        declared.append((name, (full[0], full[1])))
    if functions is None:
        functions = []
    if isinstance(functions, list):
        functions = {f: None for f in functions}
    if not isinstance(functions, dict):
        raise ContextError(f"{key}functions: expected a list of names, or a mapping name -> fixed function")
    if len(functions) > MAX_FUNCTIONS:
        raise ContextError(f"{key}functions: at most {MAX_FUNCTIONS} functions")
    dimensions = {d for _, shape in declared for d in shape if isinstance(d, str)}
    if len(dimensions) > MAX_DIMENSIONS:
        raise ContextError(f"{key}shapes: at most {MAX_DIMENSIONS} dimension names")
    fns: list[tuple[str, str | None]] = []
    for f, meaning in functions.items():
        where = f"{key}functions.{f}"
        f = _name(f, where)
        if f in RESERVED or f in dict(declared):
            raise ContextError(f"{where}: {f} is already a symbol or a reserved word")
        if meaning is not None and meaning not in evaluate.FIXED_FUNCTIONS:
            raise ContextError(
                f"{where}: expected one of {', '.join(evaluate.FIXED_FUNCTIONS)} or nothing, got {meaning!r}"
            )
        fns.append((f, meaning))
    return Context(tuple(sorted(declared)), tuple(sorted(fns)))


@dataclass
class Reference:
    """What answers are compared with: its shape, its values at every instance, and a closed form if known."""

    context: Context
    shape: Shape
    values: list[np.ndarray]
    closed: Typed | None = None
    what: str = "the correct answer"
    layout: str | None = None  # "numerator" (Jacobian) or "denominator" (gradient), for the transpose message
    mistakes: list[tuple[list[np.ndarray], str]] = field(default_factory=list)


def reference_from_text(context: Context, text: str, **kw: object) -> Reference:
    """MatrixInputError if the reference itself does not read."""
    typed = context.read(text)
    context, values = context.sampling(typed)
    return Reference(context, typed.shape, values, typed, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Tolerance:
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL


def compare_values(ref: list[np.ndarray], ans: list[np.ndarray], tol: Tolerance) -> bool | None:
    """True (agree at every usable draw), False (disagree somewhere), None (too few usable draws)."""
    usable = 0
    for r, a in zip(ref, ans, strict=True):
        if r.shape != a.shape:
            return False
        for k in range(r.shape[0]):
            rk, ak = r[k], a[k]
            if not np.isfinite(rk).all():
                continue
            usable += 1
            if not np.isfinite(ak).all():
                return False
            scale = max(float(np.abs(rk).max(initial=0.0)), float(np.abs(ak).max(initial=0.0)))
            if float(np.abs(rk - ak).max(initial=0.0)) > tol.atol + tol.rtol * scale:
                return False
    return True if usable >= MIN_DRAWS else None


def _layout_note(ref: Reference) -> str:
    if ref.layout == "numerator":
        return " (the gradient layout rather than the Jacobian layout)"
    if ref.layout == "denominator":
        return " (the Jacobian layout rather than the gradient layout)"
    return ""


def _shape_feedback(ref: Reference, typed: Typed, answer_values: Callable[[], list[np.ndarray]], tol: Tolerance) -> str:
    mine, want = shape_text(typed.shape), shape_text(ref.shape)
    if typed.shape == ref.shape[::-1]:
        transposed = [np.swapaxes(v, -1, -2) for v in ref.values]
        if compare_values(transposed, answer_values(), tol):
            return f"Your answer is {mine}, {ref.what} is {want} — this is its transpose{_layout_note(ref)}."
    return f"Your answer is {mine}, but {ref.what} is {want}."


def _factor(ref: list[np.ndarray], ans: list[np.ndarray], tol: Tolerance) -> float | None:
    """k if the answer is k times the reference (k ≠ 1, 0), checked at every draw."""
    num = den = 0.0
    for r, a in zip(ref, ans, strict=True):
        ok = np.isfinite(r).all(axis=(-2, -1)) & np.isfinite(a).all(axis=(-2, -1))
        num += float((r[ok] * a[ok]).sum())
        den += float((r[ok] * r[ok]).sum())
    if den == 0:
        return None
    k = num / den
    for nice in (2.0, 0.5, -1.0, 4.0, 0.25, -2.0, -0.5, 3.0, 1 / 3):
        if abs(k - nice) < 1e-6 * abs(nice):
            k = nice
            break
    else:
        return None
    return k if compare_values([k * r for r in ref], ans, tol) else None


def _factor_message(k: float, what: str) -> str:
    if k == -1.0:
        return f"The sign is wrong: your answer is minus {what}."
    words = {2.0: "twice", 0.5: "half", 4.0: "four times", 0.25: "a quarter of", 3.0: "three times",
             1 / 3: "a third of", -2.0: "minus twice", -0.5: "minus half"}  # fmt: skip
    hint = (
        " Check the factor 2 that differentiating a square or a quadratic form brings." if abs(k) in (2.0, 0.5) else ""
    )
    return f"Your answer is {words[k]} {what}.{hint}"


# --- diagnoses from the closed form ---------------------------------------------------------------


def _rebuild(node: Node, fn: Callable[[Node], Node | None]) -> Node:
    replaced = fn(node)
    if replaced is not None:
        return replaced
    if not node.args:
        return node
    return replace(node, args=tuple(_rebuild(a, fn) for a in node.args))


def _replacing(target: Node, by: Node | Callable[[Node], Node]) -> Callable[[Node], Node | None]:
    """For `_rebuild`: `target` (by identity) becomes `by`, or `by(target)`."""

    def change(node: Node) -> Node | None:
        if node is not target:
            return None
        return by(node) if callable(by) else by

    return change


def _one_at_a_time(
    tree: Node, match: Callable[[Node], bool], change: Callable[[Node], Node]
) -> Iterable[tuple[Node, Node]]:
    for target in tree.walk():
        if match(target):
            yield target, _rebuild(tree, _replacing(target, change))


def _lowered(node: Node) -> Node | None:
    """σ′ → σ, σ″ → σ′ (for the mutation "σ written for σ′")."""
    if node.op == "fn" and node.value >= 1:
        return replace(node, value=node.value - 1, args=(_rebuild(node.args[0], _lowered),))
    return None


def _mutations(ref: Reference) -> Iterable[tuple[Node, str]]:
    """Wrong versions of the reference's closed form, each with the message naming the slip."""
    assert ref.closed is not None
    tree = ref.closed.root
    fns = [n for n in tree.walk() if n.op == "fn" and n.value >= 1]
    if fns:
        lowered = _rebuild(tree, _lowered)
        f = fns[0]
        yield lowered, (f"You wrote {f.name} where its derivative {f.name}′ belongs: the Jacobian of an elementwise "
                        f"{f.name} at z is diag({f.name}′(z)), not diag({f.name}(z)).")  # fmt: skip
    for target, mutated in _one_at_a_time(
        tree,
        lambda n: n.op == "call" and n.name == "diag" and any(m.op == "fn" for m in n.walk()),
        lambda n: Node("eye", name="I"),
    ):
        yield mutated, (f"The factor {to_text(target)} is missing: the Jacobian of the elementwise function sits "
                        "between the Jacobians of the layers around it (chain rule).")  # fmt: skip
    for node in tree.walk():
        if node.op == "had":
            for keep, drop in ((0, 1), (1, 0)):
                if any(m.op == "fn" for m in node.args[drop].walk()):
                    mutated = _rebuild(tree, _replacing(node, node.args[keep]))
                    yield (
                        mutated,
                        f"The factor ⊙ {to_text(node.args[drop])} is missing "
                        "(the chain rule through the elementwise function).",
                    )
    for f in [n for n in tree.walk() if n.op == "fn"]:
        arg = f.args[0]
        if arg.op == "add":
            for keep, drop in ((0, 1), (1, 0)):
                if arg.args[drop].op == "sym":
                    mutated = _rebuild(tree, _replacing(arg, arg.args[keep]))
                    yield mutated, (f"The bias {arg.args[drop].name} is missing inside {f.name}"
                                    f"{'′' * int(f.value)}({to_text(arg)}).")  # fmt: skip
    scalar_products = ref.closed.scalar_mul
    for target, mutated in _one_at_a_time(tree, lambda n: n.op == "mul" and n not in scalar_products,
                                          lambda n: replace(n, args=n.args[::-1])):  # fmt: skip
        a, b = target.args
        yield (
            mutated,
            f"{to_text(a)} and {to_text(b)} are multiplied in the wrong order: matrix products do not commute.",
        )
    for target, mutated in _one_at_a_time(tree, lambda n: n.op == "T", lambda n: n.args[0]):
        yield mutated, f"Check the transposes: {to_text(target)} should appear there, transposed."
    square = {s for s, (r, c) in ref.context.declared.items() if r == c and r != 1}
    for target, mutated in _one_at_a_time(
        tree, lambda n: n.op == "sym" and n.name in square, lambda n: Node("T", (n,))
    ):
        yield mutated, f"Check the transposes: {target.name} appears there, not {target.name}ᵀ."


def _values_of(context: Context, tree: Node, expected: Shape) -> list[np.ndarray] | None:
    try:
        typed = check(tree, to_text(tree), context.declared, expected)
    except MatrixInputError:
        return None
    if typed.shape != expected:
        return None
    return [evaluate.values(typed, inst) for inst in context.instances]


def _symmetric_only(ref: Reference, answer: Typed, tol: Tolerance) -> str | None:
    """Would the answer be right if every square matrix were symmetric?"""
    if ref.closed is None:
        return None
    ctx = ref.context
    square = sorted(s for s, (r, c) in ctx.declared.items() if r == c and r != 1)
    if not square:
        return None
    ref_vals, ans_vals = [], []
    for inst in ctx.instances:
        sym = {**inst.values, **{s: (inst.values[s] + np.swapaxes(inst.values[s], -1, -2)) / 2 for s in square}}
        inst2 = Instance(inst.sizes, sym, inst.coefficients, inst.fixed)
        ref_vals.append(evaluate.values(ref.closed, inst2))
        ans_vals.append(evaluate.values(answer, inst2))
    if compare_values(ref_vals, ans_vals, tol):
        names = " and ".join(square)
        verb = "were" if len(square) == 1 else "were all"
        return f"This would be right only if {names} {verb} symmetric; here {names} is a general square matrix."
    return None


def diagnose(ref: Reference, answer: Typed, values: list[np.ndarray], tol: Tolerance, budget: Budget) -> str:
    for mistake_values, message in ref.mistakes:
        if compare_values(mistake_values, values, tol):
            return message
    k = _factor(ref.values, values, tol)
    if k is not None:
        return _factor_message(k, ref.what)
    transposed = [np.swapaxes(v, -1, -2) for v in ref.values]
    if ref.shape[0] == ref.shape[1] != 1 and compare_values(transposed, values, tol):
        return f"This is the transpose of {ref.what}{_layout_note(ref)}."
    budget.check()
    if (note := _symmetric_only(ref, answer, tol)) is not None:
        return note
    if ref.closed is not None:
        for i, (mutated, message) in enumerate(_mutations(ref)):
            if i >= _MAX_MUTATIONS:
                break
            budget.check()
            mutated_values = _values_of(ref.context, mutated, ref.shape)
            if mutated_values is not None and compare_values(mutated_values, values, tol):
                return message
    return "That is not right."


def assess(ref: Reference, typed: Typed, tol: Tolerance, budget: Budget) -> Verdict:
    latex, normalized = to_latex(typed.root), to_text(typed.root)
    values: list[np.ndarray] | None = None

    def answer_values() -> list[np.ndarray]:
        nonlocal values
        if values is None:
            values = [evaluate.values(typed, inst) for inst in ref.context.instances]
        return values

    if typed.shape != ref.shape:
        return Verdict("incorrect", 0.0, _shape_feedback(ref, typed, answer_values, tol), latex, normalized)
    same = compare_values(ref.values, answer_values(), tol)
    if same is None:
        return Verdict.invalid(UNDECIDED, latex)
    if same:
        return Verdict("correct", 1.0, CORRECT, latex, normalized)
    return Verdict("incorrect", 0.0, diagnose(ref, typed, answer_values(), tol, budget), latex, normalized)


def grade(ref: Reference, text: str, tol: Tolerance = Tolerance(), *, budget_s: float = 2.0) -> Verdict:
    """Grade a student's text; invalid (no attempt spent) if it cannot be read or checked in time."""
    budget = Budget.within(budget_s)  # the 2 s promise includes what runs after the deadline
    read: list[Typed] = []

    def run() -> Verdict:
        try:
            read.append(ref.context.read(text, ref.shape))
        except MatrixInputError as exc:
            return Verdict.invalid(exc.message)
        return assess(ref, read[0], tol, budget)

    try:
        return budget.guard(run)
    except BudgetExceeded:
        return Verdict.invalid(TOO_COMPLEX, to_latex(read[0].root) if read else None)
    except RecursionError:
        return Verdict.invalid("The answer is nested too deeply.")


def preview(context: Context, text: str, expected: Shape | None = None, what: str = "the correct answer") -> Preview:
    """The answer typeset with its shape, or why it cannot be read; never grades."""
    try:
        typed = context.read(text, expected)
    except MatrixInputError as exc:
        return Preview(False, None, exc.message, exc.position)
    except RecursionError:
        return Preview(False, None, "The answer is nested too deeply.")
    latex = f"{to_latex(typed.root)} \\;:\\; {shape_latex(typed.shape)}"
    if expected is not None and typed.shape != expected:
        note = f"Your answer is {shape_text(typed.shape)}, but {what} is {shape_text(expected)}."
        return Preview(True, latex, None, note=note)
    return Preview(True, latex, None)


def normalize(context: Context, text: str) -> str | None:
    try:
        return to_text(context.read(text).root)
    except (MatrixInputError, RecursionError):
        return None


def mistake_values(context: Context, text: str, expected: Shape) -> list[np.ndarray] | None:
    try:
        typed = context.read(text, expected)
    except MatrixInputError:
        return None
    if typed.shape != expected:
        return None
    return [evaluate.values(typed, inst) for inst in context.instances]
