"""Cohorts: a class of enrolled students and the instructors who teach it."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class Cohort(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teaching_cohorts", blank=True)
    students = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="cohorts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("instructors:cohort", args=[self.slug])
