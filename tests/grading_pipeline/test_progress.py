"""A student's progress read from their own graded submissions: mastery, locks, the recommendation, the map."""

import pytest
from django.contrib.auth.models import AnonymousUser

from courseware.mastery import Level
from grading import progress
from tests.builders import LIMITED_SPEC, graded, make_exercise, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph():
    basics = make_topic("basics", "0A")
    middle = make_topic("middle", "1", needs=(basics,))
    top = make_topic("top", "2", needs=(middle,))
    return {
        "basics": [make_exercise(basics, f"basics-{i}") for i in range(2)],
        "middle": [make_exercise(middle, "middle-1")],
        "top": [make_exercise(top, "top-1")],
    }


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("learner", password="pw-for-tests-1")


def test_a_new_student_has_started_nothing_and_is_sent_to_the_first_topic(graph, user):
    mine = progress.student_progress(user)
    assert [t.topic.slug for t in mine.topics] == ["basics", "middle", "top"]
    assert all(t.level is Level.NOT_STARTED for t in mine.topics)
    assert [t.slug for t in mine.by_slug()["middle"].review_first] == ["basics"]
    assert not mine.by_slug()["basics"].review_first and mine.by_slug()["top"].review_first
    assert mine.recommended.topic.slug == "basics"


def test_mastery_follows_graded_answers_only(graph, user):
    b1, b2 = graph["basics"]
    graded(user, b1, False)
    graded(user, b1, True)
    graded(user, b2, True, status="invalid")  # unreadable: never counts
    graded(user, b2, True, status="queued")  # not graded yet
    mine = progress.student_progress(user).by_slug()
    assert mine["basics"].level is Level.ATTEMPTED and mine["basics"].mastery.solved == 1
    graded(user, b2, True)
    mine = progress.student_progress(user).by_slug()
    assert mine["basics"].level is Level.PROFICIENT  # 2/2 solved, only 1/2 first try
    assert mine["middle"].ready and not mine["top"].ready
    assert mine["middle"].recommended


def test_another_students_answers_never_count(graph, user, django_user_model):
    other = django_user_model.objects.create_user("other", password="pw-for-tests-2")
    for exercise in graph["basics"]:
        graded(other, exercise, True)
    assert progress.student_progress(user).by_slug()["basics"].level is Level.NOT_STARTED
    assert progress.student_progress(other).by_slug()["basics"].level is Level.MASTERED


def test_progress_takes_a_fixed_number_of_queries(graph, user, django_assert_max_num_queries):
    for exercise in [*graph["basics"], *graph["middle"]]:
        graded(user, exercise, True)
    with django_assert_max_num_queries(4):
        progress.student_progress(user)


def test_anonymous_visitors_get_the_graph_without_mastery(graph):
    data = progress.map_data(progress.student_progress(AnonymousUser()))
    assert [n["id"] for n in data["nodes"]] == ["basics", "middle", "top"]
    assert all("level" not in n and not n["review"] and not n["recommended"] for n in data["nodes"])
    assert sorted(data["edges"]) == [["basics", "middle"], ["middle", "top"]]
    assert data["legend"] is True


def test_the_map_data_carries_level_lock_and_recommendation(graph, user):
    graded(user, graph["basics"][0], True)
    nodes = {n["id"]: n for n in progress.map_data(progress.student_progress(user))["nodes"]}
    assert nodes["basics"] == {
        "id": "basics", "title": "Basics", "layer": "0A", "layer_rank": 1, "url": "/topics/basics/", "review": [],
        "recommended": True, "level": "attempted", "label": "attempted",
    }  # fmt: skip
    assert nodes["middle"]["review"] == ["Basics"] and nodes["middle"]["level"] == "not-started"


def test_the_solution_shows_once_solved_or_out_of_attempts(db, user):
    topic = make_topic("limits")
    exercise = make_exercise(topic, "limited", LIMITED_SPEC)
    state = lambda: progress.exercise_progress(user=user, exercises=[exercise])[exercise.pk]  # noqa: E731
    assert (state().allowed, state().left, state().solution_shown) == (2, 2, False)
    graded(user, exercise, False)
    graded(user, exercise, True, status="invalid")  # costs no attempt
    assert (state().used, state().left, state().solution_shown) == (1, 1, False)
    last = graded(user, exercise, False, status="queued")  # the last attempt, still being graded
    assert state().left == 0 and state().closed and not state().solution_shown
    last.status, last.verdict = "graded", "incorrect"
    last.save()
    assert state().out_of_attempts and state().solution_shown and not state().solved


def test_a_solved_exercise_shows_its_solution_and_the_next_exercise_moves_on(graph, user):
    first, second = graph["basics"]
    graded(user, first, True)
    states = progress.exercise_progress(user=user, exercises=graph["basics"])
    assert states[first.pk].solved and states[first.pk].solution_shown
    assert not states[second.pk].solution_shown
    assert progress.next_exercise(user=user, topic=first.topic) == second
