"""The hard limits on one answer, checked before any computation (see ``builder`` for the costs)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Hard limits on one answer; every one of them keeps parsing well under 100 ms."""

    max_length: int = 1000  # characters of the original text
    max_tokens: int = 1500  # superscripts and LaTeX commands expand into several tokens
    max_depth: int = 50  # brackets, unary signs, exponents and function calls nested
    max_literal_digits: int = 1000  # significant digits of one written number (2^100 typed out is 31)
    max_exponent: int = 1000  # |exact exponent| applied to anything but 0, 1, -1
    max_digits: int = 1000  # bound on the digits of any exact number the answer creates
    max_root_digits: int = 300  # radicands SymPy factors by trial division (~3 ms at 300 digits)
    max_factorial: int = 100


DEFAULT_LIMITS = Limits()
