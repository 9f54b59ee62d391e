"""Write a parsed value back in the input language: parse(to_text(v)) rebuilds v.

Used to normalise answers (identical answers typed differently are graded once) and to quote
expressions in feedback.
"""

from __future__ import annotations

import sympy

from .builder import Value
from .limits import DEFAULT_LIMITS
from .parsing import FUNCTIONS
from .typesetting import ordered_terms

_ADD, _MUL, _POW, _ATOM = 1, 2, 3, 4
_TEXT_NAMES = {f.build: f.name for f in FUNCTIONS.values() if isinstance(f.build, type)}
_TEXT_NAMES.update({sympy.log: "log", sympy.Abs: "abs"})


def to_text(value: Value) -> str:
    """Write a parsed value back in the input language; parse(to_text(v)) rebuilds v."""
    if isinstance(value, sympy.MatrixBase):
        if value.cols == 1:
            return "[" + ", ".join(to_text(v) for v in value) + "]"
        # tolist(), not row(r): each row() builds a new matrix, which costs more than printing it
        return "[" + ", ".join("[" + ", ".join(to_text(v) for v in row) + "]" for row in value.tolist()) + "]"
    return _text(value)[0]


def normal_form(value: Value, guards: tuple[sympy.Basic, ...] = ()) -> str:
    """A canonical text for de-duplicating answers: the value and, if any, where it is defined.

    ``sqrt(x)^2`` and ``x`` have the same value but not the same domain, so not the same form.
    """
    text = to_text(value)
    if not guards:
        return text
    return f"{text} [defined where {', '.join(sorted(sympy.sstr(g) for g in guards))} are real]"


def _integer(n: int) -> str:
    """An integer in literals of at most 30 digits: 10^40 is 1e40, longer ones a sum of 30-digit chunks."""
    if n < 0:
        return "-" + _integer(-n)
    digits = str(n)
    mantissa = digits.rstrip("0") or "0"
    if len(digits) <= DEFAULT_LIMITS.max_literal_digits:
        return digits
    if len(mantissa) <= DEFAULT_LIMITS.max_literal_digits:
        return f"{mantissa}e{len(digits) - len(mantissa)}"
    width = DEFAULT_LIMITS.max_literal_digits
    chunks = []
    for power in range(0, len(digits), width):
        chunk = digits[max(0, len(digits) - power - width) : len(digits) - power].lstrip("0")
        if chunk:
            chunks.append(f"{chunk}e{power}")
    return "(" + " + ".join(reversed(chunks)) + ")"


def _wrap(expr: sympy.Basic, level: int) -> str:
    text, own = _text(expr)
    return text if own >= level else f"({text})"


def _text(expr: sympy.Basic) -> tuple[str, int]:
    """Text and binding strength of one expression."""
    if expr.is_Integer:
        return _integer(int(expr.p)), _ATOM if expr.p >= 0 else _ADD
    if expr.is_Rational:
        return f"{_integer(int(expr.p))}/{_integer(expr.q)}", _MUL if expr.p > 0 else _ADD
    if expr.is_Float:  # written as a decimal, which parses back as the exact rational it shows
        text = str(expr)
        return text, _ADD if text.startswith("-") else _ATOM
    if expr.is_Symbol:
        return expr.name, _ATOM
    if expr is sympy.pi:
        return "pi", _ATOM
    if expr is sympy.E:
        return "exp(1)", _ATOM  # never shadowed by a variable named e
    if expr is sympy.I:
        return "sqrt(-1)", _ATOM
    if expr.is_Add:
        first, *others = ordered_terms(expr)
        text = _wrap(first, _ADD)
        for term in others:
            part = _wrap(term, _ADD)
            text += f" - {part[1:]}" if part.startswith("-") else f" + {part}"
        return text, _ADD
    if expr.is_Mul:
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient.is_negative:  # -3*y^2, not (-3)*y^2
            others = sympy.Mul.make_args(rest)
            # "-a*b" would negate a alone; SymPy then distributes -1 over a sum a, so keep "-1*a*b".
            factors = [] if coefficient == -1 and len(others) == 1 else [_wrap(-coefficient, _MUL + 1)]
            factors += [_wrap(a, _MUL + 1) for a in others]
            return "-" + "*".join(factors), _ADD
        return "*".join(_wrap(a, _MUL + 1) for a in expr.args), _MUL
    if expr.is_Pow:
        return f"{_wrap(expr.base, _ATOM)}^{_wrap(expr.exp, _POW)}", _POW
    if isinstance(expr, sympy.Function) and type(expr) in _TEXT_NAMES:
        return f"{_TEXT_NAMES[type(expr)]}({', '.join(_wrap(a, _ADD) for a in expr.args)})", _ATOM
    raise ValueError(f"{expr} cannot be written in the answer language")
