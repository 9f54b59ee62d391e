"""Exercises built from authored specs: deterministic variants, their references, the import check."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property, lru_cache
from typing import Any

import sympy

from . import derivatives
from .checking import check_variant
from .equivalence import Tolerance
from .feedback import Mistake
from .parsing import AnswerError, Parsed, parse, symbol
from .spec import (
    DEFAULT_ATOL,
    DEFAULT_RTOL,
    FORM_KIND,
    KINDS,
    MATRIX_KIND,
    TOP_KEYS,
    Parameter,
    SpecError,
    SpecProblem,
    is_number,
    name_list,
    parameters,
    reference_form,
    tolerance,
)

_MAX_PROBLEMS = 20
_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")


def latex(value: sympy.Basic, shape: tuple[int, ...]) -> str:
    """LaTeX in the parser's style: a column vector in parentheses, a matrix in brackets."""
    if not shape:
        return sympy.latex(value)
    rows = [" & ".join(sympy.latex(v) for v in value.row(r)) for r in range(value.rows)]
    body = r" \\ ".join(rows)
    return (
        rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"
        if len(shape) == 1
        else rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
    )


def _parse(text: str, variables: tuple[str, ...], consts: Mapping[str, sympy.Basic], key: str) -> Parsed:
    try:
        return parse(text, variables, constants=consts)
    except AnswerError as exc:
        raise SpecError(exc.message, key=key) from None


class Variant:
    """One draw of the parameters, with its reference computed (once) by SymPy."""

    def __init__(self, exercise: Exercise, index: int) -> None:
        self.exercise = exercise
        self.index = index
        self.params: dict[str, Any] = exercise.parameter_values(index)
        self.constants = {p.name: p.sympy_value(self.params[p.name]) for p in exercise.parameters}
        self.context = {
            name: latex(value, (value.rows,)) if isinstance(value, sympy.MatrixBase) else sympy.latex(value)
            for name, value in self.constants.items()
        }
        self.reference: Parsed = exercise.compute_reference(self.constants)
        self.reference_latex = self.reference.latex

    @cached_property
    def mistakes(self) -> tuple[Mistake, ...]:
        """Authored wrong answers first (those that parse: `check` reports the others), then slips."""
        ex = self.exercise
        found = []
        for i, (text, message) in enumerate(ex.wrong_answers):
            try:
                found.append(Mistake(_parse(text, ex.variables, self.constants, f"wrong_answers[{i}]"), message))
            except SpecError:
                continue
        if ex.derivative is not None:
            at, direction = ex.point(self.constants)
            for value, message in derivatives.slips(ex.bind(self.constants), at, direction):
                shape = self.reference.shape if isinstance(value, sympy.MatrixBase) else ()
                found.append(Mistake(Parsed(value, shape, ""), message))
        return tuple(found)


