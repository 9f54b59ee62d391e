"""The student's pages in-process: accounts, answer boxes, the preview endpoint, the dashboard and the map."""

import json
import re

import pytest
from django.test import Client

from courseware.models import Exercise
from grading.engine import student_seed, variant
from tests.builders import graded
from tests.pages import parse_page

pytestmark = pytest.mark.django_db
SEED = "differentiation-in-rn"


@pytest.fixture(autouse=True)
def _local_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def student(django_user_model):
    return django_user_model.objects.create_user("learner", password="pw-for-tests-1")


@pytest.fixture
def logged_in(client, student):
    client.force_login(student)
    return client


def preview(client, exercise, answer):
    body = json.dumps({"exercise": exercise, "answer": answer})
    return client.post("/api/preview", body, content_type="application/json")


def test_signing_up_logs_in_and_opens_the_dashboard(client, django_user_model):
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="password1"' in page and 'name="password2"' in page
    response = client.post(
        "/accounts/signup/", {"username": "newbie", "password1": "a-long-pass-42", "password2": "a-long-pass-42"}
    )
    assert response.status_code == 302 and response.url == "/dashboard/"
    assert client.get("/dashboard/").context["user"].username == "newbie"


def test_signing_up_refuses_weak_or_mismatched_passwords_and_unsafe_redirects(client, django_user_model):
    response = client.post("/accounts/signup/", {"username": "x", "password1": "123", "password2": "123"})
    assert response.status_code == 200 and not django_user_model.objects.exists()
    assert "too short" in response.content.decode()
    response = client.post(
        "/accounts/signup/?next=https://evil.example/",
        {"username": "y", "password1": "a-long-pass-42", "password2": "a-long-pass-42"},
    )
    assert response.url == "/dashboard/"


def test_log_in_and_out(client, student):
    assert 'name="username"' in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/login/", {"username": "learner", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert "Log out" in client.get("/").content.decode()
    client.post("/accounts/logout/")
    page = client.get("/").content.decode()
    assert "Log in" in page and "Sign up" in page and "Dashboard" not in page


def test_every_exercise_has_an_answer_box_with_a_syntax_hint(logged_in, lesson_content):
    page = logged_in.get(f"/topics/{SEED}/").content.decode()
    exercises = Exercise.objects.filter(topic__slug=SEED, retired=False)
    assert page.count('class="answer-input"') == exercises.count() > 0
    assert page.count('class="syntax-hint"') == exercises.count()
    assert "<code>[a, b]</code>" in page and "<code>[[a, b], [c, d]]</code>" in page and "<code>x^2</code>" in page
    assert "Implicit multiplication" in page and "/static/js/exercise.js" in page


def test_visitors_are_asked_to_log_in_to_answer(client, lesson_content):
    page = client.get(f"/topics/{SEED}/").content.decode()
    assert "answer-input" not in page and "to answer and have it graded" in page


def test_each_student_sees_their_own_variant_on_every_visit(client, lesson_content, django_user_model):
    exercise = Exercise.objects.get(topic__slug=SEED, slug="partial-derivative")
    shown = {}
    for i in range(8):
        user = django_user_model.objects.create_user(f"s{i}", password="pw-for-tests-1")
        client.force_login(user)
        a = variant(exercise, student_seed(user.pk, exercise)).context["a"]
        pages = [client.get(f"/topics/{SEED}/").content.decode() for _ in range(2)]
        section = [re.search(r'id="exercise-partial-derivative".*?<form', p, re.S).group(0) for p in pages]
        assert section[0] == section[1] and f"a = {a}" in section[0]
        shown[user.pk] = a
    assert len(set(shown.values())) > 1  # the students do not all get the same numbers


def test_the_preview_reads_the_answer_or_points_at_the_error(logged_in, lesson_content):
    ok = preview(logged_in, f"{SEED}/gradient-at-a-point", "[2x y, 3]")
    assert ok.status_code == 200
    assert ok.json() == {
        "ok": False,
        "latex": None,
        "error": ok.json()["error"],
        "position": 2,
        "text": None,
        "note": None,
        "notes": [],
    }  # x is no variable here
    ok = preview(logged_in, f"{SEED}/symbolic-gradient", "[2x y, x^2]").json()
    assert ok["ok"] and ok["error"] is None and "pmatrix" in ok["latex"]
    assert ok["text"] == "[2*x*y, x^2]"  # what the page reads aloud, in words
    broken = preview(logged_in, f"{SEED}/partial-derivative", "12 +* 2").json()
    assert broken["ok"] is False and broken["position"] == 4 and "Expected" in broken["error"]
    shape = preview(logged_in, f"{SEED}/gradient-at-a-point", "5").json()
    assert shape["ok"] is False and "vector" in shape["error"]
    assert preview(logged_in, "no/such", "1").status_code == 404


