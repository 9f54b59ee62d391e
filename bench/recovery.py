"""How long a student waits for a verdict after a failure: `python -m bench.recovery`.

With the production defaults (claim lease, sweeper interval and age), a Redis without persistence,
Celery beat and one interactive worker (two children), it measures three failures, each one
submission caught at the worst moment:

1. a pool child killed (SIGKILL) mid-grade;
2. the whole worker killed (SIGKILL, main process and children) mid-grade, then started again,
   as the compose file's restart policy does;
3. Redis restarted without persistence while the answer waits in the queue (its message is lost).

The worker is the test suite's (tests/grading_pipeline/worker.py), which grades an answer written
"slow:<s>:<answer>" after <s> seconds so that it can be caught mid-grade. Each figure is the time
from the failure to the verdict being stored, less that grading time. Loopback only; each scenario
has a deadline, and everything started is stopped at the end.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLOW_S = 2.0
SPEC = {"slug": "bench-recovery", "kind": "numeric", "reference": {"expression": "4"}}


def wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


class Services:
    def __init__(self, workdir: Path, env: dict):
        self.workdir, self.env = workdir, env
        self.log = open(workdir / "services.log", "ab")  # noqa: SIM115
        self.worker = None
        self.beat = self._start(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-s", str(workdir / "beat"), "-l", "WARNING"]
        )

    def _start(self, args):
        return subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log, start_new_session=True)

    def start_worker(self):
        name = f"interactive-{uuid.uuid4().hex[:6]}@%h"
        self.worker = self._start([sys.executable, "-m", "tests.grading_pipeline.worker", "worker", "-Q",
                                   "interactive", "-c", "2", "-n", name, "-l", "INFO"])  # fmt: skip
        log = self.workdir / "services.log"
        wait(lambda: log.read_bytes().count(b"ready.") > self.ready_seen, 60, "the worker")
        self.ready_seen = log.read_bytes().count(b"ready.")

    ready_seen = 0

    def children(self) -> list[int]:
        import psutil

        return [child.pid for child in psutil.Process(self.worker.pid).children(recursive=True)]

    def kill_worker(self):
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(10)

    def stop(self):
        for process in (self.worker, self.beat):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (self.worker, self.beat):
            if process is None:
                continue
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.log.close()


def main() -> None:
    from tools.redis_server import free_port, start_redis

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # so that everything started is stopped

    workdir = Path(tempfile.mkdtemp(prefix="bench-recovery-"))
    redis_port = free_port()
    redis = start_redis(redis_port, workdir / "redis")  # no persistence: a restart loses every message
    env = {
        **os.environ,
        "VAR_DIR": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    for name in ("CELERY_SOFT_TIME_LIMIT", "CELERY_TIME_LIMIT", "GRADING_CLAIM_LEASE_S", "SWEEP_INTERVAL_S",
                 "SWEEP_STUCK_AFTER_S", "SWEEP_MAX_ATTEMPTS"):  # fmt: skip
        env.pop(name, None)  # the production defaults
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from courseware.models import Exercise, Topic
    from grading import services
    from grading.models import Submission

    call_command("migrate", verbosity=0)
    topic = Topic.objects.create(slug="bench", title="Bench", layer="1", summary="s", body="b")
    exercise = Exercise.objects.create(topic=topic, slug=SPEC["slug"], title="t", prompt="p", spec=SPEC, kind="numeric")
    user = get_user_model().objects.create_user("bench-student")

    def submit(answer=f"slow:{SLOW_S}:4") -> int:
        return services.submission_create(user=user, exercise=exercise, answer=answer).pk

    def grading(pk):
        return Submission.objects.filter(pk=pk, status="grading").first()

    def final(pk):
        submission = Submission.objects.get(pk=pk)
        return submission if submission.is_final else None

    print(f"claim lease {settings.GRADING_CLAIM_LEASE_S} s, sweeper every {settings.SWEEP_INTERVAL_S} s for answers "
          f"stuck over {settings.SWEEP_STUCK_AFTER_S} s; each answer takes {SLOW_S:g} s to grade")  # fmt: skip
    services_ = Services(workdir, env)
    figures = {}
    try:
        services_.start_worker()
        # 1. A pool child killed mid-grade.
        print("1. killing a pool child mid-grade", flush=True)
        pk = submit()
        claimed = wait(lambda: grading(pk), 30, "the claim")
        os.kill(int(claimed.claimed_by.rsplit(":", 1)[1]), signal.SIGKILL)
        failed = time.time()
        done = wait(lambda: final(pk), 300, "the verdict after a child kill")
        figures["a pool child killed mid-grade"] = (done.graded_at.timestamp() - failed - SLOW_S, done.status)

        # 2. The whole worker killed mid-grade, then started again.
        print("2. killing the worker mid-grade, then starting it again", flush=True)
        pk = submit()
        wait(lambda: grading(pk), 30, "the claim")
        services_.kill_worker()
        failed = time.time()
        services_.start_worker()
        done = wait(lambda: final(pk), 600, "the verdict after a worker kill")
        figures["the worker killed mid-grade, then restarted"] = (
            done.graded_at.timestamp() - failed - SLOW_S,
            done.status,
        )

        # 3. Redis restarted without persistence while an answer waits in the queue.
        print("3. restarting Redis while an answer is queued", flush=True)
        busy = [submit(f"slow:{SLOW_S * 2}:4") for _ in range(2)]  # both children busy
        wait(lambda: all(grading(b) for b in busy), 30, "both children busy")
        pk = submit()
        redis.kill()
        redis.wait(10)
        failed = time.time()
        redis = start_redis(redis_port, workdir / "redis")
        done = wait(lambda: final(pk), 600, "the verdict after a Redis restart")
        figures["Redis restarted without persistence, the answer queued"] = (
            done.graded_at.timestamp() - failed - SLOW_S,
            done.status,
        )
    finally:
        services_.stop()
        redis.terminate()
        redis.wait(10)
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)
    print("\nfrom the failure to the verdict (less the grading time):")
    for label, (seconds, status) in figures.items():
        print(f"  {label}: {seconds:.1f} s ({status})")


if __name__ == "__main__":
    main()
