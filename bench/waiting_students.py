"""Many students waiting for a verdict must not freeze the site: `python -m bench.waiting_students`.

Starts its own Redis and database, and one web server run as the web container runs it
(gunicorn -c config/gunicorn.py: WEB_WORKERS x WEB_THREADS threads). N students each have an
answer queued and long-poll it (?wait=20, again until it is final) while no worker runs; meanwhile
/healthz and a lesson page are timed. Then a Celery worker starts and grades them all: the verdict
latency is the time from the verdict being stored to the student receiving it.

Give --database-url a PostgreSQL server, as in production: SQLite (the default, for a quick try)
serialises writers and cannot take hundreds of students at once.

With --compare-sync K it runs the same with K students against the previous production command
(gunicorn, 3 sync workers), side by side. Loopback only; every phase has a deadline, and the run
stops by itself (at most --max-s seconds) and stops everything it started.
"""

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = {"slug": "bench-wait", "kind": "numeric", "reference": {"expression": "4"}}
HOST = "127.0.0.1"


CREATE_DATABASE = """
import sys
import psycopg
url, action = sys.argv[1], sys.argv[2]
name = url.rsplit("/", 1)[1]
with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    conn.execute(f'CREATE DATABASE "{name}"' if action == "create" else drop)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (f"median {statistics.median(values):.0f} ms, p95 {percentile(values, 95):.0f} ms, "
            f"p99 {percentile(values, 99):.0f} ms, max {max(values):.0f} ms ({len(values)} samples)")  # fmt: skip


async def get(port: int, path: str, token: str | None = None, timeout: float = 30.0) -> tuple[int, bytes]:
    """One HTTP/1.1 GET on a fresh loopback connection."""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n".encode())
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


async def student(port: int, token: str, submission_id: int, deadline: float, results: dict) -> None:
    while time.monotonic() < deadline:
        try:
            status, body = await get(port, f"/api/submissions/{submission_id}?wait=20", token, timeout=40)
        except (TimeoutError, OSError) as exc:
            results["errors"].append(f"{type(exc).__name__}")
            await asyncio.sleep(0.5)
            continue
        if status != 200:
            results["errors"].append(f"HTTP {status}")
            await asyncio.sleep(0.5)
            continue
        result = json.loads(body)
        if result["status"] in ("graded", "invalid", "error"):
            graded_at = datetime.fromisoformat(result["graded_at"]).timestamp()
            results["verdict_ms"].append((time.time() - graded_at) * 1000)
            return
    results["errors"].append("no verdict before the deadline")


async def probe(port: int, path: str, until: asyncio.Event, samples: list[float], failures: list[str]) -> None:
    while not until.is_set():
        started = time.perf_counter()
        try:
            status, _ = await get(port, path, timeout=30)
            if status == 200:
                samples.append((time.perf_counter() - started) * 1000)
            else:
                failures.append(f"HTTP {status}")
        except (TimeoutError, OSError) as exc:
            failures.append(type(exc).__name__)
            samples.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.2)


class Site:
    """The database, Redis and the web server for one configuration."""

    def __init__(self, workdir: Path, env: dict, web_command: list[str], port: int):
        self.workdir, self.env, self.port = workdir, env, port
        self.log = open(workdir / "services.log", "ab")  # noqa: SIM115
        self.web = subprocess.Popen(web_command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        self.worker = None

    async def ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"the web server exited; see {self.workdir / 'services.log'}")
            try:
                if (await get(self.port, "/healthz", timeout=2))[0] == 200:
                    return
            except (TimeoutError, OSError):
                pass
            await asyncio.sleep(0.3)
        raise RuntimeError("the web server did not start")

    def start_worker(self) -> None:
        args = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "interactive", "-c", "2",
                "-P", "prefork", "-n", f"bench-{uuid.uuid4().hex[:6]}@%h", "-l", "WARNING",
                "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        self.worker = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)

    def stop(self) -> None:
        for process in (self.worker, self.web):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (self.worker, self.web):
            if process is None:
                continue
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.log.close()


def prepare(students: int, tag: str) -> list[tuple[str, int]]:
    """N students, each with an answer queued on the broker (graded once a worker starts)."""
    from django.contrib.auth import get_user_model

    from courseware.models import Exercise, Topic
    from grading import services
    from grading.models import ApiToken

    topic, _ = Topic.objects.get_or_create(slug="bench", defaults={"title": "Bench", "layer": "1", "summary": "s"})
    exercise, _ = Exercise.objects.get_or_create(
        topic=topic, slug=SPEC["slug"], defaults={"title": "Bench", "prompt": "p", "spec": SPEC, "kind": "numeric"}
    )
    waiting = []
    for n in range(students):
        user = get_user_model().objects.create_user(f"waiting-{tag}-{n}")
        _, token = ApiToken.issue(user)
        waiting.append((token, services.submission_create(user=user, exercise=exercise, answer="2 + 2").pk))
    return waiting


async def run_one(label: str, site: Site, waiting, hold_s: float, grade_s: float) -> None:
    await site.ready()
    results = {"verdict_ms": [], "errors": []}
    deadline = time.monotonic() + hold_s + grade_s
    students = [asyncio.create_task(student(site.port, t, pk, deadline, results)) for t, pk in waiting]
    await asyncio.sleep(min(5.0, hold_s / 2))  # every student's long poll is in the server by now
    held, held_failures, page, page_failures = [], [], [], []
    stop_probes = asyncio.Event()
    probes = [
        asyncio.create_task(probe(site.port, "/healthz", stop_probes, held, held_failures)),
        asyncio.create_task(probe(site.port, "/topics/bench/", stop_probes, page, page_failures)),
    ]
    await asyncio.sleep(hold_s - min(5.0, hold_s / 2))
    stop_probes.set()
    await asyncio.gather(*probes)

    grading, grading_failures = [], []
    stop_probes = asyncio.Event()
    site.start_worker()
    started = time.perf_counter()
    grading_probe = asyncio.create_task(probe(site.port, "/healthz", stop_probes, grading, grading_failures))
    await asyncio.wait(students, timeout=max(1.0, deadline - time.monotonic()))
    all_verdicts_s = time.perf_counter() - started
    stop_probes.set()
    await grading_probe
    for task in students:
        task.cancel()

    print(f"\n{label}: {len(waiting)} students long-polling at once")
    print(f"  /healthz while they wait:           {summary(held)}" + _failures(held_failures))
    print(f"  a lesson page while they wait:      {summary(page)}" + _failures(page_failures))
    print(f"  /healthz while their answers grade: {summary(grading)}" + _failures(grading_failures))
    print(f"  verdict latency (stored -> received): {summary(results['verdict_ms'])}")
    errors = results["errors"]
    print(f"  all {len(results['verdict_ms'])} verdicts received {all_verdicts_s:.1f} s after the worker started"
          + (f"; {len(errors)} errors, e.g. {errors[0]}" if errors else ""))  # fmt: skip


def _failures(failures: list[str]) -> str:
    return f"; {len(failures)} failed ({failures[0]})" if failures else ""


async def main_async(args) -> None:
    from tools.redis_server import free_port, start_redis

    workdir = Path(tempfile.mkdtemp(prefix="bench-waiting-"))
    database = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if database.startswith("postgres"):  # a database of our own on that server, dropped afterwards
        database = database.rsplit("/", 1)[0] + f"/bench_{uuid.uuid4().hex[:8]}"
        subprocess.run([sys.executable, "-c", CREATE_DATABASE, database, "create"], check=True)
    redis_port = free_port()
    redis = start_redis(redis_port, workdir / "redis")
    env = {
        **os.environ,
        "VAR_DIR": str(workdir),
        "DATABASE_URL": database,
        "REDIS_URL": f"redis://{HOST}:{redis_port}/0",
        "CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        "LOG_LEVEL": "WARNING",
        "WEB_ACCESS_LOG": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    os.environ.update(env)
    # This process only sets up rows between phases, while none of its own coroutines touch the ORM.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from courseware.models import Topic

    Topic.objects.get_or_create(slug="bench", defaults={"title": "Bench", "layer": "1", "summary": "s", "body": "b"})
    try:
        runs = [("threaded (config/gunicorn.py, as the web container)", args.students, "threaded")]
        if args.compare_sync:
            runs.append(("previous command (gunicorn, 3 sync workers)", args.compare_sync, "sync"))
        for label, count, kind in runs:
            port = free_port()
            if kind == "threaded":
                command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
                site_env = {**env, "WEB_BIND": f"{HOST}:{port}", "WEB_WORKERS": str(args.web_workers),
                            "WEB_THREADS": str(args.web_threads), "DB_POOL_MAX_SIZE": str(args.db_pool)}  # fmt: skip
            else:
                command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{port}",
                           "--workers", "3"]  # fmt: skip
                site_env = env
            waiting = prepare(count, uuid.uuid4().hex[:6])
            site = Site(workdir, site_env, command, port)
            try:
                await run_one(label, site, waiting, args.hold_s, args.grade_s)
            finally:
                site.stop()
    finally:
        redis.terminate()
        redis.wait(10)
        if database.startswith("postgres"):
            from django.db import connections

            connections.close_all()
            subprocess.run([sys.executable, "-c", CREATE_DATABASE, database, "drop"])
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--web-workers", type=int, default=3, help="WEB_WORKERS, as in docker/compose.yaml")
    parser.add_argument("--web-threads", type=int, default=200, help="WEB_THREADS, as in docker/compose.yaml")
    parser.add_argument("--db-pool", type=int, default=20, help="DB_POOL_MAX_SIZE, as in docker/compose.yaml")
    parser.add_argument("--hold-s", type=float, default=15.0, help="how long they wait before a worker starts")
    parser.add_argument("--grade-s", type=float, default=90.0, help="deadline for every verdict to arrive")
    parser.add_argument("--compare-sync", type=int, default=0, metavar="K",
                        help="also run K students against 3 sync gunicorn workers")  # fmt: skip
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--max-s", type=float, default=600.0, help="the whole run stops after this")
    args = parser.parse_args()
    try:
        asyncio.run(asyncio.wait_for(main_async(args), args.max_s))
    except TimeoutError:
        sys.exit(f"stopped after {args.max_s:.0f} s")


if __name__ == "__main__":
    main()
