"""The answer box and the live preview for matrix_expression exercises (in-process; the browser test does the rest)."""

import json

import pytest

pytestmark = pytest.mark.django_db
SEED = "differentiation-in-rn"
PROBLEM_2 = f"{SEED}/two-layer-network-jacobian-symbolic"


@pytest.fixture(autouse=True)
def _local_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def logged_in(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("learner", password="pw-for-tests-1"))
    return client


def preview(client, answer, exercise=PROBLEM_2):
    body = json.dumps({"exercise": exercise, "answer": answer})
    response = client.post("/api/preview", body, content_type="application/json")
    assert response.status_code == 200
    return response.json()


def test_the_preview_typesets_the_answer_with_its_shape(logged_in, lesson_content):
    shown = preview(logged_in, "W2 diag(σ'(W1 x)) W1")
    assert shown["ok"] and shown["error"] is None and shown["note"] is None
    assert shown["latex"] == (
        r"W_{2} \, \operatorname{diag}\left(\sigma'\left(W_{1} \, x\right)\right) \, W_{1} \;:\; m \times n"
    )


def test_the_preview_names_a_shape_error_and_points_at_it(logged_in, lesson_content):
    shown = preview(logged_in, "W2 diag(σ'(W1 x)) (W1 W2)")
    assert not shown["ok"] and shown["latex"] is None
    assert shown["error"].startswith("(W1 W2): W1 is h×n and W2 is m×h, so they cannot be multiplied in this order")
    assert shown["position"] == len("W2 diag(σ'(W1 x)) ")


def test_the_preview_warns_of_a_transposed_answer_but_lets_it_be_submitted(logged_in, lesson_content):
    shown = preview(logged_in, "W1^T diag(σ'(W1 x)) W2^T")
    assert shown["ok"] and shown["latex"].endswith(r"\;:\; n \times m")
    assert shown["note"] == "Your answer is n×m, but the Jacobian is m×n."


def test_other_kinds_preview_as_before(logged_in, lesson_content):
    shown = preview(logged_in, "[2xy, x^2]", exercise=f"{SEED}/symbolic-gradient")
    assert shown["ok"] and shown["note"] is None


def test_the_answer_box_explains_the_matrix_grammar(logged_in, lesson_content):
    page = logged_in.get(f"/topics/{SEED}/").content.decode()
    assert "matrix expression" in page and "<code>diag(v)</code>" in page and "<code>x^T</code>" in page
