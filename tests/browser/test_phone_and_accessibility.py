"""Every page at phone and desktop widths, checked with axe-core, as a visitor, a student and an instructor;
the answer box's honest status, and answering without JavaScript."""

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from grading.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
SEED = "differentiation-in-rn"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def people(lesson_content, django_user_model):
    from instructors.accounts import ensure_instructors_group
    from instructors.models import Cohort

    student = django_user_model.objects.create_user("ada_lovelace_the_student", password="pw-student-1")
    teacher = django_user_model.objects.create_user("teacher", password="pw-teacher-1", is_staff=True)
    teacher.groups.add(ensure_instructors_group())
    cohort = Cohort.objects.create(name="Spring class", slug="spring")
    cohort.instructors.add(teacher)
    cohort.students.add(student)
    return {"student": student, "teacher": teacher, "cohort": cohort}


def open_as(browser, live_server, user, viewport, *, javascript=True):
    """A browser page logged in as `user` (or a visitor when None), failing on script errors and CSP violations."""
    context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=javascript)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda m: page.problems.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None,
    )
    return page


def serious_violations(page) -> list[str]:
    before = len(page.problems)  # axe-core's own probing of styles is no fault of the page
    if not page.evaluate("() => !!window.axe"):  # once per loaded document, not once per check
        page.evaluate(AXE)
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }"""
    )
    del page.problems[before:]
    return found


def overflow(page) -> int:
    """How far the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# What a page draws after `load`, each marked when done: the map laid out, figures drawn, formulas typeset,
# the admin's lesson preview filled, and the fonts KaTeX asked for (they change the formulas' widths).
DRAWN = """async () => {
  const pending = "[data-topic-map]:not([data-rendered]), .figure-plot[data-figure]:not([data-rendered])"
    + (window.katex ? ", .math:not([data-typeset]):not(.math-error)" : "");
  const preview = document.getElementById("topic-preview");
  if (document.querySelector(pending) || (preview && !preview.innerHTML.trim())) return false;
  await document.fonts.ready;
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));  // laid out and observed
  return document.fonts.status === "loaded";
}"""


def settle(page):
    """Wait until the page is drawn: what its scripts render, its fonts, a layout after both.

    Not "network idle", which waits half a second of silence on every page; no page fetches anything on
    load but the admin's preview of a topic with no rendered body, and the preview's arrival is waited for.
    """
    page.wait_for_function(DRAWN)


VISITOR_PAGES = ["/", "/map/", f"/topics/{SEED}/", "/topics/gradient-descent-variants/", "/accounts/login/",
                 "/accounts/signup/"]  # fmt: skip
STUDENT_PAGES = ["/", "/map/", "/dashboard/", f"/topics/{SEED}/", "/topics/jacobian-matrix/",
                 f"/topics/{SEED}/exercises/gradient-at-a-point/answers/{{submission}}"]  # fmt: skip
TEACHER_PAGES = ["/instructors/", "/instructors/spring/", "/instructors/spring/table/",
                 "/instructors/spring/exercises/", "/instructors/spring/exercises/{exercise}/",
                 "/instructors/spring/students/{student}/", "/admin/", "/admin/courseware/topic/",
                 "/admin/courseware/topic/{topic}/change/", f"/topics/{SEED}/"]  # fmt: skip


@pytest.mark.parametrize("who", ["visitor", "student", "teacher"])
def test_every_page_fits_the_screen_and_has_no_serious_accessibility_violation(
    browser, live_server, people, who, shoot
):
    """Each page is loaded on a phone and checked there, then widened to a desktop's screen and checked again.

    The phone is the fresh load, so what a script sizes from the screen when the page opens is sized for 360 px.
    """
    from courseware.models import Exercise
    from tests.builders import graded

    exercise = Exercise.objects.get(topic__slug=SEED, slug="gradient-at-a-point")
    submission = graded(people["student"], exercise, False, answer="[1, 2]")
    pages = {"visitor": VISITOR_PAGES, "student": STUDENT_PAGES, "teacher": TEACHER_PAGES}[who]
    user = {"visitor": None, "student": people["student"], "teacher": people["teacher"]}[who]
    page = open_as(browser, live_server, user, PHONE)
    problems = []
    for url in pages:
        url = url.format(
            exercise=exercise.pk, student=people["student"].pk, submission=submission.pk, topic=exercise.topic_id
        )
        page.set_viewport_size(PHONE)
        response = page.goto(url)
        assert response.ok, (url, response.status)
        for viewport in (PHONE, DESKTOP):
            if viewport is not PHONE:
                page.set_viewport_size(viewport)
            settle(page)
            name = f"a11y-{who}-{viewport['width']}-{url.strip('/').replace('/', '-') or 'index'}"
            shoot(page, name)
            if (wider := overflow(page)) > 0:
                culprits = page.evaluate(
                    """() => [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right >
                       window.innerWidth + 1 && e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
                       .slice(0, 4).map(e => e.tagName + "#" + e.id + "." + e.getAttribute("class"))"""
                )
                problems.append(f"{url}: {wider}px wider than a {viewport['width']}px screen: {culprits}")
            problems += [f"{url} at {viewport['width']}px: {v}" for v in serious_violations(page)]
    problems += page.problems
    page.context.close()
    assert not problems, "\n".join(problems)


