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
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import sympy

from . import typesetting
from .builder import Builder, Shape, Val, Value, digits_of, shape_name
from .errors import AnswerError, LimitError, ParseError, ShapeError, UnknownNameError
from .limits import DEFAULT_LIMITS, Limits
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
    """A parsed answer: SymPy value, its shape, LaTeX for "interpreted as", where it is defined."""

    value: Value  # a vector is an n×1 ImmutableMatrix, a matrix an m×n one
    shape: Shape  # () scalar, (n,) vector, (m, n) matrix
    latex: str
    # Subexpressions as written that must be finite and real where the answer is defined (see builder).
    guards: tuple[sympy.Expr, ...] = ()
    # How ambiguous notation was read ("1/2x" is (1/2)·x), shown by the preview before submitting.
    notes: tuple[str, ...] = ()


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
# Defined on part of the real line only: their results are guards (see builder).
_PARTIAL = {"log", "asin", "acos", "asec", "acsc", "acosh", "atanh", "acoth", "asech"}
_BUILTIN_CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E, "E": sympy.E}
_OPERAND = 'a number, a variable or "("'
# sin^-1 x is the inverse function, as in textbooks (the preview says so).
_INVERSE = {
    "sin": "asin", "cos": "acos", "tan": "atan", "sec": "asec", "csc": "acsc", "cot": "acot", "sinh": "asinh",
    "cosh": "acosh", "tanh": "atanh", "sech": "asech", "csch": "acsch", "coth": "acoth",
}  # fmt: skip
_LOG_BASE = re.compile(r"(?:log|LOG|Log)_?([0-9]+|_[A-Za-z][A-Za-z0-9]*)\Z")
_FUNCTION_DIGITS = re.compile(r"([A-Za-z]+)([0-9]+)([A-Za-z][A-Za-z0-9_]*)?\Z")
_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.AccumBounds)
# The same as types (each value above is the one instance of its class): one walk instead of one per value.
_UNDEFINED_TYPES = (*{type(u) for u in _UNDEFINED[:4]}, sympy.AccumBounds)
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
        # x_1 for a declared x1 (and x1 for x_1), Pi and PI for pi: unambiguous other spellings.
        spellings: dict[str, list[str]] = {}
        for name in self.values:
            for other in {name.replace("_", ""), name.lower()} - {name}:
                spellings.setdefault(other, []).append(name)
        self.aliases = {k: v[0] for k, v in spellings.items() if len(v) == 1 and k not in self.values}

    def lookup(self, word: str) -> Val | None:
        """The value of a variable or constant, under any of its spellings."""
        plain = word.replace("_", "") if not word.endswith("_") else word
        name = word if word in self.values else plain if plain in self.values else self.aliases.get(plain)
        if name is None and word.lower() == "pi":
            name = "pi"
        return self.values.get(name) if name is not None else None

    @staticmethod
    def function(word: str) -> _Function | None:
        """A function by name in any case: sin, Sin, SIN; Abs as SymPy writes it."""
        return FUNCTIONS.get(word) or FUNCTIONS.get(word.lower())

    def split(self, word: str) -> list[str] | None:
        """Split a run of letters into known names, longest piece first; None if impossible."""
        after: list[int | None] = [None] * len(word) + [len(word)]
        for start in range(len(word) - 1, -1, -1):
            for end in range(min(len(word), start + self.longest), start, -1):
                piece = word[start:end]
                if after[end] is not None and (piece in self.values or piece.lower() in FUNCTIONS):
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


@lru_cache(maxsize=512)
def _plain_names(variables: tuple[str, ...]) -> _Names:
    """The names of an answer without constants (every student answer): built once per variable list."""
    return _Names(variables, {})


def _constant(value: sympy.Basic) -> Val:
    """A trusted constant: scalars as they are, n×1 matrices as vectors."""
    if isinstance(value, sympy.MatrixBase):
        matrix = sympy.ImmutableMatrix(value)
        shape: Shape = (matrix.rows,) if matrix.cols == 1 else matrix.shape
        return Val(matrix, shape, digits_of(matrix))
    expr = sympy.sympify(value, strict=True)  # trusted author values only (numbers, SymPy objects)
    return Val(expr, (), digits_of(expr))


class _Nesting:
    """One level deeper for the duration of a `with`; a class rather than a generator, as it runs at every level."""

    __slots__ = ("parser",)

    def __init__(self, parser: _Parser):
        self.parser = parser

    def __enter__(self) -> None:
        parser = self.parser
        if parser.depth >= parser.limits.max_depth:
            raise LimitError(f"The answer is nested too deeply (more than {parser.limits.max_depth} levels).")
        parser.depth += 1

    def __exit__(self, *exc: object) -> None:
        self.parser.depth -= 1


_PUNCTUATION = frozenset({Kind.OP, Kind.OPEN, Kind.CLOSE, Kind.COMMA, Kind.BAR})


