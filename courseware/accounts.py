"""Demo accounts and the Instructors group."""

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

INSTRUCTORS = "Instructors"
DEMO_ACCOUNTS = (
    # username, password, instructor?
    ("student", "learn-math-2026", False),
    ("instructor", "teach-math-2026", True),
)
# What an instructor may do in the admin: author content and read submissions, nothing else.
INSTRUCTOR_PERMISSIONS = {
    "courseware": ["topic", "topicprerequisite", "nexttopic", "exercise"],
}


@transaction.atomic
def ensure_instructors_group() -> Group:
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS)
    perms = Permission.objects.filter(
        content_type__app_label__in=INSTRUCTOR_PERMISSIONS,
        content_type__model__in=[m for models in INSTRUCTOR_PERMISSIONS.values() for m in models],
    )
    extra = Permission.objects.filter(content_type__app_label="grading", codename__startswith="view_")
    group.permissions.set([*perms, *extra])
    return group


@transaction.atomic
def ensure_demo_accounts() -> list[tuple[str, str, bool]]:
    group = ensure_instructors_group()
    for username, password, instructor in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
        user.is_staff = instructor
        user.save()
        if instructor:
            user.groups.add(group)
    return list(DEMO_ACCOUNTS)
