"""Check an authored exercise spec with the grading engine (shared by import and the admin)."""

from grading.core import Exercise as EngineExercise
from grading.core import SpecError


def check_exercise(spec: dict) -> list[str]:
    """Problems with the spec: malformed, reference does not parse, SymPy and JAX disagree, ..."""
    try:
        exercise = EngineExercise.from_spec(spec)
    except SpecError as exc:
        return [str(getattr(exc, "message", exc))]
    return list(exercise.check())
