"""A new student in headless Chromium: signs up, reads the seed lesson, answers, and sees the map change."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from grading.engine import student_seed, variant
from grading.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.celery]
SEED_TOPIC = "differentiation-in-rn"
EXERCISE = "partial-derivative"  # d/dy of x^2 y^3 + a x y at (2, -1) = 12 + 2a; "-4 - a" is d/dx


def node_class(page, slug: str) -> str:
    page.wait_for_selector(".topic-map[data-rendered]")
    return page.get_attribute(f'.tm-node[data-id="{slug}"]', "class")


def test_a_new_student_answers_the_seed_lesson_and_sees_the_map_change(
    page, live_server, lesson_content, worker, shoot
):
    # Sign up: logged in straight away, on the dashboard.
    page.goto("/accounts/signup/")
    page.fill("#id_username", "ada")
    page.fill("#id_password1", "a-long-pass-phrase-42")
    page.fill("#id_password2", "a-long-pass-phrase-42")
    shoot(page, "01-signup")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/dashboard/")
    assert "Welcome, ada" in page.inner_text("main")
    shoot(page, "02-dashboard-new")
    user = get_user_model().objects.get(username="ada")

    page.goto("/map/")
    assert "level-not-started" in node_class(page, SEED_TOPIC)

    # The seed topic, with its math typeset by KaTeX and no raw TeX left.
    page.goto(f"/topics/{SEED_TOPIC}/")
    page.wait_for_selector(".lesson-body .katex")
    assert page.locator(".lesson-body .katex").count() > 50
    assert page.locator(".math:not([data-typeset])").count() == 0
    text = page.inner_text(".lesson-body")
    assert not re.search(r"\$[^$\n]{1,80}\$", text), "raw $...$ left in the lesson"
    shoot(page, "03-topic-typeset")

    box = page.locator(f"#exercise-{EXERCISE}")
    answer = box.locator(".answer-input")
    box.scroll_into_view_if_needed()

    # A malformed answer: the error points at the character, and submitting it is refused at the box.
    answer.fill("12 +* 2")
    box.locator(".preview-error").wait_for()
    assert "Expected" in box.locator(".preview-message").inner_text()
    assert box.locator(".error-char").inner_text() == "*"
    box.locator(".answer-submit").click()
    box.locator("div.verdict.verdict-invalid").wait_for()
    assert "cost no attempt" in box.locator("div.verdict").inner_text()
    assert not Submission.objects.filter(user=user).exists()
    shoot(page, "04-malformed-answer", box)

    # The right answer for this student's own variant: previewed, submitted, graded "correct" without a reload.
    a = variant(lesson_exercise(), student_seed(user.pk, lesson_exercise())).params["a"]
    assert box.locator(".block-body .math").first.get_attribute("data-tex") == f"a = {a}"
    answer.fill(f"12 + 2*{a}")
    box.locator(".preview-ok .katex").wait_for()
    assert "Interpreted as" in box.locator(".preview").inner_text()
    shoot(page, "05-preview", box)
    page.evaluate("window.__sameDocument = true")
    box.locator(".answer-submit").click()
    box.locator("div.verdict.verdict-correct").wait_for(timeout=45_000)
    assert "Correct" in box.locator("div.verdict").inner_text()
    box.locator(".attempt .verdict-correct").wait_for()
    box.locator(".block-solution").wait_for()  # earned: solved
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    shoot(page, "06-correct", box)

    # A wrong answer gets the feedback written for that mistake.
    answer.fill(f"-4 - {a}")
    box.locator(".preview-ok").wait_for()
    box.locator(".answer-submit").click()
    box.locator("div.verdict.verdict-incorrect").wait_for(timeout=45_000)
    assert "with respect to x" in box.locator("div.verdict").inner_text()
    expect(box.locator(".attempt")).to_have_count(2)
    expect(box.locator(".attempt").first.locator(".badge")).to_have_text("incorrect")
    shoot(page, "07-wrong-with-feedback", box)

    # The map now shows the topic as attempted.
    page.goto("/map/")
    assert "level-attempted" in node_class(page, SEED_TOPIC)
    shoot(page, "08-map-after")
    page.goto("/dashboard/")
    page.wait_for_selector(".topic-map[data-rendered]")
    assert page.locator("ol.recent li").count() == 2
    shoot(page, "09-dashboard-after")


def lesson_exercise():
    from courseware.models import Exercise

    return Exercise.objects.select_related("topic").get(topic__slug=SEED_TOPIC, slug=EXERCISE)
