from django.contrib import admin, messages

from courseware.models import Exercise, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "layer", "last_reviewed"]
    search_fields = ["title", "slug"]


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "title", "kind", "retired"]
    list_filter = ["kind", "retired", "topic"]
    search_fields = ["slug", "title", "topic__slug"]
    readonly_fields = ["kind"]
    actions = ["regrade"]

    @admin.action(description="Re-grade selected exercises", permissions=["change"])
    def regrade(self, request, queryset):
        from grading.regrade import regrade_start

        for exercise in queryset.select_related("topic"):
            run = regrade_start(exercise=exercise, requested_by=request.user)
            self.message_user(
                request,
                f"Re-grading {run.total} submissions of {exercise.key} "
                f"({run.distinct} distinct answers) on the batch queue: re-grade run #{run.pk}.",
                messages.SUCCESS,
            )
