"""Reads for the cohort dashboards, in a handful of queries each (100,000 submissions stay fast).

Mastery comes from `courseware.mastery`, the one definition the student map uses too: each
student's graded answers per exercise are reduced to what it needs (first answer correct?
solved at all?) by one grouped query.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.db.models import Min, Q

from courseware.mastery import Level, topic_mastery
from courseware.models import Exercise, Topic
from courseware.selectors import topic_graph
from grading.models import Submission
from instructors.models import Cohort

Status = Submission.Status
LEVELS = list(Level)


@dataclass(frozen=True)
class Course:
    """Topics in study order, their prerequisites (slugs) and live exercises."""

    topics: list[Topic]
    prerequisites: dict[str, list[str]]
    exercises: dict[str, list[Exercise]]

    def all_exercises(self) -> list[Exercise]:
        return [e for t in self.topics for e in self.exercises[t.slug]]


def course() -> Course:
    stored = topic_graph()
    topics, prerequisites = stored.topics, stored.prerequisites
    slug_of = {t.pk: t.slug for t in topics.values()}
    exercises: dict[str, list[Exercise]] = {slug: [] for slug in topics}
    for exercise in Exercise.objects.filter(retired=False).order_by("position", "pk"):
        exercise.topic = topics[slug_of[exercise.topic_id]]
        exercises[exercise.topic.slug].append(exercise)
    return Course([topics[s] for s in stored.study_order()], prerequisites, exercises)


def students(cohort: Cohort) -> list:
    return list(cohort.students.order_by("username").only("pk", "username", "first_name", "last_name"))


def _cohort_submissions(cohort: Cohort, member_ids: list[int] | None = None):
    # A literal list of ids lets the database use the (user, exercise) index; a subquery for huge classes.
    if member_ids is not None and len(member_ids) <= 5000:
        return Submission.objects.filter(user_id__in=member_ids)
    return Submission.objects.filter(user__in=cohort.students.values("pk"))


Summary = tuple[bool, ...]  # the student's graded answers to one exercise, reduced: see verdict_summaries


def verdict_summaries(cohort: Cohort, member_ids: list[int], exercise_ids: list[int]) -> dict[int, dict[int, Summary]]:
    """Per student, per exercise: (first graded answer correct,) plus (True,) if solved later; () if none.

    That short sequence gives topic_mastery exactly the counts it reads (attempted, solved, first try).
    """
    rows = (
        _cohort_submissions(cohort, member_ids)
        .filter(status=Status.GRADED, exercise_id__in=exercise_ids)
        .values("user_id", "exercise_id")
        .annotate(first=Min("pk"), first_correct=Min("pk", filter=Q(verdict="correct")))
        .values_list("user_id", "exercise_id", "first", "first_correct")
        .order_by()
    )
    first_try, never, later = (True,), (False,), (False, True)
    result: dict[int, dict[int, Summary]] = defaultdict(dict)
    for user_id, exercise_id, first, first_correct in rows:
        summary = first_try if first_correct == first else never if first_correct is None else later
        result[user_id][exercise_id] = summary
    return result


@lru_cache(maxsize=4096)
def _level(pattern: tuple[Summary, ...]) -> Level:
    """topic_mastery's level for one topic's exercise summaries (few distinct patterns: cached)."""
    keys = [str(i) for i in range(len(pattern))]
    return topic_mastery(keys, {k: list(p) for k, p in zip(keys, pattern, strict=True) if p}).level


@dataclass
class CohortMastery:
    course: Course
    students: list
    levels: dict[int, dict[str, Level]]  # student id -> topic slug -> level

    def shares(self, slug: str) -> dict[str, float]:
        total = len(self.students) or 1
        return {level.slug: count / total for level, count in self.counts(slug).items()}

    def counts(self, slug: str) -> dict[Level, int]:
        return self._counts[slug]

    @cached_property
    def _counts(self) -> dict[str, dict[Level, int]]:
        tally: dict[str, Counter[Level]] = {t.slug: Counter() for t in self.course.topics}
        for levels in self.levels.values():
            for slug, level in levels.items():
                tally[slug][level] += 1
        return {slug: {level: counts[level] for level in LEVELS} for slug, counts in tally.items()}


def cohort_mastery(cohort: Cohort) -> CohortMastery:
    graph = course()
    members = students(cohort)
    member_ids = [s.pk for s in members]
    exercise_ids = {t.slug: [e.pk for e in graph.exercises[t.slug]] for t in graph.topics}
    summaries = verdict_summaries(cohort, member_ids, [pk for ids in exercise_ids.values() for pk in ids])
    empty: dict[int, Summary] = {}
    levels = {}
    for pk in member_ids:
        mine = summaries.get(pk, empty)
        levels[pk] = {slug: _level(tuple(mine.get(e, ()) for e in ids)) for slug, ids in exercise_ids.items()}
    return CohortMastery(graph, members, levels)


def cohort_map_data(mastery: CohortMastery, topic_url) -> dict:
    """The topic map's data (static/js/topic-map.js) with the cohort's share at each level per topic."""
    nodes = [
        {
            "id": t.slug,
            "title": t.title,
            "layer": t.layer,
            "layer_rank": t.layer_rank,
            "url": topic_url(t),
            "review": [],
            "recommended": False,
            "shares": mastery.shares(t.slug),
        }
        for t in mastery.course.topics
    ]
    edges = [[p, slug] for slug, needs in mastery.course.prerequisites.items() for p in needs]
    return {"nodes": nodes, "edges": edges, "legend": True}


def recent_answers(cohort: Cohort, limit: int = 15) -> list[Submission]:
    return list(_cohort_submissions(cohort).select_related("user", "exercise__topic").order_by("-pk")[:limit])


# --- exercises -----------------------------------------------------------------------------------


@dataclass
class ExerciseStats:
    exercise: Exercise
    answers: int = 0  # every submission, unreadable ones included
    graded: int = 0  # attempts: answers that were read and graded
    invalid: int = 0
    students: int = 0  # with at least one graded answer
    first_try: int = 0  # students whose first graded answer was correct
    solved: int = 0
    attempts_to_correct: list[int] = field(default_factory=list)

    @property
    def first_try_share(self) -> float | None:
        return self.first_try / self.students if self.students else None

    @property
    def median_attempts(self) -> float | None:
        return statistics.median(self.attempts_to_correct) if self.attempts_to_correct else None

    @property
    def invalid_rate(self) -> float | None:
        read = self.graded + self.invalid
        return self.invalid / read if read else None


def _fold(stats: ExerciseStats, rows) -> ExerciseStats:
    """Rows (user_id, status, verdict) of one exercise in submission order."""
    graded_so_far: dict[int, int] = {}
    solved: set[int] = set()
    for user_id, status, verdict in rows:
        stats.answers += 1
        if status == Status.INVALID:
            stats.invalid += 1
        if status != Status.GRADED:
            continue
        stats.graded += 1
        n = graded_so_far[user_id] = graded_so_far.get(user_id, 0) + 1
        if verdict == "correct" and user_id not in solved:
            solved.add(user_id)
            stats.attempts_to_correct.append(n)
            stats.first_try += n == 1
    stats.students, stats.solved = len(graded_so_far), len(solved)
    return stats


def exercise_stats(cohort: Cohort, exercises: list[Exercise]) -> list[ExerciseStats]:
    """One pass over the cohort's submissions to these exercises, oldest first."""
    member_ids = list(cohort.students.values_list("pk", flat=True))
    rows = (
        _cohort_submissions(cohort, member_ids)
        .filter(exercise_id__in=[e.pk for e in exercises])
        .order_by("pk")
        .values_list("exercise_id", "user_id", "status", "verdict")
    )
    by_exercise: dict[int, list] = defaultdict(list)
    for exercise_id, user_id, status, verdict in rows.iterator(chunk_size=5000):
        by_exercise[exercise_id].append((user_id, status, verdict))
    return [_fold(ExerciseStats(e), by_exercise.get(e.pk, ())) for e in exercises]


