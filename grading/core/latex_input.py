"""LaTeX as students paste it (from notes, Overleaf, a math keyboard), rewritten into the plain grammar.

A pure text-to-text step before tokenizing, keeping for every output character the position of
the input character it came from, so errors still point into what the student typed. Only the
commands listed here are known; any other is an error naming it. The result goes through the
same tokenizer, parser and limits as typed text, so LaTeX gets the same safety.

    \\frac{a}{b} \\dfrac \\tfrac  -> ((a)/(b))        \\sqrt{x} -> sqrt(x)    \\sqrt[3]{x} -> cbrt(x)
    \\sqrt[n]{x}                -> ((x)^(1/(n)))     \\cdot \\times -> *      \\div -> /
    \\left( ... \\right)         -> ( ... )          x^{2} -> x^(2)         x_{1} -> x_1
    \\sin \\ln \\exp \\pi \\alpha  -> sin ln exp pi alpha   \\operatorname{sin} \\mathrm{e} -> sin e
    \\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix} (and bmatrix, matrix, ...) -> [a, b; c, d]
    $...$, \\( \\), spacing (\\, \\; \\quad ...) -> removed
"""

from __future__ import annotations

import re

from .errors import LimitError, ParseError

_FUNCTIONS = {
    "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "arcsec", "arccsc", "arccot",
    "sinh", "cosh", "tanh", "sech", "csch", "coth", "arsinh", "arcosh", "artanh", "exp", "ln", "log", "lg",
}  # fmt: skip
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}  # fmt: skip
_SYMBOLS = {
    "cdot": "*", "times": "*", "ast": "*", "cdotp": "*", "bullet": "*", "div": "/", "lvert": "|", "rvert": "|",
    "vert": "|", "mid": "|", "|": "|", "langle": "⟨", "rangle": "⟩", "{": "(", "}": ")", "lbrace": "(",
    "rbrace": ")", "lbrack": "[", "rbrack": "]", "lparen": "(", "rparen": ")",
}  # fmt: skip
_SPACES = {",", ";", ":", "!", " ", "quad", "qquad", "enspace", "thinspace", "medspace", "thickspace", "displaystyle",
           "textstyle", "limits", "nolimits"}  # fmt: skip
_SIZES = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl",
          "Biggr", "middle"}  # fmt: skip
_FONTS = {"mathrm", "mathit", "mathbf", "mathsf", "mathtt", "text", "textrm", "textit", "operatorname", "boldsymbol",
          "mathnormal", "bm"}  # fmt: skip
_FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}
_MATRICES = {"pmatrix", "bmatrix", "Bmatrix", "matrix", "smallmatrix", "array"}
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_PLAIN = re.compile(r"[A-Za-z0-9]+\Z")

Out = list[tuple[str, int]]


def looks_like_latex(text: str) -> bool:
    return any(c in text for c in "\\${}&")


