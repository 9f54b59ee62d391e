"""Labelled matrix-calculus answers, graded exactly as the command line grades them.

Each case: a context (symbols with shapes, functions), the reference, the student's answer, the verdict
expected and, for most wrong or unreadable answers, a piece of the feedback that must be shown.
"""

import pytest

from grading.core import grade_spec

NET = ({"x": ["n"], "W1": ["h", "n"], "b1": ["h"], "W2": ["m", "h"]}, ["sigma"], "W2 diag(sigma'(W1 x + b1)) W1")
NET0 = ({"x": ["n"], "W1": ["h", "n"], "W2": ["m", "h"]}, ["sigma"], "W2 diag(sigma'(W1 x)) W1")
LSQ = ({"A": ["m", "n"], "b": ["m"], "x": ["n"]}, [], "A^T (A x - b)")
QUAD = ({"A": ["n", "n"], "x": ["n"]}, [], "(A + A^T) x")
LIN = ({"W": ["m", "n"], "x": ["n"], "delta": ["m"]}, [], "delta x^T")
BACK = ({"z": ["h"], "W2": ["m", "h"], "delta2": ["m"]}, ["sigma"], "sigma'(z) ⊙ (W2^T delta2)")
LOGI = ({"X": ["N", "d"], "y": ["N"], "w": ["d"]}, {"sigma": "logistic"}, "X^T (sigma(X w) - y)")
INV = ({"A": ["n", "n"], "B": ["n", "n"]}, [], "inv(A B)")
TRACE = ({"A": ["m", "n"], "B": ["n", "m"]}, [], "tr(A B)")
SCAL = ({"c": [], "x": ["n"], "A": ["m", "n"]}, [], "c A x")
HAD = ({"u": ["n"], "v": ["n"]}, [], "diag(u) v")
NORM = ({"x": ["n"]}, [], "x / norm(x)")
HESS = ({"A": ["n", "n"], "x": ["n"]}, [], "A + A^T")
SYMINV = ({"A": ["n", "n"], "x": ["n"]}, [], "inv(A^T) x")
LOGC = ({"c": [], "x": ["n"]}, [], "log(c) x")  # undefined for c < 0: sampled where it is defined
ONEDIM = ({"x": ["n"]}, [], "2 I")  # the Hessian of x^T x: I's size from the only dimension
SUBSCRIPTED = ({"W_1": ["h", "n"], "x": ["n"]}, [], "W_1 x")
GREEKS = ({"δ": ["m"], "x": ["n"]}, ["φ"], "phi(δ) x^T")
FIXED = ({"A": [3, "n"], "x": ["n"], "y": [3]}, [], "A^T y")  # a fixed size beside a named one
PRODT = ({"A": ["n", "n"], "B": ["n", "n"]}, [], "(A B)^T")

C, W, V = "correct", "incorrect", "invalid"

