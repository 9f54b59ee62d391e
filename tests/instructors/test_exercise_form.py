"""The exercise form's structured fields: what they save, where their errors go, the YAML override."""

from pathlib import Path

import pytest
import yaml

from courseware.admin_forms import ExerciseForm
from courseware.models import Exercise
from tests.exercise_admin import errors, form_data, structured

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_it_saves_the_spec_the_fields_describe_in_the_documented_order(instructor_client, course):
    response = instructor_client.post("/admin/courseware/exercise/add/", structured(course["calculus"]))
    assert response.status_code == 302, errors(response)
    exercise = Exercise.objects.get(slug="grad-point")
    expected = {
        "slug": "grad-point",
        "kind": "vector",
        "parameters": {"a": {"integers": [2, 5]}},
        "reference": {"gradient": {"function": "a*x^2*y + y^3", "wrt": ["x", "y"], "at": {"x": 1, "y": 2}}},
        "rtol": 1e-4,
        "attempts": 3,
        "wrong_answers": [
            {"answer": "[2*a, a + 12]", "feedback": "Differentiate a x^2 y with respect to x: the factor y stays."}
        ],
    }
    assert exercise.spec == expected and exercise.kind == "vector"
    assert yaml.safe_load(exercise.spec_yaml) == expected
    top_level = [line.split(":")[0] for line in exercise.spec_yaml.splitlines() if line[:1] not in (" ", "-")]
    assert top_level == list(expected)
    assert exercise.solution.startswith("$\\partial_x f")
    course["calculus"].refresh_from_db()
    assert "[[exercise:grad-point]]" in course["calculus"].body


def test_it_reads_choices_points_with_parameters_and_jacobian_components(instructor_client, course):
    data = structured(
        course["calculus"], slug="jac", kind="matrix", reference_form="jacobian", function="x^2*y\nx + u*y^2",
        at="x=2, y=a", parameters="a: choice 1, 2\nu: {integers: [1, 2]}", wrong_answers="", rtol="", attempts="",
    )  # fmt: skip
    response = instructor_client.post("/admin/courseware/exercise/add/", data)
    assert response.status_code == 302, errors(response)
    assert Exercise.objects.get(slug="jac").spec == {
        "slug": "jac",
        "kind": "matrix",
        "parameters": {"a": {"choice": [1, 2]}, "u": {"integers": [1, 2]}},
        "reference": {"jacobian": {"function": ["x^2*y", "x + u*y^2"], "wrt": ["x", "y"], "at": {"x": 2, "y": "a"}}},
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("at", "x=1, y", "write each coordinate as name = value"),
        ("at", "x=1, x=2", "is given twice"),
        ("at", "x=1", "expected a value for each of [&#x27;x&#x27;, &#x27;y&#x27;]"),
        ("parameters", "a: between 2 and 5", "line 1: write"),
        ("wrong_answers", "[2*a, a + 12] the factor y stays", "line 1: write the answer, then"),
        ("function", "", "Needed for the gradient"),
        ("kind", "numeric", "gradient here is answered as vector"),
        ("wrt", "x, y z", "expected a list of names"),
        ("slug", "Grad-Point", "Lowercase letters, digits and single dashes"),
        ("slug", "derivative", "already has an exercise with the slug"),
    ],
)
def test_a_problem_is_reported_on_the_field_it_is_about(instructor_client, course, field, value, message):
    data = structured(course["calculus"], **{field: value})
    response = instructor_client.post("/admin/courseware/exercise/add/", data)
    assert response.status_code == 200
    assert list(errors(response)) == [field]
    assert message in response.content.decode()
    assert not Exercise.objects.filter(title="Gradient at a point").exists()


def test_a_wrong_answer_that_is_right_is_refused_with_the_engines_message(instructor_client, course):
    data = structured(course["calculus"], wrong_answers="[4*a, a + 12] => Check the factor y.")
    response = instructor_client.post("/admin/courseware/exercise/add/", data)
    assert response.status_code == 200
    (problem, *_) = errors(response)["wrong_answers"]
    where = "variant {a=2}: wrong_answers[0].answer: "
    assert problem.startswith(where + "[4*a, a + 12] is listed as wrong, but it equals the reference")


def test_edited_yaml_wins_over_the_fields(instructor_client, course):
    gradient = course["gradient"]
    form = form_data(ExerciseForm(instance=gradient))
    assert form["reference_form"] == "gradient" and form["at"] == "x=1, y=2" and form["attempts"] == "5"
    yaml_text = gradient.spec_yaml.replace("attempts: 5", "attempts: 2").replace("\n", "\r\n")
    data = {**form, "spec_yaml": yaml_text, "attempts": "4", "at": "nonsense"}
    response = instructor_client.post(f"/admin/courseware/exercise/{gradient.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    gradient.refresh_from_db()
    assert gradient.spec["attempts"] == 2 and gradient.spec["reference"]["gradient"]["at"] == {"x": 1, "y": 2}


def test_fields_win_while_the_yaml_is_left_as_loaded(instructor_client, course):
    gradient = course["gradient"]
    data = {**form_data(ExerciseForm(instance=gradient)), "attempts": "", "partial_credit": "on"}
    response = instructor_client.post(f"/admin/courseware/exercise/{gradient.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    gradient.refresh_from_db()
    assert "attempts" not in gradient.spec and gradient.spec["partial_credit"] is True
    assert yaml.safe_load(gradient.spec_yaml) == gradient.spec


def test_changing_an_answered_exercise_through_the_fields_suggests_a_regrade(instructor_client, course, users):
    from tests.builders import submit

    gradient = course["gradient"]
    submit(users["student"], gradient, "[1, 1]")
    data = {**form_data(ExerciseForm(instance=gradient)), "attempts": "6"}
    response = instructor_client.post(f"/admin/courseware/exercise/{gradient.pk}/change/", data, follow=True)
    assert "re-grade the exercise to apply the change" in response.content.decode()


def test_every_exercise_in_content_saves_unchanged(instructor_client):
    from courseware.content import import_documents, read_directory

    import_documents(read_directory(CONTENT))
    exercises = list(Exercise.objects.select_related("topic"))
    assert len(exercises) >= 30
    for exercise in exercises:
        original_spec, original_yaml = exercise.spec, exercise.spec_yaml
        data = form_data(ExerciseForm(instance=exercise))
        response = instructor_client.post(f"/admin/courseware/exercise/{exercise.pk}/change/", data)
        assert response.status_code == 302, (exercise.key, errors(response))
        exercise.refresh_from_db()
        assert exercise.spec == original_spec, exercise.key
        assert exercise.spec_yaml == original_yaml, exercise.key


def test_a_viewer_sees_the_specification_read_only(client, course, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_exercise"))
    client.force_login(viewer)
    response = client.get(f"/admin/courseware/exercise/{course['gradient'].pk}/change/")
    assert response.status_code == 200 and "attempts: 5" in response.content.decode()
