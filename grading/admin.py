from django.contrib import admin

from courseware.audience import visible_students
from grading.models import ApiToken, RegradeRun, Submission, VerdictChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the grading pipeline only: viewable, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "exercise", "status", "score", "grader_version", "created_at", "graded_at"]
    list_filter = ["status", "exercise", "grader_version"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "exercise__topic"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        """An instructor reads the submissions of the students they teach, and no one else's."""
        return super().get_queryset(request).filter(user__in=visible_students(request.user))


@admin.register(RegradeRun)
class RegradeRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "exercise", "dry_run", "total", "distinct", "processed", "changed", "up", "down", "failed",
                    "started_at", "finished_at"]  # fmt: skip
    list_filter = ["dry_run", "exercise"]


@admin.register(VerdictChange)
class VerdictChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "submission", "run", "applied", "old_score", "new_score", "grader_version", "changed_at"]
    list_filter = ["applied", "grader_version"]
    search_fields = ["submission__user__username"]
    list_select_related = ["submission", "run"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(submission__user__in=visible_students(request.user))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued by `manage.py create_api_token`, which shows the secret once
