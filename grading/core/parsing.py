"""Safe parser of student answers: text to SymPy objects, never through eval or sympify.

Grammar (loosest first)::

    sum      := product (("+" | "-") product)*
    product  := signed (("*" | "/") signed | power)*      # juxtaposition is "*", same precedence
    signed   := ("-" | "+") signed | power
    power    := postfix ("^" signed)?                     # right-associative, -x^2 = -(x^2), 2^-1
    postfix  := primary "!"*
    primary  := number | name | call | "(" ... ")" | "[" ... "]" | "<" ... ">" | "⟨" ... "⟩"
              | "|" sum "|" | ("√" | "∛") postfix

So ``1/2x`` is ``x/2``, ``e^2x`` is ``e^2 * x`` and ``√2x`` is ``√2 * x``. A function name takes
its arguments in parentheses (``sin(x)``, ``log(x, 2)``, ``sin^2(x)`` = ``sin(x)^2``) or, without
them, a run of powers of a number and names: ``sin 2x`` = ``sin(2x)``, ``sin x^2`` = ``sin(x^2)``,
``sin x cos x`` = ``sin(x) cos(x)``. A run of letters that is not itself a known name is split
into known names, longest first: ``xy`` = ``x*y``, ``2pix`` = ``2*pi*x``, ``sinx`` = ``sin(x)``;
a declared name followed by "(" multiplies: ``x(x+1)`` = ``x*(x+1)``.

Decimals are exact rationals (``0.1`` = 1/10). Odd roots of negative numbers are real
(``(-8)^(1/3)`` = -2); the names i and I are unknown, though ``sqrt(-1)`` still means i. Undefined
values (``1/0``) are refused. The cost of every operation is bounded before SymPy runs it (see ``limits``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sympy

from .limits import (
    DEFAULT_LIMITS,
    AnswerError,
    Builder,
    LimitError,
    Limits,
    ParseError,
    Shape,
    ShapeError,
    UnknownNameError,
    Val,
    Value,
    digits_of,
    shape_name,
)
from .tokens import CLOSERS, Kind, Token, tokenize

__all__ = [
    "AnswerError",
    "LimitError",
    "Limits",
    "ParseError",
    "Parsed",
    "ShapeError",
    "UnknownNameError",
    "parse",
    "symbol",
]


def symbol(name: str) -> sympy.Symbol:
    """The one way answer variables are made: real symbols, so sqrt(x^2) is |x|."""
    return sympy.Symbol(name, real=True)


@dataclass(frozen=True)
class Parsed:
    """A parsed answer: SymPy value, its shape and LaTeX for "interpreted as"."""

    value: Value  # a vector is an n×1 ImmutableMatrix, a matrix an m×n one
    shape: Shape  # () scalar, (n,) vector, (m, n) matrix
    latex: str


@dataclass(frozen=True, slots=True)
class _Function:
    """A whitelisted function: its arities and how to build it."""

    name: str
    arities: tuple[int, ...]
    build: Callable[..., sympy.Expr] | None  # None: built by the parser, which checks the cost first


def _log(x: sympy.Expr, base: sympy.Expr | None = None) -> sympy.Expr:
    return sympy.log(x) if base is None else sympy.log(x, base)


_FUNCTION_GROUPS: list[tuple[tuple[str, ...], Callable[..., sympy.Expr] | None, tuple[int, ...]]] = [
    (("sin",), sympy.sin, (1,)),
    (("cos",), sympy.cos, (1,)),
    (("tan",), sympy.tan, (1,)),
    (("sec",), sympy.sec, (1,)),
    (("csc", "cosec"), sympy.csc, (1,)),
    (("cot",), sympy.cot, (1,)),
    (("asin", "arcsin"), sympy.asin, (1,)),
    (("acos", "arccos"), sympy.acos, (1,)),
    (("atan", "arctan"), sympy.atan, (1,)),
    (("asec", "arcsec"), sympy.asec, (1,)),
    (("acsc", "arccsc"), sympy.acsc, (1,)),
    (("acot", "arccot"), sympy.acot, (1,)),
    (("sinh",), sympy.sinh, (1,)),
    (("cosh",), sympy.cosh, (1,)),
    (("tanh",), sympy.tanh, (1,)),
    (("sech",), sympy.sech, (1,)),
    (("csch",), sympy.csch, (1,)),
    (("coth",), sympy.coth, (1,)),
    (("asinh", "arsinh", "arcsinh"), sympy.asinh, (1,)),
    (("acosh", "arcosh", "arccosh"), sympy.acosh, (1,)),
    (("atanh", "artanh", "arctanh"), sympy.atanh, (1,)),
    (("asech", "arsech", "arcsech"), sympy.asech, (1,)),
    (("acsch", "arcsch", "arccsch"), sympy.acsch, (1,)),
    (("acoth", "arcoth", "arccoth"), sympy.acoth, (1,)),
    (("exp",), sympy.exp, (1,)),
    (("log", "ln"), _log, (1, 2)),
    (("abs",), sympy.Abs, (1,)),
    (("sign", "sgn"), sympy.sign, (1,)),
    (("sqrt",), None, (1,)),
    (("cbrt",), None, (1,)),
    (("factorial",), None, (1,)),
]
FUNCTIONS: dict[str, _Function] = {
    alias: _Function(names[0], arities, build) for names, build, arities in _FUNCTION_GROUPS for alias in names
}
_BUILTIN_CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E, "E": sympy.E}
_OPERAND = 'a number, a variable or "("'
_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.AccumBounds)
_UNDEFINED_MESSAGE = "The answer is undefined (it divides by zero or similar)."


class _Names:
    """What the names in an answer mean: constants, variables, built-in constants, functions."""

    def __init__(self, variables: Sequence[str], constants: Mapping[str, sympy.Basic]):
        for name in [*variables, *constants]:
            if not (name.isascii() and name.isidentifier() and name[0].isalpha()) or name in FUNCTIONS:
                raise ValueError(f"{name!r} cannot be an answer variable or constant")
        self.variables = list(variables)
        self.values: dict[str, Val] = {n: Val(v) for n, v in _BUILTIN_CONSTANTS.items()}
        self.values.update({n: Val(symbol(n)) for n in variables})
        self.values.update({n: _constant(v) for n, v in constants.items()})
        self.longest = max(len(n) for n in [*self.values, *FUNCTIONS])

    def split(self, word: str) -> list[str] | None:
        """Split a run of letters into known names, longest piece first; None if impossible."""
        after: list[int | None] = [None] * len(word) + [len(word)]
        for start in range(len(word) - 1, -1, -1):
            for end in range(min(len(word), start + self.longest), start, -1):
                piece = word[start:end]
                if after[end] is not None and (piece in self.values or piece in FUNCTIONS):
                    after[start] = end
                    break
        if after[0] is None:
            return None
        pieces, start = [], 0
        while start < len(word):
            stop = after[start]
            assert stop is not None
            pieces.append(word[start:stop])
            start = stop
        return pieces

    def unknown(self, word: str, call: bool, position: int) -> UnknownNameError:
        """The error for a name that is not known, naming the culprit as precisely as possible."""
        if call:
            return UnknownNameError(f'Unknown function "{word}"', word, position)
        culprit, offset = word, 0
        if word.isalpha() and len(word) > 1:
            # "xz" with x known: the student meant x*z, so name "z".
            unknown = [i for i, c in enumerate(word) if not self._covered(word, i)]
            if len(unknown) == 1:
                culprit, offset = word[unknown[0]], unknown[0]
        allowed = f"you can use {', '.join(self.variables)}" if self.variables else "this answer has no variables"
        return UnknownNameError(f'Unknown variable "{culprit}" ({allowed})', culprit, position + offset)

    def _covered(self, word: str, index: int) -> bool:
        return any(
            word[s:e] in self.values
            for s in range(max(0, index - self.longest + 1), index + 1)
            for e in range(index + 1, min(len(word), s + self.longest) + 1)
        )


def _constant(value: sympy.Basic) -> Val:
    """A trusted constant: scalars as they are, n×1 matrices as vectors."""
    if isinstance(value, sympy.MatrixBase):
        matrix = sympy.ImmutableMatrix(value)
        shape: Shape = (matrix.rows,) if matrix.cols == 1 else matrix.shape
        return Val(matrix, shape, digits_of(matrix))
    expr = sympy.sympify(value, strict=True)  # trusted author values only (numbers, SymPy objects)
    return Val(expr, (), digits_of(expr))


class _Parser:
    """Recursive descent over the token list with an explicit nesting counter."""

    def __init__(self, tokens: list[Token], names: _Names, limits: Limits):
        self.tokens = tokens
        self.names = names
        self.limits = limits
        self.build = Builder(limits)
        self.i = 0
        self.depth = 0
        self.bars = 0  # open "|" in the current bracket level

    # -- token helpers -------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _is(self, *texts: str) -> bool:
        return self.tok.kind in (Kind.OP, Kind.OPEN, Kind.CLOSE, Kind.COMMA, Kind.BAR) and self.tok.text in texts

    def _next(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    @contextmanager
    def _nested(self) -> Iterator[None]:
        if self.depth >= self.limits.max_depth:
            raise LimitError(f"The answer is nested too deeply (more than {self.limits.max_depth} levels).")
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def _found(self) -> str:
        return "at the end of the answer" if self.tok.kind is Kind.END else f'but found "{self.tok.text}"'

    def _expected_operand(self) -> ParseError:
        if self.i == 0:
            if self.tok.kind is Kind.END:
                return ParseError("The answer is empty.", 0)
            return ParseError(f'Expected {_OPERAND} at the start, but found "{self.tok.text}"', self.tok.pos)
        after = self.tokens[self.i - 1].text
        if self.tok.kind is Kind.END:
            return ParseError(f'Expected {_OPERAND} after "{after}" at the end of the answer', self.tok.pos)
        return ParseError(f'Expected {_OPERAND} after "{after}", but found "{self.tok.text}"', self.tok.pos)

    # -- grammar -------------------------------------------------------------------------------

    def answer(self) -> Val:
        value = self.sum()
        if self.tok.kind is not Kind.END:
            raise self._leftover()
        return value

    def _leftover(self) -> ParseError:
        tok = self.tok
        if tok.text in ("<", ">"):
            return ParseError(f'Comparisons such as "{tok.text}" are not part of an answer', tok.pos)
        if tok.kind is Kind.CLOSE:
            return ParseError(f'This "{tok.text}" has no matching opening bracket', tok.pos)
        if tok.kind is Kind.BAR:
            return ParseError('This "|" has no matching opening "|"', tok.pos)
        if tok.kind is Kind.COMMA:
            return ParseError('Unexpected ","; write a vector in brackets, like [1, 2]', tok.pos)
        if tok.kind is Kind.NUMBER:
            return ParseError(f'Missing operator (such as "*") before "{tok.text}"', tok.pos)
        return ParseError(f'Unexpected "{tok.text}"', tok.pos)

    def sum(self) -> Val:
        terms = [self.product()]
        while self._is("+", "-"):
            negative = self._next().text == "-"
            term = self.product()
            terms.append(self.build.negate(term) if negative else term)
        return self.build.add(terms) if len(terms) > 1 else terms[0]

    def product(self) -> Val:
        factors = [(False, self.signed())]
        while True:
            if self._is("*", "/"):
                divide = self._next().text == "/"
                factors.append((divide, self.signed()))
            elif self._starts_implicit():
                factors.append((False, self.power()))
            else:
                break
        return self.build.multiply(factors) if len(factors) > 1 else factors[0][1]

    def _starts_implicit(self) -> bool:
        kind = self.tok.kind
        if kind is Kind.BAR:
            return self.bars == 0  # inside |...| a bar after an operand closes it
        return kind in (Kind.NAME, Kind.ROOT) or (kind is Kind.OPEN and self.tok.text != "<")

    def signed(self) -> Val:
        if self._is("-", "+"):
            negative = self._next().text == "-"
            with self._nested():
                value = self.signed()
            return self.build.negate(value) if negative else value
        return self.power()

    def power(self) -> Val:
        base = self.postfix()
        if self._is("^"):
            self._next()
            with self._nested():
                exponent = self.signed()
            return self.build.power(base, exponent)
        return base

    def postfix(self) -> Val:
        value = self.primary()
        while self._is("!"):
            self._next()
            value = self.build.factorial(value)
        return value

    def primary(self) -> Val:
        tok = self.tok
        if tok.kind is Kind.NUMBER:
            self._next()
            assert tok.value is not None
            return self.build.number(tok.value)
        if tok.kind is Kind.NAME:
            return self.name()
        if tok.kind is Kind.OPEN:
            return self.group()
        if tok.kind is Kind.BAR:
            return self.absolute()
        if tok.kind is Kind.ROOT:
            self._next()
            with self._nested():
                value = self.postfix()
            return self._apply(FUNCTIONS["sqrt" if tok.text == "√" else "cbrt"], tok.text, [value])
        raise self._expected_operand()

    def name(self) -> Val:
        tok = self.tok
        word = tok.text
        if word in self.names.values:
            self._next()
            return self.names.values[word]
        if word in FUNCTIONS:
            return self.call(FUNCTIONS[word])
        pieces = self.names.split(word)
        if pieces is None:
            call = self.tokens[self.i + 1].text == "("
            raise self.names.unknown(word, call, tok.pos)
        # Replace the run by its pieces so that "^" binds to the last one: xy^2 = x*y^2.
        offsets = [0]
        for piece in pieces[:-1]:
            offsets.append(offsets[-1] + len(piece))
        self.tokens[self.i : self.i + 1] = [
            Token(Kind.NAME, p, tok.char_pos[o], char_pos=tok.char_pos[o : o + len(p)])
            for p, o in zip(pieces, offsets, strict=True)
        ]
        return self.name()

    def call(self, function: _Function) -> Val:
        name = self._next()
        power = None
        if self._is("^"):  # sin^2(x) = sin(x)^2
            self._next()
            with self._nested():
                power = self.signed()
            if power.expr == -1:
                raise ParseError(
                    f'"{name.text}^-1" is ambiguous: write a{function.name}(x) or 1/{function.name}(x)', name.pos
                )
        if self._is("("):
            args = self.arguments(name.text)
        elif self.tok.kind in (Kind.NUMBER, Kind.NAME, Kind.ROOT) and self.tok.text not in FUNCTIONS:
            with self._nested():
                args = [self.bare_argument()]
        else:
            raise ParseError(f'Expected "(" after "{name.text}" {self._found()}', self.tok.pos)
        if len(args) not in function.arities:
            expected = " or ".join(str(n) for n in function.arities)
            raise ParseError(
                f"{name.text} takes {expected} argument{'s' if function.arities != (1,) else ''}, not {len(args)}",
                name.pos,
            )
        value = self._apply(function, name.text, args)
        return self.build.power(value, power) if power is not None else value

    def bare_argument(self) -> Val:
        factors = [(False, self.power())]
        while self.tok.kind is Kind.NAME and self.tok.text not in FUNCTIONS:
            factors.append((False, self.power()))
        return self.build.multiply(factors) if len(factors) > 1 else factors[0][1]

    def arguments(self, name: str) -> list[Val]:
        opening = self._next()
        items = self._items(opening)
        if len(items) == 0:
            raise ParseError(f"{name}() needs an argument", opening.pos)
        return items

    def _items(self, opening: Token) -> list[Val]:
        """Comma-separated sums up to the bracket that closes ``opening``."""
        if self.tok.kind is Kind.END:
            raise ParseError(f'This "{opening.text}" is never closed', opening.pos)
        saved_bars, self.bars = self.bars, 0
        items: list[Val] = []
        with self._nested():
            closer = CLOSERS[opening.text]
            if self.tok.text == closer and self.tok.kind is Kind.CLOSE:
                self._next()
                self.bars = saved_bars
                return items
            while True:
                items.append(self.sum())
                if self.tok.kind is Kind.COMMA:
                    self._next()
                    continue
                if self.tok.kind is Kind.CLOSE and self.tok.text == closer:
                    self._next()
                    break
                if self.tok.kind is Kind.END:
                    raise ParseError(f'This "{opening.text}" is never closed', opening.pos)
                if self.tok.kind is Kind.CLOSE:
                    raise ParseError(
                        f'Expected "{closer}" to close "{opening.text}", but found "{self.tok.text}"', self.tok.pos
                    )
                raise self._leftover()
        self.bars = saved_bars
        return items

    def group(self) -> Val:
        opening = self._next()
        items = self._items(opening)
        if not items:
            raise ParseError(f'Empty brackets "{opening.text}{CLOSERS[opening.text]}"', opening.pos)
        if opening.text == "(" and len(items) == 1:
            return items[0]
        return self.build.vector(items)

    def absolute(self) -> Val:
        opening = self._next()
        if self.tok.kind is Kind.END:
            raise ParseError('This "|" is never closed', opening.pos)
        self.bars += 1
        with self._nested():
            value = self.sum()
        if self.tok.kind is not Kind.BAR:
            if self.tok.kind is Kind.END:
                raise ParseError('This "|" is never closed', opening.pos)
            raise self._leftover()
        self._next()
        self.bars -= 1
        if value.shape:
            raise ShapeError(f"|...| needs a number, not {shape_name(value.shape)}")
        return Val(sympy.Abs(value.expr), (), value.digits, 0.0)

    def _apply(self, function: _Function, name: str, args: list[Val]) -> Val:
        for arg in args:
            if arg.shape:
                raise ShapeError(f"{name} needs a number, not {shape_name(arg.shape)}")
        if function.name == "sqrt":
            return self.build.power(args[0], Val(sympy.Rational(1, 2), (), math.log10(2)))
        if function.name == "cbrt":
            return self.build.cube_root(args[0])
        if function.name == "factorial":
            return self.build.factorial(args[0])
        if function.name == "log" and any(a.expr == 0 for a in args):
            raise AnswerError("The logarithm of 0 is undefined.")
        if any(a.expr.has(*_UNDEFINED) for a in args):  # atan(zoo) would become an interval
            raise AnswerError(_UNDEFINED_MESSAGE)
        assert function.build is not None
        return self.build.apply(function.build, args)


def _latex(value: Value, shape: Shape) -> str:
    if shape == ():
        return sympy.latex(value)
    if len(shape) == 1:
        return r"\begin{pmatrix} " + r" \\ ".join(sympy.latex(v) for v in value) + r" \end{pmatrix}"
    rows = [" & ".join(sympy.latex(value[r, c]) for c in range(shape[1])) for r in range(shape[0])]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def parse(
    text: str,
    variables: Sequence[str] = (),
    *,
    constants: Mapping[str, sympy.Basic] | None = None,
    limits: Limits | None = None,
) -> Parsed:
    """Parse an answer in which ``variables`` may appear and ``constants`` stand for values."""
    limits = limits or DEFAULT_LIMITS
    if len(text) > limits.max_length:
        raise LimitError(f"The answer is too long (more than {limits.max_length} characters).")
    names = _Names(variables, constants or {})
    tokens = tokenize(text, limits)
    try:
        value = _Parser(tokens, names, limits).answer()
    except (ValueError, ArithmeticError) as error:  # a SymPy failure on odd but bounded input
        raise AnswerError("This answer could not be interpreted.") from error
    if value.expr.has(*_UNDEFINED):
        raise AnswerError(_UNDEFINED_MESSAGE)
    return Parsed(value.expr, value.shape, _latex(value.expr, value.shape))
