"""In a real browser: an instructor authors a topic and an exercise in the admin, tries an answer,
and sees a student's answer, graded by a real worker, on the cohort dashboard."""

import pytest
import yaml

from tests.celery_worker import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]

SPEC = """slug: double
kind: expression
variables: [x]
reference:
  expression: "2*x"
wrong_answers:
  - answer: "x^2"
    feedback: "That is f itself, not its derivative."
"""


@pytest.fixture
def classroom(django_user_model):
    from courseware.models import Topic
    from instructors.accounts import ensure_instructors_group
    from instructors.models import Cohort

    Topic.objects.create(slug="basics", title="Basics", layer="0A", summary="The basics.", body="Intro.\n")
    teacher = django_user_model.objects.create_user("teacher", password="pw-teacher-1", is_staff=True)
    teacher.groups.add(ensure_instructors_group())
    learner = django_user_model.objects.create_user("ada", password="pw-student-1")
    cohort = Cohort.objects.create(name="Spring class", slug="spring")
    cohort.instructors.add(teacher)
    cohort.students.add(learner)
    return {"cohort": cohort, "student": learner}


def test_an_instructor_authors_tries_and_sees_a_students_answer(page, shoot, live_server, worker, classroom):  # noqa: F811
    from courseware.models import Exercise, Topic
    from grading.models import Submission
    from grading.services import submission_create

    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "teacher")
    page.fill("#id_password", "pw-teacher-1")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    # A topic with a prerequisite, previewed as it is typed.
    page.goto("/admin/courseware/topic/add/")
    page.fill("#id_title", "Derivatives")
    page.press("#id_title", "Tab")
    assert page.input_value("#id_slug") == "derivatives"  # filled in from the title
    page.fill("#id_layer", "1")
    page.fill("#id_summary", "Rates of change.")
    page.fill("#id_body", "::: definition Derivative\n$f'(x) = \\lim_{h \\to 0} \\frac{f(x+h) - f(x)}{h}$\n:::\n")
    page.select_option("#id_prerequisite_links-0-prerequisite", label="Basics")
    page.wait_for_selector("#topic-preview .katex")
    shoot(page, "instructors-01-topic-add")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    topic = Topic.objects.get(slug="derivatives")
    assert [link.prerequisite.slug for link in topic.prerequisite_links.all()] == ["basics"]
    assert page.locator(".graph-place").inner_text().count("Basics") == 1
    shoot(page, "instructors-02-topic-saved")

    # An exercise typed into the structured fields, checked when saved.
    page.goto("/admin/courseware/exercise/add/")
    page.select_option("#id_topic", label="Derivatives")
    page.fill("#id_title", "Differentiate x squared")
    page.press("#id_title", "Tab")
    assert page.input_value("#id_slug") == "differentiate-x-squared"
    page.fill("#id_slug", "double")  # an author's own choice replaces it
    page.fill("#id_prompt", "Let $f(x) = x^2$. Compute $f'(x)$.")
    page.select_option("#id_kind", "expression")
    page.fill("#id_variables", "x")
    page.select_option("#id_reference_form", "partial")
    assert page.locator("#id_direction").is_hidden() and page.locator("#id_variable").is_visible()
    page.select_option("#id_reference_form", "expression")
    assert page.locator("#id_function").is_hidden()
    page.fill("#id_expression", "3*x")
    page.fill("#id_wrong_answers", "3*x => That is f itself, not its derivative.")  # a wrong answer that is right
    page.click("input[name=_continue]")
    page.wait_for_selector(".errorlist")
    assert "equals the reference" in page.locator(".field-wrong_answers .errorlist").inner_text()
    shoot(page, "instructors-03-exercise-refused")
    page.fill("#id_expression", "2*x")
    page.fill("#id_wrong_answers", "x^2 => That is f itself, not its derivative.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    exercise = Exercise.objects.get(slug="double")
    assert exercise.spec == yaml.safe_load(SPEC)
    shoot(page, "instructors-03b-exercise-form")

    # Try an answer as a student would.
    page.click("text=Try an answer")
    page.fill("#id_answer", "x*x")
    page.click("input[value='Grade this answer']")
    page.wait_for_selector("#verdict")
    assert "That is f itself" in page.locator("#verdict").inner_text()
    page.fill("#id_answer", "x + x")
    page.click("input[value='Grade this answer']")
    page.wait_for_selector(".verdict-correct")
    shoot(page, "instructors-04-try-an-answer")

    # A student answers through the real pipeline; the instructor sees it on the dashboard.
    submission = submission_create(user=classroom["student"], exercise=exercise, answer="x^2")
    wait_for(lambda: Submission.objects.get(pk=submission.pk).is_final, 60, 0.2, "the worker's verdict")
    page.goto("/instructors/spring/")
    page.wait_for_selector("[data-topic-map][data-rendered]")
    page.wait_for_selector("#level-chart")
    recent = page.locator("#recent-answers").inner_text()
    assert "ada" in recent and "x^2" in recent and "incorrect" in recent
    shoot(page, "instructors-05-cohort-dashboard")

    page.click("#recent-answers a:has-text('derivatives/double')")
    page.wait_for_selector("#wrong-answers")
    assert "x^2" in page.locator("#wrong-answers").inner_text()
    shoot(page, "instructors-06-exercise-dashboard")

    page.goto("/instructors/spring/table/")
    page.wait_for_selector("#mastery-table")
    shoot(page, "instructors-07-students-topics")
    page.goto("/instructors/spring/exercises/")
    page.wait_for_selector("#exercise-table")
    shoot(page, "instructors-08-exercises")
