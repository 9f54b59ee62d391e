"""Reading a matrix-calculus answer: text to a small AST, never through eval.

Grammar (loosest first)::

    sum      := hadamard (("+" | "-") hadamard)*
    hadamard := product (("⊙" | ".*" | "odot" | "∘") product)*
    product  := signed (("*" | "@" | "·" | "/") signed | signed)*    # juxtaposition is a product
    signed   := ("-" | "+") signed | postfix
    postfix  := primary ("'" | "^" superscript)*                     # ' after a value is a transpose
    primary  := number | symbol | "I" | "(" sum ")" | "‖" sum "‖" | call | "\\frac{" sum "}{" sum "}"
    call     := function "'"* argument | builtin argument            # sigma'(z), diag(v), tr A

A superscript is ``T`` (also ``ᵀ``, ``⊤``, ``\\top``), ``-1``, ``-T`` or a constant number.
A run of letters that is not itself a known name is split into known names, longest first:
``W1x`` is ``W1 x``, ``Ax`` is ``A x``. ``W_1``, ``W_{1}`` and ``W₁`` all name ``W1``; Greek
letters and LaTeX commands name what they spell (``σ``, ``\\sigma``, ``\\operatorname{diag}``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MAX_LENGTH = 1000  # characters
MAX_TOKENS = 800
MAX_DEPTH = 40  # nested brackets, signs, calls
MAX_NODES = 400
MAX_DIGITS = 30  # of one written number
MAX_SCALAR_EXPONENT = 64
MAX_MATRIX_POWER = 16

BUILTINS = {
    "diag": "diag", "Diag": "diag", "tr": "tr", "trace": "tr", "Tr": "tr", "inv": "inv", "inverse": "inv",
    "det": "det", "norm": "norm", "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "sum": "sum",
    "transpose": "transpose",
}  # fmt: skip
RESERVED = {*BUILTINS, "I", "T", "odot"}

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "ρ": "rho",
    "σ": "sigma", "τ": "tau", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Δ": "Delta", "Σ": "Sigma", "Θ": "Theta", "Λ": "Lambda", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}  # fmt: skip
_GREEK_NAMES = set(GREEK.values())

_PRODUCT = {"*", "@", "·", "⋅", "×", "∙", "∗"}
_HADAMARD = {"⊙", "∘", "◦"}
_MINUS = {"-", "−", "–", "—", "‐", "‑", "‒", "﹣"}
_PRIMES = {"'": 1, "′": 1, "’": 1, "″": 2, "‴": 3}
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9"}
_SUBSCRIPTS = {chr(0x2080 + i): str(i) for i in range(10)}
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_SKIP_COMMANDS = {
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
    "quad", "qquad", "displaystyle", "mathopen", "mathclose",
}  # fmt: skip
_FONT_COMMANDS = {
    "operatorname", "mathrm", "text", "textrm", "mathit", "mathbf", "boldsymbol", "bm", "mathsf", "mathnormal", "rm",
}  # fmt: skip
_COMMAND_TOKENS = {
    "top": ("T", ""), "intercal": ("T", ""), "odot": ("had", ""), "circ": ("had", ""), "cdot": ("*", ""),
    "times": ("*", ""), "ast": ("*", ""), "|": ("norm", ""), "Vert": ("norm", ""), "lVert": ("norm", ""),
    "rVert": ("norm", ""), "frac": ("frac", ""), "dfrac": ("frac", ""), "tfrac": ("frac", ""),
    "prime": ("prime", "1"), "{": ("(", "{"), "}": (")", "}"),
}  # fmt: skip
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NUMBER = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


class MatrixInputError(Exception):
    """An answer the student has to fix: `message` is shown to them, `position` points into their text."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True, eq=False)
class Node:
    """One node of the answer's tree. Compared by identity: two ``I`` may stand for different sizes.

    op: "sym" (name), "num" (value), "eye", "fn" (name, value = order of derivative, one argument),
    "call" (builtin name, one argument), "T", "neg", "add", "sub", "mul", "had", "div", "pow" (value).
    """

    op: str
    args: tuple[Node, ...] = ()
    name: str = ""
    value: float = 0.0
    start: int = 0
    end: int = 0

    def walk(self) -> Iterable[Node]:
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.args))


