"""A real Celery worker for the tests, whose grading can be held mid-grade on request.

An answer written "hold:<name>:<answer>" is graded as <answer> once the test calls `release(name)`
(or after a minute; it stays held while Redis is away), so a test can catch it mid-grade (to kill
the child, to deliver it twice, to restart the broker) however slow the machine is.
"slow:<seconds>:<answer>" waits that long instead. With TEST_DATABASE_DOWN_WHILE=<path>, every
database query fails as an unreachable database does (OperationalError) for as long as that file
exists. With TEST_GRADING_QUEUE=<queue>, the answers and re-grade chunks this worker sends again and
the sweeps its beat sends go to that queue instead of "interactive" or "batch", so no other worker
can take them. Run as
`python -m tests.grading_pipeline.worker <celery worker arguments>`.
"""

import os
import sys
import time

import redis


def release_key(name: str) -> str:
    return f"tests:release:{name}"


def release(redis_url: str, name: str) -> None:
    """Let answers held under `name` be graded."""
    redis.Redis.from_url(redis_url).set(release_key(name), 1, ex=600)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    gate = os.environ.get("TEST_DATABASE_DOWN_WHILE")
    if gate:
        _database_down_while(gate)
    queue = os.environ.get("TEST_GRADING_QUEUE")
    if queue:
        from config.celery import app

        own = {"queue": queue}
        app.conf.task_routes = {
            "grading.tasks.grade_submission": own,
            "grading.tasks.sweep_stuck_submissions": own,
            "grading.tasks.regrade_chunk": own,
            "grading.tasks.regrade_finish": own,
        }
    from grading import engine

    grade_answer = engine.grade_answer

    def slow_grade_answer(exercise, seed, answer):
        if answer.startswith("slow:"):
            _, seconds, answer = answer.split(":", 2)
            time.sleep(float(seconds))
        elif answer.startswith("hold:"):
            _, name, answer = answer.split(":", 2)
            client = redis.Redis.from_url(os.environ["REDIS_URL"])
            deadline = time.monotonic() + 60
            while not _released(client, name) and time.monotonic() < deadline:
                time.sleep(0.05)
        return grade_answer(exercise, seed, answer)

    engine.grade_answer = slow_grade_answer
    from celery.bin.celery import main as celery_main

    sys.argv = ["celery", "-A", "config", *sys.argv[1:]]
    celery_main()


def _released(client, name: str) -> bool:
    try:
        return bool(client.exists(release_key(name)))
    except redis.ConnectionError:  # Redis restarting (a test's broker outage): still held
        return False


def _database_down_while(gate: str) -> None:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.utils import OperationalError

    cursor = BaseDatabaseWrapper._cursor

    def gated_cursor(self, *args, **kwargs):
        if os.path.exists(gate):
            raise OperationalError("could not connect to server: Connection refused (the test's outage)")
        return cursor(self, *args, **kwargs)

    BaseDatabaseWrapper._cursor = gated_cursor


if __name__ == "__main__":
    main()
