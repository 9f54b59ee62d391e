from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from courseware.rendering import render_inline, render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 (sanitised by nh3 in render_markdown)


@register.filter
def markdown_inline(text: str) -> str:
    return mark_safe(render_inline(text))  # noqa: S308 (sanitised by nh3)


@register.filter
def ago(moment) -> str:
    """ "just now" for the last minute, where Django would say "0 minutes ago"."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


@register.filter
def verdict_label(submission) -> str:
    """A submission's state in words (never colour alone): correct, partly right (67 %), incorrect, ..."""
    if submission.status == "graded":
        if submission.verdict == "correct":
            return "correct"
        if submission.score and submission.score > 0:
            return f"partly right ({round(submission.score * 100)} %)"
        return "incorrect"
    return {"invalid": "not read", "error": "not graded"}.get(submission.status, "grading…")


@register.filter
def verdict_kind(submission) -> str:
    """The CSS class of a submission's badge: verdict-correct, verdict-partial, verdict-incorrect, status-…"""
    if submission.status != "graded":
        return f"status-{submission.status}"
    if submission.verdict != "correct" and submission.score and submission.score > 0:
        return "verdict-partial"
    return f"verdict-{submission.verdict}"
