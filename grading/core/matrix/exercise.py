"""Authored `matrix_expression` exercises (docs/content-format.md): the spec, the reference, the import check.

    kind: matrix_expression
    shapes: {x: [n], W1: [h, n], W2: [m, h]}      # [] a scalar, [n] a column vector, [rows, cols]
    functions: [sigma]                            # random smooth functions; or {sigma: logistic}
    reference:
      jacobian: {function: "W2 sigma(W1 x)", wrt: x, closed_form: "W2 diag(sigma'(W1 x)) W1"}
      # or gradient: {function, wrt, layout?, closed_form?}, hessian: {function, wrt, closed_form?},
      # or expression: "..."

Layouts: a Jacobian is numerator layout (m×n for f: Rⁿ → Rᵐ) and a gradient denominator layout (the
shape of the variable) unless `layout` says otherwise. Answers are graded against the closed form when
there is one (authored, or SymPy's), else against JAX's values; the check refuses an exercise whose
closed form, SymPy's derivative and JAX's disagree at any instance.
"""

from __future__ import annotations

import json
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from ..spec import SpecProblem, is_number, wrong_answer_problem
from ..verdict import Preview, Verdict
from . import answers, references
from .answers import KIND, Context, ContextError, Reference, Tolerance, spec_error
from .printing import to_latex, to_text
from .shapes import Typed, shape_text
from .syntax import MatrixInputError

TOP_KEYS = {"slug", "kind", "shapes", "functions", "reference", "rtol", "atol", "attempts", "wrong_answers"}
FORM_KEYS = {"function", "wrt", "layout", "closed_form"}
_WHAT = {"jacobian": "the Jacobian", "gradient": "the gradient", "hessian": "the Hessian"}


class MatrixVariant:
    """The single variant of a matrix exercise (its symbols are symbolic; there is nothing to draw)."""

    def __init__(self, exercise: MatrixExercise) -> None:
        self.exercise = exercise
        self.index = 0
        self.params: dict[str, Any] = {}
        self.constants: dict[str, Any] = {}
        self.context: dict[str, str] = {}

    @property
    def reference(self) -> Reference:
        return self.exercise.reference

    @property
    def reference_latex(self) -> str:
        closed = self.exercise.reference.closed
        return to_latex(closed.root) if closed is not None else ""


