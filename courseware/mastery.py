"""Mastery of a topic, derived from a student's graded answers, in one place (no Django).

Levels, from the share of a topic's exercises the student has solved (answered correctly at
least once); answers that could not be read (invalid) never count:

- not started: no graded answer on the topic yet;
- attempted:   at least one graded answer, under 70 % of the exercises solved;
- familiar:    at least 70 % solved;
- proficient:  every exercise solved;
- mastered:    every exercise solved, and at least 80 % of them on the first try.

No topic is ever locked: every topic can be read and answered. A topic is *ready* when each
of its prerequisites that has exercises is at least familiar, or when the student has solved
an exercise of the topic itself (a quick check: solving one shows the footing is there). A
topic that is not ready says which prerequisites are recommended first. The recommended next
topic is the first ready topic below proficient in study order, preferring one already
attempted.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

FAMILIAR_SHARE = 0.7
MASTERED_FIRST_TRY_SHARE = 0.8


class Level(IntEnum):
    NOT_STARTED = 0
    ATTEMPTED = 1
    FAMILIAR = 2
    PROFICIENT = 3
    MASTERED = 4

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-").lower()


@dataclass(frozen=True)
class TopicMastery:
    level: Level
    exercises: int
    solved: int
    first_try: int
    attempted: int  # exercises with at least one graded answer


def topic_mastery(exercise_keys: Iterable[str], verdicts: Mapping[str, Sequence[bool]]) -> TopicMastery:
    """`verdicts` maps an exercise key to the student's graded answers in order (True = correct)."""
    keys = list(exercise_keys)
    solved = sum(1 for k in keys if any(verdicts.get(k, ())))
    first_try = sum(1 for k in keys if verdicts.get(k) and verdicts[k][0])
    attempted = sum(1 for k in keys if verdicts.get(k))
    return mastery_from_counts(exercises=len(keys), attempted=attempted, solved=solved, first_try=first_try)


def mastery_from_counts(*, exercises: int, attempted: int, solved: int, first_try: int) -> TopicMastery:
    """The level from per-topic counts: exercises attempted, solved, and solved on the first try."""
    if not exercises or not attempted:
        level = Level.NOT_STARTED
    elif solved == exercises:
        level = Level.MASTERED if first_try >= MASTERED_FIRST_TRY_SHARE * exercises else Level.PROFICIENT
    elif solved >= FAMILIAR_SHARE * exercises:
        level = Level.FAMILIAR
    else:
        level = Level.ATTEMPTED
    return TopicMastery(level, exercises, solved, first_try, attempted)


def review_first(
    prerequisites: Mapping[str, Sequence[str]], mastery: Mapping[str, TopicMastery]
) -> dict[str, tuple[str, ...]]:
    """Topics that are not ready, each with its prerequisites (that have exercises) still below familiar."""
    result = {}
    for slug, needs in prerequisites.items():
        if slug in mastery and mastery[slug].solved:
            continue  # the quick check: an exercise of the topic itself solved
        gaps = tuple(p for p in needs if p in mastery and mastery[p].exercises and mastery[p].level < Level.FAMILIAR)
        if gaps:
            result[slug] = gaps
    return result


def recommended(order: Sequence[str], mastery: Mapping[str, TopicMastery], not_ready: Iterable[str]) -> str | None:
    """The topic to study next, or None when every ready topic is proficient."""
    waiting = set(not_ready)
    open_topics = [
        s for s in order if s not in waiting and mastery[s].exercises and mastery[s].level < Level.PROFICIENT
    ]
    started = [s for s in open_topics if mastery[s].level >= Level.ATTEMPTED]
    return next(iter(started or open_topics), None)
