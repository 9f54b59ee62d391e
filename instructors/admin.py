from django.contrib import admin
from django.utils.html import format_html

from instructors.models import Cohort


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "student_count", "dashboard", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["instructors", "students"]

    def get_queryset(self, request):
        """Instructors see the cohorts they teach; superusers see every cohort."""
        cohorts = super().get_queryset(request)
        return cohorts if request.user.is_superuser else cohorts.filter(instructors=request.user)

    @admin.display(description="students")
    def student_count(self, cohort):
        return cohort.students.count()

    @admin.display(description="dashboard")
    def dashboard(self, cohort):
        return format_html('<a href="{}">open</a>', cohort.get_absolute_url())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not request.user.is_superuser:
            form.instance.instructors.add(request.user)  # whoever creates a class teaches it