class MatrixExercise:
    kind = KIND
    parameters: tuple = ()
    variables: tuple[str, ...] = ()
    partial_credit = False
    variant_count = 1

    def __init__(self, spec: dict) -> None:
        if not isinstance(spec, dict):
            raise spec_error("spec: expected a mapping")
        if unknown := set(spec) - TOP_KEYS:
            raise spec_error(
                f"{sorted(map(str, unknown))[0]}: unknown key for kind {KIND}; allowed: {', '.join(sorted(TOP_KEYS))}"
            )
        for key in ("slug", "kind", "shapes", "reference"):
            if key not in spec:
                raise spec_error(f"{key}: required")
        self.slug = spec["slug"]
        if not isinstance(self.slug, str) or not self.slug:
            raise spec_error("slug: expected a non-empty string")
        try:
            self.context: Context = answers.read_context(spec["shapes"], spec.get("functions"))
        except ContextError as exc:
            raise spec_error(exc.message) from None
        tol = []
        for key, default in (("rtol", answers.DEFAULT_RTOL), ("atol", answers.DEFAULT_ATOL)):
            value = spec.get(key, default)
            if not is_number(value) or value < 0:
                raise spec_error(f"{key}: expected a non-negative number, got {value!r}")
            tol.append(float(value))
        self.tolerance = Tolerance(*tol)
        self.attempts = spec.get("attempts")
        if self.attempts is not None and (type(self.attempts) is not int or self.attempts < 1):
            raise spec_error("attempts: expected a positive whole number")
        self._read_reference(spec["reference"])
        self.wrong_answers = self._read_wrong_answers(spec.get("wrong_answers", []))
        self._variant = MatrixVariant(self)
        self._jax: tuple[Context, list[np.ndarray]] | None = None

    @classmethod
    def from_spec(cls, spec: dict) -> MatrixExercise:
        try:
            key = json.dumps(spec, sort_keys=True)
        except (TypeError, ValueError):
            return cls(spec)
        return _from_json(key)

    # --- the spec -----------------------------------------------------------------------------------

    def _read(self, text: object, key: str, expected: Any = None) -> Typed:
        if not isinstance(text, str) and not is_number(text):
            raise spec_error(f"{key}: expected text")
        try:
            return self.context.read(str(text), expected)
        except MatrixInputError as exc:
            raise spec_error(f"{key}: {exc.message}") from None

    def _read_reference(self, spec: object) -> None:
        if not isinstance(spec, dict) or len(spec) != 1:
            raise spec_error(f"reference: expected exactly one of expression, {', '.join(references.FORMS)}")
        ((form, body),) = spec.items()
        self.form = form
        self.closed_text: str | None = None
        self.function: Typed | None = None
        if form == "expression":
            self.closed_text = str(body) if isinstance(body, str) else None
            typed = self._read(body, "reference.expression")
            self.shape, self.layout, self.what, self.wrt = typed.shape, None, "the correct answer", None
            return
        key = f"reference.{form}"
        if form not in references.FORMS:
            raise spec_error(f"reference: unknown form {form!r} for kind {KIND}")
        if not isinstance(body, dict) or not {"function", "wrt"} <= body.keys() or body.keys() - FORM_KEYS:
            raise spec_error(f"{key}: expected {{function, wrt}} with optional layout and closed_form")
        self.wrt = body["wrt"]
        if self.wrt not in self.context.declared:
            raise spec_error(f"{key}.wrt: {self.wrt!r} is not one of the declared symbols")
        self.function = self._read(body["function"], f"{key}.function")
        f_shape, w_shape = self.function.shape, self.context.declared[self.wrt]
        if form in ("gradient", "hessian") and f_shape != (1, 1):
            raise spec_error(f"{key}.function: a {form} needs a scalar function; this one is {shape_text(f_shape)}")
        if form in ("jacobian", "hessian") and w_shape[1] != 1:
            raise spec_error(
                f"{key}.wrt: a {form} is taken with respect to a vector; {self.wrt} is {shape_text(w_shape)}"
            )
        if form == "jacobian" and f_shape[1] != 1:
            raise spec_error(
                f"{key}.function: a Jacobian needs a vector-valued function; this one is {shape_text(f_shape)}"
            )
        default = "numerator" if form == "jacobian" else "denominator"
        self.layout = body.get("layout", default)
        if self.layout not in ("numerator", "denominator") or (form == "hessian" and self.layout != default):
            raise spec_error(f"{key}.layout: expected numerator or denominator, got {self.layout!r}")
        self.shape = references.result_shape(form, f_shape, w_shape, self.layout)
        self.what = _WHAT[form]
        if "closed_form" in body:
            self.closed_text = str(body["closed_form"])
            closed = self._read(body["closed_form"], f"{key}.closed_form", self.shape)
            if closed.shape != self.shape:
                raise spec_error(
                    f"{key}.closed_form: it is {shape_text(closed.shape)}, but {self.what} is {shape_text(self.shape)}"
                )

    def _read_wrong_answers(self, spec: object) -> tuple[tuple[str, str], ...]:
        if not isinstance(spec, list):
            raise spec_error("wrong_answers: expected a list of {answer, feedback}")
        result = []
        for i, item in enumerate(spec):
            key = f"wrong_answers[{i}]"
            if not isinstance(item, dict) or set(item) != {"answer", "feedback"}:
                raise spec_error(f"{key}: expected exactly the keys answer and feedback")
            if not isinstance(item["feedback"], str):
                raise spec_error(f"{key}.feedback: expected text")
            self._read(item["answer"], f"{key}.answer", self.shape)
            result.append((str(item["answer"]), item["feedback"]))
        return tuple(result)

    # --- the reference ------------------------------------------------------------------------------

    @cached_property
    def sympy_closed(self) -> Typed | None:
        if self.function is None or self.wrt is None or self.layout is None:
            return None
        try:
            return references.sympy_closed_form(
                self.context, self.function, self.wrt, self.form, self.layout, self.shape
            )
        except references.Unsupported:
            return None

    def jax_values(self) -> list[np.ndarray]:
        """JAX's derivative at every instance, computed once per exercise (each compilation costs ~0.2 s)."""
        assert self.function is not None and self.wrt is not None and self.layout is not None
        key = self.context
        if self._jax is None or self._jax[0] != key:
            self._jax = (key, references.jax_values(self.context, self.function, self.wrt, self.form, self.layout))
        return self._jax[1]

    @cached_property
    def reference(self) -> Reference:
        """Graded against: the closed form (authored, else SymPy's), else JAX's values (JAX loaded here)."""
        closed = self.context.read(self.closed_text, self.shape) if self.closed_text is not None else self.sympy_closed
        if closed is not None:
            self.context, vals = self.context.sampling(closed)
        else:
            vals = self.jax_values()
        ref = Reference(self.context, self.shape, vals, closed, self.what, self.layout)
        for text, message in self.wrong_answers:
            found = answers.mistake_values(self.context, text, self.shape)
            if found is not None:
                ref.mistakes.append((found, message))
        return ref

    # --- the engine's exercise interface ------------------------------------------------------------

    def variant(self, seed: int) -> MatrixVariant:
        return self._variant

    def variant_at(self, index: int) -> MatrixVariant:
        return self._variant

    def parameter_values(self, index: int) -> dict[str, Any]:
        return {}

    def grade(self, text: str, *, budget_s: float = 2.0) -> Verdict:
        return answers.grade(self.reference, text, self.tolerance, budget_s=budget_s)

    def preview(self, text: str) -> Preview:
        return answers.preview(self.context, text, self.shape, self.what)

    def normalize(self, text: str) -> str | None:
        return answers.normalize(self.context, text)

    def check(self) -> list[SpecProblem]:
        """Problems that keep the exercise from being published (empty: fine)."""
        problems: list[SpecProblem] = []
        ref = self.reference
        if self.context.usable(ref.values) < answers.MIN_DRAWS:
            return [SpecProblem("reference", "the reference is undefined at almost every test value")]
        if self.function is not None:
            key = f"reference.{self.form}"
            try:
                jax = self.jax_values()
            except Exception as exc:  # noqa: BLE001 - JAX's errors are many; the author needs the text
                return [SpecProblem(key, f"JAX could not compute the reference: {exc}")]
            if self.closed_text is not None and answers.compare_values(jax, ref.values, _CROSS) is not True:
                message = f"{self.closed_text} disagrees with JAX's {self.what} of {self._function_text()}"
                problems.append(SpecProblem(f"{key}.closed_form", message))
            sym = self.sympy_closed
            if sym is not None:
                from .evaluate import values

                sym_vals = [values(sym, inst) for inst in self.context.instances]
                agree = answers.compare_values(jax, sym_vals, _CROSS)
                square = self.shape[0] == self.shape[1]
                if not agree and square:  # SymPy's layout is ambiguous for square results
                    agree = answers.compare_values(jax, [np.swapaxes(v, -1, -2) for v in sym_vals], _CROSS)
                if not agree:
                    problems.append(SpecProblem(key, f"SymPy's {self.what} ({to_text(sym.root)}) disagrees with JAX's"))
        for i, (text, _) in enumerate(self.wrong_answers):
            verdict = answers.grade(ref, text, self.tolerance, budget_s=5.0)
            if problem := wrong_answer_problem(i, text, verdict.status, verdict.feedback):
                problems.append(problem)
        return problems

    def _function_text(self) -> str:
        return to_text(self.function.root) if self.function is not None else ""


_CROSS = Tolerance(rtol=1e-7, atol=1e-9)


@lru_cache(maxsize=256)
def _from_json(key: str) -> MatrixExercise:
    return MatrixExercise(json.loads(key))
