"""The engine's answers to the outside world: verdicts, previews and their fixed messages."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

# Bump whenever a given answer could be graded differently (stored verdicts record it).
GRADER_VERSION = "2026.11.2"

Status = Literal["correct", "incorrect", "invalid"]

TOO_COMPLEX = (
    "This answer is too complex to check in the time allowed. Try simplifying it; it did not cost you an attempt."
)


@dataclass(frozen=True)
class Verdict:
    """How one answer was graded. `invalid` never costs an attempt and always scores 0."""

    status: Status
    score: float
    feedback: str
    latex: str | None = None
    normalized: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def invalid(cls, message: str, latex: str | None = None) -> Verdict:
        return cls("invalid", 0.0, message, latex, None)


@dataclass(frozen=True)
class Preview:
    """What the student's text was read as, before any grading."""

    ok: bool
    latex: str | None
    error: str | None
    position: int | None = None
    note: str | None = None  # something to know before submitting a readable answer (e.g. its shape is off)
    notes: tuple[str, ...] = ()  # how ambiguous notation was read (the ambiguity policy, see parsing)
