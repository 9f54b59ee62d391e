"""Reads for the lesson pages."""

from itertools import groupby

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from courseware.documents import SLOT
from courseware.models import Exercise, Topic


def topics_by_layer() -> list[tuple[str, list[Topic]]]:
    topics = Topic.objects.order_by("layer_rank", "title").prefetch_related("prerequisites")
    return [(layer, list(group)) for layer, group in groupby(topics, key=lambda t: t.layer)]


def topic_with_relations(slug: str) -> Topic:
    return get_object_or_404(
        Topic.objects.prefetch_related(
            Prefetch("prerequisite_links__prerequisite"),
            Prefetch("next_links__next_topic"),
            Prefetch("dependent_links__topic"),
            Prefetch("exercises", queryset=Exercise.objects.filter(retired=False).order_by("position")),
        ),
        slug=slug,
    )


def body_parts(topic: Topic) -> list[tuple[str, str | Exercise]]:
    """The lesson body as ("markdown", text) and ("exercise", Exercise) parts, in order."""
    exercises = {e.slug: e for e in topic.exercises.all()}
    parts: list[tuple[str, str | Exercise]] = []
    chunk: list[str] = []
    for line in topic.body.split("\n"):
        match = SLOT.match(line.strip())
        if match and match.group(1) in exercises:
            parts.append(("markdown", "\n".join(chunk)))
            parts.append(("exercise", exercises[match.group(1)]))
            chunk = []
        else:
            chunk.append(line)
    parts.append(("markdown", "\n".join(chunk)))
    return [(kind, value) for kind, value in parts if kind == "exercise" or str(value).strip()]


def live_exercise(topic_slug: str, exercise_slug: str) -> Exercise:
    """A topic's exercise that is still in its document, or 404."""
    return get_object_or_404(
        Exercise.objects.select_related("topic"), topic__slug=topic_slug, slug=exercise_slug, retired=False
    )
