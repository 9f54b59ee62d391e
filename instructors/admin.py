from django.contrib import admin, messages
from django.utils.html import format_html

from instructors import enrolment
from instructors.accounts import INSTRUCTORS
from instructors.models import Cohort


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "student_count", "joining", "dashboard", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["instructors", "students"]
    readonly_fields = ["join_code", "join_link"]
    fields = ["name", "slug", "instructors", "students", "join_open", "join_code", "join_link"]
    actions = ["rotate_join_codes", "close_joining", "open_joining"]

    def get_queryset(self, request):
        """Instructors see the cohorts they teach; superusers see every cohort."""
        cohorts = super().get_queryset(request)
        return cohorts if request.user.is_superuser else cohorts.filter(instructors=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """Whom this user may put in the cohort: a choice outside these querysets is refused by the form."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if "students" in form.base_fields:
            form.base_fields["students"].queryset = enrolment.enrollable_students(request.user, obj)
        if "instructors" in form.base_fields:
            form.base_fields["instructors"].queryset = enrolment.assignable_instructors(request.user, obj)
            form.base_fields["instructors"].help_text = f'Staff in the "{INSTRUCTORS}" group.'
        return form

    @admin.display(description="students")
    def student_count(self, cohort):
        return cohort.students.count()

    @admin.display(description="joining", boolean=True)
    def joining(self, cohort):
        return cohort.join_open

    @admin.display(description="dashboard")
    def dashboard(self, cohort):
        return format_html('<a href="{}">open</a>', cohort.get_absolute_url())

    @admin.display(description="join link")
    def join_link(self, cohort):
        if not cohort.pk:
            return "Given once the cohort is saved."
        return format_html(
            '<a href="{}">{}</a> (the full link, to share, is on the cohort\'s dashboard)',
            cohort.get_join_url(), cohort.get_join_url(),
        )  # fmt: skip

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not request.user.is_superuser:
            form.instance.instructors.add(request.user)  # whoever creates a class teaches it

    @admin.action(description="Give the selected cohorts new join codes (old links stop working)")
    def rotate_join_codes(self, request, queryset):
        for cohort in queryset:
            enrolment.cohort_rotate_join_code(cohort)
        self.message_user(request, f"New join codes for {queryset.count()} cohort(s).", messages.SUCCESS)

    @admin.action(description="Close joining for the selected cohorts")
    def close_joining(self, request, queryset):
        queryset.update(join_open=False)

    @admin.action(description="Open joining for the selected cohorts")
    def open_joining(self, request, queryset):
        queryset.update(join_open=True)