@dataclass(frozen=True)
class Names:
    """What an answer may name: the exercise's symbols and elementwise functions."""

    symbols: frozenset[str]
    functions: frozenset[str]

    def known(self) -> dict[str, tuple[str, str, int]]:
        """Every spelling -> (token kind, canonical name, derivative order)."""
        table: dict[str, tuple[str, str, int]] = {b: ("call", canonical, 0) for b, canonical in BUILTINS.items()}
        table.update({"I": ("eye", "I", 0), "odot": ("had", "", 0)})
        for f in self.functions:
            table[f] = table[f.replace("_", "")] = ("fn", f, 0)
            table["d" + f] = ("fn", f, 1)
        for s in self.symbols:
            table[s] = table[s.replace("_", "")] = ("sym", s, 0)  # W_1 declared is typed W_1, W_{1}, W₁ or W1
        return table


@dataclass(frozen=True)
class Tok:
    kind: str  # num sym fn call eye had T prime norm frac sub ( ) + - * / ^ end
    text: str
    pos: int
    end: int
    order: int = 0


def describe_names(names: Names) -> str:
    parts = [", ".join(sorted(names.symbols))]
    if names.functions:
        parts.append("the functions " + ", ".join(sorted(names.functions)))
    return " and ".join(p for p in parts if p)


