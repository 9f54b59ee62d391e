"""Whose work a staff user may read: every account for a superuser, else the students of the cohorts they teach."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def visible_students(user) -> QuerySet:
    """The accounts whose submissions, verdicts and progress `user` may read in the admin.

    Cohorts belong to the instructors app, which builds on this one: they are reached by the
    relation's name ("cohorts", "instructors"), not by importing that app.
    """
    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    if not (user.is_authenticated and user.is_staff):
        return users.none()
    return users.filter(pk__in=users.filter(cohorts__instructors=user).values("pk"))
