"""LaTeX for "interpreted as": how a parsed value reads, for the student to check before submitting.

A small printer for the input language's own expressions (SymPy's general printer costs a
third of parsing an answer). Terms of a sum come highest degree first; a factor with a
negative exponent goes under a fraction bar; a root is a root.
"""

from __future__ import annotations

import sympy

_ADD, _MUL, _POW, _ATOM = 1, 2, 3, 4
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
    "xi", "omicron", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta",
    "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}  # fmt: skip
_NAMED = {
    sympy.sin: r"\sin", sympy.cos: r"\cos", sympy.tan: r"\tan", sympy.sec: r"\sec", sympy.csc: r"\csc",
    sympy.cot: r"\cot", sympy.asin: r"\arcsin", sympy.acos: r"\arccos", sympy.atan: r"\arctan",
    sympy.sinh: r"\sinh", sympy.cosh: r"\cosh", sympy.tanh: r"\tanh", sympy.coth: r"\coth", sympy.log: r"\log",
}  # fmt: skip


def latex(value: sympy.Basic) -> str:
    """LaTeX of a scalar, or of a vector (pmatrix) or matrix (bmatrix) given with its shape."""
    return _latex(value)[0]


def matrix(value: sympy.MatrixBase, shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return r"\begin{pmatrix} " + r" \\ ".join(latex(v) for v in value) + r" \end{pmatrix}"
    rows = [" & ".join(latex(value[r, c]) for c in range(shape[1])) for r in range(shape[0])]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def _wrap(expr: sympy.Basic, level: int) -> str:
    text, own = _latex(expr)
    return text if own >= level else rf"\left({text}\right)"


def _symbol(name: str) -> str:
    head, _, tail = name.partition("_")
    if not tail:
        stripped = head.rstrip("0123456789")
        head, tail = stripped or head, head[len(stripped) :] if stripped else ""
    head = "\\" + head if head in _GREEK else head if len(head) == 1 else rf"\mathit{{{head}}}"
    return f"{head}_{{{tail}}}" if tail else head


def ordered_terms(expr: sympy.Add) -> list[sympy.Basic]:
    """The terms of a sum, highest degree first and numbers last (SymPy's own ordering is slow)."""
    return sorted(expr.args, key=lambda t: (t.is_Number, -_degree(t)))


def _degree(term: sympy.Basic) -> int:
    """Total degree in the variables of a product of powers (for ordering terms); 0 for anything else."""
    degree = 0
    for factor in term.args if term.is_Mul else (term,):
        if factor.is_Symbol:
            degree += 1
        elif factor.is_Pow and factor.base.is_Symbol:
            degree += int(factor.exp.p) if factor.exp.is_Integer else 1
    return degree


def _part(factors: list[sympy.Basic]) -> str:
    """One side of a product or fraction: a lone factor needs no brackets."""
    if len(factors) == 1:
        return _latex(factors[0])[0]
    texts = [_wrap(f, _MUL + 1) for f in factors]
    joined = texts[0]
    for previous, text in zip(texts, texts[1:], strict=False):
        joined += r" \cdot " if previous[-1].isdigit() and text[0].isdigit() else " "
        joined += text
    return joined


def _latex(expr: sympy.Basic) -> tuple[str, int]:
    if expr.is_Integer:
        return str(expr.p), _ATOM if expr.p >= 0 else _ADD
    if expr.is_Rational:
        text = rf"\frac{{{abs(expr.p)}}}{{{expr.q}}}"
        return (f"- {text}", _ADD) if expr.p < 0 else (text, _MUL)
    if expr.is_Float:
        return str(expr), _ATOM
    if expr.is_Symbol:
        return _symbol(expr.name), _ATOM
    if expr is sympy.pi:
        return r"\pi", _ATOM
    if expr is sympy.E:
        return "e", _ATOM
    if expr is sympy.I:
        return "i", _ATOM
    if expr is sympy.nan or expr is sympy.zoo:
        return r"\text{undefined}", _ATOM
    if expr.is_Add:
        terms = ordered_terms(expr)
        text = _wrap(terms[0], _ADD)
        for term in terms[1:]:
            part = _wrap(term, _ADD)
            text += f" - {part[1:].lstrip()}" if part.startswith("-") else f" + {part}"
        return text, _ADD
    if expr.is_Mul:
        return _product(expr)
    if expr.is_Pow:
        return _power(expr)
    if isinstance(expr, sympy.exp):
        return f"e^{{{_latex(expr.args[0])[0]}}}", _POW
    if isinstance(expr, sympy.Abs):
        return rf"\left|{_latex(expr.args[0])[0]}\right|", _ATOM
    name = _NAMED.get(type(expr)) or rf"\operatorname{{{type(expr).__name__}}}"
    args = ", ".join(_latex(a)[0] for a in expr.args)
    return rf"{name}{{\left({args}\right)}}", _ATOM


def _product(expr: sympy.Mul) -> tuple[str, int]:
    coefficient, rest = expr.as_coeff_Mul()
    sign = ""
    if coefficient.is_Rational and coefficient.p < 0 or coefficient.is_Float and coefficient < 0:
        sign, coefficient = "- ", -coefficient
    numerator: list[sympy.Basic] = []
    denominator: list[sympy.Basic] = []
    if coefficient != 1:
        if coefficient.is_Rational and coefficient.q != 1:
            denominator.append(sympy.Integer(coefficient.q))
            if coefficient.p != 1:
                numerator.append(sympy.Integer(coefficient.p))
        else:
            numerator.append(coefficient)
    for factor in sorted(sympy.Mul.make_args(rest), key=lambda f: bool(f.free_symbols)):  # numbers first
        base, exponent = factor.as_base_exp()
        if exponent.is_Rational and exponent.p < 0 and not factor.is_Rational:
            denominator.append(base**-exponent)
        else:
            numerator.append(factor)
    level = _ADD if sign else _MUL
    if denominator:
        top = _part(numerator) if numerator else "1"
        return sign + rf"\frac{{{top}}}{{{_part(denominator)}}}", level
    return sign + _part(numerator), level


def _power(expr: sympy.Pow) -> tuple[str, int]:
    base, exponent = expr.args
    if exponent == sympy.S.Half:
        return rf"\sqrt{{{_latex(base)[0]}}}", _ATOM
    if exponent.is_Rational and exponent.p == 1 and exponent.q > 0:
        return rf"\sqrt[{exponent.q}]{{{_latex(base)[0]}}}", _ATOM
    if exponent.is_Rational and exponent.p < 0:
        return rf"\frac{{1}}{{{_latex(base**-exponent)[0]}}}", _MUL
    power = _latex(exponent)[0]
    if isinstance(base, sympy.Function) and type(base) in _NAMED:  # sin^2(x)
        inner = ", ".join(_latex(a)[0] for a in base.args)
        return rf"{_NAMED[type(base)]}^{{{power}}}{{\left({inner}\right)}}", _POW
    return f"{_wrap(base, _ATOM)}^{{{power}}}", _POW
