"""Reads for the cohort dashboards, from the per-student progress table (grading/progress_table.py).

Each page reads one row per (student, exercise) or less, aggregated in the database, so its cost
grows with the cohort and the course, never with the number of submissions. Mastery levels come
from `courseware.mastery`, the one definition the student map uses too.
"""

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connections
from django.db.models import Count, Q, Sum

from courseware.mastery import Level, mastery_from_counts
from courseware.models import Exercise, Topic
from courseware.selectors import topic_graph
from grading.models import StudentExerciseProgress, StudentTopicProgress, Submission
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


def _member_ids(cohort: Cohort):
    """The cohort's students as a subquery: who is in the class now, whatever they did before or elsewhere."""
    return Cohort.students.through.objects.filter(cohort_id=cohort.pk).values("user_id")


def _cohort_submissions(cohort: Cohort):
    return Submission.objects.filter(user_id__in=_member_ids(cohort))


def _cohort_progress(cohort: Cohort, exercise_ids: list[int], user_ids: list[int] | None = None):
    rows = StudentExerciseProgress.objects.filter(exercise_id__in=exercise_ids)
    return rows.filter(user_id__in=user_ids if user_ids is not None else _member_ids(cohort))


@lru_cache(maxsize=4096)
def _level(exercises: int, attempted: int, solved: int, first_try: int) -> Level:
    return mastery_from_counts(exercises=exercises, attempted=attempted, solved=solved, first_try=first_try).level


@dataclass
class CohortMastery:
    """How many of the cohort's students are at each level, per topic."""

    course: Course
    size: int
    tally: dict[str, dict[Level, int]]

    def counts(self, slug: str) -> dict[Level, int]:
        return self.tally[slug]

    def shares(self, slug: str) -> dict[str, float]:
        total = self.size or 1
        return {level.slug: count / total for level, count in self.counts(slug).items()}


