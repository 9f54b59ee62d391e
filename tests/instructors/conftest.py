"""A small course (two topics, three exercises), a cohort, and one user of each role."""

import pytest

from tests.builders import DERIVATIVE_SPEC, GRADIENT_SPEC, NUMBER_SPEC


def make_exercise(topic, spec_yaml: str, position: int = 0):
    import yaml

    from courseware.models import Exercise

    spec = yaml.safe_load(spec_yaml)
    topic.body = topic.body.rstrip("\n") + f"\n\n[[exercise:{spec['slug']}]]\n"
    topic.save()
    return Exercise.objects.create(
        topic=topic, slug=spec["slug"], position=position, title=spec["slug"].title(), prompt="Compute it.",
        spec_yaml=spec_yaml, spec=spec, kind=spec["kind"],
    )  # fmt: skip


@pytest.fixture
def course(db):
    from courseware.models import Topic, TopicPrerequisite

    basics = Topic.objects.create(slug="basics", title="Basics", layer="0A", summary="The basics.", body="Intro.\n")
    calculus = Topic.objects.create(
        slug="calculus", title="Calculus", layer="1", summary="Derivatives.", body="Let $f(x) = x^2$.\n"
    )
    TopicPrerequisite.objects.create(topic=calculus, prerequisite=basics)
    return {
        "basics": basics,
        "calculus": calculus,
        "number": make_exercise(basics, NUMBER_SPEC),
        "derivative": make_exercise(calculus, DERIVATIVE_SPEC, 0),
        "gradient": make_exercise(calculus, GRADIENT_SPEC, 1),
    }


@pytest.fixture
def users(db, django_user_model):
    from instructors.accounts import ensure_instructors_group

    group = ensure_instructors_group()
    make = django_user_model.objects.create_user
    people = {
        "instructor": make("teacher", password="pw-teacher-1", is_staff=True),
        "other_instructor": make("other", password="pw-other-1", is_staff=True),
        "staff": make("staffer", password="pw-staff-1", is_staff=True),  # staff, not an instructor
        "student": make("ada", password="pw-student-1"),
        "classmate": make("bob", password="pw-student-2"),
        "outsider": make("eve", password="pw-student-3"),
        "superuser": django_user_model.objects.create_superuser("root", password="pw-root-1"),
    }
    people["instructor"].groups.add(group)
    people["other_instructor"].groups.add(group)
    return people


@pytest.fixture
def cohort(users):
    from instructors.models import Cohort

    cohort = Cohort.objects.create(name="Spring class", slug="spring")
    cohort.instructors.add(users["instructor"])
    cohort.students.add(users["student"], users["classmate"])
    return cohort


@pytest.fixture
def instructor_client(client, users):
    client.force_login(users["instructor"])
    return client
