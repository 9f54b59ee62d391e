"""The Instructors role (its group, its permissions, who holds it) and the demo accounts."""

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import Q

from instructors.models import Cohort

INSTRUCTORS = "Instructors"
DEMO_ACCOUNTS = (
    # username, password, instructor?
    ("student", "learn-math-2026", False),
    ("instructor", "teach-math-2026", True),
)
DEMO_COHORT = ("demo-class", "Demo class")
# What an instructor may do in the admin, and nothing else: author content, manage the cohorts they
# teach, read their own students' submissions and the re-grade audit trail. Creating cohorts and
# enrolling any account (instructors.add_cohort, instructors.enrol_any_student) are granted one by one;
# API tokens and user accounts stay with superusers.
ALL_ACTIONS = ("add", "change", "delete", "view")
INSTRUCTOR_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "courseware": {model: ALL_ACTIONS for model in ("topic", "topicprerequisite", "nexttopic", "exercise")},
    "instructors": {"cohort": ("change", "view")},
    "grading": {model: ("view",) for model in ("submission", "regraderun", "verdictchange")},
}


def instructor_permissions():
    query = Q(pk__in=[])
    for app_label, models in INSTRUCTOR_PERMISSIONS.items():
        for model, actions in models.items():
            query |= Q(
                content_type__app_label=app_label,
                content_type__model=model,
                codename__in=[f"{action}_{model}" for action in actions],
            )
    return Permission.objects.filter(query)


def is_instructor(user) -> bool:
    """Staff and in the Instructors group (superusers are checked separately where they are allowed)."""
    return bool(user.is_authenticated and user.is_staff and user.groups.filter(name=INSTRUCTORS).exists())


@transaction.atomic
def ensure_instructors_group() -> Group:
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS)
    group.permissions.set(instructor_permissions())
    return group


@transaction.atomic
def ensure_demo_accounts() -> list[tuple[str, str, bool]]:
    group = ensure_instructors_group()
    slug, name = DEMO_COHORT
    cohort, _ = Cohort.objects.get_or_create(slug=slug, defaults={"name": name})
    for username, password, instructor in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
        user.is_staff = instructor
        user.save()
        if instructor:
            user.groups.add(group)
            cohort.instructors.add(user)
        else:
            cohort.students.add(user)
    return list(DEMO_ACCOUNTS)
