"""Check an authored exercise spec with the grading engine (shared by import and the admin)."""

from grading.core import Exercise as EngineExercise
from grading.core import SpecError
from grading.core.spec import SpecProblem


def check_exercise(spec: dict) -> list[SpecProblem]:
    """Problems with the spec: malformed, reference does not parse, SymPy and JAX disagree, ..."""
    try:
        exercise = EngineExercise.from_spec(spec)
    except SpecError as exc:
        return [exc.problem]
    return exercise.check()
