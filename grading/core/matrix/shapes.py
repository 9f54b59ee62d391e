"""Shapes of a matrix answer, checked as it is read, with messages a student can act on.

Every value is a matrix with two dimensions: a declared dimension name (``n``), a fixed size
(``1`` for a column vector's second dimension or a scalar) or, for ``I``, an unknown that the
context settles (``A + I``, ``I x``, or the expected shape of the whole answer). A 1×1 value is a
scalar: it multiplies anything. There is no broadcasting: adding a vector to a matrix, or a scalar
to a vector, is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .syntax import MatrixInputError, Node

Dim = str | int  # a dimension name or a fixed size


class _Var:
    """An unknown dimension (the size of an I), resolved by unification."""

    __slots__ = ("parent",)

    def __init__(self) -> None:
        self.parent: _Var | Dim | None = None


RawDim = Dim | _Var
Shape = tuple[Dim, Dim]


def _find(d: RawDim) -> RawDim:
    while isinstance(d, _Var) and d.parent is not None:
        d = d.parent
    return d


def dim_text(d: RawDim) -> str:
    d = _find(d)
    return "?" if isinstance(d, _Var) else str(d)


def shape_text(shape: tuple[RawDim, RawDim]) -> str:
    r, c = (_find(d) for d in shape)
    if r == 1 and c == 1:
        return "a scalar"
    return f"{dim_text(r)}×{dim_text(c)}"


def is_scalar(shape: tuple[RawDim, RawDim]) -> bool:
    return _find(shape[0]) == 1 and _find(shape[1]) == 1


@dataclass
class Typed:
    """The shapes of every node of one answer (resolved once `check` has finished)."""

    root: Node
    shapes: dict[Node, Shape] = field(default_factory=dict)
    scalar_mul: set[Node] = field(default_factory=set)  # products where one side is a scalar

    @property
    def shape(self) -> Shape:
        return self.shapes[self.root]

    def of(self, node: Node) -> Shape:
        return self.shapes[node]


class _Checker:
    def __init__(self, text: str, declared: dict[str, Shape]) -> None:
        self.text = text
        self.declared = declared
        self.raw: dict[Node, tuple[RawDim, RawDim]] = {}
        self.scalar_mul: set[Node] = set()

    def src(self, node: Node) -> str:
        snippet = " ".join(self.text[node.start : node.end].split())
        return snippet if 0 < len(snippet) <= 60 else snippet[:57] + "..."

    def unify(self, a: RawDim, b: RawDim) -> bool:
        a, b = _find(a), _find(b)
        if a == b:
            return True
        if isinstance(a, _Var):
            a.parent = b
            return True
        if isinstance(b, _Var):
            b.parent = a
            return True
        return False

    def error(self, node: Node, message: str) -> MatrixInputError:
        return MatrixInputError(message, node.start)

    def visit(self, node: Node) -> tuple[RawDim, RawDim]:
        shape = self._visit(node)
        self.raw[node] = shape
        return shape

    def _visit(self, node: Node) -> tuple[RawDim, RawDim]:
        op = node.op
        if op == "sym":
            return self.declared[node.name]
        if op == "num":
            return (1, 1)
        if op == "eye":
            v = _Var()
            return (v, v)
        if op == "T":
            r, c = self.visit(node.args[0])
            return (c, r)
        if op == "neg":
            return self.visit(node.args[0])
        if op == "fn":
            return self.visit(node.args[0])
        if op in ("add", "sub", "had"):
            return self.same_shape(node)
        if op == "mul":
            return self.product(node)
        if op == "div":
            left, right = (self.visit(a) for a in node.args)
            if not is_scalar(right):
                raise self.error(
                    node,
                    f"{self.src(node)}: you can only divide by a scalar, and {self.src(node.args[1])} is "
                    f"{shape_text(right)} (use inv(...) for a matrix inverse).",
                )
            return left
        if op == "pow":
            return self.power(node)
        if op == "call":
            return self.call(node)
        raise AssertionError(op)

    def same_shape(self, node: Node) -> tuple[RawDim, RawDim]:
        left, right = (self.visit(a) for a in node.args)
        if self.unify(left[0], right[0]) and self.unify(left[1], right[1]):
            return left
        a, b = node.args
        what = {"add": "added", "sub": "subtracted", "had": "multiplied elementwise"}[node.op]
        extra = " (there is no broadcasting)" if is_scalar(left) or is_scalar(right) else ""
        raise self.error(
            node,
            f"{self.src(node)}: {self.src(a)} is {shape_text(left)} and {self.src(b)} is {shape_text(right)}, "
            f"so they cannot be {what}{extra}.",
        )

    def product(self, node: Node) -> tuple[RawDim, RawDim]:
        a, b = node.args
        left, right = self.visit(a), self.visit(b)
        if is_scalar(left):
            self.scalar_mul.add(node)
            return right
        if is_scalar(right):
            self.scalar_mul.add(node)
            return left
        if self.unify(left[1], right[0]):
            return (left[0], right[1])
        hint = ""
        if _find(right[1]) == _find(left[0]):
            hint = " (in the other order they can)"
        elif _find(left[0]) == _find(right[0]):
            hint = f" (perhaps {self.src(a)} should be transposed)"
        raise self.error(
            node,
            f"{self.src(node)}: {self.src(a)} is {shape_text(left)} and {self.src(b)} is {shape_text(right)}, "
            f"so they cannot be multiplied in this order{hint}.",
        )

    def square(self, node: Node, shape: tuple[RawDim, RawDim], what: str) -> None:
        if not self.unify(shape[0], shape[1]):
            raise self.error(node, f"{what}: {self.src(node.args[0])} is {shape_text(shape)}, not a square matrix.")

    def power(self, node: Node) -> tuple[RawDim, RawDim]:
        shape = self.visit(node.args[0])
        if is_scalar(shape):
            return shape
        p = node.value
        self.square(node, shape, self.src(node))
        if p != int(p):
            raise self.error(node, f"{self.src(node)}: a matrix can only be raised to a whole power.")
        from .syntax import MAX_MATRIX_POWER

        if abs(p) > MAX_MATRIX_POWER:
            raise self.error(node, f"{self.src(node)}: matrix powers go up to {MAX_MATRIX_POWER}.")
        return shape

    def call(self, node: Node) -> tuple[RawDim, RawDim]:
        name, arg = node.name, node.args[0]
        shape = self.visit(arg)
        r, c = (_find(d) for d in shape)
        if name == "diag":
            if is_scalar(shape):
                return (1, 1)
            if c == 1:
                return (r, r)
            if r == 1:
                return (c, c)
            self.square(node, shape, self.src(node))
            return (r, 1)
        if name in ("tr", "det"):
            self.square(node, shape, self.src(node))
            return (1, 1)
        if name == "inv":
            self.square(node, shape, self.src(node))
            return shape
        if name in ("norm", "sum"):
            return (1, 1)
        if name in ("exp", "log", "sqrt"):
            if r != 1 and c != 1:
                raise self.error(
                    node,
                    f"{self.src(node)}: {name} applies to scalars and, entry by entry, to vectors; "
                    f"{self.src(arg)} is {shape_text(shape)}.",
                )
            return shape
        raise AssertionError(name)


def check(tree: Node, text: str, declared: dict[str, Shape], expected: Shape | None = None) -> Typed:
    """Shapes of every node; MatrixInputError naming the operands if two cannot be combined."""
    checker = _Checker(text, declared)
    root = checker.visit(tree)
    if expected is not None:  # an I whose size nothing else fixes takes the expected one
        for mine, want in zip(root, expected, strict=True):
            if isinstance(_find(mine), _Var):
                checker.unify(mine, want)
    names = {d for shape in declared.values() for d in shape if isinstance(d, str)}
    if len(names) == 1:  # with a single dimension, every I is n×n
        for r, c in checker.raw.values():
            for d in (r, c):
                if isinstance(_find(d), _Var):
                    checker.unify(d, next(iter(names)))
    typed = Typed(tree, scalar_mul=checker.scalar_mul)
    for node, (r, c) in checker.raw.items():
        r, c = _find(r), _find(c)
        if isinstance(r, _Var) or isinstance(c, _Var):
            raise MatrixInputError(
                f"The size of I in {checker.src(node)} cannot be told from the rest of the answer; write it so "
                "that I is added to or multiplied by a matrix.",
                node.start,
            )
        typed.shapes[node] = (r, c)
    return typed
