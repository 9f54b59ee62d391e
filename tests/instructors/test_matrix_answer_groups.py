"""An instructor's most common wrong answers to a matrix exercise: equivalent forms counted as one."""

import pytest

from courseware.models import Exercise, Topic
from instructors.selectors import wrong_answer_groups

pytestmark = pytest.mark.django_db
SPEC = {
    "slug": "network",
    "kind": "matrix_expression",
    "shapes": {"x": ["n"], "W1": ["h", "n"], "W2": ["m", "h"]},
    "functions": ["sigma"],
    "reference": {"jacobian": {"function": "W2 sigma(W1 x)", "wrt": "x"}},
}


def test_equivalent_wrong_matrix_answers_are_one_group():
    topic = Topic.objects.create(slug="t", title="T", layer="1", summary="s", body="b")
    exercise = Exercise.objects.create(
        topic=topic, slug="network", title="N", prompt="p", spec_yaml="", spec=SPEC, kind=SPEC["kind"]
    )
    rows = [
        (1, 0, "W2 W1", "W2 W1", "", "missing"),
        (2, 0, "W₂W₁", "W2 W1", "", "missing"),
        (3, 0, "(W1^T W2^T)^T", "(W1^T W2^T)^T", "", "missing"),
        (4, 0, "W2 diag(sigma(W1 x)) W1", "W2 diag(sigma(W1 x)) W1", "", "sigma"),
    ]
    groups = wrong_answer_groups(exercise, rows)
    assert [(g.count, len(g.students)) for g in groups] == [(3, 3), (1, 1)]
    assert groups[0].answer in ("W2 W1", "W₂W₁") and groups[1].answer == "W2 diag(sigma(W1 x)) W1"