class _Parser:
    """Recursive descent over the token list with an explicit nesting counter."""

    def __init__(self, tokens: list[Token], names: _Names, limits: Limits, text: str = ""):
        self.text = text
        self.notes: list[str] = []
        self.tokens = tokens
        self.names = names
        self.limits = limits
        self.build = Builder(limits)
        self.i = 0
        self.depth = 0
        self._nesting = _Nesting(self)
        self.bars = 0  # open "|" in the current bracket level

    # -- token helpers -------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _is(self, *texts: str) -> bool:
        tok = self.tokens[self.i]
        return tok.text in texts and tok.kind in _PUNCTUATION

    def _next(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def _nested(self) -> _Nesting:
        return self._nesting

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
        if tok.kind is Kind.SEMI:
            return ParseError('Unexpected ";"; write the rows of a matrix in brackets, like [1, 2; 3, 4]', tok.pos)
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
        start = self.tok.pos
        factors = [(False, self.signed())]
        division = None
        while True:
            if self._is("*", "/"):
                op = self._next()
                division = op.pos if op.text == "/" else division
                factors.append((op.text == "/", self.signed()))
            elif self._starts_implicit():
                here = self.tok.pos
                adjacent = here > 0 and self.text[here - 1 : here] not in (" ", "")
                tight = self.tight
                factors.append((False, self.power()))
                if adjacent and factors[-2][0] and division is not None:
                    a, b = self._source(start, division), self._source(division + 1, here)
                    c = self._source(here, self.tok.pos)
                    self._note(f'"{a}/{b}{c}" is read as ({a}/{b})·{c}; for {a}/({b}{c}) bracket the denominator.')
                elif adjacent and tight is not None and tight[1] == here:
                    what, c = self._source(tight[0], here), self._source(here, self.tok.pos)
                    self._note(f'"{what}{c}" is read as {what}·{c}; to include {c}, use brackets.')
            else:
                break
        return self.build.multiply(factors) if len(factors) > 1 else factors[0][1]

    def _source(self, start: int, end: int) -> str:
        return self.text[start:end].strip()

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

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

    # (start, end) of the last power or root whose exponent/argument had no brackets: e^2x, √2x
    tight: tuple[int, int] | None = None

    def power(self) -> Val:
        start = self.tok.pos
        base = self.postfix()
        if self._is("^"):
            self._next()
            bare = self.tok.kind is not Kind.OPEN
            with self._nested():
                exponent = self.signed()
            self.tight = (start, self.tok.pos) if bare else None
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
            bare = self.tok.kind is not Kind.OPEN
            with self._nested():
                value = self.postfix()
            self.tight = (tok.pos, self.tok.pos) if bare else None
            return self._apply(FUNCTIONS["sqrt" if tok.text == "√" else "cbrt"], tok.text, [value])
        raise self._expected_operand()

    def name(self) -> Val:
        tok = self.tok
        word = tok.text
        value = self.names.lookup(word)
        if value is not None:
            self._next()
            return value
        function = self.names.function(word)
        if function is not None:
            return self.call(function)
        if base := _LOG_BASE.match(word):  # log2(x), log_2(x), log10 x, log_b(x)
            return self.call(FUNCTIONS["log"], base=self._log_base(base.group(1).lstrip("_"), tok))
        pieces = self.names.split(word)
        if pieces is None:
            if split := self._function_digits(word):  # 5sqrt2, sin2x
                self.tokens[self.i : self.i + 1] = split
                return self.name()
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

    def _log_base(self, text: str, tok: Token) -> Val:
        if text.isdigit():
            base = self.build.number(sympy.Integer(int(text)))
        elif (found := self.names.lookup(text)) is not None:
            base = found
        else:
            raise self.names.unknown(text, False, tok.pos + len(tok.text) - len(text))
        if base.expr in (0, 1):
            raise AnswerError(f"A logarithm to base {base.expr} is undefined.")
        return base

    def _function_digits(self, word: str) -> list[Token] | None:
        """sqrt2 -> sqrt 2, sin2x -> sin 2 x: letters ending in a function name, then a number."""
        match = _FUNCTION_DIGITS.match(word)
        pieces = self.names.split(match.group(1)) if match else None
        if not match or not pieces or self.names.function(pieces[-1]) is None:
            return None
        tok, letters, number = self.tok, match.group(1), match.group(2)
        where = tok.char_pos
        split = [Token(Kind.NAME, letters, where[0], char_pos=where[: len(letters)])]
        split.append(Token(Kind.NUMBER, number, where[len(letters)], sympy.Integer(int(number))))
        if rest := match.group(3):
            at = len(letters) + len(number)
            split.append(Token(Kind.NAME, rest, where[at], char_pos=where[at:]))
        return split

    def call(self, function: _Function, base: Val | None = None) -> Val:
        name = self._next()
        power = None
        caret = self.tok.pos
        if self._is("^"):  # sin^2(x) = sin(x)^2
            self._next()
            with self._nested():
                power = self.signed()
            if power.expr == -1:
                inverse = _INVERSE.get(function.name)
                if inverse is None:
                    raise ParseError(
                        f'"{name.text}^-1" is ambiguous: write 1/{name.text}(x) or the inverse function', name.pos
                    )
                self._note(
                    f'"{name.text}^-1" is read as the inverse function {inverse}; for 1/{name.text}(x) write that.'
                )
                function, power = FUNCTIONS[inverse], None
        start = self.tok.pos
        if self._is("("):
            args = self.arguments(name.text)
        elif self.tok.kind is Kind.BAR:  # ln|x|
            args = [self.absolute()]
        elif self.tok.kind in (Kind.NUMBER, Kind.NAME, Kind.ROOT) and self.names.function(self.tok.text) is None:
            with self._nested():
                args = [self.bare_argument()]
            argument = self._source(start, self.tok.pos)
            if not re.fullmatch(r"[A-Za-z0-9.]+", argument) or power is not None:
                exponent = f"^{self._source(caret + 1, start)}" if power is not None else ""
                reading = f"{name.text}({argument}){exponent}"
                self._note(f'"{self._source(name.pos, self.tok.pos)}" is read as {reading}.')
        else:
            raise ParseError(f'Expected "(" after "{name.text}" {self._found()}', self.tok.pos)
        if base is not None:
            if len(args) != 1:
                raise ParseError(f"{name.text} takes 1 argument, not {len(args)}", name.pos)
            args = [args[0], base]
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
        rows = self._items(opening)
        if len(rows) == 0:
            raise ParseError(f"{name}() needs an argument", opening.pos)
        return rows[0]

    def _items(self, opening: Token) -> list[list[Val]]:
        """Rows (separated by ";" inside [...]) of comma-separated sums up to the bracket closing ``opening``."""
        if self.tok.kind is Kind.END:
            raise ParseError(f'This "{opening.text}" is never closed', opening.pos)
        saved_bars, self.bars = self.bars, 0
        rows: list[list[Val]] = [[]]
        with self._nested():
            closer = CLOSERS[opening.text]
            if self.tok.text == closer and self.tok.kind is Kind.CLOSE:
                self._next()
                self.bars = saved_bars
                return []
            while True:
                rows[-1].append(self.sum())
                if self.tok.kind is Kind.COMMA:
                    self._next()
                    continue
                if self.tok.kind is Kind.SEMI:
                    if opening.text != "[":
                        raise ParseError('";" separates the rows of a matrix or vector in [...]', self.tok.pos)
                    self._next()
                    rows.append([])
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
        return rows

    def group(self) -> Val:
        opening = self._next()
        rows = self._items(opening)
        if not rows:
            raise ParseError(f'Empty brackets "{opening.text}{CLOSERS[opening.text]}"', opening.pos)
        if len(rows) == 1:
            items = rows[0]
            if len(items) == 1 and (opening.text == "(" or len(items[0].shape) == 2):
                return items[0]  # (x) is x; [M] is the matrix M, as in \left[\begin{matrix} ... \right]
            return self.build.vector(items)
        if all(len(row) == 1 for row in rows):  # [1; 2] is a column vector
            return self.build.vector([row[0] for row in rows])
        return self.build.vector([self.build.vector(row) for row in rows])

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
        return Val(sympy.Abs(value.expr), (), value.digits, 0.0, value.guards)

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
        if any(_undefined(a.expr) for a in args):  # atan(zoo) would become an interval
            raise AnswerError(_UNDEFINED_MESSAGE)
        assert function.build is not None
        return self.build.apply(function.build, args, partial=function.name in _PARTIAL)


def _undefined(value: Value) -> bool:
    """``value.has(*_UNDEFINED)``: zoo, nan, ±oo or an interval anywhere inside."""
    return value.has(*_UNDEFINED_TYPES)


def _latex(value: Value, shape: Shape) -> str:
    return typesetting.latex(value) if shape == () else typesetting.matrix(value, shape)


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
    names = _Names(variables, constants) if constants else _plain_names(tuple(variables))
    tokens = tokenize(text, limits)
    try:
        parser = _Parser(tokens, names, limits, text)
        value = parser.answer()
    except (ValueError, ArithmeticError) as error:  # a SymPy failure on odd but bounded input
        raise AnswerError("This answer could not be interpreted.") from error
    if _undefined(value.expr):
        raise AnswerError(_UNDEFINED_MESSAGE)
    return Parsed(value.expr, value.shape, _latex(value.expr, value.shape), _pruned(value), tuple(parser.notes))


def _pruned(value: Val) -> tuple[sympy.Expr, ...]:
    """Guards that are not already part of the value (those are evaluated with it anyway)."""
    if not value.guards:
        return ()
    inside = set(sympy.preorder_traversal(value.expr))
    return tuple(g for g in value.guards if g not in inside)