def test_the_preview_says_how_ambiguous_notation_and_latex_were_read(logged_in, lesson_content):
    read = preview(logged_in, f"{SEED}/symbolic-gradient", "[1/2x, sin x^2]").json()
    assert read["ok"] and len(read["notes"]) == 2
    assert "(1/2)·x" in read["notes"][0] and "sin(x^2)" in read["notes"][1]
    latex = preview(logged_in, f"{SEED}/symbolic-gradient", r"\begin{pmatrix} 2xy \\ x^{2} \end{pmatrix}").json()
    assert latex["ok"] and latex["notes"] == [] and "pmatrix" in latex["latex"]


def test_the_preview_needs_a_logged_in_student_and_the_csrf_token(student, lesson_content):
    assert preview(Client(), f"{SEED}/partial-derivative", "1").status_code == 401
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert preview(client, f"{SEED}/partial-derivative", "1").status_code == 403


def test_the_preview_is_rate_limited_per_student(logged_in, lesson_content, settings):
    settings.PREVIEW_RATE = "3/m"
    codes = [preview(logged_in, f"{SEED}/partial-derivative", "1").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_dashboard_needs_a_login(client, db):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_dashboard_shows_mastery_recent_answers_and_what_next(logged_in, student, lesson_content):
    exercise = Exercise.objects.get(topic__slug=SEED, slug="partial-derivative")
    graded(student, exercise, True, answer="14")
    response = logged_in.get("/dashboard/")
    page = response.content.decode()
    assert response.context["next_up"] is not None
    assert "What to do next" in page and response.context["next_up"].topic.get_absolute_url() in page
    row = re.search(rf'<tr[^>]*data-topic="{SEED}">.*?</tr>', page, re.S).group(0)
    total = Exercise.objects.filter(topic__slug=SEED, retired=False).count()
    assert "level-attempted" in row and f"1/{total}" in row
    assert 'class="badge verdict-correct">correct' in page and "A partial derivative" in page
    assert 'id="dashboard-map-data" type="application/json"' in page


def test_the_map_page_carries_its_data_without_running_inline_script(client, lesson_content):
    response = client.get("/map/")
    page = response.content.decode()
    data = json.loads(re.search(r'<script id="topic-map-data" type="application/json">(.*?)</script>', page).group(1))
    assert len(data["nodes"]) == len(lesson_content) and data["edges"]
    assert "/static/vendor/elkjs/elk.bundled.js" in page and "/static/js/topic-map.js" in page
    parsed = parse_page(response)
    assert parsed.inline_scripts == 1 and not parsed.styled  # the JSON block only; it is data, never executed
    assert all(r.startswith("/static/") for r in parsed.resources)


def test_the_topic_page_shows_the_students_standing(logged_in, lesson_content):
    page = logged_in.get(f"/topics/{SEED}/").content.decode()
    total = Exercise.objects.filter(topic__slug=SEED, retired=False).count()
    assert 'class="topic-status level-not-started"' in page and f"0 of {total} exercises solved" in page


def test_the_exercise_progress_fragment_lists_attempts_newest_first(logged_in, student, lesson_content):
    exercise = Exercise.objects.get(topic__slug=SEED, slug="partial-derivative")
    graded(student, exercise, False, answer="first")
    graded(student, exercise, True, answer="second")
    page = logged_in.get(f"/topics/{SEED}/exercises/partial-derivative/progress").content.decode()
    assert page.index("second") < page.index("first") and "Your attempts (2)" in page
    assert "block-solution" in page
    assert Client().get(f"/topics/{SEED}/exercises/partial-derivative/progress").status_code == 302
    assert logged_in.get(f"/topics/{SEED}/exercises/nothing/progress").status_code == 404
