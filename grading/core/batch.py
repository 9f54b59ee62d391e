"""`python -m grading batch`: JSON lines in, one JSON verdict line out per input line, in order.

Input  {"kind", "reference", "answer", "variables"?, "rtol"?, "atol"?}
       {"kind": "matrix_expression", "shapes", "functions"?, "reference", "answer", "rtol"?, "atol"?, "layout"?}
Output {"status", "score", "feedback", "latex"}

Every input line gets exactly one output line, flushed at once, so the command works as a
co-process: a malformed or blank line gets an `invalid` line saying what is wrong, and the
process never stops early. Identical requests whose answers normalise to the same text are
graded once.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable
from typing import IO

from .grader import grade_spec, normalize, read_request
from .spec import MATRIX_KIND, SpecError
from .verdict import Verdict

_MEMO_SIZE = 10_000


class Memo:
    """Verdicts by (request, answer), bounded, most recently used kept."""

    def __init__(self, size: int = _MEMO_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, Verdict] = OrderedDict()

    def get(self, key: tuple) -> Verdict | None:
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        return None

    def put(self, key: tuple, verdict: Verdict) -> None:
        self.entries[key] = verdict
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)


def _output(verdict: Verdict) -> dict:
    return {"status": verdict.status, "score": verdict.score, "feedback": verdict.feedback, "latex": verdict.latex}


def grade_line(line: str, memo: Memo, budget_s: float = 2.0) -> dict:
    if not line.strip():
        return _output(Verdict.invalid("Malformed request: the line is empty."))
    try:
        request = json.loads(line)
    except json.JSONDecodeError as exc:
        return _output(Verdict.invalid(f"Malformed request: not JSON ({exc.msg})."))
    if isinstance(request, dict) and request.get("kind") == MATRIX_KIND:
        return _output(_grade_matrix_line(request, memo, budget_s))
    try:
        _, variables, tol = read_request(request)
    except SpecError as exc:
        return _output(Verdict.invalid(f"Malformed request: {exc.message}"))
    answer = request.get("answer")
    if not isinstance(answer, str):
        return _output(Verdict.invalid("Malformed request: answer: expected text."))
    spec_key = (request["kind"], str(request["reference"]), variables, tol)
    raw_key = (*spec_key, "text", answer)
    verdict = memo.get(raw_key)
    if verdict is None:
        normalized = normalize(answer, variables)
        norm_key = (*spec_key, "normalized", normalized) if normalized is not None else None
        verdict = memo.get(norm_key) if norm_key else None
        if verdict is None:
            verdict = grade_spec(request, answer, budget_s=budget_s)
            if norm_key:
                memo.put(norm_key, verdict)
        memo.put(raw_key, verdict)
    return _output(verdict)


def _grade_matrix_line(request: dict, memo: Memo, budget_s: float) -> Verdict:
    from .matrix import request as matrix

    try:
        matrix.read_request(request)
    except SpecError as exc:
        return Verdict.invalid(f"Malformed request: {exc.message}")
    answer = request.get("answer")
    if not isinstance(answer, str):
        return Verdict.invalid("Malformed request: answer: expected text.")
    spec_key = matrix.request_key(request)
    verdict = memo.get((*spec_key, "text", answer))
    if verdict is None:
        normalized = matrix.normalize_request(request, answer)
        norm_key = (*spec_key, "normalized", normalized) if normalized is not None else None
        verdict = memo.get(norm_key) if norm_key else None
        if verdict is None:
            verdict = matrix.grade_request(request, answer, budget_s=budget_s)
            if norm_key:
                memo.put(norm_key, verdict)
        memo.put((*spec_key, "text", answer), verdict)
    return verdict


def run(lines: Iterable[str], out: IO[str], budget_s: float = 2.0) -> None:
    memo = Memo()
    for line in lines:
        out.write(json.dumps(grade_line(line, memo, budget_s)) + "\n")
        out.flush()
