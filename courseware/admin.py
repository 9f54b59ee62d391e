"""Authoring in the admin: topics with a rendered preview and a checked graph, exercises checked like an import."""

import io
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from courseware import authoring
from courseware.admin_forms import ExerciseForm, NextTopicFormSet, PrerequisiteFormSet, TopicForm, TryAnswerForm
from courseware.audience import visible_students
from courseware.content import export_topics
from courseware.documents import SLOT
from courseware.models import Exercise, NextTopic, Topic, TopicPrerequisite
from courseware.rendering import fill_parameters, render_markdown


class PrerequisiteInline(admin.TabularInline):
    model = TopicPrerequisite
    fk_name = "topic"
    formset = PrerequisiteFormSet
    fields = ["prerequisite", "position"]
    extra = 1
    verbose_name = "prerequisite"
    verbose_name_plural = "prerequisites (studied before this topic)"


class NextTopicInline(admin.TabularInline):
    model = NextTopic
    fk_name = "topic"
    formset = NextTopicFormSet
    fields = ["next_topic", "position"]
    extra = 0
    verbose_name_plural = "next topics (suggested after this one)"


def preview_html(body: str, exercises: dict[str, Exercise]) -> str:
    """The body as the lesson page renders it; each exercise's slot shows its title and prompt."""
    lines = []
    for line in body.split("\n"):
        match = SLOT.match(line.strip())
        if match:
            exercise = exercises.get(match.group(1))
            title = exercise.title if exercise else f"{match.group(1)} (not written yet)"
            lines += ["", f"::: exercise {title}", exercise.prompt if exercise else "", ":::", ""]
        else:
            lines.append(line)
    return render_markdown("\n".join(lines))


def _admin_link(obj) -> str:
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj)


def _zip_documents(topics) -> bytes:
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for written in export_topics(Path(tmp), topics):
            archive.write(written, f"content/{written.name}")
    return buffer.getvalue()


