"""Reads of the course: the topic graph as stored, and what the lesson pages show."""

from dataclasses import dataclass
from itertools import groupby

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from courseware import graph
from courseware.documents import SLOT
from courseware.models import Exercise, Topic, TopicPrerequisite


@dataclass(frozen=True)
class TopicGraph:
    """The stored topics by slug and each one's prerequisites in their authored order."""

    topics: dict[str, Topic]
    prerequisites: dict[str, list[str]]

    def nodes(self) -> dict[str, graph.TopicNode]:
        return {s: graph.TopicNode(s, t.layer, tuple(self.prerequisites[s])) for s, t in self.topics.items()}

    def study_order(self) -> list[str]:
        return graph.study_order(self.nodes())


def topic_graph() -> TopicGraph:
    """The prerequisite graph as stored, in two queries: the one place that reads it."""
    topics = {t.slug: t for t in Topic.objects.all()}
    slug_of = {t.pk: t.slug for t in topics.values()}
    prerequisites: dict[str, list[str]] = {slug: [] for slug in topics}
    links = TopicPrerequisite.objects.order_by("position", "pk").values_list("topic_id", "prerequisite_id")
    for topic_id, prerequisite_id in links:
        prerequisites[slug_of[topic_id]].append(slug_of[prerequisite_id])
    return TopicGraph(topics, prerequisites)


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
