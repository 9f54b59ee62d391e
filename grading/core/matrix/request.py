"""The command line's matrix requests: {"kind": "matrix_expression", "shapes", "functions"?, "reference",
"answer", "rtol"?, "atol"?, "layout"?}; shapes use dimension names, [] is a scalar, [n] a column vector."""

from __future__ import annotations

from ..spec import is_number
from ..verdict import Verdict
from . import answers
from .answers import ContextError, Reference, Tolerance, spec_error
from .syntax import MatrixInputError

LAYOUTS = ("numerator", "denominator")


def _freeze(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def read_request(request: dict) -> tuple[Reference, Tolerance]:
    """SpecError (naming the key) if the request is malformed or its reference does not read."""
    text = request.get("reference")
    if not isinstance(text, str):
        raise spec_error("reference: expected the reference answer as text")
    tol = []
    for key, default in (("rtol", answers.DEFAULT_RTOL), ("atol", answers.DEFAULT_ATOL)):
        value = request.get(key, default)
        if not is_number(value) or value < 0:
            raise spec_error(f"{key}: expected a non-negative number, got {value!r}")
        tol.append(float(value))
    layout = request.get("layout")
    if layout is not None and layout not in LAYOUTS:
        raise spec_error(f"layout: expected numerator or denominator, got {layout!r}")
    try:
        memo = (_freeze(request.get("shapes")), _freeze(request.get("functions")), text, layout)
        hash(memo)
    except TypeError:
        raise spec_error("shapes: expected a mapping of symbol -> [dimensions]") from None
    return _reference(memo, request.get("shapes"), request.get("functions"), text, layout), Tolerance(*tol)


def _reference_uncached(shapes: object, functions: object, text: str, layout: str | None) -> Reference:
    try:
        context = answers.read_context(shapes, functions)
    except ContextError as exc:
        raise spec_error(exc.message) from None
    try:
        ref = answers.reference_from_text(context, text)
    except MatrixInputError as exc:
        raise spec_error(f"reference: {exc.message}") from None
    ref.layout = layout
    if layout is not None:
        ref.what = "the Jacobian" if layout == "numerator" else "the gradient"
    return ref


_references: dict[tuple, Reference] = {}


def _reference(key: tuple, shapes: object, functions: object, text: str, layout: str | None) -> Reference:
    ref = _references.get(key)
    if ref is None:
        ref = _reference_uncached(shapes, functions, text, layout)
        if len(_references) >= 512:
            _references.pop(next(iter(_references)))
        _references[key] = ref
    return ref


def grade_request(request: dict, answer: str, *, budget_s: float = 2.0) -> Verdict:
    ref, tol = read_request(request)
    if not isinstance(answer, str):
        raise spec_error("answer: expected text")
    return answers.grade(ref, answer, tol, budget_s=budget_s)


def request_key(request: dict) -> tuple:
    return ("matrix", _freeze(request.get("shapes")), _freeze(request.get("functions")), request.get("reference"),
            request.get("layout"), request.get("rtol"), request.get("atol"))  # fmt: skip


def normalize_request(request: dict, answer: str) -> str | None:
    ref, _ = read_request(request)
    return answers.normalize(ref.context, answer)