class _Lexer:
    def __init__(self, text: str, names: Names) -> None:
        self.text = text
        self.names = names
        self.table = names.known()
        self.tokens: list[Tok] = []
        self.i = 0

    def emit(self, kind: str, text: str, pos: int, end: int, order: int = 0) -> None:
        self.tokens.append(Tok(kind, text, pos, end, order))
        if len(self.tokens) > MAX_TOKENS:
            raise MatrixInputError(f"The answer is too long (more than {MAX_TOKENS} symbols).", pos)

    def after_caret(self) -> bool:
        """Whether a T here is a transpose: right after ^, ^{, ^- or ^{-."""
        kinds = [t.kind if t.text != "{" else "{" for t in self.tokens[-3:]]
        while kinds and kinds[-1] in ("-", "{"):
            kinds.pop()
        return bool(kinds) and kinds[-1] == "^"

    def run(self) -> list[Tok]:
        text, n = self.text, len(self.text)
        while self.i < n:
            c, start = text[self.i], self.i
            if c.isspace() or c == "~" or c in "\u200b\u200c\u200d\u2060\ufeff":
                self.i += 1
            elif c == "\\":
                self.command()
            elif c in "0123456789" or (c == "." and self.i + 1 < n and text[self.i + 1] in "0123456789"):
                m = _NUMBER.match(text, self.i)
                assert m is not None
                digits = sum(ch.isdigit() for ch in m.group(1))
                if digits > MAX_DIGITS or not 0 <= abs(float(m.group(0))) < 1e30:
                    raise MatrixInputError(
                        f"The number at position {start + 1} is too large (at most {MAX_DIGITS} digits, below 1e30).",
                        start,
                    )
                self.emit("num", m.group(0), start, m.end())
                self.i = m.end()
            elif c.isascii() and c.isalpha():
                m = _IDENT.match(text, self.i)
                assert m is not None
                self.word(m.group(0), start, m.end())
            elif c in GREEK:
                digits = re.compile(r"[0-9]*").match(text, self.i + 1).group(0)  # type: ignore[union-attr]
                if digits and GREEK[c] + digits in self.table:  # δ2 names delta2
                    self.word(GREEK[c] + digits, start, start + 1 + len(digits))
                else:
                    self.word(GREEK[c], start, start + 1)
            elif c == "." and text.startswith(".*", self.i):
                self.emit("had", ".*", start, start + 2)
                self.i += 2
            elif c == "*" and text.startswith("**", self.i):
                self.emit("^", "**", start, start + 2)
                self.i += 2
            elif c == "|" and text.startswith("||", self.i):
                self.emit("norm", "||", start, start + 2)
                self.i += 2
            elif c == "‖" or c == "∥":
                self.emit("norm", c, start, start + 1)
                self.i += 1
            elif c == "|":
                raise MatrixInputError(
                    "A single | is not understood here: write a norm as ‖v‖, ||v|| or norm(v).", start
                )
            elif c in _OPENERS or c in ")]}":
                self.emit("(" if c in _OPENERS else ")", c, start, start + 1)
                self.i += 1
            elif c == "+":
                self.emit("+", c, start, start + 1)
                self.i += 1
            elif c in _MINUS:
                self.emit("-", "-", start, start + 1)
                self.i += 1
            elif c in _PRODUCT:
                self.emit("*", c, start, start + 1)
                self.i += 1
            elif c in _HADAMARD:
                self.emit("had", c, start, start + 1)
                self.i += 1
            elif c in "/÷":
                self.emit("/", c, start, start + 1)
                self.i += 1
            elif c == "^":
                self.emit("^", c, start, start + 1)
                self.i += 1
            elif c in _PRIMES:
                self.emit("prime", c, start, start + 1, _PRIMES[c])
                self.i += 1
            elif c in "ᵀ⊤":
                if not self.after_caret():  # A^⊤ and A^{⊤} as well as Aᵀ
                    self.emit("^", c, start, start + 1)
                self.emit("T", c, start, start + 1)
                self.i += 1
            elif c == "⁻" or c in _SUPERSCRIPTS:
                self.emit("^", c, start, start + 1)
                if c == "⁻":
                    self.emit("-", c, start, start + 1)
                    self.i += 1
                j = self.i
                while j < n and text[j] in _SUPERSCRIPTS:
                    j += 1
                if j == self.i:
                    raise MatrixInputError("A superscript minus needs a number after it (as in A⁻¹).", start)
                self.emit("num", "".join(_SUPERSCRIPTS[ch] for ch in text[self.i : j]), self.i, j)
                self.i = j
            elif c == "_":
                self.emit("sub", c, start, start + 1)
                self.i += 1
            else:
                shown = c if c.isprintable() else f"U+{ord(c):04X}"
                raise MatrixInputError(
                    f'The character "{shown}" at position {start + 1} is not understood here.', start
                )
        self.emit("end", "", n, n)
        return self.tokens

    def subscript(self) -> str:
        """Digits or a name written as a subscript right after a name (W_1, W_{12}, W₁) joined to it."""
        text, n = self.text, len(self.text)
        out = ""
        while self.i < n:
            if text[self.i] in _SUBSCRIPTS:
                out += _SUBSCRIPTS[text[self.i]]
                self.i += 1
            elif text[self.i] == "_" and self.i + 1 < n:
                m = re.compile(r"_(\{([A-Za-z0-9]+)\}|([0-9]+))").match(text, self.i)
                if not m:
                    break
                out += m.group(2) or m.group(3)
                self.i = m.end()
            else:
                break
        return out

    def word(self, raw: str, start: int, end: int) -> None:
        self.i = end
        if self.after_caret() and raw.startswith("T"):  # x^Tx, x^{T}
            self.emit("T", "T", start, start + 1)
            if len(raw) == 1:
                return
            raw, start = raw[1:], start + 1
        raw += self.subscript()
        end = self.i
        if raw in self.table:
            kind, name, order = self.table[raw]
            self.emit(kind, name, start, end, order)
            return
        parts = _segment(raw, self.table)
        if parts is None:
            raise MatrixInputError(
                f'Unknown name "{raw}" at position {start + 1}. This answer can use {describe_names(self.names)}.',
                start,
            )
        pos = start
        for part in parts:
            kind, name, order = self.table[part]
            stop = min(pos + len(part), end)
            self.emit(kind, name, pos, stop, order)
            pos = stop

    def command(self) -> None:
        text, start = self.text, self.i
        m = re.compile(r"\\([A-Za-z]+|.)").match(text, self.i)
        if m is None:
            raise MatrixInputError("A backslash at the end of the answer.", start)
        name = m.group(1)
        self.i = m.end()
        if name in (",", ";", ":", "!", " ") or name in _SKIP_COMMANDS:
            return
        if name in _FONT_COMMANDS:
            g = re.compile(r"\*?\s*\{\s*(\\?[A-Za-z0-9]+)\s*\}").match(text, self.i)
            if g is None:
                raise MatrixInputError(f"\\{name} needs a name in braces after it, as in \\{name}{{diag}}.", start)
            self.i = g.end()
            inner = g.group(1)
            if inner in ("T", "\\top", "\\intercal") and self.after_caret():
                self.emit("T", "T", start, self.i)
            elif inner.startswith("\\"):
                self.greek_command(inner[1:], start)
            else:
                self.word(inner, start, self.i)
            return
        if name in _COMMAND_TOKENS:
            kind, arg = _COMMAND_TOKENS[name]
            if kind == "T" and not self.after_caret():
                self.emit("^", "\\" + name, start, self.i)
            self.emit(kind, arg or name, start, self.i, int(arg) if kind == "prime" else 0)
            return
        self.greek_command(name, start)

    def greek_command(self, name: str, start: int) -> None:
        name = {"varphi": "phi", "varepsilon": "epsilon", "operatorname": ""}.get(name, name)
        if name in _GREEK_NAMES or name in BUILTINS:
            self.word(name, start, self.i)
            return
        raise MatrixInputError(f'The LaTeX command "\\{name}" at position {start + 1} is not understood here.', start)


