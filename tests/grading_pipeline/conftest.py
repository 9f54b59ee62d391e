"""A private Redis, a real Celery worker process and helpers for the grading pipeline's tests."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tools.redis_server import free_port, start_redis

ROOT = Path(__file__).resolve().parents[2]
# Short limits so that a killed child's claim lapses in seconds, not minutes.
WORKER_ENV = {
    "CELERY_SOFT_TIME_LIMIT": "3",
    "CELERY_TIME_LIMIT": "4",
    "GRADING_CLAIM_LEASE_S": "6",
    "SWEEP_INTERVAL_S": "1",
    "SWEEP_STUCK_AFTER_S": "3",
    "SWEEP_MAX_ATTEMPTS": "3",
}

EXERCISE_SPEC = {
    "slug": "add-two",
    "kind": "numeric",
    "parameters": {"a": {"integers": [1, 5]}},
    "reference": {"expression": "a + 2"},
}
CONSTANT_SPEC = {"slug": "four", "kind": "numeric", "reference": {"expression": "4"}}


def wait_for(predicate, timeout: float, interval: float = 0.05, message: str = "condition"):
    """Poll until `predicate()` is truthy; fail the test at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database of this run's own: other test runs in the same checkout must not share it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    run = uuid.uuid4().hex[:8]
    if db["ENGINE"].endswith("sqlite3"):
        test["NAME"] = str(
            Path(test.get("NAME") or settings.VAR_DIR / "test-db.sqlite3").with_suffix(f".{run}.sqlite3")
        )
    else:
        test["NAME"] = f"test_{db['NAME']}_{run}"


@pytest.fixture(scope="session")
def pipeline_redis(tmp_path_factory):
    """A Redis of our own, so no other worker on this machine can take our tasks."""
    from django.test.utils import override_settings

    from config.celery import app

    workdir = tmp_path_factory.mktemp("redis")
    port = free_port()
    process = start_redis(port, workdir)
    url = f"redis://127.0.0.1:{port}/0"
    app.conf.broker_url = url
    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "tests"}
    with override_settings(CELERY_BROKER_URL=url, REDIS_URL=url, CACHES={"default": cache}):
        yield url
    app.pool.force_close_all()
    process.terminate()
    process.wait(10)


@pytest.fixture(autouse=True)
def _own_cache_namespace(pipeline_redis, settings):
    """Rate-limit counts start from zero in every test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": pipeline_redis,
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }


def database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery worker` in a subprocess, against the test database and a given Redis."""

    def __init__(self, redis_url: str, logdir: Path, *, queues="interactive,batch", concurrency=2, beat=False):
        self.name = f"tests-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        self.log = logdir / f"worker-{uuid.uuid4().hex[:6]}.log"
        env = {**os.environ, **WORKER_ENV, "REDIS_URL": redis_url, "DATABASE_URL": database_url()}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        args = ["worker", "-Q", queues, "-c", str(concurrency), "-P", "prefork", "-n", self.name, "-l", "INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        if beat:
            args += ["-B", "-s", str(logdir / f"beat-{uuid.uuid4().hex[:6]}")]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.grading_pipeline.worker", *args],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        wait_for(lambda: b"ready." in self.log.read_bytes() or self.process.poll() is not None, 60, 0.1, "the worker")
        if self.process.poll() is not None:
            raise RuntimeError(f"the worker exited:\n{self.log.read_text()[-3000:]}")

    def children(self):
        import psutil

        return psutil.Process(self.process.pid).children(recursive=True)

    def idle(self) -> bool:
        """Nothing running, reserved or waiting for its retry time in this worker."""
        from config.celery import app

        inspect = app.control.inspect(destination=[self.name], timeout=2, limit=1)
        replies = [inspect.active(), inspect.reserved(), inspect.scheduled()]
        return all(reply and not any(reply.values()) for reply in replies)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture(scope="session")
def worker(django_db_setup, pipeline_redis, tmp_path_factory):
    """One real worker for the session, on both queues, with two prefork children."""
    process = Worker(pipeline_redis, tmp_path_factory.mktemp("worker"))
    yield process
    process.stop()


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


def correct_answer(exercise, user) -> str:
    """The right answer to this student's variant of EXERCISE_SPEC (a + 2)."""
    from grading import variants

    return str(variants.variant(exercise, variants.variant_seed(user.pk, exercise.key)).params["a"] + 2)
