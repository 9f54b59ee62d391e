"""Topics, their prerequisite edges and their exercises, as imported from the documents."""

from django.db import models
from django.urls import reverse

from courseware import graph


class Topic(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    layer = models.CharField(max_length=8, help_text="0A, 0B, 1, 2, ...")
    layer_rank = models.PositiveIntegerField(default=0, editable=False, db_index=True)
    summary = models.TextField()
    body = models.TextField(help_text="Markdown with $math$ and ::: blocks; [[exercise:slug]] marks an exercise.")
    last_reviewed = models.DateField(null=True, blank=True)
    references_canonical = models.JSONField(default=list, blank=True)
    references_current = models.JSONField(default=list, blank=True)
    prerequisites = models.ManyToManyField(
        "self", through="TopicPrerequisite", symmetrical=False, related_name="dependents", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["layer_rank", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.layer_rank = graph.layer_rank(self.layer)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("courseware:topic", args=[self.slug])


class TopicPrerequisite(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="prerequisite_links")
    prerequisite = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="dependent_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["topic", "prerequisite"], name="unique_prerequisite")]

    def __str__(self) -> str:
        return f"{self.prerequisite} before {self.topic}"


class NextTopic(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="next_links")
    next_topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="previous_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["topic", "next_topic"], name="unique_next_topic")]

    def __str__(self) -> str:
        return f"{self.topic} then {self.next_topic}"


class Exercise(models.Model):
    KINDS = [
        ("numeric", "Number"),
        ("expression", "Expression"),
        ("vector", "Vector"),
        ("matrix", "Matrix"),
        ("matrix_expression", "Matrix expression"),
    ]

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="exercises")
    slug = models.SlugField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    prompt = models.TextField(help_text="Markdown; {{name}} shows a parameter's value.")
    spec_yaml = models.TextField(help_text="The exercise specification (YAML), see the content format.")
    spec = models.JSONField(default=dict, editable=False)
    kind = models.CharField(max_length=32, choices=KINDS, editable=False)
    solution = models.TextField(
        blank=True, help_text="Worked solution (Markdown), shown once solved or out of attempts."
    )
    retired = models.BooleanField(
        default=False, help_text="No longer in the topic's document; kept for its submissions."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic", "position"]
        constraints = [models.UniqueConstraint(fields=["topic", "slug"], name="unique_exercise_slug")]

    def __str__(self) -> str:
        return f"{self.topic.slug}/{self.slug}"

    @property
    def key(self) -> str:
        return f"{self.topic.slug}/{self.slug}"

    @property
    def variant_key(self) -> str:
        """What a student's variant is drawn from: the exercise, or the `group` of exercises sharing parameters."""
        group = self.spec.get("group") if isinstance(self.spec, dict) else None
        return f"{self.topic.slug}/group:{group}" if isinstance(group, str) and group else self.key
