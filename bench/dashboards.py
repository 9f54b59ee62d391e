"""Benchmark the dashboards: `python -m bench.dashboards [--students 2000 --topics 50 --submissions 1000000]`.

Builds a class in a throw-away database (a new SQLite file, or the empty PostgreSQL database
named by --database-url): students working through the graph in study order, most answers right
after a try or two, some unreadable, and once through, practising again until the given number
of submissions. Then rebuilds the progress table from the submissions (timed) and times each
instructor page and CSV and each of a student's own pages through Django's test client: the
median of --runs requests, after one warm-up request. The targets are 300 ms per instructor page
and 100 ms per student page; nothing here fails on time.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["0A", "0B", "1", "2", "3", "4", "5", "6", "7", "8"]


def setup_django(workdir: Path, database_url: str | None) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
            "VAR_DIR": str(workdir),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(*, students: int, topics: int, submissions: int, exercises_per_topic: int, seed: int):
    """The course, the cohort and its submissions, written in bulk."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from courseware.models import Exercise, Topic, TopicPrerequisite
    from grading.models import Submission
    from instructors.accounts import ensure_instructors_group
    from instructors.models import Cohort

    rng = random.Random(seed)
    with transaction.atomic():
        made = []
        for i in range(topics):
            layer = LAYERS[min(i * len(LAYERS) // topics, len(LAYERS) - 1)]
            made.append(
                Topic.objects.create(
                    slug=f"topic-{i:02d}", title=f"Topic {i:02d}", layer=layer, summary="A topic.", body="Text.\n"
                )
            )
        for i, topic in enumerate(made):
            lower = [t for t in made[:i] if t.layer_rank < topic.layer_rank]
            for position, prerequisite in enumerate(rng.sample(lower, min(len(lower), rng.randint(1, 2)))):
                TopicPrerequisite.objects.create(topic=topic, prerequisite=prerequisite, position=position)
        exercises = []
        for topic in made:
            for j in range(exercises_per_topic):
                spec = {"slug": f"e{j}", "kind": "numeric", "reference": {"expression": str(j + 2)}}
                topic.body += f"\n[[exercise:e{j}]]\n"
                exercises.append(
                    Exercise(
                        topic=topic,
                        slug=f"e{j}",
                        position=j,
                        title=f"Exercise {j}",
                        prompt="Compute.",
                        spec_yaml="",
                        spec=spec,
                        kind="numeric",
                    )  # fmt: skip
                )
        for topic in made:
            topic.save()
        exercises = Exercise.objects.bulk_create(exercises)
        instructor = User.objects.create_user("bench-instructor", password="bench-password-1", is_staff=True)
        instructor.groups.add(ensure_instructors_group())
        members = User.objects.bulk_create(User(username=f"student{n:04d}", password="!") for n in range(students))
        cohort = Cohort.objects.create(name="Benchmark class", slug="bench")
        cohort.instructors.add(instructor)
        cohort.students.add(*members)

    def answers_of(member, quota):
        """One student's answers: through the exercises in order until right, then practice at random."""
        done = 0
        while done < quota:
            for exercise in exercises if not done else rng.sample(exercises, len(exercises)):
                answer = int(exercise.spec["reference"]["expression"])
                while done < quota:
                    done += 1
                    roll = rng.random()
                    if roll < 0.06:
                        yield member, exercise, f"{answer} +", "invalid", "invalid", ""
                        continue
                    if roll < 0.62:
                        yield member, exercise, str(answer), "graded", "correct", str(answer)
                        break
                    wrong = rng.choice([answer + 1, answer - 1, 2 * answer, answer * answer + 1])
                    text = rng.choice([str(wrong), f"{wrong} + 0", f"({wrong})"])
                    yield member, exercise, text, "graded", "incorrect", str(wrong)

    def rows():
        for n, member in enumerate(members):
            for user, exercise, text, status, verdict, normalized in answers_of(
                member, submissions // students + (1 if n < submissions % students else 0)
            ):
                yield Submission(
                    user=user, exercise=exercise, seed=0, answer=text, status=status, verdict=verdict,
                    score=1.0 if verdict == "correct" else 0.0, normalized=normalized, latex=normalized,
                    feedback="" if verdict == "correct" else "Not quite.",
                )  # fmt: skip

    batch = []
    for submission in rows():  # in transactions of 20,000: the whole history at once is a lot of memory
        batch.append(submission)
        if len(batch) == 20_000:
            Submission.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Submission.objects.bulk_create(batch, batch_size=5000)
    return instructor, cohort, members, exercises


def _timed(client, pages, runs: int) -> list[tuple[str, float, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = []
    for name, url in pages:
        assert client.get(url).status_code == 200, url  # warm-up: imports, template loading
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, url
        results.append((name, statistics.median(times) * 1000, len(queries)))
    return results


def time_student_pages(members, runs: int) -> list[tuple[str, float, int]]:
    """A student in the middle of the class: their lesson (with its exercises), map and dashboard."""
    from django.test import Client
    from django.urls import reverse

    from grading.models import Submission

    student = members[len(members) // 2]
    last = Submission.objects.filter(user=student).select_related("exercise__topic").order_by("-pk").first()
    client = Client()
    client.force_login(student)
    return _timed(
        client,
        [
            ("lesson with exercises", reverse("courseware:topic", args=[last.exercise.topic.slug])),
            ("topic map", reverse("courseware:map")),
            ("dashboard", reverse("courseware:dashboard")),
            ("topic index", reverse("courseware:index")),
        ],
        runs,
    )


def time_pages(instructor, cohort, members, exercises, runs: int) -> list[tuple[str, float, int]]:
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from grading.models import Submission

    busiest = (
        Submission.objects.values("exercise_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("exercise_id", flat=True)
    )[0]
    client = Client()
    client.force_login(instructor)
    pages = [
        ("cohort map", reverse("instructors:cohort", args=[cohort.slug])),
        ("students x topics", reverse("instructors:cohort-table", args=[cohort.slug])),
        ("students x topics CSV", reverse("instructors:cohort-table-csv", args=[cohort.slug])),
        ("exercises", reverse("instructors:exercises", args=[cohort.slug])),
        ("exercises CSV", reverse("instructors:exercises-csv", args=[cohort.slug])),
        ("one exercise", reverse("instructors:exercise", args=[cohort.slug, busiest])),
        ("one student", reverse("instructors:student", args=[cohort.slug, members[0].pk])),
    ]
    return _timed(client, pages, runs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--topics", type=int, default=50)
    parser.add_argument("--exercises-per-topic", type=int, default=3)
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-dashboards-"))
    try:
        setup_django(workdir, args.database_url)
        started = time.perf_counter()
        instructor, cohort, members, exercises = build(
            students=args.students, topics=args.topics, submissions=args.submissions,
            exercises_per_topic=args.exercises_per_topic, seed=args.seed,
        )  # fmt: skip
        from django.db import connection

        from grading.models import StudentExerciseProgress, Submission
        from grading.progress_table import progress_rebuild

        print(
            f"data: {len(members)} students, {args.topics} topics, {len(exercises)} exercises, "
            f"{Submission.objects.count()} submissions on {connection.vendor} "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )
        started = time.perf_counter()
        progress_rebuild()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have after a bulk load
        print(
            f"progress table rebuilt from the submissions: {StudentExerciseProgress.objects.count()} rows "
            f"in {time.perf_counter() - started:.1f} s"
        )
        print(f"\n{'instructor page':<24}{'median ms':>10}{'queries':>9}")
        for name, ms, queries in time_pages(instructor, cohort, members, exercises, args.runs):
            print(f"{name:<24}{ms:>10.0f}{queries:>9}")
        print(f"\n{'student page':<24}{'median ms':>10}{'queries':>9}")
        for name, ms, queries in time_student_pages(members, args.runs):
            print(f"{name:<24}{ms:>10.0f}{queries:>9}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