# --- wrong answers grouped by equivalence --------------------------------------------------------

TOP_GROUPS = 12
CANDIDATES = 24
MERGE_BUDGET_S = 1.5


@dataclass
class AnswerGroup:
    answer: str  # the most common text in the group
    latex: str
    count: int
    students: set[int]
    variants: set[int]
    texts: Counter = field(default_factory=Counter)
    feedback: Counter = field(default_factory=Counter)

    def absorb(self, other: "AnswerGroup") -> None:
        self.count += other.count
        self.students |= other.students
        self.variants |= other.variants
        self.texts.update(other.texts)
        self.feedback.update(other.feedback)
        self.answer = self.texts.most_common(1)[0][0]

    @property
    def common_feedback(self) -> str:
        return self.feedback.most_common(1)[0][0] if self.feedback else ""


def _equivalent(kind: str, variables: tuple[str, ...], a: str, b: str, budget_s: float) -> bool:
    from grading.core import SpecError, grade_spec

    try:
        verdict = grade_spec({"kind": kind, "reference": a, "variables": list(variables)}, b, budget_s=budget_s)
    except (SpecError, ValueError, TypeError, ZeroDivisionError):
        return False
    return verdict.status == "correct"


def wrong_answer_groups(exercise: Exercise, rows, *, top: int = TOP_GROUPS) -> list[AnswerGroup]:
    """Incorrect answers grouped by the engine's normal form, then equivalent groups merged (bounded work).

    `rows` are (user_id, seed, answer, normalized, latex, feedback) of graded incorrect submissions.
    """
    import time

    groups: dict[str, AnswerGroup] = {}
    for user_id, seed, answer, normalized, latex, feedback in rows:
        key = normalized or "text:" + " ".join(answer.split())
        group = groups.get(key)
        if group is None:
            group = groups[key] = AnswerGroup(answer, latex, 0, set(), set())
        group.count += 1
        group.students.add(user_id)
        group.variants.add(seed)
        group.texts[answer.strip()] += 1
        group.feedback[feedback] += 1
    ranked = sorted(groups.values(), key=lambda g: -g.count)[:CANDIDATES]
    for group in ranked:
        group.answer = group.texts.most_common(1)[0][0]
    variables = _variables(exercise)
    deadline = time.monotonic() + MERGE_BUDGET_S
    merged: list[AnswerGroup] = []
    for group in ranked:
        home = next(
            (
                m
                for m in merged
                if time.monotonic() < deadline and _equivalent(exercise.kind, variables, m.answer, group.answer, 0.25)
            ),
            None,
        )
        if home is None:
            merged.append(group)
        else:
            home.absorb(group)
    return sorted(merged, key=lambda g: -g.count)[:top]


def _variables(exercise: Exercise) -> tuple[str, ...]:
    from grading.core import SpecError
    from grading.engine import engine_exercise

    try:
        return tuple(engine_exercise(exercise).variables)
    except SpecError:
        return tuple(exercise.spec.get("variables") or ())


@dataclass
class ExerciseReport:
    stats: ExerciseStats
    groups: list[AnswerGroup]


def exercise_report(cohort: Cohort, exercise: Exercise) -> ExerciseReport:
    submissions = _cohort_submissions(cohort).filter(exercise=exercise).order_by("pk")
    stats = _fold(ExerciseStats(exercise), submissions.values_list("user_id", "status", "verdict"))
    wrong = submissions.filter(status=Status.GRADED, verdict="incorrect").values_list(
        "user_id", "seed", "answer", "normalized", "latex", "feedback"
    )
    return ExerciseReport(stats, wrong_answer_groups(exercise, wrong))


# --- one student ---------------------------------------------------------------------------------


def student_history(cohort: Cohort, user, limit: int | None = None):
    history = Submission.objects.filter(user=user).select_related("exercise__topic").order_by("-pk")
    return history[:limit] if limit else history