class _Translator:
    def __init__(self, text: str, where: list[int], max_depth: int):
        self.text = text
        self.where = where
        self.i = 0
        self.depth = 0
        self.max_depth = max_depth

    def pos(self, i: int | None = None) -> int:
        i = self.i if i is None else i
        return self.where[i] if i < len(self.where) else (self.where[-1] + 1 if self.where else 0)

    def emit(self, out: Out, text: str, at: int) -> None:
        out.extend((c, at) for c in text)

    def run(self, stop: str | None = None) -> Out:
        """Translate up to the unmatched `stop` character (``}``), or the end."""
        self.depth += 1
        if self.depth > self.max_depth:
            raise LimitError(f"The answer is nested too deeply (more than {self.max_depth} levels).")
        out: Out = []
        while self.i < len(self.text):
            c = self.text[self.i]
            if stop is not None and c == stop:
                break
            if c == "\\":
                self.command(out)
            elif c == "{":
                out.extend(self.group())
            elif c == "}":
                raise ParseError('This "}" has no matching "{"', self.pos())
            elif c == "$":
                self.i += 1  # $...$ and $$...$$ only delimit the answer
            elif c == "&":
                out.append((",", self.pos()))
                self.i += 1
            elif c == "_":
                self.i += 1
                self.subscript(out, self.pos(self.i - 1))
            elif c == "~":
                out.append((" ", self.pos()))
                self.i += 1
            else:
                out.append((c, self.pos()))
                self.i += 1
        self.depth -= 1
        return out

    def group(self) -> Out:
        """A {...} group as (...)."""
        opening = self.pos()
        self.i += 1
        inner = self.run(stop="}")
        if self.i >= len(self.text):
            raise ParseError('This "{" is never closed', opening)
        closing = self.pos()
        self.i += 1
        return [("(", opening), *inner, (")", closing)]

    def argument(self) -> Out:
        """The argument of a command: a {...} group, or a single character or command."""
        while self.i < len(self.text) and self.text[self.i] == " ":
            self.i += 1
        if self.i >= len(self.text):
            raise ParseError("A LaTeX command is missing its argument at the end of the answer", self.pos())
        if self.text[self.i] == "{":
            return self.group()
        if self.text[self.i] == "\\":
            out: Out = []
            self.command(out)
            return [("(", out[0][1] if out else self.pos()), *out, (")", self.pos())]
        at = self.pos()
        self.i += 1
        return [(self.text[self.i - 1], at)]

    def subscript(self, out: Out, at: int) -> None:
        """x_{1} -> x_1 (a name), log_{2} -> log_2; anything else keeps its brackets."""
        if self.i < len(self.text) and self.text[self.i] == "{":
            group = self.group()
            inner = "".join(c for c, _ in group[1:-1]).strip()
            if _PLAIN.match(inner):
                self.emit(out, "_" + inner, at)
                return
            out.append(("_", at))
            out.extend(group)
            return
        out.append(("_", at))

    def command(self, out: Out) -> None:
        match = _COMMAND.match(self.text, self.i)
        at = self.pos()
        if match is None:
            raise ParseError('A "\\" must start a LaTeX command', at)
        name = match.group(1)
        self.i = match.end()
        if name in _SPACES:
            out.append((" ", at))
        elif name in _SIZES:
            if name != "middle" and self.text.startswith(".", self.i):  # \right. : no delimiter
                self.i += 1
        elif (name in "([" and not out) or (name in ")]" and self.rest_blank()):
            pass  # \( ... \) and \[ ... \] delimit the answer
        elif name in _SYMBOLS:
            out.append((_SYMBOLS[name], at))
        elif name in _FUNCTIONS:
            self.emit(out, " " + ("log_10" if name == "lg" else name), at)  # no space after: \log_{2}
        elif name in _GREEK:
            self.emit(out, " " + name.removeprefix("var") + " ", at)
        elif name in _FRACTIONS:
            numerator, denominator = self.argument(), self.argument()
            out.extend([("(", at), *numerator, ("/", at), *denominator, (")", at)])
        elif name == "sqrt":
            self.root(out, at)
        elif name in _FONTS:
            group = self.argument()
            inner = group[1:-1] if group and group[0][0] == "(" else group
            out.append((" ", at))
            out.extend(inner)
            out.append((" ", at))
        elif name == "begin":
            self.matrix(out, at)
        elif name == "end":
            raise ParseError('This "\\end" has no matching "\\begin"', at)
        elif name == "infty":
            raise ParseError("Infinity is not a number an answer can be.", at)
        else:
            raise ParseError(f'Unknown LaTeX command "\\{name}"', at)

    def rest_blank(self) -> bool:
        return not self.text[self.i :].strip(" $")

    def root(self, out: Out, at: int) -> None:
        index: Out | None = None
        if self.text.startswith("[", self.i):
            close = self.text.find("]", self.i)
            if close < 0:
                raise ParseError('This "[" of \\sqrt is never closed', self.pos())
            inner = self.text[self.i + 1 : close]
            sub = _Translator(inner, self.where[self.i + 1 : close], self.max_depth - self.depth)
            index = sub.run()
            self.i = close + 1
        radicand = self.argument()
        degree = "".join(c for c, _ in index).strip() if index is not None else "2"
        if degree == "2":
            self.emit(out, "sqrt", at)
            out.extend(radicand if radicand[0][0] == "(" else [("(", at), *radicand, (")", at)])
        elif degree == "3":
            self.emit(out, "cbrt", at)
            out.extend(radicand if radicand[0][0] == "(" else [("(", at), *radicand, (")", at)])
        else:
            assert index is not None
            out.extend([("(", at), ("(", at), *radicand, (")", at)])
            self.emit(out, "^(1/(", at)
            out.extend(index)
            self.emit(out, ")))", at)

    def matrix(self, out: Out, at: int) -> None:
        env = self.environment_name()
        if env not in _MATRICES:
            raise ParseError(f'Unknown LaTeX environment "{env}": use pmatrix or bmatrix', at)
        if env == "array" and self.text.startswith("{", self.i):  # column spec {cc}
            spec_end = self.text.find("}", self.i)
            self.i = spec_end + 1 if spec_end > 0 else len(self.text)
        end = f"\\end{{{env}}}"
        stop = self.text.find(end, self.i)
        if stop < 0:
            raise ParseError(f'This "\\begin{{{env}}}" is never ended with "{end}"', at)
        body = self.text[self.i : stop].rstrip()
        body = body.removesuffix("\\\\")  # a row break after the last row
        # "\\" ends a row: ";" and a marker, the same length, so positions stay aligned.
        inner = _Translator(body.replace("\\\\", ";\x00"), self.where[self.i : self.i + len(body)], self.max_depth)
        inner.depth = self.depth
        out.append(("[", at))
        out.extend((c, p) for c, p in inner.run() if c != "\x00")
        self.i = stop + len(end)
        out.append(("]", self.pos(self.i - 1)))

    def environment_name(self) -> str:
        if not self.text.startswith("{", self.i):
            raise ParseError('"\\begin" needs an environment such as {pmatrix}', self.pos())
        close = self.text.find("}", self.i)
        if close < 0:
            raise ParseError('This "{" is never closed', self.pos())
        name = self.text[self.i + 1 : close]
        self.i = close + 1
        return name


def translate(text: str, where: list[int], max_depth: int) -> tuple[str, list[int]]:
    """The plain-grammar text for a LaTeX answer and, per character, its original position."""
    out = _Translator(text, where, max_depth).run()
    return "".join(c for c, _ in out), [p for _, p in out]
