"""A real Celery worker process for tests, against the test database and a given Redis."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Short limits so that a killed child's claim lapses in seconds, not minutes.
WORKER_ENV = {
    "CELERY_SOFT_TIME_LIMIT": "3",
    "CELERY_TIME_LIMIT": "4",
    "GRADING_CLAIM_LEASE_S": "6",
    "SWEEP_INTERVAL_S": "1",
    "SWEEP_STUCK_AFTER_S": "3",
    "SWEEP_MAX_ATTEMPTS": "3",
}


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


def database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery worker` in a subprocess, against the test database and a given Redis."""

    def __init__(
        self, redis_url: str, logdir: Path, *, queues="interactive,batch", concurrency=2, beat=False, env=None
    ):
        self.name = f"tests-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        self.log = logdir / f"worker-{uuid.uuid4().hex[:6]}.log"
        env = {**os.environ, **WORKER_ENV, "REDIS_URL": redis_url, "DATABASE_URL": database_url(), **(env or {})}
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

    def scheduled(self) -> int:
        """Tasks this worker holds for a later time (a retry's countdown)."""
        from config.celery import app

        reply = app.control.inspect(destination=[self.name], timeout=2).scheduled() or {}
        return sum(len(tasks) for tasks in reply.values())

    def stop(self):
        """Kill the worker, its pool and its beat at once: the test is over, and a warm shutdown spends
        seconds joining the pool. The parent first, so that it starts no new child meanwhile."""
        import psutil

        if self.process.poll() is not None:
            return
        try:
            children = self.children()
        except psutil.NoSuchProcess:
            children = []
        self.process.kill()
        self.process.wait(15)
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        # Orphans now: gone once whatever adopted them reaps them; a zombie already holds nothing.
        wait_for(lambda: not any(_running(child) for child in children), 15, message="the worker's children to exit")


def _running(process) -> bool:
    import psutil

    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
