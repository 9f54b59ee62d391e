"""Mastery of a topic, derived from a student's graded answers, in one place (no Django).

Levels, from the share of a topic's exercises the student has solved (answered correctly at
least once); answers that could not be read (invalid) never count:

- not started: no graded answer on the topic yet;
- attempted:   at least one graded answer, under 70 % of the exercises solved;
- familiar:    at least 70 % solved;
- proficient:  every exercise solved;
- mastered:    every exercise solved, and at least 80 % of them on the first try.

A topic is locked while any prerequisite that has exercises is below familiar. The
recommended next topic is the first unlocked topic below proficient in study order,
preferring one already attempted.
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


def locked(prerequisites: Mapping[str, Sequence[str]], mastery: Mapping[str, TopicMastery]) -> set[str]:
    """Topics with a prerequisite (that has exercises) below familiar."""
    return {
        slug
        for slug, needs in prerequisites.items()
        if any(mastery[p].exercises and mastery[p].level < Level.FAMILIAR for p in needs if p in mastery)
    }


def recommended(order: Sequence[str], mastery: Mapping[str, TopicMastery], locked_topics: set[str]) -> str | None:
    """The topic to study next, or None when everything open is proficient."""
    open_topics = [
        s for s in order if s not in locked_topics and mastery[s].exercises and mastery[s].level < Level.PROFICIENT
    ]
    started = [s for s in open_topics if mastery[s].level >= Level.ATTEMPTED]
    return next(iter(started or open_topics), None)
