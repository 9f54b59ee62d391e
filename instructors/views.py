"""Cohort dashboards: thin views over instructors.selectors; every table also as CSV."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from courseware import authoring
from courseware.login_security import account_locked, account_unlock
from courseware.mastery import Level
from courseware.models import Exercise
from grading.progress import map_data, student_progress
from instructors import selectors
from instructors.decorators import cohort_instructor_required, instructor_required
from instructors.exports import csv_response, share
from instructors.models import Cohort

SHORT = {
    Level.NOT_STARTED: "·",
    Level.ATTEMPTED: "A",
    Level.FAMILIAR: "F",
    Level.PROFICIENT: "P",
    Level.MASTERED: "M",
}
TABLE_PAGE = 100  # students per page of the students x topics table (the CSV has them all)
_CELL = {level: format_html('<td class="lv lv-{}">{}</td>', level.slug, SHORT[level]) for level in Level}


@instructor_required
def cohort_list(request):
    cohorts = Cohort.objects.all() if request.user.is_superuser else request.user.teaching_cohorts.all()
    return render(request, "instructors/cohort_list.html", {"cohorts": cohorts})


@cohort_instructor_required
def cohort(request, cohort):
    mastery = selectors.cohort_mastery(cohort)
    topics = [(t, mastery.counts(t.slug), len(mastery.course.exercises[t.slug])) for t in mastery.course.topics]
    context = {
        "cohort": cohort,
        "tab": "map",
        "mastery": mastery,
        "topics": topics,
        "levels": list(Level),
        "map_data": selectors.cohort_map_data(mastery, lambda t: t.get_absolute_url()),
        "chart_data": {
            "labels": [t.title for t in mastery.course.topics],
            "levels": [{"slug": lv.slug, "label": lv.label} for lv in Level],
            "shares": {t.slug: mastery.shares(t.slug) for t in mastery.course.topics},
            "order": [t.slug for t in mastery.course.topics],
        },
        "recent": selectors.recent_answers(cohort),
    }
    return render(request, "instructors/cohort.html", context)


@cohort_instructor_required
def cohort_topics_csv(request, cohort):
    mastery = selectors.cohort_mastery(cohort)
    rows = (
        [t.slug, t.title, t.layer, len(mastery.course.exercises[t.slug])]
        + [mastery.counts(t.slug)[lv] for lv in Level]
        + [share(mastery.shares(t.slug)[lv.slug]) for lv in Level]
        for t in mastery.course.topics
    )
    header = ["topic", "title", "layer", "exercises"] + [lv.slug for lv in Level] + [f"share {lv.slug}" for lv in Level]
    return csv_response(f"{cohort.slug}-topics.csv", header, rows)


@cohort_instructor_required
def cohort_table(request, cohort):
    graph = selectors.course()
    page = Paginator(cohort.students.order_by("username").only("pk", "username"), TABLE_PAGE).get_page(
        request.GET.get("page")
    )
    levels = selectors.student_levels(graph, [s.pk for s in page])
    rows = [(s, mark_safe("".join(_CELL[level] for level in levels[s.pk]))) for s in page]  # noqa: S308 (constant cells)
    legend = [(lv, SHORT[lv]) for lv in Level]
    return render(
        request,
        "instructors/cohort_table.html",
        {"cohort": cohort, "tab": "table", "topics": graph.topics, "rows": rows, "legend": legend, "page": page},
    )


@cohort_instructor_required
def cohort_table_csv(request, cohort):
    graph = selectors.course()
    members = selectors.students(cohort)
    levels = selectors.student_levels(graph, [s.pk for s in members])
    slugs = {level: level.slug for level in Level}
    rows = ([s.username, *(slugs[level] for level in levels[s.pk])] for s in members)
    return csv_response(f"{cohort.slug}-students-topics.csv", ["student"] + [t.slug for t in graph.topics], rows)


@cohort_instructor_required
def exercises(request, cohort):
    stats = selectors.exercise_stats(cohort, selectors.course().all_exercises())
    chart = {
        "labels": [s.exercise.key for s in stats],
        "first_try": [s.first_try_share for s in stats],
        "invalid": [s.invalid_rate for s in stats],
    }
    return render(
        request,
        "instructors/exercises.html",
        {"cohort": cohort, "tab": "exercises", "stats": stats, "chart_data": chart},
    )


def _stats_row(s: selectors.ExerciseStats) -> list:
    return [s.exercise.key, s.exercise.title, s.students, s.answers, s.graded, share(s.first_try_share),
            s.median_attempts if s.median_attempts is not None else "", share(s.invalid_rate), s.solved]  # fmt: skip


STATS_HEADER = ["exercise", "title", "students", "answers", "attempts", "first try correct",
                "median attempts to correct", "invalid input rate", "solved"]  # fmt: skip


@cohort_instructor_required
def exercises_csv(request, cohort):
    stats = selectors.exercise_stats(cohort, selectors.course().all_exercises())
    return csv_response(f"{cohort.slug}-exercises.csv", STATS_HEADER, (_stats_row(s) for s in stats))


@cohort_instructor_required
def exercise(request, cohort, pk):
    exercise = get_object_or_404(Exercise.objects.select_related("topic"), pk=pk)
    report = selectors.exercise_report(cohort, exercise)
    context = {
        "cohort": cohort,
        "exercise": exercise,
        "report": report,
        "can_edit": request.user.has_perm("courseware.change_exercise"),
        "authored": exercise.spec.get("wrong_answers", []),
    }
    return render(request, "instructors/exercise.html", context)


@cohort_instructor_required
def exercise_csv(request, cohort, pk):
    exercise = get_object_or_404(Exercise, pk=pk)
    report = selectors.exercise_report(cohort, exercise)
    rows = (
        [g.answer, g.count, len(g.students), len(g.variants), " | ".join(t for t, _ in g.texts.most_common()),
         g.common_feedback]
        for g in report.groups
    )  # fmt: skip
    header = ["answer", "count", "students", "variants", "written as", "feedback given"]
    return csv_response(f"{cohort.slug}-{exercise.topic.slug}-{exercise.slug}-wrong-answers.csv", header, rows)


@require_POST
@cohort_instructor_required
def attach_feedback(request, cohort, pk):
    """Add a group's answer to the exercise's wrong answers, with feedback; checked as in the admin."""
    if not request.user.has_perm("courseware.change_exercise"):
        raise PermissionDenied
    exercise = get_object_or_404(Exercise.objects.select_related("topic"), pk=pk)
    problems = authoring.exercise_attach_feedback(
        exercise=exercise, answer=request.POST.get("answer", ""), feedback=request.POST.get("feedback", "")
    )
    if problems:
        messages.error(request, "The feedback was not added: " + "; ".join(problems))
    elif request.POST.get("regrade"):
        from grading.regrade import regrade_start

        exercise.refresh_from_db()
        run = regrade_start(exercise=exercise, requested_by=request.user)
        url = reverse("admin:courseware_exercise_regrade_run", args=[exercise.pk, run.pk])
        messages.success(
            request, format_html('Feedback added; re-grading past answers: <a href="{}">progress</a>.', url)
        )
    else:
        messages.success(request, "Feedback added for new answers. Re-grade the exercise to apply it to past answers.")
    return redirect("instructors:exercise", cohort.slug, exercise.pk)


@cohort_instructor_required
def student(request, cohort, user_id):
    member = get_object_or_404(cohort.students, pk=user_id)
    progress = student_progress(member)
    context = {
        "cohort": cohort,
        "student": member,
        "progress": progress,
        "map_data": map_data(progress),
        "history": selectors.student_history(cohort, member, limit=200),
        "locked": account_locked(member.username),
    }
    return render(request, "instructors/student.html", context)


@require_POST
@cohort_instructor_required
def student_unlock(request, cohort, user_id):
    """Let a student who is locked out after too many wrong passwords log in again."""
    member = get_object_or_404(cohort.students, pk=user_id)
    account_unlock(member.username)
    messages.success(request, f"{member.username} can log in again.")
    return redirect("instructors:student", cohort.slug, member.pk)


@cohort_instructor_required
def student_csv(request, cohort, user_id):
    member = get_object_or_404(cohort.students, pk=user_id)
    rows = (
        [s.pk, s.created_at.isoformat(), s.exercise.key, s.seed, s.answer, s.status, s.verdict, s.score, s.feedback]
        for s in selectors.student_history(cohort, member).iterator()
    )
    header = ["submission", "created", "exercise", "variant seed", "answer", "status", "verdict", "score", "feedback"]
    return csv_response(f"{cohort.slug}-{member.username}-history.csv", header, rows)
