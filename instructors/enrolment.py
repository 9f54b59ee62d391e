"""Who may be put in a cohort, by whom, and students joining one themselves with its code."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from instructors.accounts import INSTRUCTORS
from instructors.models import Cohort, new_join_code

User = get_user_model()
ENROL_ANY = "instructors.enrol_any_student"


class JoinRefused(Exception):
    """The code does not let this account join; the message says why."""


def _student_accounts() -> QuerySet:
    # Staff accounts are never enrolled as students: a cohort would otherwise expose their own work.
    return User.objects.filter(is_active=True, is_staff=False, is_superuser=False)


def enrollable_students(user, cohort: Cohort | None) -> QuerySet:
    """The accounts `user` may list as this cohort's students in the admin.

    Superusers and holders of `enrol_any_student` may add any student account; other instructors may
    keep or remove the students already there (students join themselves with the cohort's code).
    """
    if user.is_superuser or user.has_perm(ENROL_ANY):
        return _student_accounts()
    if cohort is None or cohort.pk is None:
        return User.objects.none()
    return _student_accounts().filter(cohorts=cohort)


def assignable_instructors(user, cohort: Cohort | None) -> QuerySet:
    """Superusers choose among all instructors; an instructor keeps or removes the cohort's own."""
    instructors = User.objects.filter(is_active=True, is_staff=True, groups__name=INSTRUCTORS)
    if user.is_superuser:
        return (instructors | User.objects.filter(is_superuser=True)).distinct()
    if cohort is None or cohort.pk is None:
        return User.objects.filter(pk=user.pk)
    return User.objects.filter(teaching_cohorts=cohort)


def cohort_by_join_code(code: str) -> Cohort | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 16 or "\x00" in code:  # never a code; NUL cannot reach PostgreSQL
        return None
    return Cohort.objects.filter(join_code=code).first()


def cohort_join(*, user, code: str) -> Cohort:
    """Enrol `user` as a student of the cohort whose open join code this is."""
    cohort = cohort_by_join_code(code)
    if cohort is None:
        raise JoinRefused("There is no class with this code. Check it with your instructor: codes change.")
    if not cohort.join_open:
        raise JoinRefused(f"{cohort.name} is not taking new students with this code right now.")
    if user.is_staff or user.is_superuser:
        raise JoinRefused("Staff accounts cannot join a class as a student.")
    cohort.students.add(user)
    return cohort


def cohort_rotate_join_code(cohort: Cohort) -> str:
    """A fresh code: links with the old one stop working at once."""
    for _ in range(5):
        cohort.join_code = new_join_code()
        try:
            with transaction.atomic():
                cohort.save(update_fields=["join_code"])
            return cohort.join_code
        except IntegrityError:  # the same code drawn twice (1 in 32^10): draw again
            continue
    raise RuntimeError("could not draw a unique join code")


def cohort_set_join_open(cohort: Cohort, is_open: bool) -> None:
    cohort.join_open = is_open
    cohort.save(update_fields=["join_open"])