def _segment(raw: str, table: dict) -> list[str] | None:
    """Split a run of letters into known names, longest first (backtracking): W1x -> W1 x."""
    best: dict[int, list[str] | None] = {len(raw): []}
    for i in range(len(raw) - 1, -1, -1):
        best[i] = None
        for j in range(len(raw), i, -1):
            part = raw[i:j]
            rest = best[j]
            if part in table and rest is not None and table[part][0] != "had":
                best[i] = [part, *rest]
                break
    return best[0]


def normalize_text(text: str) -> str:
    """NFKC per character except the characters the grammar reads itself (superscripts, subscripts, primes)."""
    keep = set(_SUPERSCRIPTS) | set(_SUBSCRIPTS) | set(_PRIMES) | set(GREEK) | {"ᵀ", "⁻", "‖", "∥", "⊤", "⊙", "∘"}
    out = []
    for ch in text:
        if ch in keep or ch.isascii():
            out.append(ch)
        else:
            norm = unicodedata.normalize("NFKC", ch)
            out.append(norm if len(norm) == 1 else ch)  # keep positions: one character for one
    return "".join(out)


class _Parser:
    def __init__(self, tokens: list[Tok]) -> None:
        self.tokens = tokens
        self.k = 0
        self.depth = 0
        self.nodes = 0
        self.norm_depth = 0

    @property
    def tok(self) -> Tok:
        return self.tokens[self.k]

    def take(self) -> Tok:
        tok = self.tokens[self.k]
        self.k += 1
        return tok

    def node(self, op: str, args: tuple[Node, ...] = (), **kw: object) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise MatrixInputError(f"The answer is too long (more than {MAX_NODES} terms and factors).")
        start = kw.pop("start", args[0].start if args else 0)
        end = kw.pop("end", args[-1].end if args else 0)
        return Node(op, args, start=start, end=end, **kw)  # type: ignore[arg-type]

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MatrixInputError(f"The answer is nested too deeply (more than {MAX_DEPTH} levels).", self.tok.pos)

    def fail(self, expected: str) -> MatrixInputError:
        tok = self.tok
        if tok.kind == "end":
            return MatrixInputError(f"Expected {expected} at the end of the answer.", tok.pos)
        return MatrixInputError(f'Expected {expected} at position {tok.pos + 1}, found "{tok.text}".', tok.pos)

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise MatrixInputError("The answer is empty.", 0)
        tree = self.sum()
        if self.tok.kind != "end":
            if self.tok.kind == ")":
                raise MatrixInputError(f'Unmatched "{self.tok.text}" at position {self.tok.pos + 1}.', self.tok.pos)
            raise self.fail("an operator")
        return tree

    def sum(self) -> Node:
        left = self.hadamard()
        while self.tok.kind in ("+", "-"):
            op = "add" if self.take().kind == "+" else "sub"
            left = self.node(op, (left, self.hadamard()))
        return left

    def hadamard(self) -> Node:
        left = self.product()
        while self.tok.kind == "had":
            self.take()
            left = self.node("had", (left, self.product()))
        return left

    _STARTS = {"num", "sym", "fn", "call", "eye", "(", "frac", "norm"}

    def product(self) -> Node:
        left = self.signed()
        while True:
            kind = self.tok.kind
            if kind in ("*", "/"):
                self.take()
                left = self.node("mul" if kind == "*" else "div", (left, self.signed()))
            elif kind in self._STARTS and not (kind == "norm" and self.norm_depth):
                left = self.node("mul", (left, self.postfix()))
            else:
                return left

    def signed(self) -> Node:
        if self.tok.kind in ("-", "+"):
            tok = self.take()
            self.nest()
            inner = self.signed()
            self.depth -= 1
            return inner if tok.kind == "+" else self.node("neg", (inner,), start=tok.pos)
        return self.postfix()

    def postfix(self) -> Node:
        base = self.primary()
        while True:
            if self.tok.kind == "prime":
                tok = self.take()
                for _ in range(tok.order % 2):
                    base = self.node("T", (base,), end=tok.end)
            elif self.tok.kind == "^":
                self.take()
                base = self.superscript(base)
            else:
                return base

    def superscript(self, base: Node) -> Node:
        tok = self.tok
        if tok.kind == "T":
            self.take()
            return self.node("T", (base,), end=tok.end)
        if tok.kind == "prime":
            self.take()
            return self.node("T", (base,), end=tok.end) if tok.order % 2 else base
        if tok.kind == "-" and self.tokens[self.k + 1].kind == "T":
            self.take()
            end = self.take().end
            return self.node("T", (self.node("pow", (base,), value=-1.0, end=end),), end=end)
        grouped = tok.kind == "(" and tok.text == "{"
        if grouped:
            opener = self.take()
            inner = self.superscript(base)
            if self.tok.kind != ")":
                raise self.fail('"}"')
            close = self.take()
            if close.text != "}":
                raise MatrixInputError(
                    f'"{opener.text}" at position {opener.pos + 1} is closed by "{close.text}".', close.pos
                )
            return inner
        exponent = self.constant()
        total, inner = exponent, base  # (c^64)^64 is c^4096: bound the product of stacked exponents
        while inner.op in ("pow", "T", "neg"):
            total *= inner.value if inner.op == "pow" else 1.0
            inner = inner.args[0]
        if abs(total) > MAX_SCALAR_EXPONENT or (
            inner.op == "num" and abs(total * math.log10(abs(inner.value) or 1)) > 30
        ):
            raise MatrixInputError(f"The power at position {tok.pos + 1} is too large.", tok.pos)
        return self.node("pow", (base,), value=exponent, end=self.tokens[self.k - 1].end)

    def constant(self) -> float:
        """An exponent: a signed number, or a constant expression in brackets."""
        tok = self.tok
        sign = 1.0
        while self.tok.kind in ("-", "+"):
            sign = -sign if self.take().kind == "-" else sign
        if self.tok.kind == "num":
            value = sign * float(self.take().text)
        elif self.tok.kind == "(":
            self.nest()
            expr = self.primary()
            self.depth -= 1
            value = sign * _fold(expr)
        else:
            raise self.fail("an exponent (T, -1 or a number)")
        if not math.isfinite(value) or abs(value) > MAX_SCALAR_EXPONENT:
            raise MatrixInputError(
                f"The exponent at position {tok.pos + 1} is too large (at most {MAX_SCALAR_EXPONENT}).", tok.pos
            )
        return value

    def argument(self, name: str) -> Node:
        if self.tok.kind == "(":
            return self.bracket()
        if self.tok.kind in self._STARTS or self.tok.kind in ("-", "+"):
            self.nest()
            arg = self.signed()
            self.depth -= 1
            return arg
        raise self.fail(f"the argument of {name}")

    def bracket(self) -> Node:
        opener = self.take()
        self.nest()
        inner = self.sum()
        self.depth -= 1
        if self.tok.kind != ")":
            if self.tok.kind == "end":
                raise MatrixInputError(f'"{opener.text}" at position {opener.pos + 1} is never closed.', opener.pos)
            raise self.fail(f'"{_OPENERS[opener.text]}"')
        close = self.take()
        if _OPENERS[opener.text] != close.text:
            raise MatrixInputError(
                f'"{opener.text}" at position {opener.pos + 1} is closed by "{close.text}".', close.pos
            )
        return Node(inner.op, inner.args, inner.name, inner.value, opener.pos, close.end)

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self.take()
            return self.node("num", value=float(tok.text), start=tok.pos, end=tok.end)
        if tok.kind == "sym":
            self.take()
            return self.node("sym", name=tok.text, start=tok.pos, end=tok.end)
        if tok.kind == "eye":
            self.take()
            return self.node("eye", name="I", start=tok.pos, end=tok.end)
        if tok.kind == "(":
            return self.bracket()
        if tok.kind == "fn":
            self.take()
            order = tok.order
            while True:  # sigma', sigma'', sigma^\prime, sigma^{\prime\prime}
                kinds = [t.kind for t in self.tokens[self.k : self.k + 3]]
                if kinds[:1] == ["prime"]:
                    order += self.take().order
                elif kinds[:2] == ["^", "prime"]:
                    self.take()
                    order += self.take().order
                elif kinds == ["^", "(", "prime"] and self.tokens[self.k + 1].text == "{":
                    self.k += 2
                    while self.tok.kind == "prime":
                        order += self.take().order
                    if self.tok.kind != ")" or self.tok.text != "}":
                        raise self.fail('"}"')
                    self.take()
                else:
                    break
            if order > 2:
                raise MatrixInputError(f"At most the second derivative of {tok.text} can be used.", tok.pos)
            self.nest()
            arg = self.argument(tok.text)
            self.depth -= 1
            return self.node("fn", (arg,), name=tok.text, value=float(order), start=tok.pos)
        if tok.kind == "call":
            self.take()
            self.nest()
            arg = self.argument(tok.text)
            self.depth -= 1
            if tok.text == "transpose":
                return self.node("T", (arg,), start=tok.pos)
            return self.node("call", (arg,), name=tok.text, start=tok.pos)
        if tok.kind == "norm":
            if self.norm_depth:
                raise MatrixInputError("Norms inside norms: write the inner one as norm(...).", tok.pos)
            self.take()
            self.norm_depth += 1
            self.nest()
            inner = self.sum()
            self.depth -= 1
            self.norm_depth -= 1
            if self.tok.kind != "norm":
                raise self.fail('"‖" closing the norm')
            close = self.take()
            end = close.end
            if self.tok.kind == "sub":  # ‖v‖_2, ‖A‖_F
                self.take()
                sub = self.take()
                if sub.text not in ("2", "F"):
                    raise MatrixInputError(
                        "Only the Euclidean norm ‖v‖_2 and the Frobenius norm ‖A‖_F are known.", sub.pos
                    )
                end = sub.end
            return self.node("call", (inner,), name="norm", start=tok.pos, end=end)
        if tok.kind == "frac":
            self.take()
            if self.tok.kind != "(":
                raise self.fail('"{" after \\frac')
            num = self.bracket()
            if self.tok.kind != "(":
                raise self.fail('"{" for the denominator of \\frac')
            den = self.bracket()
            return self.node("div", (num, den), start=tok.pos)
        if tok.kind == "T":
            raise MatrixInputError(f"A transpose at position {tok.pos + 1} needs something before it.", tok.pos)
        raise self.fail('a symbol, a number or "("')


def _fold(node: Node) -> float:
    """The value of a constant exponent such as (1/2) or {-1}."""
    if node.op == "num":
        return node.value
    if node.op == "neg":
        return -_fold(node.args[0])
    if node.op in ("add", "sub", "mul", "div"):
        a, b = (_fold(x) for x in node.args)
        if node.op == "div" and b == 0:
            raise MatrixInputError("Division by zero in an exponent.", node.start)
        return {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b if b else 0.0}[node.op]
    raise MatrixInputError("An exponent must be a number (or T for a transpose).", node.start)


def parse(text: str, names: Names) -> Node:
    """The answer's tree; MatrixInputError (with a position) if it cannot be read."""
    if not isinstance(text, str):
        raise MatrixInputError("The answer must be text.")
    if len(text) > MAX_LENGTH:
        raise MatrixInputError(f"The answer is too long ({len(text)} characters; at most {MAX_LENGTH}).")
    tokens = _Lexer(normalize_text(text), names).run()
    return _Parser(tokens).parse()
