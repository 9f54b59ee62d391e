"""Cohorts: a class of enrolled students and the instructors who teach it."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(10))


class Cohort(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teaching_cohorts", blank=True)
    students = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="cohorts", blank=True)
    join_code = models.CharField(
        max_length=16, unique=True, default=new_join_code, editable=False,
        help_text="Students join with this code or its link; rotate it to stop old links working.",
    )  # fmt: skip
    join_open = models.BooleanField(default=True, help_text="Whether students may join with the code now.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [("enrol_any_student", "Can enrol any student account in a cohort they teach")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("instructors:cohort", args=[self.slug])

    def get_join_url(self) -> str:
        return reverse("join-cohort", args=[self.join_code])
