"""The admin's structured exercise fields: spec to fields and back, and which field a problem is about."""

import pytest

from courseware.exercise_fields import field_of, fields_from_spec, spec_from_fields
from grading.core.spec import SpecProblem

GRADIENT = {
    "slug": "gradient-at-a-point",
    "kind": "vector",
    "parameters": {"a": {"integers": [2, 5]}},
    "reference": {"gradient": {"function": "a*x^2*y + y^3", "wrt": ["x", "y"], "at": {"x": 1, "y": 2}}},
    "attempts": 3,
    "wrong_answers": [{"answer": "[2*a, a + 12]", "feedback": "Differentiate a x^2 y: the factor y stays."}],
}


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("", None),
        ("slug", "slug"),
        ("kind", "kind"),
        ("variables", "variables"),
        ("rtol", "rtol"),
        ("tolerance.atol", "atol"),
        ("attempts", "attempts"),
        ("partial_credit", "partial_credit"),
        ("parameters", "parameters"),
        ("parameters.a.integers", "parameters"),
        ("wrong_answers", "wrong_answers"),
        ("wrong_answers[2]", "wrong_answers"),
        ("wrong_answers[2].answer", "wrong_answers"),
        ("reference", "reference_form"),
        ("reference.gradient", "reference_form"),
        ("reference.expression", "expression"),
        ("reference.gradient.at", "at"),
        ("reference.at", "at"),
        ("reference.gradient.at.x", "at"),
        ("reference.directional_derivative.direction[1]", "direction"),
        ("reference.jacobian.function", "function"),
        ("reference.partial.variable", "variable"),
        ("reference.hessian.wrt", "wrt"),
        ("colour", None),
    ],
)
def test_a_problem_goes_to_the_field_its_key_names_whatever_its_wording(key, field):
    assert field_of(SpecProblem(key, "any wording at all")) == field
    assert field_of(SpecProblem(key, "any wording at all", {"a": 2})) == field


def test_the_fields_of_a_spec_give_the_same_spec_back():
    fields = fields_from_spec(GRADIENT)
    assert fields["at"] == "x=1, y=2" and fields["parameters"] == "a: integers 2..5"
    spec, errors = spec_from_fields({"slug": GRADIENT["slug"], **fields}, GRADIENT)
    assert errors == {}
    assert spec == GRADIENT
    assert list(spec) == list(GRADIENT)  # the documents' key order


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("at", "x=1, y", "write each coordinate as name = value"),
        ("variables", "x,, y", "An item between two commas is empty."),
        ("parameters", "a: between 2 and 5", "line 1: write"),
        ("wrong_answers", "2a => ", 'line 1: write the answer, then "=>"'),
        ("function", "", "Needed for the gradient."),
    ],
)
def test_unreadable_fields_are_refused_on_their_own_field(field, text, message):
    fields = {"slug": GRADIENT["slug"], **fields_from_spec(GRADIENT), field: text}
    _, errors = spec_from_fields(fields, GRADIENT)
    assert list(errors) == [field]
    assert message in errors[field][0]
