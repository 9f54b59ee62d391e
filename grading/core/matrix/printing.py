"""A matrix answer's tree back to text (the input grammar, for de-duplication) and to LaTeX."""

from __future__ import annotations

import re

from .shapes import Shape
from .syntax import GREEK, Node

_GREEK_NAMES = set(GREEK.values())
_PREC = {"add": 1, "sub": 1, "had": 2, "mul": 3, "div": 3, "neg": 4, "T": 5, "pow": 5}
_LATEX_CALLS = {"diag": r"\operatorname{diag}", "tr": r"\operatorname{tr}", "det": r"\det", "exp": r"\exp",
                "log": r"\log", "sum": r"\operatorname{sum}"}  # fmt: skip


def _prec(node: Node) -> int:
    return _PREC.get(node.op, 6)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def to_text(node: Node) -> str:
    op, args = node.op, node.args

    def wrap(child: Node, level: int) -> str:
        text = to_text(child)
        return f"({text})" if _prec(child) < level else text

    if op == "sym":
        return node.name
    if op == "num":
        return _number(node.value)
    if op == "eye":
        return "I"
    if op == "fn":
        return f"{node.name}{chr(39) * int(node.value)}({to_text(args[0])})"
    if op == "call":
        return f"{node.name}({to_text(args[0])})"
    if op == "T":
        return wrap(args[0], 6) + "^T"
    if op == "pow":
        return wrap(args[0], 6) + "^" + (_number(node.value) if node.value >= 0 else f"({_number(node.value)})")
    if op == "neg":
        return "-" + wrap(args[0], 4)
    if op in ("add", "sub"):
        return f"{to_text(args[0])} {'+' if op == 'add' else '-'} {wrap(args[1], 2)}"
    if op == "had":
        return f"{wrap(args[0], 2)} ⊙ {wrap(args[1], 3)}"
    if op == "mul":  # juxtaposed: a signed right factor needs brackets ("A (-B)", not "A -B")
        return f"{wrap(args[0], 3)} {wrap(args[1], 5)}"
    if op == "div":
        return f"{wrap(args[0], 3)} / {wrap(args[1], 4)}"
    raise AssertionError(op)


def name_latex(name: str) -> str:
    m = re.fullmatch(r"([A-Za-z]+?)_?(\d*)", name)
    stem, index = (m.group(1), m.group(2)) if m else (name, "")
    if stem in _GREEK_NAMES:
        stem = "\\" + stem
    elif len(stem) > 1:
        stem = rf"\mathit{{{stem}}}"
    return f"{stem}_{{{index}}}" if index else stem


def to_latex(node: Node) -> str:
    op, args = node.op, node.args

    def wrap(child: Node, level: int) -> str:
        text = to_latex(child)
        return rf"\left({text}\right)" if _prec(child) < level else text

    if op == "sym":
        return name_latex(node.name)
    if op == "num":
        return _number(node.value)
    if op == "eye":
        return "I"
    if op == "fn":
        return f"{name_latex(node.name)}{chr(39) * int(node.value)}\\left({to_latex(args[0])}\\right)"
    if op == "call":
        inner = to_latex(args[0])
        if node.name == "norm":
            return rf"\left\lVert {inner} \right\rVert"
        if node.name == "sqrt":
            return rf"\sqrt{{{inner}}}"
        if node.name == "inv":
            return rf"\left({inner}\right)^{{-1}}"
        return rf"{_LATEX_CALLS[node.name]}\left({inner}\right)"
    if op == "T":
        return wrap(args[0], 6) + r"^{\top}"
    if op == "pow":
        return wrap(args[0], 6) + "^{" + _number(node.value) + "}"
    if op == "neg":
        return "-" + wrap(args[0], 4)
    if op in ("add", "sub"):
        return f"{to_latex(args[0])} {'+' if op == 'add' else '-'} {wrap(args[1], 2)}"
    if op == "had":
        return rf"{wrap(args[0], 2)} \odot {wrap(args[1], 3)}"
    if op == "mul":
        left, right = wrap(args[0], 3), wrap(args[1], 5)
        joint = r" \cdot " if right[:1].isdigit() or right.startswith("-") else r" \, "
        return left + joint + right
    if op == "div":
        return rf"\frac{{{to_latex(args[0])}}}{{{to_latex(args[1])}}}"
    raise AssertionError(op)


def shape_latex(shape: Shape) -> str:
    r, c = shape
    if r == 1 and c == 1:
        return r"\text{scalar}"
    return rf"{r} \times {c}"
