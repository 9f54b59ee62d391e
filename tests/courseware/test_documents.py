import datetime as dt
from textwrap import dedent

import pytest

from courseware.documents import DocumentError, parse_document, write_document

FRONT = dedent(
    """\
    ---
    slug: demo-topic
    title: A demo topic
    layer: 1
    summary: What this topic teaches.
    prerequisites:
      - basics
    next_topics: []
    last_reviewed: 2026-04-01
    references:
      canonical:
        - A book (1999)
      current:
        - A paper (2024)
    ---
    """
)

EXERCISE = dedent(
    """\
    :::: exercise Derivative of a square
    Differentiate $x^2$.

    ```spec
    slug: square
    kind: expression
    variables: [x]
    reference: {expression: "2*x"}
    ```

    ::: solution
    $\\frac{d}{dx} x^2 = 2x$.
    :::
    ::::
    """
)


def parse(body: str):
    return parse_document(FRONT + "\n" + dedent(body), "demo-topic.md")


def test_it_reads_front_matter_and_lifts_exercises():
    doc = parse("## Intro\n\nText with $a_i$.\n\n" + EXERCISE + "\nAfter.\n")
    assert (doc.slug, doc.layer, doc.prerequisites, doc.last_reviewed) == (
        "demo-topic",
        "1",
        ("basics",),
        dt.date(2026, 4, 1),
    )
    assert doc.references_canonical == ("A book (1999)",) and doc.references_current == ("A paper (2024)",)
    [exercise] = doc.exercises
    assert (exercise.slug, exercise.title, exercise.prompt) == (
        "square",
        "Derivative of a square",
        "Differentiate $x^2$.",
    )
    assert exercise.spec["reference"] == {"expression": "2*x"}
    assert exercise.solution == "$\\frac{d}{dx} x^2 = 2x$."
    assert "[[exercise:square]]" in doc.body and "After." in doc.body and "```spec" not in doc.body


def test_writing_and_reading_back_is_the_same_document():
    doc = parse("## Intro\n\n::: definition Thing\nA $x$.\n:::\n\n" + EXERCISE)
    text = write_document(doc)
    assert parse_document(text) == doc
    assert write_document(parse_document(text)) == text


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("::: lemma Foo\nx\n:::\n", 17, 'unknown block "lemma"'),
        ("::: definition\nx\n:::\n", 17, "needs a title"),
        ("text\n\n::: definition A\nx\n", 19, "never closed"),
        ("::: statement\nx\n:::\n", 17, "belongs inside a theorem"),
        (":::: theorem T\n::: intuition\nx\n:::\n::::\n", 17, "needs a statement"),
        (":::: theorem T\n::: intuition\ni\n:::\n::: statement\ns\n:::\n::::\n", 17, "in order"),
        ("::: definition A\nx\n::::\n", 19, "does not match"),
        (":::\n", 17, "closes no open block"),
        (":::: exercise E\nNo spec here.\n::::\n", 17, "exactly one ```spec"),
        (":::: exercise E\nP\n\n```spec\nslug: [unclosed\n```\n::::\n", 21, "not valid YAML"),
        (":::: exercise E\nP\n\n```spec\nkind: vector\n```\n::::\n", 20, 'needs a "slug"'),
    ],
)
def test_a_malformed_block_is_refused_with_its_line(body, line, message):
    with pytest.raises(DocumentError) as caught:
        parse(body)
    assert caught.value.path == "demo-topic.md"
    assert caught.value.line == line, caught.value
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("slug: Bad Slug", "lowercase"),
        ("layer: Z9", "not a layer"),
        ("colour: blue", 'unknown front matter key "colour"'),
        ("prerequisites: basics", "list of topic slugs"),
        ("last_reviewed: last spring", "must be a date"),
    ],
)
def test_bad_front_matter_names_the_line(front, message):
    key = front.split(":")[0]
    lines = [ln for ln in FRONT.splitlines() if not ln.startswith(key + ":")]
    if key == "prerequisites":
        lines = [ln for ln in lines if ln != "  - basics"]
    index = {"slug": 1, "layer": 3, "prerequisites": 5, "last_reviewed": 7}.get(key, len(lines) - 1)
    lines.insert(index, front)
    line = index + 1
    with pytest.raises(DocumentError) as caught:
        parse_document("\n".join(lines) + "\nBody.\n", "demo-topic.md")
    assert caught.value.line == line, caught.value
    assert message in caught.value.message


def test_a_document_without_front_matter_is_refused():
    with pytest.raises(DocumentError, match="front matter"):
        parse_document("# Just a heading\n", "x.md")


def test_a_code_fence_hides_block_markers():
    doc = parse("```text\n::: not-a-block\n```\n")
    assert "::: not-a-block" in doc.body
