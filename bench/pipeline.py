"""Benchmark the grading pipeline end to end: `python -m bench.pipeline [--students 50 --database-url ...]`.

Starts its own Redis, web server (gunicorn) and Celery workers (interactive and batch) against a
throw-away database (a new SQLite file, or the empty PostgreSQL database named by --database-url),
then measures, side by side in one run:

1. students answering with thinking time: submit-to-verdict latency over HTTP (a POST that waits
   for its verdict, as the browser sends);
2. saturation: students with no thinking time, verdicts per second; then the same with two
   requests per answer (POST, then long poll);
   for both, where each verdict's time goes: HTTP until the row is stored, the queue (commit,
   broker, a free worker), claiming, grading and storing, and the way back to the student;
3. isolation: the same students alone, then while a large re-grade runs on the batch worker niced
   (the default), in turn, --isolation-rounds times (p95 varies from run to run: each round compares
   with its own students alone, and all rounds are pooled); once with the batch worker not niced
   (BATCH_WORKER_NICENESS=0); then beside niced loops, one per core, with no re-grade, first loops
   that only spin, then loops that copy large arrays: the floor that sharing the cores sets by itself;
4. a re-grade of the stored submissions through the batch queue: submissions per second.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import background

ROOT = Path(__file__).resolve().parent.parent
SPEC = {
    "slug": "bench-gradient",
    "kind": "vector",
    "parameters": {"a": {"integers": [1, 9]}},
    "reference": {"gradient": {"function": "x^2*y + a*x*y^2", "wrt": ["x", "y"], "at": {"x": 1, "y": 2}}},
}


FINAL = ("graded", "invalid", "error")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


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


@dataclass
class Timing:
    """One measured submission: wall-clock times (time.time()) on the client."""

    id: int
    sent: float
    accepted: float
    done: float


class Student(threading.Thread):
    def __init__(
        self, port: int, token: str, exercise: str, answers: list[str], start: threading.Event, think_s, one_request
    ):
        super().__init__(daemon=True)
        self.think_s, self.one_request = think_s, one_request
        self.port, self.exercise, self.answers, self.start_event = port, exercise, answers, start
        # As behind the TLS-terminating proxy of production (DEBUG=false redirects plain HTTP).
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
        }
        self.timings: list[Timing] = []
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
            sent = time.time()
            # As the browser does: a POST that waits for its verdict; or (--two-requests) POST, then long-poll.
            path = "/api/submissions?wait=10" if self.one_request else "/api/submissions"
            status, body = self.call(conn, "POST", path, {"exercise": self.exercise, "answer": answer})
            accepted = time.time()
            if status != 201:
                self.errors.append(f"POST {status} {body}")
                continue
            result = body
            while True:
                if result["status"] not in FINAL:
                    status, result = self.call(conn, "GET", f"/api/submissions/{body['id']}?wait=10")
                if result["status"] in FINAL:
                    if n:  # the first one warms up this student's variant and the processes: not measured
                        self.timings.append(Timing(body["id"], sent, accepted, time.time()))
                    break
                if time.time() - sent > 30:
                    self.errors.append(f"no verdict for {body['id']} in 30 s")
                    break


@dataclass
class LoadResult:
    latencies: list[float]  # ms
    wall: float
    errors: list[str]
    stages: dict[str, list[float]] = field(default_factory=dict)  # ms per stage
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per part of the pipeline over the run
    submitted: int = 0  # every answer sent, the unmeasured first ones included

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


def cpu_seconds() -> dict[str, float]:
    """CPU time (user + system) so far of each part of the pipeline this benchmark started, and of
    the PostgreSQL server (all of it: run this benchmark on an otherwise idle database server):
    the difference over a phase, per verdict, says where the machine's time goes."""
    import psutil
    from django.db import connection

    parts = dict.fromkeys(("web", "workers", "PostgreSQL", "Redis", "load generator"), 0.0)
    processes = psutil.Process().children(recursive=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            postmaster = psutil.Process(cursor.fetchone()[0]).parent()
        if postmaster is not None:  # every PostgreSQL process: backends come and go with pooled connections
            processes += [postmaster, *postmaster.children()]
    for process in processes:
        try:
            command, times = " ".join(process.cmdline()) or process.name(), process.cpu_times()
        except psutil.Error:  # ended meanwhile
            continue
        part = next((p for key, p in (("gunicorn", "web"), ("celery", "workers"), ("redis", "Redis"),
                                      ("postgres", "PostgreSQL")) if key in command), None)  # fmt: skip
        if part:  # with the children it has reaped: recycled pool processes, ended backends
            parts[part] += times.user + times.system + times.children_user + times.children_system
    own = psutil.Process().cpu_times()  # the simulated students' threads (and this script's own queries)
    parts["load generator"] = own.user + own.system
    return parts


STAGES = {
    "HTTP until stored": "the POST: authentication, rate limit, the row inserted",
    "queue": "commit, broker, waiting for a free worker child",
    "claim + grade + store": "the worker: claim, engine, verdict and progress written",
    "back to the student": "commit, announcement, the waiting request answering, the client",
}


def run_load(port, tokens, exercise, answer_sets, think_s, one_request=True) -> LoadResult:
    from grading.models import Submission

    start = threading.Event()
    students = [
        Student(port, token, exercise.key, answers, start, think_s, one_request)
        for token, answers in zip(tokens, answer_sets, strict=True)
    ]
    for student in students:
        student.start()
    cpu_before = cpu_seconds()
    began = time.perf_counter()
    start.set()
    for student in students:
        student.join()
    wall = time.perf_counter() - began
    cpu = {part: seconds - cpu_before[part] for part, seconds in cpu_seconds().items()}
    timings = [t for s in students for t in s.timings]
    rows = Submission.objects.in_bulk([t.id for t in timings])
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    for t in timings:
        s = rows[t.id]
        created, claimed, graded = (d.timestamp() for d in (s.created_at, s.claimed_at, s.graded_at))
        for name, seconds in zip(
            STAGES, (created - t.sent, claimed - created, graded - claimed, t.done - graded), strict=True
        ):
            stages[name].append(seconds * 1000)
    errors = [e for s in students for e in s.errors]
    submitted = sum(len(student.answers) for student in students)
    return LoadResult([(t.done - t.sent) * 1000 for t in timings], wall, errors, stages, cpu, submitted)


SLOWEST = 3  # verdicts whose stages `describe` prints
# The isolation floors: loops that only spin, then loops that stream memory through the caches.
FLOORS = (("3d", "busy loops", background.SPIN), ("3e", "loops copying 64 MB arrays", background.STREAM))


def describe(title: str, result: LoadResult, stages: bool = False) -> None:
    lat = result.latencies
    print(f"\n{title}")
    if not lat:
        print(f"  no verdicts measured; errors: {result.errors[:3]}")
        return
    print(
        f"  submit-to-verdict: median {statistics.median(lat):.0f} ms, p95 {percentile(lat, 95):.0f} ms, "
        f"p99 {percentile(lat, 99):.0f} ms, max {max(lat):.0f} ms; "
        f"{result.rate:.1f} verdicts/s ({len(lat)} in {result.wall:.1f} s)"
        + (f"; {len(result.errors)} errors, e.g. {result.errors[0]}" if result.errors else "")
    )
    if stages:
        answered, total = max(result.submitted, 1), sum(result.cpu.values())
        print(
            f"    CPU per verdict: {total / answered * 1000:.1f} ms in all ("
            + ", ".join(f"{part} {seconds / answered * 1000:.1f}" for part, seconds in result.cpu.items())
            + f"); {total / result.wall:.2f} of {os.cpu_count()} cores busy"
        )
        for name, values in result.stages.items():
            print(
                f"    {name:<24} median {statistics.median(values):6.1f} ms, p95 {percentile(values, 95):6.1f} ms"
                f"  ({STAGES[name]})"
            )
        # A rare stall hides below p99: say where the slowest verdicts spent their time.
        slowest = sorted(range(len(lat)), key=lat.__getitem__)[-SLOWEST:]
        for n in reversed(slowest):
            print(
                f"    a slowest verdict: {lat[n]:.0f} ms = "
                + " + ".join(f"{name} {values[n]:.0f}" for name, values in result.stages.items())
            )


def answers_for(engine, exercise, user, count: int) -> list[str]:
    a = engine.variant(exercise, engine.student_seed(user.pk, exercise)).params["a"]
    right, swapped = f"[{4 + 4 * a}, {1 + 4 * a}]", f"[{1 + 4 * a}, {4 + 4 * a}]"
    typical = [f"[4 + 4*{a}, 1 + 4*{a}]", right, swapped, "[1, 2]", "[x, "]
    return [random.choice(typical) for _ in range(count + 1)]


@dataclass
class History:
    distinct: int  # (variant, answer) pairs
    wrong: dict[float, list[int]]  # submissions stored with an older grader's wrong score, by that score


def store_history(exercise, users, size: int, distinct: int) -> History:
    """`size` graded submissions with `distinct` (variant, answer) pairs, about 3 % of them with old wrong verdicts."""
    from grading import engine
    from grading.models import Submission
    from grading.progress_table import progress_rebuild

    pairs = []
    per_user = max(1, distinct // len(users) - 4)  # beside the 4 answers of the pool
    for user in users:
        seed = engine.student_seed(user.pk, exercise)
        a = engine.variant(exercise, seed).params["a"]
        pool = [f"[{4 + 4 * a}, {1 + 4 * a}]", f"[4 + 4*{a}, 1 + 4*{a}]", f"[{1 + 4 * a}, {4 + 4 * a}]", "[x, "]
        pairs += [(user, seed, answer) for answer in pool + [f"[{k}, {a}*{k % 7 + 1}]" for k in range(per_user)]]
    pairs = pairs[:distinct]
    verdicts = {(seed, answer): engine.grade_answer(exercise, seed, answer) for _, seed, answer in pairs}
    rng = random.Random(7)
    batch: list = []
    wrong: list = []
    history = History(len(pairs), {0.0: [], 1.0: []})

    def write(batch):
        Submission.objects.bulk_create(batch, batch_size=5000)  # sets their primary keys
        for submission in wrong:
            history.wrong[submission.score].append(submission.pk)

    for i in range(size):
        user, seed, answer = pairs[i % len(pairs)] if i < len(pairs) else rng.choice(pairs)
        verdict = verdicts[seed, answer]
        score = verdict.score
        mistaken = verdict.status != "invalid" and rng.random() < 0.03
        if mistaken:
            score = 1.0 - verdict.score  # an older grader's mistakes
        batch.append(Submission(user=user, exercise=exercise, seed=seed, answer=answer,
                                status="invalid" if verdict.status == "invalid" else "graded",
                                verdict=verdict.status, score=score, feedback=verdict.feedback,
                                latex=verdict.latex or "", normalized=verdict.normalized or "",
                                grader_version="bench-old"))  # fmt: skip
        if mistaken:
            wrong.append(batch[-1])
        if len(batch) == 20_000:
            write(batch)
            batch, wrong = [], []
    write(batch)
    progress_rebuild(exercise_ids=[exercise.pk])
    settle()
    return history


def settle() -> None:
    """On PostgreSQL, do now the upkeep that autovacuum would otherwise do during the next phase (the
    visibility map of a million new rows, the dead rows of an update, statistics): it is the benchmark's
    own setting up, not the work of what the phase measures."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def age_history(exercise, history: History) -> None:
    """Put back the older grader's mistakes, so that every re-grade measured has the same work to do
    (a re-grade rewrites only the verdicts it changes)."""
    from grading.models import Submission

    for score, pks in history.wrong.items():
        for start in range(0, len(pks), 10_000):
            wrong = Submission.objects.filter(pk__in=pks[start : start + 10_000])
            wrong.update(score=score, grader_version="bench-old")
    settle()


class Regrading:
    """A re-grade of the exercise kept running while the block runs: planned up front (planning reads
    every submission, which is not the work measured), and planned twice, so that a re-grade that
    ends before the students do is followed at once by the next; the second confirms what the first
    corrected."""

    def __init__(self, exercise) -> None:
        from grading.regrade import regrade_create

        self.runs = [regrade_create(exercise=exercise) for _ in range(2)]
        self.stop = threading.Event()
        self.watcher = threading.Thread(target=self._follow, daemon=True)
        self.sent = 0

    def _send(self) -> None:
        from grading import dispatch

        for chunk_id in self.runs[self.sent][1]:
            dispatch.send(dispatch.REGRADE_CHUNK, (chunk_id,))
        self.sent += 1

    def _follow(self) -> None:
        from django.db import connection

        from grading.models import RegradeRun

        try:
            while not self.stop.wait(0.25):
                current = self.runs[self.sent - 1][0]
                finished = RegradeRun.objects.filter(pk=current.pk, finished_at__isnull=False).exists()
                if self.sent < len(self.runs) and finished:
                    self._send()
        finally:
            connection.close()  # this thread's own

    def __enter__(self) -> "Regrading":
        self._send()
        self.watcher.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.watcher.join()
        for run, _ in self.runs:
            run.refresh_from_db()

    def report(self) -> str:
        done = sum(run.processed for run, _ in self.runs)
        running = self.runs[self.sent - 1][0].finished_at is None
        return f"{done} submissions re-graded meanwhile, " + (
            "a re-grade still running at the end" if running else "ALL RE-GRADES ENDED BEFORE THE STUDENTS"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--think-s", type=float, default=1.0, help="mean pause before each submission")
    parser.add_argument("--saturation-students", type=int, default=20, help="students with no thinking time")
    parser.add_argument("--submissions", type=int, default=20, help="per student, one after the other")
    parser.add_argument("--regrade-size", type=int, default=1_000_000, help="stored submissions to re-grade")
    parser.add_argument("--course-students", type=int, default=2000, help="whose answers the stored submissions are")
    parser.add_argument("--regrade-distinct", type=int, default=20_000, help="distinct (variant, answer) pairs")
    parser.add_argument("--database-url", help="an empty database; default: a temporary SQLite file")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=16)
    parser.add_argument("--interactive-concurrency", type=int, default=4, help="as in the compose file")
    parser.add_argument("--batch-concurrency", type=int, default=2)
    parser.add_argument(
        "--isolation-rounds", type=int, default=3, help="students alone, then beside a niced re-grade, this many times"
    )
    parser.add_argument("--skip", action="append", default=[], choices=["think", "saturation", "isolation", "regrade"])
    args = parser.parse_args()

    # Stopped from outside: still stop the servers and workers it started (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
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
        # As in production: DEBUG keeps every query in memory and serves static files itself.
        "DEBUG": "false",
        "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app
    from courseware.models import Exercise, Topic
    from grading import engine
    from grading.models import ApiToken, Submission

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)  # DEBUG=false serves pages from the manifest
    topic = Topic.objects.create(slug="bench", title="Bench", layer="1", summary="s", body="b")
    exercise = Exercise.objects.create(
        topic=topic, slug=SPEC["slug"], title="Bench", prompt="p", spec_yaml="", spec=SPEC, kind=SPEC["kind"]
    )
    children: dict[str, subprocess.Popen] = {}
    web_port = free_port()
    celery = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork",
              "-l", os.environ.get("BENCH_CELERY_LOG", "WARNING"),
              "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    log = open(workdir / "services.log", "wb")  # noqa: SIM115

    def stop_batch() -> None:
        """Stop the batch worker and drop what is left of its re-grades, so the next phase starts clean."""
        if "batch" in children:
            worker = children.pop("batch")
            worker.terminate()
            worker.wait(60)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("batch")

    def start_batch(niceness: int) -> None:
        stop_batch()
        children["batch"] = subprocess.Popen(
            [*celery, "-Q", "batch", "-c", str(args.batch_concurrency), "-n", f"batch{niceness}@bench"],
            cwd=ROOT, env={**os.environ, "BATCH_WORKER_NICENESS": str(niceness)}, stdout=log, stderr=log,
        )  # fmt: skip
        wait_worker(app, f"batch{niceness}@bench")

    # As the compose file's web: on PostgreSQL, long polls reuse pooled connections instead of opening new ones.
    web_env = {"DB_POOL_MAX_SIZE": "20"} if connection.vendor == "postgresql" else {}
    try:
        children["web"] = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{web_port}", "-w",
             str(args.web_workers), "-k", "gthread", "--threads", str(args.web_threads), "--log-level", "warning"],
            cwd=ROOT, env={**os.environ, **web_env}, stdout=log, stderr=log,
        )  # fmt: skip
        children["interactive"] = subprocess.Popen(
            [*celery, "-Q", "interactive", "-c", str(args.interactive_concurrency), "-n", "interactive@bench"],
            cwd=ROOT, env={**os.environ}, stdout=log, stderr=log,
        )  # fmt: skip
        wait_http(web_port)
        wait_worker(app, "interactive@bench")
        print(
            f"pipeline on {connection.vendor}, {os.cpu_count()} CPUs: gunicorn {args.web_workers} workers x "
            f"{args.web_threads} threads, interactive worker -c {args.interactive_concurrency}, "
            f"batch worker -c {args.batch_concurrency}"
        )
        sample = engine.variant(exercise, 1).params["a"]
        answers = [f"[4 + 4*{sample}, 1 + 4*{sample}]", f"[{1 + 4 * sample}, {4 + 4 * sample}]", "[1, 2]", "[x, "]
        for answer in answers:
            engine.grade_answer(exercise, 1, answer)
        began, n = time.perf_counter(), 0
        while time.perf_counter() - began < 1.0:
            engine.grade_answer(exercise, 1, answers[n % len(answers)])
            n += 1
        engine_ms = (time.perf_counter() - began) / n * 1000
        print(f"the engine alone on these answers: {engine_ms:.2f} ms per answer ({1000 / engine_ms:.0f} answers/s)")

        User = get_user_model()
        users = User.objects.bulk_create(
            User(username=f"bench-student-{n}", password="!") for n in range(max(args.students, 1))
        )
        tokens = [ApiToken.issue(user)[1] for user in users]

        def load(count, think_s, one_request=True):
            chosen = users[:count]
            sets = [answers_for(engine, exercise, u, args.submissions) for u in chosen]
            return run_load(web_port, tokens[:count], exercise, sets, think_s, one_request)

        think = f"{args.students} students, {args.think_s:g} s mean thinking time"
        if "think" not in args.skip:
            describe(f"1. {think}:", load(args.students, args.think_s), stages=True)
        if "saturation" not in args.skip:
            saturated = load(args.saturation_students, 0.0)
            describe(f"2. saturation: {args.saturation_students} students, no thinking time:", saturated, stages=True)
            polled = load(args.saturation_students, 0.0, one_request=False)
            describe("2b. the same with two requests per answer (POST, then long poll):", polled, stages=True)

        if {"isolation", "regrade"} - set(args.skip):
            began = time.perf_counter()
            course = users + User.objects.bulk_create(
                User(username=f"bench-course-{n}", password="!") for n in range(len(users), args.course_students)
            )
            history = store_history(exercise, course, args.regrade_size, args.regrade_distinct)
            total = Submission.objects.filter(exercise=exercise, status__in=["graded", "invalid"]).count()
            print(
                f"\nstored {total} graded submissions of {len(course)} students (the first {args.students} answer "
                f"below), {history.distinct} distinct (variant, answer) pairs "
                f"({time.perf_counter() - began:.1f} s)"
            )
        if "isolation" not in args.skip:
            baselines, niced = [], []
            for round_ in range(1, args.isolation_rounds + 1):
                age_history(exercise, history)  # and vacuumed: the last round's re-grade left its writes
                baselines.append(load(args.students, args.think_s))
                describe(f"3a. {think}, no re-grade (round {round_}):", baselines[-1], stages=True)
                for niceness in (19, 0) if round_ == args.isolation_rounds else (19,):
                    if niceness == 0:  # after the niced re-grade of this round
                        age_history(exercise, history)
                    start_batch(niceness)
                    with Regrading(exercise) as regrading:
                        busy = load(args.students, args.think_s)
                    describe(
                        f"3{'b' if niceness else 'c'}. the same during a re-grade, batch worker "
                        f"{'niced (' + str(niceness) + ')' if niceness else 'not niced'} (round {round_}; "
                        f"{regrading.report()}):",
                        busy,
                        stages=True,
                    )
                    ratio = percentile(busy.latencies, 95) / percentile(baselines[-1].latencies, 95)
                    print(f"    p95 {ratio:.2f}x the p95 of this round's students alone")
                    stop_batch()
                    if niceness:
                        niced.append(busy)
            # The floor: what any work beside the students costs them on this machine, however low its
            # priority: loops that only spin, then loops that stream memory through the caches, as a
            # re-grade reading a million rows does.
            for step, kind, code in FLOORS:
                with background.loops(code) as count:
                    beside = load(args.students, args.think_s)
                describe(f"{step}. the same beside {count} niced (19) {kind} and no re-grade:", beside, stages=True)
                ratio = percentile(beside.latencies, 95) / percentile(baselines[-1].latencies, 95)
                print(f"    p95 {ratio:.2f}x the p95 without a re-grade: what sharing the cores costs by itself")
            alone = [ms for result in baselines for ms in result.latencies]
            during = [ms for result in niced for ms in result.latencies]
            print(
                f"\n3. all {len(niced)} rounds together: p95 {percentile(alone, 95):.0f} ms without a re-grade, "
                f"{percentile(during, 95):.0f} ms during a niced one: "
                f"{percentile(during, 95) / percentile(alone, 95):.2f}x"
            )
        if "regrade" not in args.skip:
            age_history(exercise, history)
            start_batch(19)
            print(f"\n4. re-grading {total} stored submissions on the batch queue (students idle):")
            began = time.perf_counter()
            call_command("regrade", "--exercise", exercise.key, "--stall-timeout", "300")
            elapsed = time.perf_counter() - began
            print(f"  {total} submissions in {elapsed:.1f} s: {total / elapsed:.0f} submissions/s")
        print(f"\nmeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    finally:
        for child in children.values():
            child.terminate()
        for child in children.values():
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