CASES = [
    # --- equivalent rewrites -------------------------------------------------------------------------------
    ("net plain", NET, "W2 diag(sigma'(W1 x + b1)) W1", C, None),
    ("net unicode", NET, "W₂ diag(σ′(W₁x + b₁)) W₁", C, None),
    ("net greek prime ascii", NET, "W2 diag(σ'(W1x+b1)) W1", C, None),
    ("net dsigma", NET, "W2 diag(dsigma(W1 x + b1)) W1", C, None),
    ("net star", NET, "W2 * diag(sigma'(W1 * x + b1)) * W1", C, None),
    ("net at", NET, "W2 @ diag(sigma'(W1 @ x + b1)) @ W1", C, None),
    ("net middle dot", NET, "W2 · diag(σ'(W1 · x + b1)) · W1", C, None),
    ("net dot operator", NET, "W2 ⋅ diag(σ'(W1 ⋅ x + b1)) ⋅ W1", C, None),
    ("net underscores", NET, "W_2 diag(sigma'(W_1 x + b_1)) W_1", C, None),
    ("net braces", NET, "W_{2} diag(sigma'(W_{1} x + b_{1})) W_{1}", C, None),
    ("net latex", NET, r"W_2 \operatorname{diag}(\sigma'(W_1 x + b_1)) W_1", C, None),
    ("net latex left right", NET, r"W_2 \operatorname{diag}\left(\sigma'\left(W_1 x + b_1\right)\right) W_1", C, None),
    ("net latex mathrm", NET, r"W_2 \mathrm{diag}(\sigma^{\prime}(W_1 x + b_1)) W_1", C, None),
    ("net latex cdot", NET, r"W_2 \cdot \operatorname{diag}(\sigma'(W_1 x + b_1)) \cdot W_1", C, None),
    ("net bias first", NET, "W2 diag(sigma'(b1 + W1 x)) W1", C, None),
    ("net hadamard rows", NET, "W2 (diag(sigma'(W1 x + b1)) W1)", C, None),
    ("net grouped left", NET, "(W2 diag(sigma'(W1 x + b1))) W1", C, None),
    ("net double transpose", NET, "(W1^T diag(sigma'(W1 x + b1)) W2^T)^T", C, None),
    ("net transpose prime", NET, "(W1' diag(sigma'(W1 x + b1)) W2')'", C, None),
    ("net transpose unicode", NET, "(W1ᵀ diag(σ'(W1 x + b1)) W2ᵀ)ᵀ", C, None),
    ("net transpose latex top", NET, r"(W_1^\top \operatorname{diag}(\sigma'(W_1 x + b_1)) W_2^\top)^\top", C, None),
    ("net transpose diag", NET, "W2 diag(sigma'(W1 x + b1))^T W1", C, None),
    ("net identity", NET, "W2 diag(sigma'(W1 x + b1)) I W1", C, None),
    ("net identity left", NET, "I W2 diag(sigma'(W1 x + b1)) W1", C, None),
    ("net scalar moved", NET, "2 W2 diag(sigma'(W1 x + b1)) W1 / 2", C, None),
    ("net half twice", NET, "1/2 W2 diag(2 sigma'(W1 x + b1)) W1", C, None),
    ("net split", NET, "W2 diag(sigma'(W1 x + b1)) W1 + W2 W1 - W2 W1", C, None),
    ("net distribute", NET, "W2 (diag(sigma'(W1 x + b1)) + I) W1 - W2 W1", C, None),
    ("net spaces none", NET, "W2diag(sigma'(W1x+b1))W1", C, None),
    ("net brackets", NET, "W2 [diag(sigma'(W1 x + b1))] W1", C, None),
    ("net0 plain", NET0, "W2 diag(sigma'(W1 x)) W1", C, None),
    ("net0 latex", NET0, r"W_2\,\operatorname{diag}\big(\sigma'(W_1x)\big)\,W_1", C, None),
    ("net0 times", NET0, "W2 × diag(σ′(W1x)) × W1", C, None),
    ("net0 minus minus", NET0, "-(-W2 diag(sigma'(W1 x)) W1)", C, None),
    ("net0 transpose of transposes", NET0, "((W2 diag(sigma'(W1 x)))^T)^T W1", C, None),
    ("lsq plain", LSQ, "A^T (A x - b)", C, None),
    ("lsq distributed", LSQ, "A^T A x - A^T b", C, None),
    ("lsq transposed row", LSQ, "((A x - b)^T A)^T", C, None),
    ("lsq prime", LSQ, "A'(Ax - b)", C, None),
    ("lsq unicode", LSQ, "Aᵀ(Ax − b)", C, None),
    ("lsq latex", LSQ, r"A^{\top}(Ax-b)", C, None),
    ("lsq latex T", LSQ, "A^{T}(Ax-b)", C, None),
    ("lsq xTx style", LSQ, "A^TAx - A^Tb", C, None),
    ("lsq negative", LSQ, "-A^T (b - A x)", C, None),
    ("lsq scaled", LSQ, "0.5 * 2 * A^T (A x - b)", C, None),
    ("lsq frac", LSQ, r"\frac{1}{2} \cdot 2 A^T (A x - b)", C, None),
    ("lsq transpose of sum unbalanced", LSQ, "(x^T A^T - b^T) A)^T", V, "Unmatched"),
    ("lsq row then transpose", LSQ, "(x^T A^T A - b^T A)^T", C, None),
    ("lsq identity", LSQ, "A^T (A I x - I b)", C, None),
    ("quad plain", QUAD, "(A + A^T) x", C, None),
    ("quad split", QUAD, "A x + A^T x", C, None),
    ("quad order", QUAD, "A^T x + A x", C, None),
    ("quad row transposed", QUAD, "(x^T A + x^T A^T)^T", C, None),
    ("quad row2", QUAD, "(x^T (A + A^T))^T", C, None),
    ("quad prime", QUAD, "(A+A')x", C, None),
    ("quad top superscript", QUAD, "(A+A^⊤)x", C, None),
    ("quad intercal", QUAD, r"(A + A^\intercal) x", C, None),
    ("quad twice sym part", QUAD, "2 (A + A^T)/2 x", C, None),
    ("lin plain", LIN, "delta x^T", C, None),
    ("lin greek", LIN, "δ xᵀ", C, None),
    ("lin transpose", LIN, "(x delta^T)^T", C, None),
    ("lin latex", LIN, r"\delta x^\top", C, None),
    ("back plain", BACK, "sigma'(z) ⊙ (W2^T delta2)", C, None),
    ("back swapped", BACK, "(W2^T delta2) ⊙ sigma'(z)", C, None),
    ("back diag", BACK, "diag(sigma'(z)) W2^T delta2", C, None),
    ("back odot word", BACK, "sigma'(z) odot W2^T delta2", C, None),
    ("back dot star", BACK, "W2' δ2 .* σ'(z)", C, None),
    ("back latex", BACK, r"\sigma'(z) \odot (W_2^\top \delta_2)", C, None),
    ("back row", BACK, "(delta2^T W2 diag(sigma'(z)))^T", C, None),
    ("back circ", BACK, r"\sigma'(z) \circ W_2^T \delta_2", C, None),
    ("logi plain", LOGI, "X^T (sigma(X w) - y)", C, None),
    ("logi split", LOGI, "X^T sigma(X w) - X^T y", C, None),
    ("logi row", LOGI, "((sigma(X w) - y)^T X)^T", C, None),
    ("logi neg", LOGI, "-X^T (y - sigma(X w))", C, None),
    ("logi derivative identity", LOGI, "X^T (sigma(Xw) - y) + 0 X^T y", C, None),
    ("inv product", INV, "B^-1 A^-1", C, None),
    ("inv words", INV, "inv(B) inv(A)", C, None),
    ("inv superscript", INV, "B⁻¹A⁻¹", C, None),
    ("inv latex", INV, "B^{-1} A^{-1}", C, None),
    ("inv paren exponent", INV, "(A B)^(-1)", C, None),
    ("inv transposed twice", INV, "((A B)^T)^-T", C, None),
    ("trace cyclic", TRACE, "tr(B A)", C, None),
    ("trace transpose", TRACE, "tr((A B)^T)", C, None),
    ("trace transpose2", TRACE, "tr(B^T A^T)", C, None),
    ("trace word", TRACE, "trace(A B)", C, None),
    ("trace latex", TRACE, r"\operatorname{tr}(AB)", C, None),
    ("scal moved", SCAL, "A (c x)", C, None),
    ("scal end", SCAL, "A x c", C, None),
    ("scal grouped", SCAL, "(c A) x", C, None),
    ("scal div", SCAL, "A x / (1/c)", C, None),
    ("scal twice", SCAL, "c^2 A x / c", C, None),
    ("scal star", SCAL, "c*A*x", C, None),
    ("had hadamard", HAD, "u ⊙ v", C, None),
    ("had commute", HAD, "v ⊙ u", C, None),
    ("had diag other", HAD, "diag(v) u", C, None),
    ("had dot star", HAD, "u .* v", C, None),
    ("had diag product", HAD, "diag(u) diag(v) (diag(v))^-1 v", C, None),
    ("norm bars", NORM, "x / ‖x‖", C, None),
    ("norm pipes", NORM, "x / ||x||", C, None),
    ("norm sqrt", NORM, "x / sqrt(x^T x)", C, None),
    ("norm latex", NORM, r"\frac{x}{\|x\|}", C, None),
    ("norm latex lvert", NORM, r"x / \lVert x \rVert", C, None),
    ("norm power", NORM, "(x^T x)^(-1/2) x", C, None),
    ("norm subscript", NORM, "x / ‖x‖_2", C, None),
    ("hess plain", HESS, "A + A^T", C, None),
    ("hess sum", HESS, "A^T + A", C, None),
    ("hess identity form", HESS, "I A + A^T I", C, None),
    ("syminv transposed inverse", SYMINV, "A^-T x", C, None),
    ("syminv inverse transposed", SYMINV, "(A^-1)^T x", C, None),
    ("log where defined", LOGC, "x log(c)", C, None),
    ("log of the square, equal where the reference is defined", LOGC, "log(c^2) x / 2", C, None),
    ("log undefined where the reference is", ({"c": [], "x": ["n"]}, [], "log(c^2) x / 2"), "log(c) x", W, None),
    ("one dimension identity", ONEDIM, "I + I", C, None),
    ("one dimension identity as product", ONEDIM, "2 I I", C, None),
    ("declared with underscore typed plain", SUBSCRIPTED, "W1 x", C, None),
    ("declared with underscore typed braces", SUBSCRIPTED, "W_{1} x", C, None),
    ("declared with underscore typed subscript", SUBSCRIPTED, "W₁x", C, None),
    ("greek declared typed in words", GREEKS, "phi(delta) x'", C, None),
    ("greek declared typed in greek", GREEKS, "φ(δ) xᵀ", C, None),
    ("transpose word", PRODT, "transpose(B) transpose(A)", C, None),
    ("inverse word", INV, "inverse(B) inverse(A)", C, None),
    ("product transpose", PRODT, "B^T A^T", C, None),
    ("fixed size", FIXED, "(y^T A)^T", C, None),
    ("fixed size transposed", FIXED, "y^T A", W, "transpose"),
    # --- wrong answers --------------------------------------------------------------------------------------
    ("net transposed", NET, "W1^T diag(sigma'(W1 x + b1)) W2^T", W, "transpose"),
    ("net missing diag", NET, "W2 W1", W, "missing"),
    ("net sigma for sigma prime", NET, "W2 diag(sigma(W1 x + b1)) W1", W, "derivative"),
    ("net dropped bias", NET, "W2 diag(sigma'(W1 x)) W1", W, "bias b1"),
    ("net factor two", NET, "2 W2 diag(sigma'(W1 x + b1)) W1", W, "twice"),
    ("net half", NET, "W2 diag(sigma'(W1 x + b1)) W1 / 2", W, "half"),
    ("net sign", NET, "-W2 diag(sigma'(W1 x + b1)) W1", W, "sign"),
    ("net second derivative", NET, "W2 diag(sigma''(W1 x + b1)) W1", W, None),
    ("net sigma at the input", NET, "W2 diag(sigma'(x)) W1", V, "cannot be multiplied"),
    ("net extra term", NET, "W2 diag(sigma'(W1 x + b1)) W1 + W2 W1", W, None),
    ("net bias doubled", NET, "W2 diag(sigma'(W1 x + 2 b1)) W1", W, None),
    ("net sigma prime of x", NET0, "W2 diag(sigma'(W1 x)) W1 + W2 diag(sigma'(W1 x)) W1", W, "twice"),
    ("net0 missing diag", NET0, "W2 W1", W, "missing"),
    ("net0 sigma", NET0, "W2 diag(σ(W1x)) W1", W, "derivative"),
    ("net0 transposed", NET0, "W1' diag(σ'(W1 x)) W2'", W, "transpose"),
    ("net0 outer shape", NET0, "W2 sigma'(W1 x) x^T", W, None),
    ("lsq row vector", LSQ, "(A x - b)^T A", W, "transpose"),
    ("lsq factor two", LSQ, "2 A^T (A x - b)", W, "twice"),
    ("lsq dropped b", LSQ, "A^T A x", W, None),
    ("lsq sign", LSQ, "A^T (b - A x)", W, "sign"),
    ("lsq residual only", LSQ, "A x - b", W, None),
    ("quad symmetric only", QUAD, "2 A x", W, "symmetric"),
    ("quad half", QUAD, "A x", W, None),
    ("quad transpose only", QUAD, "A^T x", W, None),
    ("quad row", QUAD, "x^T (A + A^T)", W, "transpose"),
    ("quad symmetric only transposed", QUAD, "2 A^T x", W, "symmetric"),
    ("lin transposed", LIN, "x delta^T", W, "transpose"),
    ("lin wrong vector", LIN, "delta delta^T W", W, None),
    ("back sigma", BACK, "sigma(z) ⊙ (W2^T delta2)", W, "derivative"),
    ("back missing", BACK, "W2^T delta2", W, "missing"),
    ("back sign", BACK, "-sigma'(z) ⊙ (W2^T delta2)", W, "sign"),
    ("logi sign", LOGI, "X^T (y - sigma(X w))", W, "sign"),
    ("logi row", LOGI, "(sigma(X w) - y)^T X", W, "transpose"),
    ("logi missing y", LOGI, "X^T sigma(X w)", W, None),
    ("logi derivative of sigma", LOGI, "X^T (sigma'(X w) - y)", W, None),
    ("inv wrong order", INV, "A^-1 B^-1", W, "order"),
    ("inv transposed", INV, "(A B)^-T", W, "transpose"),
    ("inv no inverse", INV, "B A", W, None),
    ("trace plus one", TRACE, "tr(A B) + 1", W, None),
    ("scal squared", SCAL, "c^2 A x", W, None),
    ("scal missing", SCAL, "A x", W, None),
    ("had wrong", HAD, "u ⊙ u", W, None),
    ("had outer", HAD, "u v^T u", W, None),
    ("norm unnormalised", NORM, "x", W, None),
    ("norm squared", NORM, "x / (x^T x)", W, None),
    ("norm sign", NORM, "-x / ‖x‖", W, "sign"),
    ("hess symmetric only", HESS, "2 A", W, "symmetric"),
    ("hess transpose only", HESS, "A", W, None),
    ("syminv symmetric only", SYMINV, "inv(A) x", W, "symmetric"),
    ("negative factor on the right", SCAL, "A (-x) (-c)", C, None),
    ("negative factor in the middle", LSQ, "-(A^T (-(A x - b))) ", C, None),
    ("net plus zero times a rank-one", NET, "W2 diag(sigma'(W1 x + b1)) W1 + 0 * W2 W1 x x^T", C, None),
    ("quad identity wrong", QUAD, "(A + I) x", W, None),
    ("lsq scalar answer", LSQ, "x^T A^T (A x - b)", W, None),
    ("lin scalar", LIN, "delta^T W x", W, None),
    ("net rank one", NET, "W2 sigma'(W1 x + b1) x^T", W, None),
    # --- shape errors ---------------------------------------------------------------------------------------
    ("net wrong order", NET, "W1 diag(sigma'(W1 x + b1)) W2", V, "cannot be multiplied"),
    ("net swapped weights", NET, "W1 W2", V, "W1 is h×n and W2 is m×h"),
    ("net vector times matrix", NET, "W2 sigma'(W1 x + b1) W1", V, "cannot be multiplied"),
    ("net broadcast", NET, "W2 (sigma'(W1 x + b1) ⊙ W1)", V, "elementwise"),
    ("net add vector matrix", NET, "W2 diag(sigma'(W1 x + b1)) W1 + b1", V, "cannot be added"),
    ("net scalar plus matrix", NET, "W2 diag(sigma'(W1 x + b1)) W1 + 1", V, "no broadcasting"),
    ("net sigma of matrix wrong", NET, "W2 diag(sigma'(W1 + b1)) W1", V, "cannot be added"),
    ("net x x", NET, "x x", V, "cannot be multiplied"),
    ("lsq A A", LSQ, "A A x", V, "cannot be multiplied"),
    ("lsq inverse rectangular", LSQ, "inv(A) b", V, "not a square"),
    ("lsq trace rectangular", LSQ, "tr(A) x", V, "not a square"),
    ("lsq subtract mismatched", LSQ, "A^T A x - b", V, "cannot be subtracted"),
    ("lsq square-only rewrite", LSQ, "A^-1 (A^T)^-1 A^T b", V, "not a square"),
    ("lsq power rectangular", LSQ, "A^2 x", V, "not a square"),
    ("lin divide by vector", LIN, "delta / x", V, "only divide by a scalar"),
    ("had elementwise mismatch", HAD, "u ⊙ v^T", V, "elementwise"),
    ("norm exp of matrix", NORM, "exp(x x^T) x", V, "applies to scalars"),
    ("net identity unknown size", NET, "tr(I) W2 W1", V, "size of I"),
    ("net identity wrong shape", NET, "I", W, "m×m"),
    ("product transpose unordered", PRODT, "A^T B^T", W, "order"),
    ("one dimension identity wrong", ONEDIM, "I", W, "half"),
    ("log sign", LOGC, "-x log(c)", W, "sign"),
    ("trace of non-square", TRACE, "tr(A)", V, "not a square"),
    # --- unreadable and hostile input -----------------------------------------------------------------------
    ("empty", NET, "", V, "empty"),
    ("blank", NET, "   ", V, "empty"),
    ("unknown name", NET, "W3 x", V, "Unknown name"),
    ("unknown function", NET, "W2 diag(relu'(W1 x)) W1", V, "Unknown name"),
    ("python import", NET, "__import__('os').system('ls')", V, None),
    ("dunder class", NET, "x.__class__", V, None),
    ("eval", NET, "eval('1')", V, "Unknown name"),
    ("lambda", NET, "lambda: 0", V, None),
    ("latex input", NET, r"\input{/etc/passwd}", V, "not understood"),
    ("unclosed", NET, "W2 diag(sigma'(W1 x + b1) W1", V, "never closed"),
    ("unmatched close", NET, "W2 W1)", V, "Unmatched"),
    ("mismatched brackets", NET, "W2 (W1]", V, "closed by"),
    ("dangling operator", NET, "W2 W1 +", V, "end of the answer"),
    ("double operator", NET, "W2 * * W1", V, None),
    ("huge exponent", QUAD, "A^99999999 x", V, "too large"),
    ("huge scalar exponent", SCAL, "c^1000 A x", V, "too large"),
    ("tower", QUAD, "A^(9^9) x", V, None),
    ("stacked matrix powers", QUAD, "A^16^16^16^16 x", V, "too large"),
    ("stacked scalar powers", SCAL, "c^64^64 A x", V, "too large"),
    ("number tower", SCAL, "9^9^9 A x", V, "too large"),
    ("bracketed tower", SCAL, "((c^8)^8)^8 A x", V, "too large"),
    ("long number", SCAL, "1" * 40 + " A x", V, "too large"),
    ("float overflow", SCAL, "1e999 A x", V, "too large"),
    ("deep nesting", NET, "(" * 200 + "W2" + ")" * 200 + " diag(sigma'(W1 x + b1)) W1", V, "nested too deeply"),
    ("deep calls", QUAD, "inv(" * 60 + "A" + ")" * 60 + " x", V, "nested too deeply"),
    ("giant input", NET, "W2 W1 + " * 400 + "W2 W1", V, "too long"),
    ("many terms", QUAD, " + ".join(["A x"] * 300), V, "too long"),
    ("null byte", NET, "W2\x00W1", V, "not understood"),
    ("single bar", NORM, "x / |x|", V, "norm"),
    ("comma", NET, "W2, W1", V, "not understood"),
    ("zero width", NET, "W2\u200bW1", W, "missing"),
    ("bold math letters", LSQ, "𝐀ᵀ(𝐀𝐱 − 𝐛)", C, None),
    ("superscript letters", NET, "W2 diag(sigma'''(W1 x + b1)) W1", V, "second derivative"),
    ("transpose alone", NET, "^T", V, None),
    ("prime of nothing", NET, "'", V, None),
    ("sigma without argument", NET, "W2 diag(sigma') W1", V, None),
]


