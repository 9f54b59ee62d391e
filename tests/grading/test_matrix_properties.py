"""Properties of matrix answers over generated input: any text gets a verdict, never an exception;
rewrites by the algebra's rules are accepted; a scaled or transposed answer is not."""

from hypothesis import given
from hypothesis import strategies as st

from grading.core import grade_spec
from grading.core.matrix.syntax import MatrixInputError, Names, parse

SHAPES = {"x": ["n"], "y": ["m"], "A": ["m", "n"], "B": ["n", "n"], "c": []}
REQUEST = {"kind": "matrix_expression", "shapes": SHAPES, "functions": ["sigma"]}
NAMES = Names(frozenset(SHAPES), frozenset({"sigma"}))
PIECES = st.sampled_from(
    ["x", "y", "A", "B", "c", "I", "sigma", "σ", "'", "ᵀ", "^T", "^-1", "^2", "^", "(", ")", "{", "}", "[", "]",
     "+", "-", "*", "@", "·", "⊙", ".*", "/", "‖", "||", "diag", "tr", "inv", "norm", "exp", "log", "sqrt", "2",
     "0.5", " ", "_", "₁", "\\frac", "\\sigma", "\\top", "\\left(", "\\right)", "\\operatorname{diag}", "x^Tx"]
)  # fmt: skip

# column vector n×1 expressions built from the rules' both sides
VECTORS = st.sampled_from(["x", "B x", "A^T y", "c x", "sigma(x)", "diag(sigma'(x)) B x", "inv(B) x"])


@given(st.lists(PIECES, max_size=40).map("".join))
def test_any_text_of_the_grammar_gets_a_verdict(text):
    verdict = grade_spec({**REQUEST, "reference": "A^T y + B x"}, text)
    assert verdict.status in ("correct", "incorrect", "invalid")
    assert verdict.score == (1.0 if verdict.status == "correct" else 0.0)
    assert verdict.feedback


@given(st.text(max_size=120))
def test_arbitrary_unicode_reads_or_says_why(text):
    try:
        parse(text, NAMES)
    except MatrixInputError as exc:
        assert exc.message
        assert exc.position is None or 0 <= exc.position <= len(text)


@given(VECTORS, VECTORS)
def test_rewrites_by_the_rules_are_accepted(u, v):
    request = {**REQUEST, "reference": f"({u}) + ({v})"}
    for rewrite in (
        f"({v}) + ({u})",  # addition commutes
        f"(({u})^T + ({v})^T)^T",  # the transpose of a sum
        f"I ({u}) + ({v}) I",  # the identity
        f"2 ({u}) / 2 + ({v})",  # scalars move
        f"(({u})^T ({u}) + 1) (({u}) + ({v})) / (({u})^T ({u}) + 1)",  # a scalar factor and its inverse
    ):
        assert grade_spec(request, rewrite).status == "correct", rewrite


@given(VECTORS, VECTORS)
def test_diag_times_a_vector_is_the_hadamard_product(u, v):
    request = {**REQUEST, "reference": f"diag({u}) ({v})"}
    assert grade_spec(request, f"({u}) ⊙ ({v})").status == "correct"
    assert grade_spec(request, f"({v}) .* ({u})").status == "correct"
    assert grade_spec(request, f"(({u})^T ({v}))^T").status in ("incorrect", "invalid")  # a scalar, not n×1


@given(VECTORS, VECTORS)
def test_the_transpose_of_a_product_reverses_it(u, v):
    request = {**REQUEST, "reference": f"(({u}) ({v})^T)^T"}
    assert grade_spec(request, f"({v}) ({u})^T").status == "correct"
    assert grade_spec(request, f"({u})^T ({v})").status == "incorrect"  # the inner product: a scalar


@given(VECTORS)
def test_scaled_and_transposed_answers_are_wrong(u):
    request = {**REQUEST, "reference": u}
    assert grade_spec(request, f"2 ({u})").status == "incorrect"
    assert grade_spec(request, f"({u})^T").status == "incorrect"
    assert grade_spec(request, f"({u}) + x x^T x").status == "incorrect"
