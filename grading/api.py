"""The JSON API for submissions (OpenAPI schema at /api/docs): session auth with CSRF, or bearer tokens."""

import logging
from datetime import datetime
from typing import Annotated

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from pydantic import AfterValidator, Field

from grading import credentials, engine, selectors, services
from grading.models import Submission

logger = logging.getLogger(__name__)
MAX_WAIT_S = 20


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        return credentials.user_by_token(token)


api = NinjaAPI(title="Courseware API", version="1", auth=[TokenAuth(), SessionAuth()], urls_namespace="api")


def _no_nul(text: str) -> str:
    # Refused before anything is stored or counted: PostgreSQL cannot store a NUL character in text.
    if "\x00" in text:
        raise ValueError("contains a NUL character (\\0), which is not allowed; remove it and try again")
    return text


Text = Annotated[str, AfterValidator(_no_nul)]


class SubmissionIn(Schema):
    exercise: Text = Field(description="The exercise's id, its key topic/slug, or its slug when unique.")
    answer: Text = Field(max_length=settings.SUBMISSION_MAX_LENGTH)


class SubmissionOut(Schema):
    id: int
    exercise: str
    answer: str
    status: str
    verdict: str = Field(
        description='The grader\'s verdict once graded: "correct", "incorrect" or "invalid" (unreadable, no attempt '
        'used); "" while queued or grading, and when grading failed (status "error").'
    )
    score: float | None
    feedback: str
    latex: str
    grader_version: str = Field(
        description="The grader that gave this verdict. A re-grade that confirms a verdict leaves it as it is."
    )
    created_at: datetime
    graded_at: datetime | None

    @staticmethod
    def resolve_exercise(obj: Submission) -> str:
        return obj.exercise.key

    @staticmethod
    def resolve_verdict(obj: Submission) -> str:
        return obj.verdict if obj.is_final and obj.status != Submission.Status.ERROR else ""

    @staticmethod
    def resolve_feedback(obj: Submission) -> str:
        return obj.feedback if obj.is_final else ""


class Error(Schema):
    detail: str


class PreviewIn(Schema):
    exercise: Text = Field(description="The exercise's id, its key topic/slug, or its slug when unique.")
    answer: Text = Field(max_length=settings.SUBMISSION_MAX_LENGTH)


class PreviewOut(Schema):
    ok: bool = Field(description="Whether the answer can be read; says nothing about whether it is right.")
    latex: str | None = Field(description="How the answer was read, as LaTeX.")
    error: str | None = Field(description="Why it cannot be read.")
    position: int | None = Field(description="The 0-based index of the character the error points at.")
    note: str | None = Field(
        None, description="A readable answer's warning, e.g. that its shape is not the expected one."
    )
    notes: list[str] = Field(default=[], description="How ambiguous notation was read, e.g. 1/2x as (1/2)·x.")
    text: str | None = Field(
        default=None, description="How the answer was read, in the input language (for a plain-language reading)."
    )


def _rate_limit(request: HttpRequest, group: str = "submissions", rate: str | None = None) -> None:
    """Per user, in the shared cache; fails open (logged) when the cache is down rather than refusing everyone."""
    try:
        usage = get_usage(
            request,
            group=group,
            key=lambda group, req: str(req.auth.pk),
            rate=rate or settings.SUBMISSION_RATE,
            increment=True,
        )
    except Exception:
        logger.warning("rate limit not checked: the cache is unreachable", exc_info=True)
        return
    if usage and usage["should_limit"]:
        raise RateLimited(max(1, usage["time_left"]))


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after


@api.exception_handler(RateLimited)
def rate_limited(request, exc: RateLimited):
    response = api.create_response(request, {"detail": "Too many requests; try again shortly."}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.post("/submissions", response={200: SubmissionOut, 201: SubmissionOut, 404: Error, 409: Error, 429: Error})
def create_submission(request, payload: SubmissionIn, wait: float = Query(0, ge=0, le=MAX_WAIT_S)):
    """Submit an answer; it is graded in the background. Poll the submission for its verdict, or ask for it here.

    With `wait`, the answer comes as soon as the verdict is stored, or after `wait` seconds with the status
    so far (then poll the submission): one request instead of two. The same answer sent again while it is
    still being graded is not a second attempt: the answer is 200 with the submission already under way.
    """
    exercise = selectors.exercise_by_ref(payload.exercise)
    if exercise is None:
        raise HttpError(404, "No such exercise.")
    _rate_limit(request)
    try:
        done = services.submission_submit(user=request.auth, exercise=exercise, answer=payload.answer)
    except services.SubmissionRefused as exc:
        raise HttpError(409, str(exc)) from None
    submission = done.submission
    if wait:  # committed and enqueued by now: wait for the worker as a long poll would
        submission = selectors.submission_wait_final(
            user=request.auth, submission_id=submission.pk, timeout=wait, exercise=exercise
        )
    return Status(201 if done.new else 200, submission or done.submission)


@api.get("/submissions/{int:submission_id}", response={200: SubmissionOut, 404: Error})
def get_submission(request, submission_id: int, wait: float = Query(0, ge=0, le=MAX_WAIT_S)):
    """One of your own submissions: its status and, once graded, score, feedback and LaTeX.

    With `wait`, the answer comes as soon as the verdict is stored, or after `wait` seconds (long polling).
    """
    submission = selectors.submission_wait_final(user=request.auth, submission_id=submission_id, timeout=wait)
    if submission is None:
        raise HttpError(404, "No such submission.")
    return submission


@api.get("/exercises/{path:exercise_ref}/submissions", response={200: list[SubmissionOut], 404: Error})
def list_submissions(request, exercise_ref: str):
    """Your own submissions to an exercise, newest first."""
    exercise = selectors.exercise_by_ref(exercise_ref)
    if exercise is None:
        raise HttpError(404, "No such exercise.")
    return selectors.submissions_of(user=request.auth).filter(exercise=exercise)[:200]


@api.post("/preview", response={200: PreviewOut, 404: Error, 429: Error})
def preview_answer(request, payload: PreviewIn):
    """How an answer would be read (its LaTeX), or why it cannot be: parses only, never grades, costs nothing."""
    exercise = selectors.exercise_by_ref(payload.exercise)
    if exercise is None:
        raise HttpError(404, "No such exercise.")
    _rate_limit(request, group="previews", rate=settings.PREVIEW_RATE)
    from grading.core import SpecError, preview_answer

    try:
        engine_exercise = engine.engine_exercise(exercise)
    except SpecError:
        raise HttpError(404, "This exercise cannot take answers right now.") from None
    from grading.core import normalize_answer

    result = preview_answer(engine_exercise, payload.answer)
    return {
        "ok": result.ok,
        "latex": result.latex,
        "error": result.error,
        "position": result.position,
        "note": result.note,
        "notes": list(result.notes),
        "text": normalize_answer(engine_exercise, payload.answer) if result.ok else None,
    }
