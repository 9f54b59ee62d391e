"""Reading an authored exercise spec (docs/content-format.md): structure, parameters, reference forms.

Everything here is cheap and purely structural; a `SpecError` carries a `SpecProblem` whose key
names the offending part of the spec, so that an author (and the admin form) can find it.
Computing references is `exercises`' business.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy

KINDS = ("numeric", "expression", "vector", "matrix", "matrix_expression")
MATRIX_KIND = "matrix_expression"  # its own modules: grading/core/matrix/
MAX_VARIANTS = 1000
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 0.0

TOP_KEYS = {
    "slug", "kind", "variables", "parameters", "reference", "rtol", "atol", "partial_credit", "attempts",
    "wrong_answers", "group",
}  # fmt: skip
# form -> (required keys, optional keys); `function` is a list only for the Jacobian.
FORM_KEYS: dict[str, tuple[set[str], set[str]]] = {
    "partial": ({"function", "wrt", "variable"}, {"at"}),
    "gradient": ({"function", "wrt"}, {"at"}),
    "directional_derivative": ({"function", "wrt", "direction"}, {"at"}),
    "max_rate": ({"function", "wrt", "at"}, set()),
    "steepest_ascent": ({"function", "wrt", "at"}, set()),
    "jacobian": ({"function", "wrt"}, {"at"}),
    "hessian": ({"function", "wrt"}, {"at"}),
}
# What the student types for each derivative form ("scalar": numeric at a point, else expression).
FORM_KIND = {
    "partial": "scalar", "directional_derivative": "scalar", "max_rate": "scalar", "gradient": "vector",
    "steepest_ascent": "vector", "jacobian": "matrix", "hessian": "matrix",
}  # fmt: skip
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")


@dataclass(frozen=True)
class SpecProblem:
    """One thing wrong with an authored spec, as data, so that callers never read the wording.

    `key` is where, as a path into the spec: `reference.gradient.at`, `wrong_answers[2].answer`,
    `rtol`; "" for the spec as a whole. `variant` is the parameter values of the variant it was
    found in (None: every variant, or the exercise has no parameters).
    """

    key: str
    message: str
    variant: dict[str, Any] | None = field(default=None, hash=False)

    def __str__(self) -> str:
        where = f"{self.key}: " if self.key else ""
        if self.variant:
            values = ", ".join(f"{name}={value}" for name, value in self.variant.items())
            return f"variant {{{values}}}: {where}{self.message}"
        return where + self.message


def wrong_answer_problem(index: int, text: str, status: str, feedback: str) -> SpecProblem | None:
    """What is wrong with an author's listed wrong answer, graded `status`: None when it is really wrong."""
    if status == "incorrect":
        return None
    if status == "correct":
        says = f"{text} is listed as wrong, but it equals the reference here: remove it, or change it"
    else:
        says = f"{text} could not be checked against the reference ({feedback}): write it more simply"
    return SpecProblem(f"wrong_answers[{index}].answer", says)


class SpecError(ValueError):
    """What is wrong with an authored spec: `problem` says where; `message` is its text, the key first."""

    def __init__(self, message: str, *, key: str = "", variant: dict[str, Any] | None = None) -> None:
        self.problem = SpecProblem(key, message, variant)
        self.message = str(self.problem)
        super().__init__(self.message)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def exact(value: int | float) -> sympy.Rational:
    """An authored number as an exact rational: 0.1 means 1/10."""
    return sympy.Rational(value) if isinstance(value, int) else sympy.Rational(*Fraction(str(value)).as_integer_ratio())


@dataclass(frozen=True)
class Parameter:
    name: str
    values: tuple[Any, ...]  # ints, floats or lists of them, as authored

    def sympy_value(self, value: Any) -> sympy.Basic:
        if isinstance(value, list):
            return sympy.ImmutableMatrix([exact(v) for v in value])
        return exact(value)


def name_list(value: object, key: str, *, empty_ok: bool = True) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and _NAME.match(v) for v in value):
        raise SpecError(f"expected a list of names (letters, digits, '_'), got {value!r}", key=key)
    if len(set(value)) != len(value):
        raise SpecError(f"names repeat in {value!r}", key=key)
    if not value and not empty_ok:
        raise SpecError("must not be empty", key=key)
    return tuple(value)


