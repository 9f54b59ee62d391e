"""Submissions, their verdicts, the re-grade runs and the audit trail of every changed verdict."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

from courseware.models import Exercise, Topic


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        GRADING = "grading"
        GRADED = "graded"
        INVALID = "invalid"
        ERROR = "error"

    FINAL = (Status.GRADED, Status.INVALID, Status.ERROR)
    # Statuses that use up one of the allowed attempts: invalid input and our own errors never do.
    COUNTS_AS_ATTEMPT = (Status.QUEUED, Status.GRADING, Status.GRADED)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="submissions")
    seed = models.PositiveIntegerField(help_text="The variant of the exercise this student was given.")
    answer = models.TextField(help_text="Exactly as typed.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    verdict = models.CharField(max_length=9, blank=True, help_text="correct, incorrect or invalid, from the grader.")
    score = models.FloatField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    latex = models.TextField(blank=True, help_text="How the answer was read.")
    normalized = models.TextField(blank=True)
    grader_version = models.CharField(max_length=32, blank=True)
    # Delivery bookkeeping: who holds the claim, since when, and how many deliveries claimed it.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True, help_text="host:pid of the worker process grading it.")
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "exercise"], name="submission_user_exercise"),
            models.Index(fields=["status", "enqueued_at"], name="submission_status_enqueued"),
            models.Index(fields=["exercise", "status"], name="submission_exercise_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.exercise_id} by {self.user_id} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    def verdict_dict(self) -> dict:
        return {
            "status": self.status,
            "verdict": self.verdict,
            "score": self.score,
            "feedback": self.feedback,
            "grader_version": self.grader_version,
        }


class RegradeRun(models.Model):
    """One re-grade of every stored submission of an exercise, with its running totals."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="regrade_runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    grader_version = models.CharField(max_length=32)
    total = models.PositiveIntegerField(default=0, help_text="Submissions to re-grade.")
    distinct = models.PositiveIntegerField(default=0, help_text="Distinct (variant, normalised answer) pairs graded.")
    processed = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(
        null=True, blank=True, help_text="Every chunk applied; the students' progress is corrected next."
    )
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="The last sign of life of the pass correcting the students' progress."
    )
    changed = models.PositiveIntegerField(default=0)
    up = models.PositiveIntegerField(default=0)
    down = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0, help_text="Kept as they were: the grader failed.")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"re-grade #{self.pk} of {self.exercise}{' (dry run)' if self.dry_run else ''}"


class RegradeChunk(models.Model):
    """A share of a re-grade: the groups one batch task grades and applies in one transaction.

    Stored, not only sent, so that a re-grade survives lost messages and restarted workers: a chunk
    is claimed like a submission (host:pid and a lease), its work and its share of the run's totals
    commit together with `done_at`, so a redelivered chunk counts once, and what no live process
    holds is sent again (see grading/regrade.py).
    """

    run = models.ForeignKey(RegradeRun, on_delete=models.CASCADE, related_name="chunks")
    groups = models.JSONField(help_text="[seed, answer, [submission ids]] still to re-grade; emptied once done.")
    submissions = models.PositiveIntegerField(help_text="Submissions in the groups still to re-grade.")
    sent_at = models.DateTimeField()
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True, help_text="host:pid of the worker process on it.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    deliveries = models.PositiveIntegerField(
        default=0, help_text="Claims taken; past SWEEP_MAX_ATTEMPTS it is given up."
    )
    done_at = models.DateTimeField(null=True, blank=True)
    stale_users = models.JSONField(default=list, help_text="Students whose progress its changed verdicts moved.")

    class Meta:
        indexes = [models.Index(fields=["done_at", "claimed_at"], name="grading_regradechunk_pending")]

    def __str__(self) -> str:
        return f"chunk #{self.pk} of {self.run}"


class VerdictChange(models.Model):
    """The audit trail: a verdict replaced by a re-grade (or, for a dry run, one that would be)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="verdict_changes")
    run = models.ForeignKey(RegradeRun, on_delete=models.CASCADE, related_name="changes", null=True, blank=True)
    applied = models.BooleanField(default=True, help_text="False for a dry run's findings.")
    old = models.JSONField()
    new = models.JSONField()
    old_score = models.FloatField(null=True, blank=True)
    new_score = models.FloatField(null=True, blank=True)
    grader_version = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"submission #{self.submission_id}: {self.old_score} -> {self.new_score}"

    @property
    def direction(self) -> str:
        old, new = self.old_score or 0.0, self.new_score or 0.0
        return "up" if new > old else "down" if new < old else "same score"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for scripts; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8, editable=False, help_text="The first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, name: str = "") -> tuple["ApiToken", str]:
        """A new token for `user`, and its secret (shown once, never stored)."""
        secret = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=secret[:8], digest=hash_token(secret))
        return token, secret


class StudentExerciseProgress(models.Model):
    """One student's standing on one exercise, derived from their final submissions (see grading/progress_table.py).

    Kept exact in the same transaction as every write that changes a verdict, so dashboards and
    mastery read one row per (student, exercise) instead of every submission.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_progress")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="student_progress")
    answers = models.PositiveIntegerField(default=0, help_text="Final submissions: graded, invalid or error.")
    attempts = models.PositiveIntegerField(default=0, help_text="Graded answers (unreadable ones never count).")
    invalid = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    first_try_correct = models.BooleanField(null=True, help_text="The first graded answer was correct; null if none.")
    solved = models.BooleanField(default=False, help_text="At least one graded answer was correct.")
    attempts_to_correct = models.PositiveIntegerField(null=True, help_text="Graded answers up to the first correct.")
    best_score = models.FloatField(null=True)
    last_submission_pk = models.BigIntegerField(null=True, help_text="The newest final submission.")
    last_status = models.CharField(max_length=8, blank=True)
    last_verdict = models.CharField(max_length=9, blank=True)
    last_score = models.FloatField(null=True)
    last_answered_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "exercise"], name="progress_one_row_per_student_exercise")
        ]
        indexes = [models.Index(fields=["exercise", "user"], name="progress_exercise_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.exercise_id}: {self.attempts} attempts, solved={self.solved}"


class StudentTopicProgress(models.Model):
    """One student's counts on one topic's live exercises, summed from StudentExerciseProgress.

    Exactly what mastery reads (courseware.mastery.mastery_from_counts), so the cohort pages read one
    row per (student, topic). Only topics with at least one graded answer have a row.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_progress")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="student_progress")
    attempted = models.PositiveIntegerField(default=0, help_text="Live exercises with a graded answer.")
    solved = models.PositiveIntegerField(default=0)
    first_try = models.PositiveIntegerField(default=0, help_text="Live exercises whose first graded answer was right.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="progress_one_row_per_student_topic")]
        indexes = [models.Index(fields=["topic", "user"], name="topic_progress_topic_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on topic {self.topic_id}: {self.solved}/{self.attempted} solved"