def test_the_submit_button_stays_disabled_while_grading_and_a_second_click_records_nothing(
    browser, live_server, people, shoot
):
    """No worker runs here, so the answer stays "grading" for as long as the test looks at it."""
    page = open_as(browser, live_server, people["student"], PHONE)
    page.goto(f"/topics/{SEED}/")
    box = page.locator("#exercise-partial-derivative")
    button = box.locator(".answer-submit")
    box.scroll_into_view_if_needed()

    button.click()  # nothing typed
    expect(box.locator("div.verdict")).to_contain_text("Type an answer first.")
    box.locator(".answer-input").fill("1")
    expect(box.locator("div.verdict")).to_have_text("")  # the stale message goes as soon as the text changes

    box.locator(".preview-ok").wait_for()
    expect(box.locator(".preview-spoken")).to_have_text("Interpreted as 1.")
    button.click()
    expect(box.locator("div.verdict")).to_contain_text("Grading")
    box.locator(".attempt").wait_for()  # the history refreshed while grading...
    expect(button).to_be_disabled()  # ...and did not re-enable the button
    expect(button).to_have_text("Grading…")
    box.locator(".answer-input").press("Enter")  # the keyboard path is closed too
    button.click(force=True)
    shoot(page, "status-grading-disabled", box)
    assert Submission.objects.filter(user=people["student"]).count() == 1
    assert overflow(page) <= 0
    assert not page.problems, page.problems
    page.context.close()


def test_partial_credit_is_shown_in_words_and_the_time_says_just_now(browser, live_server, people, shoot):
    from courseware.models import Exercise
    from tests.builders import graded

    exercise = Exercise.objects.get(topic__slug=SEED, slug="gradient-at-a-point")
    partial = graded(people["student"], exercise, False, answer="[1, 2]")
    Submission.objects.filter(pk=partial.pk).update(score=0.5)
    page = open_as(browser, live_server, people["student"], PHONE)
    page.goto(f"/topics/{SEED}/")
    attempt = page.locator("#exercise-gradient-at-a-point .attempt").first
    expect(attempt.locator(".badge")).to_have_text("partly right (50 %)")
    expect(attempt.locator("time")).to_have_text("just now")
    shoot(page, "status-partial-credit", page.locator("#exercise-gradient-at-a-point"))
    page.context.close()


def test_the_proof_end_mark_and_the_title_sit_where_they_belong(browser, live_server, people, shoot):
    page = open_as(browser, live_server, None, PHONE)
    page.goto(f"/topics/{SEED}/")
    expect(page.locator("h1")).to_have_text("Differentiation in ℝⁿ")
    proof = page.locator(".block-proof-sketch").first
    proof.scroll_into_view_if_needed()
    # The end mark is a block of its own at the bottom of the body, so the box grows around it.
    assert (
        page.evaluate(
            "el => getComputedStyle(el.querySelector('.block-body'), '::after').display", proof.element_handle()
        )
        == "block"
    )
    shoot(page, "proof-end-mark", proof)
    page.context.close()


@pytest.mark.celery
def test_without_javascript_an_answer_is_a_form_post_with_a_verdict_page(browser, live_server, people, worker, shoot):
    from courseware.models import Exercise
    from grading.engine import student_seed, variant

    exercise = Exercise.objects.get(topic__slug=SEED, slug="partial-derivative")
    a = variant(exercise, student_seed(people["student"].pk, exercise)).params["a"]
    for viewport in (PHONE, DESKTOP):
        page = open_as(browser, live_server, people["student"], viewport, javascript=False)
        page.goto(f"/topics/{SEED}/")
        box = page.locator("#exercise-partial-derivative")
        box.locator(".answer-input").fill(f"12 + 2*{a}" if viewport is PHONE else "-4 - 1")
        box.locator(".answer-submit").click()
        page.wait_for_url("**/answers/*")
        verdict = page.locator("main .answer-verdict")
        expect(verdict).not_to_contain_text("Grading", timeout=45_000)  # the page refreshes itself until graded
        if viewport is PHONE:
            expect(verdict).to_contain_text("Correct!")
            page.locator(".block-solution").wait_for()
        else:
            expect(verdict).to_contain_text("Not quite.")
        assert overflow(page) <= 0
        shoot(page, f"no-js-verdict-{viewport['width']}")
        page.context.close()
    assert list(Submission.objects.values_list("status", flat=True)) == ["graded", "graded"]
