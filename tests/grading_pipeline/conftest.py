"""Exercises and students for the grading pipeline's tests (the Redis and worker fixtures are in tests/conftest.py)."""

import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXERCISE_SPEC = {
    "slug": "add-two",
    "kind": "numeric",
    "parameters": {"a": {"integers": [1, 5]}},
    "reference": {"expression": "a + 2"},
}


@pytest.fixture
def make_exercise():
    from courseware.models import Exercise, Topic

    def make(spec=None, slug=None):
        spec = dict(spec or EXERCISE_SPEC)
        topic, _ = Topic.objects.get_or_create(
            slug="pipeline", defaults={"title": "Pipeline", "layer": "1", "summary": "s", "body": "b"}
        )
        return Exercise.objects.create(
            topic=topic,
            slug=slug or spec["slug"],
            title=spec["slug"],
            prompt="Compute.",
            spec_yaml="",
            spec=spec,
            kind=spec["kind"],
        )

    return make


@pytest.fixture
def student(django_user_model):
    return django_user_model.objects.create_user("student-" + uuid.uuid4().hex[:6], password="pw-for-tests-1")