class Exercise:
    def __init__(self, spec: dict) -> None:
        if not isinstance(spec, dict):
            raise SpecError("expected a mapping")
        if unknown := set(spec) - TOP_KEYS:
            first = sorted(map(str, unknown))[0]
            raise SpecError(f"unknown key; allowed: {', '.join(sorted(TOP_KEYS))}", key=first)
        for key in ("slug", "kind", "reference"):
            if key not in spec:
                raise SpecError("required", key=key)
        self.slug = spec["slug"]
        if not isinstance(self.slug, str) or not self.slug:
            raise SpecError("expected a non-empty string", key="slug")
        self.kind = spec["kind"]
        if self.kind not in KINDS:
            raise SpecError(f"expected one of {', '.join(KINDS)}, got {self.kind!r}", key="kind")
        self.group = spec.get("group")
        if self.group is not None and not (isinstance(self.group, str) and _GROUP.match(self.group)):
            raise SpecError(
                "expected a short name (letters, digits, '-' or '_'), shared by the exercises it joins", key="group"
            )
        self.variables = name_list(spec.get("variables", []), "variables")
        self.parameters: tuple[Parameter, ...] = parameters(spec.get("parameters"), {*self.variables, "e", "pi"})
        self.rtol = tolerance(spec, "rtol", DEFAULT_RTOL)
        self.atol = tolerance(spec, "atol", DEFAULT_ATOL)
        self.partial_credit = spec.get("partial_credit", False)
        if not isinstance(self.partial_credit, bool):
            raise SpecError("expected true or false", key="partial_credit")
        self.attempts = spec.get("attempts")
        if self.attempts is not None and (type(self.attempts) is not int or self.attempts < 1):
            raise SpecError("expected a positive whole number", key="attempts")
        self.form, self.body = reference_form(spec["reference"])
        self.wrong_answers = self._wrong_answers(spec.get("wrong_answers", []))
        self.derivative = self._read_derivative() if self.form != "expression" else None
        self._variants: dict[int, Variant] = {}

    @classmethod
    def from_spec(cls, spec: dict) -> Exercise:
        if isinstance(spec, dict) and spec.get("kind") == MATRIX_KIND:
            from .matrix.exercise import MatrixExercise

            return MatrixExercise.from_spec(spec)  # type: ignore[return-value]
        try:
            key = json.dumps(spec, sort_keys=True)
        except (TypeError, ValueError):
            return cls(spec)  # not JSON-like: validation will say what is wrong
        return _from_json(key)

    @property
    def tolerance(self) -> Tolerance:
        return Tolerance(self.rtol, self.atol)

    @property
    def variant_count(self) -> int:
        return math.prod(len(p.values) for p in self.parameters)

    def variant(self, seed: int) -> Variant:
        """The same seed gives the same variant in every process and release (sha256, not hash()).

        Exercises of one `group` with the same parameters draw the same values from the same seed.
        """
        digest = hashlib.sha256(f"{self.group or self.slug}\0{int(seed)}".encode()).digest()
        return self.variant_at(int.from_bytes(digest[:8], "big") % self.variant_count)

    def variant_at(self, index: int) -> Variant:
        if index not in self._variants:
            self._variants[index] = Variant(self, index)
        return self._variants[index]

    def parameter_values(self, index: int) -> dict[str, Any]:
        values = {}
        for p in self.parameters:  # mixed radix over the sorted names
            index, digit = divmod(index, len(p.values))
            values[p.name] = p.values[digit]
        return values

    # --- references -----------------------------------------------------------------------------

    def _wrong_answers(self, spec: object) -> tuple[tuple[str, str], ...]:
        if not isinstance(spec, list):
            raise SpecError("expected a list of {answer, feedback}", key="wrong_answers")
        names = (*self.variables, *(p.name for p in self.parameters))
        result = []
        for i, item in enumerate(spec):
            key = f"wrong_answers[{i}]"
            if not isinstance(item, dict) or set(item) != {"answer", "feedback"}:
                raise SpecError("expected exactly the keys answer and feedback", key=key)
            answer, message = item["answer"], item["feedback"]
            if not (isinstance(answer, str) or is_number(answer)) or not isinstance(message, str):
                raise SpecError("answer and feedback must be text", key=key)
            _parse(str(answer), names, {}, f"{key}.answer")
            result.append((str(answer), message))
        return tuple(result)

    def _read_derivative(self) -> derivatives.Derivative:
        key = f"reference.{self.form}"
        wrt = tuple(self.body["wrt"])
        kind = FORM_KIND[self.form]
        wanted: tuple[str, ...] = {"vector": ("vector",), "matrix": ("matrix",)}.get(kind, ("numeric", "expression"))
        if "at" not in self.body:
            wanted = tuple(k for k in wanted if k != "numeric")
            if missing := [w for w in wrt if w not in self.variables]:
                raise SpecError(
                    f"{missing} must be listed in variables (the answer is symbolic in them)", key=f"{key}.wrt"
                )
        if self.kind not in wanted:
            raise SpecError(f"{self.form} here is answered as {' or '.join(wanted)}, not {self.kind}", key="kind")
        scalars = [p.name for p in self.parameters if not any(isinstance(v, list) for v in p.values)]
        texts = self.body["function"] if self.form == "jacobian" else [self.body["function"]]
        functions = tuple(_parse(str(t), (*wrt, *scalars), {}, f"{key}.function").value for t in texts)
        allowed = {symbol(n) for n in (*wrt, *scalars)}
        for f in functions:
            if not isinstance(f, sympy.Expr) or not f.free_symbols <= allowed:
                raise SpecError("must be a number-valued function of wrt and number parameters", key=f"{key}.function")
        variable = symbol(self.body["variable"]) if self.form == "partial" else None
        return derivatives.Derivative(self.form, functions, tuple(symbol(w) for w in wrt), variable)

    def bind(self, consts: Mapping[str, sympy.Basic]) -> derivatives.Derivative:
        """The derivative with this variant's parameter values in place of the parameter symbols."""
        assert self.derivative is not None
        subs = {symbol(n): v for n, v in consts.items() if not isinstance(v, sympy.MatrixBase)}
        d = self.derivative
        return derivatives.Derivative(d.form, tuple(f.xreplace(subs) for f in d.functions), d.wrt, d.variable)

    def point(self, consts: Mapping[str, sympy.Basic]) -> tuple[dict | None, list | None]:
        """The `at` point and the `direction`, exact, for this variant's parameters."""
        key = f"reference.{self.form}"

        def number(value: object, where: str) -> sympy.Basic:
            parsed = _parse(str(value), (), consts, where)
            if parsed.shape != () or parsed.value.free_symbols:
                raise SpecError("expected a number", key=where)
            return parsed.value

        at = self.body.get("at")
        point = {symbol(w): number(v, f"{key}.at.{w}") for w, v in at.items()} if at is not None else None
        direction = self.body.get("direction")
        if direction is None:
            return point, None
        if isinstance(direction, list):
            return point, [number(c, f"{key}.direction[{i}]") for i, c in enumerate(direction)]
        parsed = _parse(str(direction), (), consts, f"{key}.direction")
        if parsed.shape != (len(self.body["wrt"]),) or parsed.value.free_symbols:
            raise SpecError(f"expected a vector of {len(self.body['wrt'])} numbers", key=f"{key}.direction")
        if all(c == 0 for c in parsed.value):
            raise SpecError("the zero vector has no direction", key=f"{key}.direction")
        return point, list(parsed.value)

    def compute_reference(self, consts: Mapping[str, sympy.Basic]) -> Parsed:
        if self.derivative is None:
            return _parse(self.body, self.variables, consts, "reference.expression")
        at, direction = self.point(consts)
        value = derivatives.exact(self.bind(consts), at, direction)
        n = len(self.derivative.wrt)
        shape = {"scalar": (), "vector": (n,), "matrix": (len(self.derivative.functions), n)}[FORM_KIND[self.form]]
        if self.form == "hessian":
            shape = (n, n)
        return Parsed(value, shape, latex(value, shape))

    # --- the import-time check ------------------------------------------------------------------

    def check(self) -> list[SpecProblem]:
        """Problems with any variant (empty: the exercise can be published)."""
        problems: list[SpecProblem] = []
        for index in range(self.variant_count):
            values = self.parameter_values(index) if self.parameters else None
            try:
                found = check_variant(self.variant_at(index))
            except SpecError as exc:
                found = [exc.problem]
            except (ValueError, ZeroDivisionError, TypeError) as exc:
                found = [SpecProblem("reference", f"the reference cannot be computed: {exc}")]
            problems += [replace(p, variant=values) for p in found]
            if len(problems) >= _MAX_PROBLEMS:
                return [*problems[:_MAX_PROBLEMS], SpecProblem("", "(further variants not checked)")]
        return problems


@lru_cache(maxsize=512)
def _from_json(key: str) -> Exercise:
    return Exercise(json.loads(key))
