"""Checks and writes behind authoring in the admin: the graph after a save, exercise specs, feedback.

Everything here refuses what `import_content` would refuse, so that topics edited in the admin
export to documents that import again.
"""

import re

import yaml
from django.db import transaction

from courseware import blocks, graph
from courseware.documents import SLOT, SpecSyntaxError, figure_problems, load_spec
from courseware.exercise_check import check_exercise
from courseware.models import Exercise, Topic
from courseware.selectors import topic_graph


def graph_problems(*, topic: Topic, prerequisites: list[Topic]) -> list[str]:
    """What graph.validate says about the stored graph once `topic` has these prerequisites."""
    stored = topic_graph()
    if topic.slug in stored.topics and stored.topics[topic.slug].pk != topic.pk:
        return []  # a duplicate slug: the form's own unique check reports it
    # The topic as edited: perhaps renamed, perhaps on another layer, with these prerequisites.
    old = next((slug for slug, t in stored.topics.items() if topic.pk and t.pk == topic.pk), None)
    rename = {old: topic.slug} if old else {}
    nodes = {
        rename.get(slug, slug): graph.TopicNode(
            rename.get(slug, slug), t.layer, tuple(rename.get(p, p) for p in stored.prerequisites[slug])
        )
        for slug, t in stored.topics.items()
    }
    nodes[topic.slug] = graph.TopicNode(
        topic.slug, topic.layer, tuple(rename.get(p.slug, p.slug) for p in prerequisites)
    )
    return [
        problem.message if problem.slug == topic.slug else f"{problem.slug}: {problem.message}"
        for problem in graph.validate(nodes)
        if topic.slug in (problem.slug, problem.target) or topic.slug in problem.cycle
    ]


def body_problems(body: str) -> list[str]:
    """Malformed blocks, and exercise blocks written into the body instead of as exercises."""
    lines = body.split("\n")
    try:
        found = blocks.scan(lines)
    except blocks.BlockError as exc:
        return [f"line {exc.index + 1}: {exc.message}"]
    return [
        f"line {block.start + 1}: add exercises as Exercises; the body marks each one's place with "
        "a line [[exercise:<slug>]]"
        for block in found
        if block.kind == "exercise"
    ] + [f"line {index + 1}: {message}" for index, message in figure_problems(lines, found)]


def read_spec(spec_yaml: str) -> tuple[dict | None, list[str]]:
    """The spec mapping, or the reasons it is not one (YAML syntax, shape, slug)."""
    try:
        return load_spec(spec_yaml), []
    except SpecSyntaxError as exc:
        where = f" (line {exc.line + 1})" if exc.line is not None else ""
        return None, [f"the spec {exc.message}{where}"]


def place_exercise(exercise: Exercise, old_slug: str | None = None) -> None:
    """Make sure the topic's body marks where the exercise stands (export writes it there)."""
    topic = exercise.topic
    slot = f"[[exercise:{exercise.slug}]]"
    lines = topic.body.rstrip("\n").split("\n")
    if any(line.strip() == slot for line in lines):
        return
    old = f"[[exercise:{old_slug}]]" if old_slug else None
    if old and any(line.strip() == old for line in lines):
        lines = [slot if line.strip() == old else line for line in lines]
    else:
        lines += ["", slot]
    topic.body = "\n".join(lines).strip("\n") + "\n"
    topic.save(update_fields=["body", "updated_at"])


def slots(body: str) -> list[str]:
    return [m.group(1) for line in body.split("\n") if (m := SLOT.match(line.strip()))]


def dump_spec(spec: dict) -> str:
    """YAML in the documents' style: keys in the authored order, short lists inline."""
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)


_WRONG_ANSWERS = re.compile(r"^wrong_answers:\s*$", re.MULTILINE)


def _append_wrong_answer(spec_yaml: str, answer: str, feedback: str) -> str:
    """Append to the authored YAML when that is safe (keeps comments and layout); else write it anew."""
    item = yaml.safe_dump([{"answer": answer, "feedback": feedback}], allow_unicode=True, width=1000)
    indented = "".join("  " + line + "\n" for line in item.rstrip("\n").split("\n"))
    text = spec_yaml.rstrip("\n") + "\n"
    match = _WRONG_ANSWERS.search(text)
    if match is None:
        return text + "wrong_answers:\n" + indented
    rest = text[match.end() :].lstrip("\n")
    if all(not line or line.startswith(" ") for line in rest.split("\n")):  # the last top-level key
        return text + indented
    return ""


@transaction.atomic
def exercise_attach_feedback(*, exercise: Exercise, answer: str, feedback: str) -> list[str]:
    """Add {answer, feedback} to the exercise's wrong answers; returns the problems that refused it."""
    answer, feedback = answer.strip(), " ".join(feedback.split())
    if not answer or not feedback:
        return ["both the answer and the feedback are needed"]
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    spec = dict(exercise.spec)
    spec["wrong_answers"] = [*spec.get("wrong_answers", []), {"answer": answer, "feedback": feedback}]
    problems = check_exercise(spec)
    if problems:
        return [str(problem) for problem in problems]
    text = _append_wrong_answer(exercise.spec_yaml, answer, feedback)
    if not text or read_spec(text)[0] != spec:
        text = dump_spec(spec)
    exercise.spec_yaml, exercise.spec = text, spec
    exercise.save(update_fields=["spec_yaml", "spec", "updated_at"])
    return []
