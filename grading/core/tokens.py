"""Normalise pasted Unicode and split an answer into tokens that keep their original positions."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import NamedTuple

import sympy

from .errors import LimitError, ParseError
from .latex_input import looks_like_latex, translate
from .limits import Limits


class Kind(Enum):
    """Token kinds; operators, brackets and bars are told apart by their text."""

    NUMBER = "number"
    NAME = "name"
    OP = "operator"  # + - * / ^ !
    OPEN = "open"  # ( [ < ⟨
    CLOSE = "close"  # ) ] > ⟩
    COMMA = "comma"
    SEMI = "semicolon"  # ends a row: [1, 2; 3, 4]
    BAR = "bar"  # | opens or closes an absolute value, decided by the parser
    ROOT = "root"  # √ ∛
    END = "end"


class Token(NamedTuple):
    """One token: normalised ``text``, ``pos`` in the original answer, ``value`` for numbers.

    A named tuple rather than a frozen dataclass: as immutable, and an answer makes hundreds."""

    kind: Kind
    text: str
    pos: int
    value: sympy.Rational | None = None
    char_pos: tuple[int, ...] = ()  # original position of each character of a name


CLOSERS = {"(": ")", "[": "]", "<": ">", "⟨": "⟩"}

# Applied after NFKC to each resulting character: look-alikes students paste from documents.
_CHAR_MAP = {
    "·": "*",
    "×": "*",
    "⋅": "*",
    "∗": "*",
    "∙": "*",
    "•": "*",
    "−": "-",
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "﹣": "-",
    "÷": "/",
    "∕": "/",
    "⁄": "/",
    "\u2329": "⟨",  # angle brackets: the deprecated pair and the CJK pair NFKC gives for it
    "\u232a": "⟩",
    "\u3008": "⟨",
    "\u3009": "⟩",
}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}

_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "ο": "omicron",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "Γ": "Gamma",
    "Δ": "Delta",
    "Θ": "Theta",
    "Λ": "Lambda",
    "Ξ": "Xi",
    "Π": "Pi",
    "Σ": "Sigma",
    "Φ": "Phi",
    "Ψ": "Psi",
    "Ω": "Omega",
}

_NUMBER = re.compile(r"([0-9]+)(?:\.([0-9]*))?|\.([0-9]+)")
_EXPONENT = re.compile(r"[eE]([+-]?)([0-9]+)")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SINGLE = {
    "+": Kind.OP,
    "-": Kind.OP,
    "*": Kind.OP,
    "/": Kind.OP,
    "^": Kind.OP,
    "!": Kind.OP,
    ",": Kind.COMMA,
    ";": Kind.SEMI,
    "(": Kind.OPEN,
    "[": Kind.OPEN,
    "<": Kind.OPEN,
    "⟨": Kind.OPEN,
    ")": Kind.CLOSE,
    "]": Kind.CLOSE,
    ">": Kind.CLOSE,
    "⟩": Kind.CLOSE,
    "|": Kind.BAR,
    "√": Kind.ROOT,
    "∛": Kind.ROOT,
}


def _describe(char: str) -> str:
    """A character as a student can recognise it in an error message."""
    if char.isprintable() and not char.isspace():
        return f'"{char}"'
    return f"U+{ord(char):04X}"


def _map(text: str) -> str:
    """NFKC-normalise one character, then replace look-alikes."""
    return "".join(_CHAR_MAP.get(c, c) for c in unicodedata.normalize("NFKC", text))


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_SPACES = str.maketrans("\t\n\r", "   ")


def normalize(text: str) -> tuple[str, list[int]]:
    """Return the normalised text and, for each of its characters, the original position."""
    if text.isascii() and not _ASCII_CONTROL.search(text):
        # Plain ASCII (most answers): NFKC and the look-alike map change nothing but whitespace.
        return text.translate(_ASCII_SPACES), list(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in "\t\n\r" or unicodedata.category(char) == "Zs":
            out.append(" ")
            where.append(i)
            i += 1
            continue
        if char in _ZERO_WIDTH:
            i += 1
            continue
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            raise ParseError(f"The character {_describe(char)} is not allowed in an answer.", i)
        if unicodedata.decomposition(char).startswith("<super>"):
            # A run of superscripts is an exponent: x⁻¹² becomes x^(-12).
            start = i
            while i < len(text) and unicodedata.decomposition(text[i]).startswith("<super>"):
                i += 1
            piece = "^(" + _map(text[start:i]) + ")"
            out.extend(piece)
            where.extend([start] * len(piece))
            continue
        piece = _map(char)
        if len(piece) > 1 and "/" in piece:  # vulgar fractions such as ½
            piece = "(" + piece + ")"
        out.extend(piece)
        where.extend([i] * len(piece))
        i += 1
    return "".join(out), where


def _number(text: str, start: int, pos: int, limits: Limits) -> tuple[Token, int]:
    """Read a decimal number (with optional exponent) as an exact rational."""
    match = _NUMBER.match(text, start)
    assert match is not None
    end = match.end()
    short = min(limits.max_literal_digits, limits.max_digits)
    if match.lastindex == 1 and len(match.group(1)) <= short and not _EXPONENT.match(text, end):
        # A plain integer within every limit below: the common case, without the general arithmetic.
        return Token(Kind.NUMBER, match.group(1), pos, sympy.Integer(int(match.group(1)))), end
    whole = match.group(1) or ""
    fraction = match.group(2) or match.group(3) or ""
    end = match.end()
    power = 0
    exponent = _EXPONENT.match(text, end)
    if exponent:
        power_digits = exponent.group(2).lstrip("0")
        if len(power_digits) > len(str(limits.max_digits)):
            raise LimitError(f"The number is too large: at most {limits.max_digits} digits.")
        power = int(power_digits or "0") * (-1 if exponent.group(1) == "-" else 1)
        end = exponent.end()
    significant = (whole + fraction.rstrip("0")).lstrip("0")
    if len(significant) > limits.max_literal_digits:
        raise LimitError(f"Numbers can have at most {limits.max_literal_digits} digits.")
    if len(whole.lstrip("0")) + power > limits.max_digits or len(fraction) - power > limits.max_digits:
        raise LimitError(f"The number is too large: at most {limits.max_digits} digits.")
    mantissa = int((whole + fraction) or "0")
    shift = power - len(fraction)
    value = sympy.Rational(mantissa * 10 ** max(shift, 0), 10 ** max(-shift, 0))
    return Token(Kind.NUMBER, text[start:end], pos, value), end


def tokenize(text: str, limits: Limits) -> list[Token]:
    """Split an answer into tokens, ending with an END token at ``len(text)``."""
    norm, where = normalize(text)
    if looks_like_latex(norm):
        norm, where = translate(norm, where, limits.max_depth)
    tokens: list[Token] = []
    i = 0
    while i < len(norm):
        char = norm[i]
        pos = where[i]
        if char == " ":
            i += 1
        elif char in _SINGLE and not norm.startswith("**", i):
            tokens.append(Token(_SINGLE[char], char, pos))
            i += 1
        elif char.isascii() and (char.isdigit() or (char == "." and norm[i + 1 : i + 2].isdigit())):
            token, i = _number(norm, i, pos, limits)
            tokens.append(token)
        elif char.isascii() and char.isalpha():
            match = _IDENTIFIER.match(norm, i)
            assert match is not None
            tokens.append(Token(Kind.NAME, match.group(), pos, char_pos=tuple(where[i : match.end()])))
            i = match.end()
        elif char in _GREEK:
            tokens.append(Token(Kind.NAME, _GREEK[char], pos, char_pos=(pos,) * len(_GREEK[char])))
            i += 1
        elif norm.startswith("**", i):
            tokens.append(Token(Kind.OP, "^", pos))
            i += 2
        elif char in _SINGLE:
            tokens.append(Token(_SINGLE[char], char, pos))
            i += 1
        elif char == "=":
            raise ParseError('An answer is an expression, not an equation: leave out "=".', pos)
        else:
            raise ParseError(f"The character {_describe(text[pos])} can't be used in an answer.", pos)
        if len(tokens) > limits.max_tokens:
            raise LimitError(f"The answer is too long (more than {limits.max_tokens} symbols).")
    tokens.append(Token(Kind.END, "", len(text)))
    return tokens