def tolerance(spec: dict, key: str, default: float) -> float:
    value = spec.get(key, default)
    if not is_number(value) or value < 0:
        raise SpecError(f"expected a non-negative number, got {value!r}", key=key)
    return float(value)


def parameters(spec: object, reserved: set[str]) -> tuple[Parameter, ...]:
    """Sorted by name, so that variant numbering does not depend on the order they were written in."""
    if spec is None:
        return ()
    if not isinstance(spec, dict):
        raise SpecError("expected a mapping of name -> {integers: [lo, hi]} or {choice: [...]}", key="parameters")
    params = []
    count = 1
    for name in sorted(spec):
        key = f"parameters.{name}"
        if not isinstance(name, str) or not _NAME.match(name) or name in reserved:
            raise SpecError("not a usable parameter name (it must be new, not a variable, e or pi)", key=key)
        rule = spec[name]
        if not isinstance(rule, dict) or len(rule) != 1 or next(iter(rule)) not in ("integers", "choice"):
            raise SpecError("expected exactly one of {integers: [lo, hi]} or {choice: [...]}", key=key)
        ((how, arg),) = rule.items()
        if how == "integers":
            if not (isinstance(arg, list) and len(arg) == 2 and all(type(v) is int for v in arg) and arg[0] <= arg[1]):
                raise SpecError(f"expected [lo, hi], two integers with lo <= hi, got {arg!r}", key=f"{key}.integers")
            size = arg[1] - arg[0] + 1
            values: tuple[Any, ...] = tuple(range(arg[0], arg[1] + 1)) if size <= MAX_VARIANTS else ()
        else:
            ok = (
                isinstance(arg, list)
                and arg
                and all(is_number(v) or (isinstance(v, list) and v and all(is_number(c) for c in v)) for v in arg)
            )
            if not ok:
                raise SpecError(
                    f"expected a non-empty list of numbers or lists of numbers, got {arg!r}", key=f"{key}.choice"
                )
            size, values = len(arg), tuple(arg)
        count *= size
        if count > MAX_VARIANTS:
            raise SpecError(f"{count}+ combinations; at most {MAX_VARIANTS} are allowed", key="parameters")
        params.append(Parameter(name, values))
    return tuple(params)


def reference_form(spec: object) -> tuple[str, Any]:
    if not isinstance(spec, dict) or len(spec) != 1:
        forms = ", ".join(["expression", *FORM_KEYS])
        raise SpecError(f"expected exactly one of {forms}", key="reference")
    ((form, body),) = spec.items()
    key = f"reference.{form}"
    if form == "expression":
        if not (isinstance(body, str) or is_number(body)):
            raise SpecError("expected the answer as text", key=key)
        return form, str(body)
    if form not in FORM_KEYS:
        raise SpecError(f"unknown form {form!r}", key="reference")
    if not isinstance(body, dict):
        raise SpecError("expected a mapping", key=key)
    required, optional = FORM_KEYS[form]
    missing, extra = required - body.keys(), body.keys() - required - optional
    if missing or extra:
        raise SpecError(f"missing {sorted(missing)}" if missing else f"unknown keys {sorted(extra)}", key=key)
    wrt = name_list(body["wrt"], f"{key}.wrt", empty_ok=False)
    functions = body["function"]
    if form == "jacobian":
        if not (isinstance(functions, list) and functions and all(isinstance(f, str | int | float) for f in functions)):
            raise SpecError("expected a list of component functions", key=f"{key}.function")
    elif not isinstance(functions, str | int | float) or isinstance(functions, bool):
        raise SpecError("expected the function as text", key=f"{key}.function")
    if form == "partial" and body["variable"] not in wrt:
        raise SpecError(f"{body['variable']!r} is not one of wrt {list(wrt)}", key=f"{key}.variable")
    at = body.get("at")
    if at is not None and (not isinstance(at, dict) or set(at) != set(wrt)):
        raise SpecError(f"expected a value for each of {list(wrt)}, got {at!r}", key=f"{key}.at")
    direction = body.get("direction")
    if isinstance(direction, list) and len(direction) != len(wrt):
        raise SpecError(f"expected {len(wrt)} components, got {len(direction)}", key=f"{key}.direction")
    return form, body
