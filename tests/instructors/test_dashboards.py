"""The cohort dashboards: mastery shares on the map, the students x topics table, exercise statistics."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from courseware.mastery import Level
from instructors import selectors
from tests.builders import submit
from tests.pages import STATIC, parse_page

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def json_script(response, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(match.group(1))


@pytest.fixture
def answers(course, users):
    ada, bob = users["student"], users["classmate"]
    submit(ada, course["number"], "4")  # basics: solved on the first try -> mastered
    submit(ada, course["derivative"], "x^2")
    submit(ada, course["derivative"], "2x")  # solved on the second try
    submit(bob, course["derivative"], "2*x")
    submit(bob, course["number"], "4 +")  # invalid input: never counts
    submit(users["outsider"], course["number"], "5")  # not in the cohort
    return course


def test_cohort_mastery_uses_the_one_definition_of_levels(cohort, answers, users):
    mastery = selectors.cohort_mastery(cohort)
    ada, bob = users["student"].pk, users["classmate"].pk
    levels = selectors.student_levels(selectors.course(), [ada, bob])
    assert levels[ada] == [Level.MASTERED, Level.ATTEMPTED]  # basics, calculus
    assert levels[bob] == [Level.NOT_STARTED, Level.ATTEMPTED]
    assert mastery.counts("calculus")[Level.ATTEMPTED] == 2 and mastery.size == 2
    assert mastery.shares("basics") == {"not-started": 0.5, "attempted": 0, "familiar": 0, "proficient": 0,
                                        "mastered": 0.5}  # fmt: skip


def test_the_map_has_the_student_maps_layout_with_shares_per_topic(instructor_client, cohort, answers):
    response = instructor_client.get(reverse("instructors:cohort", args=[cohort.slug]))
    data = json_script(response, "cohort-map-data")
    assert data["edges"] == [["basics", "calculus"]] and data["legend"] is True
    basics = next(n for n in data["nodes"] if n["id"] == "basics")
    assert basics["shares"]["mastered"] == 0.5 and basics["layer"] == "0A" and basics["url"] == "/topics/basics/"
    page = response.content.decode()
    assert 'data-topic-map="cohort-map-data"' in page and "js/topic-map.js" in page
    assert "vendor/chartjs/chart.umd.min.js" in page


def test_every_dashboard_page_obeys_the_csp_and_loads_only_our_static_files(instructor_client, cohort, answers, users):
    urls = [
        reverse("instructors:cohorts"),
        reverse("instructors:cohort", args=[cohort.slug]),
        reverse("instructors:cohort-table", args=[cohort.slug]),
        reverse("instructors:exercises", args=[cohort.slug]),
        reverse("instructors:exercise", args=[cohort.slug, answers["derivative"].pk]),
        reverse("instructors:student", args=[cohort.slug, users["student"].pk]),
    ]
    for url in urls:
        response = instructor_client.get(url)
        parsed = parse_page(response)
        data_scripts = response.content.decode().count('type="application/json">')  # json_script: data, not code
        assert parsed.inline_scripts == data_scripts and parsed.styled == [], url
        for resource in parsed.resources:
            if resource.startswith("data:"):
                continue
            assert resource.startswith("/static/"), resource
            assert (STATIC / resource.removeprefix("/static/")).exists(), resource


def test_the_table_view_and_its_csv(instructor_client, cohort, answers):
    page = instructor_client.get(reverse("instructors:cohort-table", args=[cohort.slug])).content.decode()
    assert '<td class="lv lv-mastered">M</td><td class="lv lv-attempted">A</td>' in page
    rows = rows_of(instructor_client.get(reverse("instructors:cohort-table-csv", args=[cohort.slug])))
    assert rows == [["student", "basics", "calculus"], ["ada", "mastered", "attempted"],
                    ["bob", "not-started", "attempted"]]  # fmt: skip
    topics = rows_of(instructor_client.get(reverse("instructors:cohort-topics-csv", args=[cohort.slug])))
    assert topics[1][:4] == ["basics", "Basics", "0A", "1"] and topics[1][-1] == "0.500"


def test_exercise_statistics(cohort, answers):
    by_key = {s.exercise.key: s for s in selectors.exercise_stats(cohort, selectors.course().all_exercises())}
    derivative = by_key["calculus/derivative"]
    assert (derivative.students, derivative.graded, derivative.solved) == (2, 3, 2)
    assert derivative.first_try_share == 0.5 and derivative.median_attempts == 1.5
    assert derivative.invalid_rate == 0
    number = by_key["basics/number"]
    assert (number.answers, number.graded, number.invalid) == (2, 1, 1)  # the outsider's answer is not counted
    assert number.invalid_rate == 0.5 and number.first_try_share == 1
    assert by_key["calculus/gradient"].first_try_share is None


def test_the_exercises_page_and_csv(instructor_client, cohort, answers):
    page = instructor_client.get(reverse("instructors:exercises", args=[cohort.slug])).content.decode()
    assert "calculus/derivative" in page and 'data-chart="exercises"' in page
    rows = rows_of(instructor_client.get(reverse("instructors:exercises-csv", args=[cohort.slug])))
    assert rows[0][:3] == ["exercise", "title", "students"]
    derivative = next(r for r in rows if r[0] == "calculus/derivative")
    assert derivative[5:8] == ["0.500", "1.5", "0.000"]


def test_wrong_answers_are_grouped_by_equivalence(cohort, course, users):
    derivative = course["derivative"]
    ada, bob = users["student"], users["classmate"]
    submit(ada, derivative, "x^2")
    submit(bob, derivative, "x*x")  # normalised apart from x^2, but the same expression
    submit(bob, derivative, "x^2 + 0")
    submit(ada, derivative, "3x")
    groups = selectors.exercise_report(cohort, derivative).groups
    assert [(g.count, len(g.students)) for g in groups] == [(3, 2), (1, 1)]
    assert set(groups[0].texts) == {"x^2", "x*x", "x^2 + 0"}
    assert groups[1].answer == "3x"


def test_the_exercise_page_lists_groups_with_a_way_to_attach_feedback(instructor_client, cohort, course, users):
    submit(users["student"], course["derivative"], "x^2")
    url = reverse("instructors:exercise", args=[cohort.slug, course["derivative"].pk])
    page = instructor_client.get(url).content.decode()
    assert 'id="wrong-answers"' in page and 'value="x^2"' in page and "re-grade past answers" in page
    rows = rows_of(
        instructor_client.get(reverse("instructors:exercise-csv", args=[cohort.slug, course["derivative"].pk]))
    )
    assert rows[1][:3] == ["x^2", "1", "1"]


def test_the_student_page_shows_their_map_and_history(instructor_client, cohort, answers, users):
    url = reverse("instructors:student", args=[cohort.slug, users["student"].pk])
    response = instructor_client.get(url)
    data = json_script(response, "student-map-data")
    assert {n["id"]: n["level"] for n in data["nodes"]} == {"basics": "mastered", "calculus": "attempted"}
    assert response.content.decode().count("<code>") >= 3
    rows = rows_of(instructor_client.get(reverse("instructors:student-csv", args=[cohort.slug, users["student"].pk])))
    assert [r[4] for r in rows[1:]] == ["2x", "x^2", "4"]


def test_latest_answers_appear_on_the_cohort_page(instructor_client, cohort, course, users):
    submit(users["classmate"], course["gradient"], "[1, 2]")
    page = instructor_client.get(reverse("instructors:cohort", args=[cohort.slug])).content.decode()
    assert 'id="recent-answers"' in page and "<code>[1, 2]</code>" in page


def test_csv_cells_never_start_a_formula(instructor_client, cohort, course, users):
    submit(users["student"], course["derivative"], "=HYPERLINK(1)")
    rows = rows_of(instructor_client.get(reverse("instructors:student-csv", args=[cohort.slug, users["student"].pk])))
    assert rows[1][4] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    "values", [[], [3], [1, 2], [1, 1, 5], [2, 2, 3, 9], [1, 2, 3, 4, 5, 6], [4, 4, 4, 4], [1, 7], [2, 5, 5, 8, 8]]
)
def test_the_median_of_a_histogram_is_the_median_of_its_values(values):
    from collections import Counter
    from statistics import median

    assert selectors._median(Counter(values)) == (median(values) if values else None)
