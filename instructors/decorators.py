"""Who may see a cohort's dashboards: its instructors (staff in the Instructors group) and superusers."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from instructors.accounts import is_instructor
from instructors.models import Cohort


def teaches(user, cohort: Cohort) -> bool:
    if user.is_superuser:
        return True
    return is_instructor(user) and cohort.instructors.filter(pk=user.pk).exists()


def instructor_required(view):
    """Anonymous visitors go to the login page; signed-in non-instructors get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_superuser or is_instructor(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def cohort_instructor_required(view):
    """As instructor_required, and the user teaches the cohort named by `slug`; the view gets the cohort."""

    @wraps(view)
    @instructor_required
    def wrapper(request, slug, *args, **kwargs):
        cohort = get_object_or_404(Cohort, slug=slug)
        if not teaches(request.user, cohort):
            raise PermissionDenied
        return view(request, cohort, *args, **kwargs)

    return wrapper