def documents_response(topics) -> HttpResponse:
    """One topic as its .md document, several as a zip of content/<slug>.md (what import_content reads)."""
    topics = list(topics)
    if len(topics) == 1:
        with tempfile.TemporaryDirectory() as tmp:
            (written,) = export_topics(Path(tmp), topics)
            response = HttpResponse(written.read_bytes(), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{topics[0].slug}.md"'
        return response
    response = HttpResponse(_zip_documents(topics), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="content.zip"'
    return response


# The site's own name in the admin's header and title, not "Django administration".
admin.site.site_header = "Mathematics of ML · authoring"
admin.site.site_title = "Mathematics of ML authoring"
admin.site.index_title = "Topics, exercises and cohorts"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = TopicForm
    prepopulated_fields = {"slug": ["title"]}  # filled in from the title as it is typed, on a new topic
    list_display = ["title", "slug", "layer", "last_reviewed", "updated_at"]
    list_filter = ["layer"]
    search_fields = ["title", "slug"]
    readonly_fields = ["place_in_graph"]
    inlines = [PrerequisiteInline, NextTopicInline]
    actions = ["export_documents"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "layer", "summary", "last_reviewed"]}),
        ("References", {"fields": ["references_canonical", "references_current"], "classes": ["collapse"]}),
        ("Lesson", {"fields": ["body"]}),
        ("Place in the graph", {"fields": ["place_in_graph"]}),
    ]

    @admin.display(description="Neighbourhood")
    def place_in_graph(self, topic):
        if not topic.pk:
            return "Shown once the topic is saved."
        prerequisites = [link.prerequisite for link in topic.prerequisite_links.select_related("prerequisite")]
        dependents = sorted((link.topic for link in topic.dependent_links.select_related("topic")), key=str)
        next_topics = [link.next_topic for link in topic.next_links.select_related("next_topic")]
        exercises = list(topic.exercises.filter(retired=False).order_by("position"))
        rows = [
            ("Layer", [topic.layer]),
            ("Prerequisites", [_admin_link(t) for t in prerequisites] or ["none"]),
            ("Builds on this", [_admin_link(t) for t in dependents] or ["none"]),
            ("Next topics", [_admin_link(t) for t in next_topics] or ["none"]),
            ("Exercises", [_admin_link(e) for e in exercises] or ["none"]),
        ]
        pairs = ((label, format_html_join(", ", "{}", ((v,) for v in values))) for label, values in rows)
        items = format_html_join("", "<dt>{}</dt><dd>{}</dd>", pairs)
        return format_html('<dl class="graph-place">{}</dl>', items)

    @admin.action(description="Export selected topics as documents", permissions=["view"])
    def export_documents(self, request, queryset):
        return documents_response(queryset)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("preview/", wrap(self.preview_view), name="courseware_topic_preview"),
            path("export/", wrap(self.export_all_view), name="courseware_topic_export_all"),
            path("<path:object_id>/export/", wrap(self.export_view), name="courseware_topic_export"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        topic = self.get_object(request, object_id)
        extra = {"preview_html": preview_html(topic.body, {e.slug: e for e in topic.exercises.all()})} if topic else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def preview_view(self, request):
        """The rendered body for the live preview (POST: the text never lands in logs or history)."""
        if request.method != "POST":
            return JsonResponse({"error": "POST the body"}, status=405)
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        body = request.POST.get("body", "")[:200_000]
        topic = Topic.objects.filter(pk=request.POST.get("topic") or None).first()
        exercises = {e.slug: e for e in topic.exercises.all()} if topic else {}
        return JsonResponse({"html": preview_html(body, exercises)})

    def export_view(self, request, object_id):
        topic = self.get_object(request, object_id)
        if topic is None or not self.has_view_permission(request, topic):
            raise Http404
        return documents_response([topic])

    def export_all_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return documents_response(Topic.objects.all())


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    form = ExerciseForm
    prepopulated_fields = {"slug": ["title"]}
    list_display = ["__str__", "title", "kind", "retired"]
    list_filter = ["kind", "retired", "topic"]
    search_fields = ["slug", "title", "topic__slug"]
    list_select_related = ["topic"]
    fieldsets = [
        (None, {"fields": ["topic", "title", "slug", "position", "prompt", "retired"]}),
        ("Answer", {"fields": ["kind", "variables", "shapes", "functions", "reference_form", "expression", "function",
                               "wrt", "variable", "at", "direction", "layout", "closed_form"]}),
        ("Grading", {"fields": ["rtol", "atol", "partial_credit", "attempts", "parameters", "wrong_answers"]}),
        ("Worked solution", {"fields": ["solution"]}),
        ("Advanced: the specification as YAML", {"fields": ["spec_yaml"], "classes": ["collapse"]}),
    ]  # fmt: skip
    read_only_fields = ["topic", "title", "slug", "kind", "position", "prompt", "spec_yaml", "solution", "retired"]
    actions = ["regrade"]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return [(None, {"fields": self.read_only_fields})]
        return super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The structured fields are the form's own ("kind" among them is not the model's derived field).
        if kwargs.get("fields"):
            kwargs["fields"] = [name for name in kwargs["fields"] if name not in ExerciseForm.declared_fields]
        return super().get_form(request, obj, change, **kwargs)

    @admin.action(description="Re-grade selected exercises", permissions=["change"])
    def regrade(self, request, queryset):
        runs = [self._start_regrade(request, exercise) for exercise in queryset.select_related("topic")]
        if len(runs) == 1:
            return redirect("admin:courseware_exercise_regrade_run", runs[0].exercise_id, runs[0].pk)
        return None

    def _start_regrade(self, request, exercise, *, dry_run: bool = False):
        from grading.regrade import regrade_start

        run = regrade_start(exercise=exercise, requested_by=request.user, dry_run=dry_run)
        url = reverse("admin:courseware_exercise_regrade_run", args=[exercise.pk, run.pk])
        self.message_user(
            request,
            format_html(
                "Re-grading {} submissions of {} ({} distinct answers) on the batch queue{}: "
                '<a href="{}">re-grade run #{}</a>.',
                run.total,
                exercise.key,
                run.distinct,
                " (dry run)" if dry_run else "",
                url,
                run.pk,
            ),  # fmt: skip
            messages.SUCCESS,
        )
        return run

    def save_model(self, request, obj, form, change):
        old_slug, old_spec = Exercise.objects.filter(pk=obj.pk).values_list("slug", "spec").first() or (None, None)
        super().save_model(request, obj, form, change)
        authoring.place_exercise(obj, old_slug)
        if change and obj.spec != old_spec and (count := obj.submissions.count()):
            self.message_user(
                request,
                f"{count} stored answers were graded with the previous specification; "
                "re-grade the exercise to apply the change to them.",
                messages.WARNING,
            )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/try/", wrap(self.try_answer_view), name="courseware_exercise_try"),
            path("<path:object_id>/regrade/", wrap(self.regrade_view), name="courseware_exercise_regrade"),
            path(
                "<path:object_id>/regrade/<int:run_id>/",
                wrap(self.regrade_run_view),
                name="courseware_exercise_regrade_run",
            ),
            path(
                "<path:object_id>/regrade/<int:run_id>/status/",
                wrap(self.regrade_status_view),
                name="courseware_exercise_regrade_status",
            ),
            *super().get_urls(),
        ]

    def _exercise(self, request, object_id, permission="view") -> Exercise:
        exercise = self.get_object(request, object_id)
        if exercise is None:
            raise Http404
        allowed = self.has_change_permission if permission == "change" else self.has_view_permission
        if not allowed(request, exercise):
            raise PermissionDenied
        return exercise

    def try_answer_view(self, request, object_id):
        """An answer graded exactly as a student's would be, for a chosen variant."""
        from grading.core import SpecError, grade
        from grading.engine import engine_exercise, student_seed

        exercise = self._exercise(request, object_id)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "exercise": exercise,
                   "title": f"Try an answer: {exercise.key}"}  # fmt: skip
        try:
            engine = engine_exercise(exercise)
        except SpecError as exc:
            context["spec_error"] = str(getattr(exc, "message", exc))
            return TemplateResponse(request, "admin/courseware/exercise/try_answer.html", context)
        form = TryAnswerForm(
            request.GET or None, variant_count=engine.variant_count, students=visible_students(request.user)
        )
        variant = engine.variant_at(0)
        if form.is_valid():
            student = form.cleaned_data.get("student")
            if student:
                variant = engine.variant(student_seed(student.pk, exercise))
            else:
                variant = engine.variant_at(form.cleaned_data.get("variant") or 0)
            if form.cleaned_data["answer"]:
                context["verdict"] = grade(variant, form.cleaned_data["answer"], budget_s=settings.GRADING_BUDGET_S)
        context.update(
            form=form,
            variant=variant,
            variant_count=engine.variant_count,
            parameters=sorted(variant.context.items()),
            prompt_html=render_markdown(fill_parameters(exercise.prompt, variant.context)),
            wrong_answers=engine.wrong_answers,
            attempts=engine.attempts,
        )
        return TemplateResponse(request, "admin/courseware/exercise/try_answer.html", context)

    def regrade_view(self, request, object_id):
        if request.method != "POST":
            return redirect("admin:courseware_exercise_change", object_id)
        exercise = self._exercise(request, object_id, "change")
        run = self._start_regrade(request, exercise, dry_run=bool(request.POST.get("dry_run")))
        return redirect("admin:courseware_exercise_regrade_run", exercise.pk, run.pk)

    def regrade_run_view(self, request, object_id, run_id):
        from grading.selectors import regrade_report

        exercise = self._exercise(request, object_id)
        run = get_object_or_404(exercise.regrade_runs, pk=run_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "exercise": exercise,
            "run": run,
            "report": regrade_report(run=run, examples=10, students=visible_students(request.user))
            if run.finished_at
            else None,
            "title": f"Re-grade #{run.pk} of {exercise.key}",
        }
        return TemplateResponse(request, "admin/courseware/exercise/regrade_run.html", context)

    def regrade_status_view(self, request, object_id, run_id):
        exercise = self._exercise(request, object_id)
        run = get_object_or_404(exercise.regrade_runs, pk=run_id)
        fields = ("total", "distinct", "processed", "changed", "up", "down", "failed")
        return JsonResponse(
            {
                **{f: getattr(run, f) for f in fields},
                "applied": run.applied_at is not None,  # every chunk applied; students' progress is corrected next
                "finished": run.finished_at is not None,
            }
        )
