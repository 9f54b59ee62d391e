"""The errors that reject an answer; each carries the message the student reads."""

from __future__ import annotations


class AnswerError(Exception):
    """An answer the student has to fix; ``message`` is the text shown to them."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ParseError(AnswerError):
    """A syntax error; ``position`` is a 0-based index into the original answer, or None."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


class LimitError(AnswerError):
    """The answer exceeds a hard limit (length, nesting, size of a number, ...)."""


class UnknownNameError(AnswerError):
    """A name that is neither an allowed variable nor a known function or constant."""

    def __init__(self, message: str, name: str, position: int | None = None):
        super().__init__(message)
        self.name = name
        self.position = position


class ShapeError(AnswerError):
    """Vectors or matrices combined in a way their shapes do not allow."""