@pytest.mark.parametrize(("label", "context", "answer", "status", "feedback"), CASES, ids=[c[0] for c in CASES])
def test_labelled_matrix_answer(label, context, answer, status, feedback):
    shapes, functions, reference = context
    request = {"kind": "matrix_expression", "shapes": shapes, "functions": functions, "reference": reference}
    verdict = grade_spec(request, answer)
    assert verdict.status == status, verdict.feedback
    assert verdict.score == (1.0 if status == "correct" else 0.0)
    if feedback:
        assert feedback.lower() in verdict.feedback.lower()


def test_the_table_is_large_and_balanced():
    kinds = [c[3] for c in CASES]
    assert len(CASES) >= 150
    assert min(kinds.count(C), kinds.count(W), kinds.count(V)) >= 40


@pytest.mark.parametrize(("label", "context", "answer", "status", "feedback"), CASES, ids=[c[0] for c in CASES])
def test_the_normal_form_grades_as_the_answer(label, context, answer, status, feedback):
    """The command line grades an answer once per normal form: that form must mean the same answer."""
    from grading.core.matrix.request import normalize_request

    shapes, functions, reference = context
    request = {"kind": "matrix_expression", "shapes": shapes, "functions": functions, "reference": reference}
    normal = normalize_request(request, answer)
    if normal is None:
        return
    assert normalize_request(request, normal) == normal
    original, again = grade_spec(request, answer), grade_spec(request, normal)
    assert (again.status, again.feedback) == (original.status, original.feedback)
