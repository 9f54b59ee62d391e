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


def check_groups(specs: list[tuple[str, dict]]) -> list[tuple[str, str]]:
    """(slug, problem) for exercises of one topic whose `group` declares other parameters than its first member.

    A group shares each student's parameter values between its exercises (Problem 1b reusing 1a's `a`),
    which holds only when every member draws from the same parameters.
    """
    first: dict[str, tuple[str, object]] = {}
    problems = []
    for slug, spec in specs:
        group = spec.get("group") if isinstance(spec, dict) else None
        if not isinstance(group, str):
            continue
        parameters = spec.get("parameters") or {}
        if group not in first:
            first[group] = (slug, parameters)
        elif parameters != first[group][1]:
            other, theirs = first[group]
            problems.append(
                (
                    slug,
                    f'group "{group}": its parameters ({_describe(parameters)}) differ from those of "{other}" '
                    f"({_describe(theirs)}); exercises of one group share each student's values, so write the "
                    "same parameters in each of them",
                )
            )
    return problems


def _describe(parameters: object) -> str:
    if not isinstance(parameters, dict) or not parameters:
        return "none"

    def rule(value: object) -> str:
        if isinstance(value, dict) and len(value) == 1:
            ((how, arg),) = value.items()
            return f"{how} {arg}"
        return str(value)

    return ", ".join(f"{name}: {rule(value)}" for name, value in sorted(parameters.items(), key=lambda kv: str(kv[0])))