def cohort_mastery(cohort: Cohort) -> CohortMastery:
    """The share of the cohort at each level per topic: one grouped query over a row per (student, topic)."""
    graph = course()
    size = cohort.students.count()
    sizes = {t.pk: len(graph.exercises[t.slug]) for t in graph.topics}
    patterns = (
        StudentTopicProgress.objects.filter(user_id__in=_member_ids(cohort), topic_id__in=list(sizes))
        .values_list("topic_id", "attempted", "solved", "first_try")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tally = {t.slug: dict.fromkeys(LEVELS, 0) for t in graph.topics}
    slug_of = {t.pk: t.slug for t in graph.topics}
    for topic_id, attempted, solved, first_try, n in patterns:
        tally[slug_of[topic_id]][_level(sizes[topic_id], attempted, solved, first_try)] += n
    for counts in tally.values():
        counts[Level.NOT_STARTED] += size - sum(counts.values())
    return CohortMastery(graph, size, tally)


def student_levels(graph: Course, user_ids: list[int]) -> dict[int, list[Level]]:
    """Each of these students' levels, in the order of graph.topics (one row read per student and topic started)."""
    index = {t.pk: i for i, t in enumerate(graph.topics)}
    sizes = {t.pk: len(graph.exercises[t.slug]) for t in graph.topics}
    levels = {pk: [Level.NOT_STARTED] * len(index) for pk in user_ids}
    if not user_ids or not index:  # no students, or no topics yet (an empty IN cannot be written as SQL)
        return levels
    rows = StudentTopicProgress.objects.filter(user_id__in=user_ids, topic_id__in=list(index)).values_list(
        "user_id", "topic_id", "attempted", "solved", "first_try"
    )
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:  # plain tuples: a whole class is 100,000 rows
        cursor.execute(sql, params)
        for user_id, topic_id, attempted, solved, first_try in cursor.fetchall():
            levels[user_id][index[topic_id]] = _level(sizes[topic_id], attempted, solved, first_try)
    return levels


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
    answers: int = 0  # every answer with a verdict, unreadable ones included
    graded: int = 0  # attempts: answers that were read and graded
    invalid: int = 0
    students: int = 0  # with at least one graded answer
    first_try: int = 0  # students whose first graded answer was correct
    solved: int = 0
    attempts_to_correct: Counter = field(default_factory=Counter)  # graded answers to the first correct -> students

    @property
    def first_try_share(self) -> float | None:
        return self.first_try / self.students if self.students else None

    @property
    def median_attempts(self) -> float | None:
        return _median(self.attempts_to_correct)

    @property
    def invalid_rate(self) -> float | None:
        read = self.graded + self.invalid
        return self.invalid / read if read else None


def _median(histogram: Counter) -> float | None:
    """statistics.median of the values a {value: count} histogram stands for, without expanding it."""
    total = sum(histogram.values())
    if not total:
        return None
    middle, seen, values = (total - 1) // 2, 0, sorted(histogram)
    for i, value in enumerate(values):
        seen += histogram[value]
        if seen > middle:
            if total % 2 or seen > middle + 1:
                return value if total % 2 else float(value)
            return (value + values[i + 1]) / 2
    raise AssertionError("unreachable")


def exercise_stats(cohort: Cohort, exercises: list[Exercise]) -> list[ExerciseStats]:
    """Per exercise, summed over the cohort's progress rows in one grouped scan, whatever the history.

    Grouped by (exercise, attempts to the first correct answer): the sums add up per exercise, and the
    groups with a value are the histogram the median comes from.
    """
    groups = (
        _cohort_progress(cohort, [e.pk for e in exercises])
        .values_list("exercise_id", "attempts_to_correct")
        .annotate(
            answers=Sum("answers"),
            graded=Sum("attempts"),
            invalid=Sum("invalid"),
            students=Count("pk", filter=Q(attempts__gt=0)),
            first_try=Count("pk", filter=Q(first_try_correct=True)),
            solved=Count("pk", filter=Q(solved=True)),
        )
        .order_by()
    )
    stats = {e.pk: ExerciseStats(e) for e in exercises}
    for exercise_id, attempts_to_correct, answers, graded, invalid, students, first_try, solved in groups:
        found = stats[exercise_id]
        found.answers += answers or 0
        found.graded += graded or 0
        found.invalid += invalid or 0
        found.students += students
        found.first_try += first_try
        found.solved += solved
        if attempts_to_correct is not None:
            found.attempts_to_correct[attempts_to_correct] += solved
    return list(stats.values())


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


def _equivalent(kind: str, context: dict, a: str, b: str, budget_s: float) -> bool:
    from grading.core import SpecError, grade_spec

    try:
        verdict = grade_spec({"kind": kind, "reference": a, **context}, b, budget_s=budget_s)
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
    context = _answer_context(exercise)
    deadline = time.monotonic() + MERGE_BUDGET_S
    merged: list[AnswerGroup] = []
    for group in ranked:
        home = next(
            (
                m
                for m in merged
                if time.monotonic() < deadline and _equivalent(exercise.kind, context, m.answer, group.answer, 0.25)
            ),
            None,
        )
        if home is None:
            merged.append(group)
        else:
            home.absorb(group)
    return sorted(merged, key=lambda g: -g.count)[:top]


def _answer_context(exercise: Exercise) -> dict:
    """What an answer to this exercise may name, as a grading request spells it."""
    if exercise.kind == "matrix_expression":
        return {"shapes": exercise.spec.get("shapes"), "functions": exercise.spec.get("functions")}
    return {"variables": list(_variables(exercise))}


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
    stats = exercise_stats(cohort, [exercise])[0]
    wrong = (
        _cohort_submissions(cohort)
        .filter(exercise=exercise, status=Status.GRADED, verdict="incorrect")
        .order_by("pk")
        .values_list("user_id", "seed", "answer", "normalized", "latex", "feedback")
    )
    return ExerciseReport(stats, wrong_answer_groups(exercise, wrong))


# --- one student ---------------------------------------------------------------------------------


def student_history(cohort: Cohort, user, limit: int | None = None):
    history = Submission.objects.filter(user=user).select_related("exercise__topic").order_by("-pk")
    return history[:limit] if limit else history
