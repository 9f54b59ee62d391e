"""The labelled case table (case_table.py) graded end to end: every verdict, and the feedback where it matters."""

import pytest

from grading.core import grade_spec

from .case_table import ALL, Case


def _id(case: Case) -> str:
    return f"{case.klass}:{case.reference} <- {case.answer}"[:90]


def test_the_table_covers_every_class_with_hundreds_of_cases():
    assert len(ALL) >= 400
    classes = {c.klass for c in ALL}
    assert classes == {
        "soundness", "domain", "tolerance", "sampling", "latex", "notation", "ambiguity", "feedback", "identities",
    }  # fmt: skip
    for verdict in ("correct", "incorrect", "invalid"):
        assert any(c.expected == verdict for c in ALL)


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_case(case: Case):
    spec = {"kind": case.kind, "reference": case.reference, "variables": list(case.variables), **case.tolerance}
    verdict = grade_spec(spec, case.answer, budget_s=60.0)  # the verdict, not its time (see test_equivalence)
    assert verdict.status == case.expected, f"{case.why}: {verdict.feedback}"
    assert case.says in verdict.feedback, verdict.feedback
