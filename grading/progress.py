"""Reads of one student's progress: per exercise (attempts, solution) and per topic (mastery, locks, what next).

The levels, locks and the recommendation are defined in `courseware.mastery`; this module only feeds it
the student's own progress rows (grading/progress_table.py), in a fixed handful of queries.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from courseware.mastery import Level, TopicMastery, recommended, review_first, topic_mastery
from courseware.models import Exercise, Topic
from courseware.selectors import topic_graph
from grading import selectors
from grading.engine import attempts_allowed
from grading.models import Submission

RECENT_SUBMISSIONS = 10


@dataclass
class ExerciseProgress:
    """One student's attempts at one exercise, newest first, and what they unlock."""

    exercise: Exercise
    attempts: list[Submission] = field(default_factory=list)
    allowed: int | None = None

    @property
    def used(self) -> int:
        """Attempts that count against the limit (unreadable answers and our own errors never do)."""
        return sum(1 for s in self.attempts if s.status in Submission.COUNTS_AS_ATTEMPT)

    @property
    def left(self) -> int | None:
        return None if self.allowed is None else max(self.allowed - self.used, 0)

    @property
    def solved(self) -> bool:
        return any(s.status == Submission.Status.GRADED and s.verdict == "correct" for s in self.attempts)

    @property
    def out_of_attempts(self) -> bool:
        """Every allowed attempt has been graded (one still being graded does not count yet)."""
        graded = sum(1 for s in self.attempts if s.status == Submission.Status.GRADED)
        return self.allowed is not None and graded >= self.allowed

    @property
    def solution_shown(self) -> bool:
        """The worked solution is shown once the student is right or has no attempts left; never before."""
        return bool(self.exercise.solution.strip()) and (self.solved or self.out_of_attempts)

    @property
    def closed(self) -> bool:
        """No further answers are taken."""
        return self.left == 0


def exercise_progress(*, user, exercises: list[Exercise]) -> dict[int, ExerciseProgress]:
    """Each exercise's progress for this user (empty for an anonymous visitor), by exercise id."""
    result = {e.pk: ExerciseProgress(e, allowed=attempts_allowed(e)) for e in exercises}
    if user.is_authenticated and exercises:
        for submission in Submission.objects.filter(user=user, exercise__in=exercises).order_by("-created_at", "-id"):
            result[submission.exercise_id].attempts.append(submission)
    return result


@dataclass(frozen=True)
class TopicProgress:
    topic: Topic
    mastery: TopicMastery
    review_first: tuple[Topic, ...]  # prerequisites recommended first (below familiar); empty: ready
    recommended: bool

    @property
    def level(self) -> Level:
        return self.mastery.level

    @property
    def ready(self) -> bool:
        return not self.review_first


@dataclass(frozen=True)
class Progress:
    """Every topic in study order with the student's mastery; `personal` is False for anonymous visitors."""

    topics: list[TopicProgress]
    prerequisites: dict[str, list[str]]
    personal: bool

    def by_slug(self) -> dict[str, TopicProgress]:
        return {t.topic.slug: t for t in self.topics}

    @property
    def recommended(self) -> TopicProgress | None:
        return next((t for t in self.topics if t.recommended), None)

    def counts(self) -> list[tuple[Level, int]]:
        """How many topics (with exercises) are at each level."""
        with_exercises = [t for t in self.topics if t.mastery.exercises]
        return [(level, sum(1 for t in with_exercises if t.level is level)) for level in Level]


def _verdicts(user) -> dict[str, list[bool]]:
    """What mastery reads of the user's graded answers per live exercise id: one progress row each."""
    return {str(pk): summary for pk, summary in selectors.verdict_summaries_of(user=user).items()}


def student_progress(user) -> Progress:
    """Mastery of every topic for `user`; for an anonymous visitor, the same graph with nothing started."""
    stored = topic_graph()
    topics, prerequisites = stored.topics, stored.prerequisites
    slug_of = {t.pk: t.slug for t in topics.values()}
    exercise_keys: dict[str, list[str]] = {slug: [] for slug in topics}
    for exercise_id, topic_id in Exercise.objects.filter(retired=False).values_list("pk", "topic_id"):
        exercise_keys[slug_of[topic_id]].append(str(exercise_id))

    personal = user.is_authenticated
    verdicts = _verdicts(user) if personal else {}
    mastery = {slug: topic_mastery(keys, verdicts) for slug, keys in exercise_keys.items()}
    order = stored.study_order()
    waiting = review_first(prerequisites, mastery) if personal else {}
    next_slug = recommended(order, mastery, waiting) if personal else None
    return Progress(
        topics=[
            TopicProgress(topics[s], mastery[s], tuple(topics[p] for p in waiting.get(s, ())), s == next_slug)
            for s in order
        ],
        prerequisites=prerequisites,
        personal=personal,
    )


def map_data(progress: Progress) -> dict:
    """The topic map's data, as `TopicMap.render` takes it (static/js/topic-map.js)."""
    nodes = []
    for item in progress.topics:
        node = {
            "id": item.topic.slug,
            "title": item.topic.title,
            "layer": item.topic.layer,
            "layer_rank": item.topic.layer_rank,
            "url": item.topic.get_absolute_url(),
            "review": [t.title for t in item.review_first],
            "recommended": item.recommended,
        }
        if progress.personal:
            node["level"] = item.level.slug
            node["label"] = item.level.label
        nodes.append(node)
    edges = [[p, slug] for slug, needs in progress.prerequisites.items() for p in needs]
    return {"nodes": nodes, "edges": edges, "legend": True}


def recent_submissions(*, user, limit: int = RECENT_SUBMISSIONS) -> QuerySet[Submission]:
    return Submission.objects.filter(user=user).select_related("exercise__topic").order_by("-created_at", "-id")[:limit]


def next_exercise(*, user, topic: Topic) -> Exercise | None:
    """The first exercise of the topic this user has not solved yet."""
    exercises = list(topic.exercises.filter(retired=False).order_by("position"))
    solved = selectors.solved_exercise_ids(user=user, exercise_ids=[e.pk for e in exercises])
    return next((e for e in exercises if e.pk not in solved), None)
