"""The grading engine (`grading.core`) for the site's stored exercises.

Which variant each student gets, the engine's exercise for a stored spec (cached per process until
the spec changes), and grading or normalising an answer with the configured budget. The engine is
imported lazily, on first use: a Celery worker's parent imports the tasks before it forks its pool,
and the engine's numeric side (JAX) must start only in the children.
"""

import hashlib
import json
from functools import lru_cache

from django.conf import settings


def variant_seed(user_id: int, exercise_key: str) -> int:
    """Stable across processes and releases (never Python's salted hash())."""
    digest = hashlib.sha256(f"{user_id}:{exercise_key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def student_seed(user_id: int, exercise) -> int:
    """The seed of this student's variant of a courseware Exercise: shared by the exercises of one group."""
    return variant_seed(user_id, exercise.variant_key)


@lru_cache(maxsize=256)
def _engine_exercise(exercise_id: int, digest: str, spec_json: str):
    from grading.core import Exercise as EngineExercise

    return EngineExercise.from_spec(json.loads(spec_json))


def _cache_key(exercise) -> tuple[int, str, str]:
    spec_json = json.dumps(exercise.spec, sort_keys=True, separators=(",", ":"))
    return exercise.pk, hashlib.sha256(spec_json.encode()).hexdigest(), spec_json


def engine_exercise(exercise):
    """The engine's exercise for a courseware Exercise, cached until its spec changes. Raises SpecError."""
    return _engine_exercise(*_cache_key(exercise))


@lru_cache(maxsize=4096)
def _variant(exercise_id: int, digest: str, spec_json: str, seed: int):
    return _engine_exercise(exercise_id, digest, spec_json).variant(seed)


def variant(exercise, seed: int):
    return _variant(*_cache_key(exercise), seed)


def grader_version() -> str:
    from grading.core import GRADER_VERSION

    return GRADER_VERSION


def attempts_allowed(exercise) -> int | None:
    """The spec's attempt limit (None: unlimited); a broken spec is the worker's problem to report."""
    from grading.core import SpecError

    try:
        return engine_exercise(exercise).attempts
    except SpecError:
        return None


def grade_answer(exercise, seed: int, answer: str):
    """The engine's Verdict for `answer` to this student's variant."""
    from grading.core import grade

    return grade(variant(exercise, seed), answer, budget_s=settings.GRADING_BUDGET_S)


def normalize_answer(exercise, answer: str) -> str | None:
    from grading.core import normalize_answer

    return normalize_answer(engine_exercise(exercise), answer)
