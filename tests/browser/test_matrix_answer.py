"""A student answers the seed's Problem 2 in matrix symbols, in headless Chromium with a real worker."""

import pytest
from django.contrib.auth import get_user_model

from grading.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.celery]
SEED_TOPIC = "differentiation-in-rn"
EXERCISE = "two-layer-network-jacobian-symbolic"


def test_a_student_answers_problem_2_with_the_chain_rule(page, live_server, lesson_content, worker, shoot):
    get_user_model().objects.create_user("grace", password="a-long-pass-phrase-42")
    page.goto(f"/accounts/login/?next=/topics/{SEED_TOPIC}/")
    page.fill("#id_username", "grace")
    page.fill("#id_password", "a-long-pass-phrase-42")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"**/topics/{SEED_TOPIC}/")
    box = page.locator(f"#exercise-{EXERCISE}")
    box.scroll_into_view_if_needed()
    answer = box.locator(".answer-input")
    assert "matrix expression" in box.locator(".kind-tag").inner_text()

    # The factors in the wrong order: the preview names the shapes, and the box refuses it at no cost.
    answer.fill("W1 diag(σ'(W1 x)) W2")
    box.locator(".preview-error").wait_for()
    message = box.locator(".preview-message").inner_text()
    assert "cannot be multiplied in this order" in message and "W1 is h×n" in message
    box.locator(".answer-submit").click()
    box.locator("div.verdict.verdict-invalid").wait_for()
    assert not Submission.objects.exists()
    shoot(page, "matrix-01-wrong-order", box)

    # The chain-rule expression: typeset with its shape m×n, then graded correct without a reload.
    answer.fill("W2 diag(σ'(W1 x)) W1")
    box.locator(".preview-ok .katex").wait_for()
    preview = box.locator(".preview").inner_text()
    assert "Interpreted as" in preview and "m×n" in preview.replace(" ", "")
    shoot(page, "matrix-02-preview", box)
    box.locator(".answer-submit").click()
    box.locator("div.verdict.verdict-correct").wait_for(timeout=45_000)
    assert Submission.objects.get().verdict == "correct"
    box.locator(".block-solution").wait_for()
    shoot(page, "matrix-03-correct", box)

    # The transpose: readable (the preview warns of its shape), submitted, and explained.
    answer.fill("W1ᵀ diag(σ'(W1 x)) W2ᵀ")
    box.locator(".preview-note").wait_for()
    assert "n×m" in box.locator(".preview-note").inner_text()
    box.locator(".answer-submit").click()
    box.locator("div.verdict.verdict-incorrect").wait_for(timeout=45_000)
    assert "this is its transpose" in box.locator("div.verdict").inner_text()
    shoot(page, "matrix-04-transpose", box)
