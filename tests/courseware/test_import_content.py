from io import StringIO
from pathlib import Path
from textwrap import dedent

import pytest
from django.core.management import call_command

from courseware.models import Exercise, NextTopic, Topic, TopicPrerequisite
from tests.topic_files import refused, run_import, topic_text, write

pytestmark = pytest.mark.django_db
CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


EXERCISE = dedent(
    """\
    ::: exercise Square
    Differentiate $x^2$.

    ```spec
    slug: square
    kind: expression
    variables: [x]
    reference: {expression: "REFERENCE"}
    ```
    :::
    """
)


def snapshot():
    return (
        list(Topic.objects.values_list("slug", "title", "layer", "summary", "body", "updated_at").order_by("slug")),
        list(TopicPrerequisite.objects.values_list("topic__slug", "prerequisite__slug", "position").order_by("id")),
        list(NextTopic.objects.values_list("topic__slug", "next_topic__slug", "position").order_by("id")),
        list(Exercise.objects.values_list("topic__slug", "slug", "spec_yaml", "updated_at").order_by("id")),
    )


def test_the_real_content_imports_and_a_second_import_changes_nothing():
    first = run_import(CONTENT_DIR)
    topics = Topic.objects.count()
    assert f"{topics} created, 0 updated, 0 unchanged" in first
    before = snapshot()
    second = run_import(CONTENT_DIR)
    assert f"0 created, 0 updated, {topics} unchanged" in second
    assert snapshot() == before


def test_the_seed_topic_has_its_place_in_the_graph():
    run_import(CONTENT_DIR)
    topic = Topic.objects.get(slug="differentiation-in-rn")
    assert [t.prerequisite.slug for t in topic.prerequisite_links.all()] == [
        "sets-functions-and-relations",
        "basic-logic-and-proof-techniques",
    ]
    builds_on = {link.topic.slug for link in topic.dependent_links.all()}
    assert {
        "activation-functions",
        "convex-optimization-basics",
        "feedforward-networks-and-backpropagation",
        "gradient-descent-variants",
        "maximum-likelihood-estimation",
    } <= builds_on
    assert {"jacobian-matrix", "automatic-differentiation"} <= {link.next_topic.slug for link in topic.next_links.all()}


def test_every_lesson_concept_has_an_auto_graded_exercise():
    run_import(CONTENT_DIR)
    forms = {next(iter(e.spec["reference"])) for e in Exercise.objects.filter(topic__slug="differentiation-in-rn")}
    assert {"partial", "gradient", "directional_derivative", "max_rate", "steepest_ascent", "jacobian"} <= forms
    for slug in ("jacobian-matrix", "gradient-descent-variants", "automatic-differentiation"):
        assert Exercise.objects.filter(topic__slug=slug).count() >= 3, slug


def test_export_then_import_round_trips_with_no_change(tmp_path):
    run_import(CONTENT_DIR)
    call_command("export_content", str(tmp_path), stdout=StringIO())
    before = snapshot()
    assert "0 created, 0 updated" in run_import(tmp_path)
    assert snapshot() == before
    again = tmp_path / "again"
    call_command("export_content", str(again), stdout=StringIO())
    for path in tmp_path.glob("*.md"):
        assert (again / path.name).read_text() == path.read_text()


def test_an_edited_document_is_reported_as_updated(tmp_path):
    write(tmp_path, "a", topic_text("a", body="First version.\n"))
    run_import(tmp_path)
    write(tmp_path, "a", topic_text("a", body="Second version.\n"))
    assert "updated: a" in run_import(tmp_path)
    assert Topic.objects.get(slug="a").body == "Second version.\n"


def test_an_unknown_prerequisite_is_refused_naming_file_and_line(tmp_path):
    path = write(tmp_path, "a", topic_text("a", prerequisites=["ghost"]))
    assert f'{path}:7: unknown prerequisite "ghost"' in refused(tmp_path)


def test_a_cycle_is_refused_and_named(tmp_path):
    write(tmp_path, "a", topic_text("a", prerequisites=["b"]))
    write(tmp_path, "b", topic_text("b", prerequisites=["a"]))
    message = refused(tmp_path)
    assert "prerequisite cycle: a -> b -> a" in message or "prerequisite cycle: b -> a -> b" in message


def test_a_malformed_block_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, "a", topic_text("a", body="Intro.\n\n::: definition\nNo title.\n:::\n"))
    assert f"{path}:16: a definition block needs a title" in refused(tmp_path)


def test_an_exercise_whose_reference_does_not_parse_is_refused(tmp_path):
    path = write(tmp_path, "a", topic_text("a", body=EXERCISE.replace("REFERENCE", "2*x +")))
    message = refused(tmp_path)
    assert f'{path}:17: exercise "square":' in message


def test_one_bad_file_leaves_the_database_as_it_was(tmp_path):
    write(tmp_path, "a", topic_text("a", body=EXERCISE.replace("REFERENCE", "2*x")))
    run_import(tmp_path)
    before = snapshot()
    write(tmp_path, "a", topic_text("a", body="Changed.\n"))
    write(tmp_path, "b", topic_text("b", prerequisites=["a", "nowhere"]))
    refused(tmp_path)
    assert snapshot() == before


def test_a_good_exercise_imports_with_its_spec(tmp_path):
    write(tmp_path, "a", topic_text("a", body="Intro.\n\n" + EXERCISE.replace("REFERENCE", "2*x") + "\nOutro.\n"))
    run_import(tmp_path)
    exercise = Exercise.objects.get(topic__slug="a", slug="square")
    assert exercise.kind == "expression" and exercise.prompt == "Differentiate $x^2$."
    assert "[[exercise:square]]" in exercise.topic.body


def test_an_exercise_removed_from_its_document_is_retired_not_deleted(tmp_path):
    write(tmp_path, "a", topic_text("a", body=EXERCISE.replace("REFERENCE", "2*x")))
    run_import(tmp_path)
    write(tmp_path, "a", topic_text("a", body="No exercise now.\n"))
    assert "retired exercise" in run_import(tmp_path)
    assert Exercise.objects.get(slug="square").retired


def test_dry_run_writes_nothing(tmp_path):
    write(tmp_path, "a", topic_text("a"))
    out = StringIO()
    call_command("import_content", str(tmp_path), "--dry-run", stdout=out)
    assert "would be created: a" in out.getvalue()
    assert not Topic.objects.exists()


@pytest.mark.parametrize(
    ("field", "text", "line", "expected"),
    [
        ("title", topic_text("a").replace("title: Topic a", "title: " + "T" * 201), 3, "the title is 201 characters"),
        ("exercise title", topic_text("a", body=EXERCISE.replace("Square", "S" * 250).replace("REFERENCE", "2*x")),
         17, 'exercise "square": its title is 250 characters long; at most 200'),
        ("exercise slug", topic_text("a", body=EXERCISE.replace("slug: square", "slug: " + "s" * 120)
         .replace("REFERENCE", "2*x")), 17, "its slug is 120 characters long; at most 100"),
    ],
)  # fmt: skip
def test_an_over_long_field_is_refused_naming_file_and_line(tmp_path, field, text, line, expected):
    path = write(tmp_path, "a", text)
    message = refused(tmp_path)
    assert f"{path}:{line}: " in message and expected in message, message
    assert not Topic.objects.exists()
