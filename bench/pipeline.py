"""Benchmark the grading pipeline end to end: `python -m bench.pipeline [--students 20]`.

Starts its own Redis, database, web server (gunicorn) and Celery workers (interactive and batch),
then (1) N simulated students submit concurrently over HTTP and long-poll (?wait=) for the verdict:
submit-to-verdict latency and throughput; (2) a re-grade of --regrade-size stored submissions
through the batch queue: submissions per second.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = {
    "slug": "bench-gradient",
    "kind": "vector",
    "parameters": {"a": {"integers": [1, 9]}},
    "reference": {"gradient": {"function": "x^2*y + a*x*y^2", "wrt": ["x", "y"], "at": {"x": 1, "y": 2}}},
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def wait_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the web server did not start")


def wait_worker(app, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(destination=[name], timeout=1):
            return
    raise RuntimeError(f"worker {name} did not start")


class Student(threading.Thread):
    def __init__(self, port: int, token: str, exercise: str, answers: list[str], start: threading.Event, think_s):
        super().__init__(daemon=True)
        self.think_s = think_s
        self.port, self.exercise, self.answers, self.start_event = port, exercise, answers, start
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def call(self, conn, method, path, body=None):
        conn.request(method, path, body=json.dumps(body) if body else None, headers=self.headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.start_event.wait()
        for n, answer in enumerate(self.answers):
            time.sleep(random.uniform(0.5, 1.5) * self.think_s)  # reading the question, typing
            started = time.perf_counter()
            status, body = self.call(conn, "POST", "/api/submissions", {"exercise": self.exercise, "answer": answer})
            if status != 201:
                self.errors.append(f"POST {status} {body}")
                continue
            while True:
                status, result = self.call(conn, "GET", f"/api/submissions/{body['id']}?wait=10")
                if result["status"] in ("graded", "invalid", "error"):
                    if n:  # the first one warms up this student's variant and the processes: not measured
                        self.latencies.append(time.perf_counter() - started)
                    break
                if time.perf_counter() - started > 30:
                    self.errors.append(f"no verdict for {body['id']} in 30 s")
                    break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=10, help="per student, one after the other")
    parser.add_argument("--regrade-size", type=int, default=10_000)
    parser.add_argument("--regrade-distinct", type=int, default=400, help="distinct (variant, answer) pairs")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--think-s", type=float, default=1.0, help="mean pause before each submission (0: flood)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    from tools.redis_server import free_port, start_redis

    redis_port = free_port()
    redis = start_redis(redis_port, workdir / "redis")
    env = {
        "VAR_DIR": str(workdir),
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        "SUBMISSION_RATE": "100000/m",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from config.celery import app
    from courseware.models import Exercise, Topic
    from grading import engine
    from grading.models import ApiToken, Submission

    call_command("migrate", verbosity=0)
    topic = Topic.objects.create(slug="bench", title="Bench", layer="1", summary="s", body="b")
    exercise = Exercise.objects.create(
        topic=topic, slug=SPEC["slug"], title="Bench", prompt="p", spec_yaml="", spec=SPEC, kind=SPEC["kind"]
    )

    children = []
    web_port = free_port()
    celery = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork",
              "-l", os.environ.get("BENCH_CELERY_LOG", "WARNING"),
              "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    log = open(workdir / "services.log", "wb")  # noqa: SIM115
    try:
        children.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{web_port}", "-w",
             str(args.web_workers), "-k", "gthread", "--threads", "16", "--log-level", "warning"],
            cwd=ROOT, env={**os.environ}, stdout=log, stderr=log,
        ))  # fmt: skip
        children.append(subprocess.Popen([*celery, "-Q", "interactive", "-c", "2", "-n", "interactive@bench"],
                                         cwd=ROOT, env={**os.environ}, stdout=log, stderr=log))  # fmt: skip
        children.append(subprocess.Popen([*celery, "-Q", "batch", "-c", "2", "-n", "batch@bench"],
                                         cwd=ROOT, env={**os.environ}, stdout=log, stderr=log))  # fmt: skip
        wait_http(web_port)
        wait_worker(app, "interactive@bench")
        wait_worker(app, "batch@bench")

        # 1. Students over HTTP.
        User = get_user_model()
        start = threading.Event()
        students = []
        for n in range(args.students):
            user = User.objects.create_user(f"bench-student-{n}", password=uuid.uuid4().hex)
            a = engine.variant(exercise, engine.student_seed(user.pk, exercise)).params["a"]
            right, swapped = f"[{4 + 4 * a}, {1 + 4 * a}]", f"[{1 + 4 * a}, {4 + 4 * a}]"
            typical = [f"[4 + 4*{a}, 1 + 4*{a}]", right, swapped, "[1, 2]", "[x, "]
            answers = [random.choice(typical) for _ in range(args.submissions + 1)]
            _, token = ApiToken.issue(user)
            students.append(Student(web_port, token, exercise.key, answers, start, args.think_s))
        for student in students:
            student.start()
        began = time.perf_counter()
        start.set()
        for student in students:
            student.join()
        wall = time.perf_counter() - began
        latencies = [t * 1000 for s in students for t in s.latencies]
        errors = [e for s in students for e in s.errors]
        print(f"\n{args.students} concurrent students x {args.submissions} submissions over HTTP, "
              f"{args.think_s:g} s mean think time "
              f"({args.web_workers} gunicorn workers, 2 interactive Celery children):")  # fmt: skip
        print(f"  submit-to-verdict latency: median {statistics.median(latencies):.0f} ms, "
              f"p95 {percentile(latencies, 95):.0f} ms, p99 {percentile(latencies, 99):.0f} ms, "
              f"max {max(latencies):.0f} ms")  # fmt: skip
        print(f"  throughput: {len(latencies) / wall:.1f} verdicts/s ({len(latencies)} in {wall:.1f} s)"
              + (f"; {len(errors)} errors, e.g. {errors[0]}" if errors else ""))  # fmt: skip

        # 2. A batch re-grade of stored submissions with realistic duplication.
        users = list(User.objects.filter(username__startswith="bench-student-"))
        pairs = []
        for user in users:
            seed = engine.student_seed(user.pk, exercise)
            a = engine.variant(exercise, seed).params["a"]
            pool = [f"[4 + 4*{a}, 1 + 4*{a}]", f"[{4 + 4 * a}, {1 + 4 * a}]", f"[{1 + 4 * a}, {4 + 4 * a}]",
                    f"[{2 + 4 * a}, {1 + 4 * a}]", "[x, "]  # fmt: skip
            pairs += [(user, seed, answer) for answer in pool] + [(user, seed, f"[{k}, {a}]") for k in range(100)]
        pairs = pairs[: args.regrade_distinct]
        verdicts = {(seed, answer): engine.grade_answer(exercise, seed, answer) for _, seed, answer in pairs}
        rows = []
        for i in range(args.regrade_size):
            user, seed, answer = pairs[i % len(pairs)] if i < len(pairs) else random.choice(pairs)
            verdict = verdicts[seed, answer]
            score = 1.0 - verdict.score if random.random() < 0.03 else verdict.score  # an older grader's mistakes
            rows.append(Submission(user=user, exercise=exercise, seed=seed, answer=answer,
                                   status="invalid" if verdict.status == "invalid" else "graded",
                                   verdict=verdict.status, score=score, feedback=verdict.feedback,
                                   grader_version="bench-old"))  # fmt: skip
        Submission.objects.bulk_create(rows, batch_size=2000)
        total = Submission.objects.filter(exercise=exercise).exclude(status__in=["queued", "grading"]).count()
        print(f"\nRe-grading {total} stored submissions ({len(pairs)}+ distinct answers) on the batch queue:")
        began = time.perf_counter()
        call_command("regrade", "--exercise", exercise.key)
        elapsed = time.perf_counter() - began
        print(f"  {total} submissions in {elapsed:.1f} s: {total / elapsed:.0f} submissions/s")
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        log.close()
        redis.terminate()
        redis.wait(10)
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
