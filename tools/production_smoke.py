"""The production build, tried as an operator would: `python -m tools.production_smoke`.

DEBUG=false with a real secret, the Dockerfile's `collectstatic`, then the compose file's own web
command (migrate, import, gunicorn with config/gunicorn.py) and worker command, a private Redis and a
throw-away database (SQLite, or PostgreSQL when DATABASE_URL names one). Every page type must answer
200 behind an HTTPS proxy, a submission must be graded, and `check --deploy` must report nothing.
Exits non-zero, with the servers' logs, at the first thing that fails; stops everything it started.
"""

import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import yaml

from tools.redis_server import free_port, start_redis

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker" / "compose.yaml"
DEMO = {"student": "learn-math-2026", "instructor": "teach-math-2026"}


class SmokeFailure(Exception):
    pass


class Browser:
    """A client behind a TLS-terminating proxy: it says X-Forwarded-Proto: https and keeps (secure) cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "localhost", "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                if not morsel["secure"] or (name == "sessionid" and not morsel["httponly"]):
                    raise SmokeFailure(f"cookie {name} is not marked Secure (and HttpOnly for the session): {header}")
                self.cookies[name] = morsel.value
        return response, data

    def get(self, path: str, expect: int = 200) -> bytes:
        response, data = self.request("GET", path)
        if response.status != expect:
            raise SmokeFailure(f"GET {path}: {response.status}, expected {expect}\n{data[:500]!r}")
        return data

    def log_in(self, username: str, password: str, login_path: str = "/accounts/login/") -> None:
        self.get(login_path)
        body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": self.cookies["csrftoken"]})
        response, data = self.request(
            "POST",
            login_path,
            body.encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"https://localhost{login_path}"},
        )
        if response.status != 302:
            raise SmokeFailure(f"logging in as {username} at {login_path}: {response.status}\n{data[:500]!r}")


def compose_service(service: str) -> tuple[list[str], dict]:
    """The service's command and the environment the compose file gives it (less the container addresses)."""
    spec = yaml.safe_load(COMPOSE.read_text())["services"][service]
    env = {k: str(v) for k, v in (spec.get("environment") or {}).items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return shlex.split(spec["command"]), env


def production_env(var_dir: Path, redis_url: str, port: int) -> dict:
    database = os.environ.get("DATABASE_URL", "")
    if database.startswith("postgres"):
        # A database of our own on the given server, dropped afterwards.
        database = database.rsplit("/", 1)[0] + f"/smoke_{uuid.uuid4().hex[:8]}"
    else:
        database = f"sqlite:///{var_dir / 'db.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "WEB_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost",
        CSRF_TRUSTED_ORIGINS="https://localhost",
        DATABASE_URL=database,
        REDIS_URL=redis_url,
        VAR_DIR=str(var_dir),
        WEB_BIND=f"127.0.0.1:{port}",
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
    )
    return env


def run(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        output = result.stdout[-3000:] + result.stderr[-3000:]
        raise SmokeFailure(f"{' '.join(args)} exited {result.returncode}:\n{output}")
    return result


def wait_until(predicate, timeout: float, what: str, processes=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise SmokeFailure(f"{what}: {process.args[0]} exited with {process.returncode}")
        try:
            value = predicate()
        except (OSError, SmokeFailure):
            value = None
        if value:
            return value
        time.sleep(0.3)
    raise SmokeFailure(f"timed out waiting for {what}")


def check_site(browser: Browser) -> None:
    browser.get("/healthz")
    response, _ = browser.request("GET", "/", headers={"X-Forwarded-Proto": "http"})
    if response.status != 301 or not response.getheader("Location", "").startswith("https://"):
        raise SmokeFailure(f"plain HTTP is not redirected to HTTPS: {response.status}")
    response, _ = browser.request("GET", "/")
    if "max-age=" not in (response.getheader("Strict-Transport-Security") or ""):
        raise SmokeFailure("no Strict-Transport-Security header")
    index = browser.get("/").decode()
    for path in ["/topics/differentiation-in-rn/", "/map/", "/admin/login/", "/api/docs", "/accounts/signup/"]:
        browser.get(path)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', index):
        browser.get(asset)  # hashed names from the manifest, served by WhiteNoise
    docs = browser.get("/api/docs").decode()
    if "cdn" in docs.lower() or "/static/ninja/" not in docs:
        raise SmokeFailure("the API docs do not load Swagger UI from our static files")
    for asset in re.findall(r'(?:src|href)="(/static/ninja/[^"]+)"', docs):
        browser.get(asset)

    student = Browser(browser.port)
    student.log_in("student", DEMO["student"])
    student.get("/dashboard/")
    body = json.dumps({"exercise": "differentiation-in-rn/gradient-at-a-point", "answer": "[0, 0]"}).encode()
    response, data = student.request(
        "POST",
        "/api/submissions",
        body,
        {
            "Content-Type": "application/json",
            "X-CSRFToken": student.cookies["csrftoken"],
            "Referer": "https://localhost/",
        },
    )
    if response.status != 201:
        raise SmokeFailure(f"submitting an answer: {response.status} {data[:300]!r}")
    submission = json.loads(data)["id"]

    def graded():
        _, data = student.request("GET", f"/api/submissions/{submission}?wait=10")
        result = json.loads(data)
        return result if result["status"] == "graded" else None

    result = wait_until(graded, 90, "the submission's verdict")
    print(f"  submission #{submission} graded: score {result['score']}", flush=True)

    instructor = Browser(browser.port)
    instructor.log_in("instructor", DEMO["instructor"], "/admin/login/")
    for path in ["/admin/", "/instructors/", "/instructors/demo-class/", "/instructors/demo-class/table/",
                 "/instructors/demo-class/exercises/", "/instructors/demo-class/table.csv"]:  # fmt: skip
        instructor.get(path)


def main() -> int:
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="smoke-") as tmp:
        var_dir = Path(tmp)
        redis_port, web_port = free_port(), free_port()
        processes.append(start_redis(redis_port, var_dir))
        env = production_env(var_dir, f"redis://127.0.0.1:{redis_port}/0", web_port)
        logs = {}
        try:
            if env["DATABASE_URL"].startswith("postgres"):
                run([sys.executable, "-c", _CREATE_DB, env["DATABASE_URL"], "create"], env)
            print("collectstatic (the Dockerfile's build step)", flush=True)
            run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], env)
            print("check --deploy with the production settings", flush=True)
            checked = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
            if "no issues" not in checked.stdout:
                raise SmokeFailure(f"check --deploy reported:\n{checked.stdout}{checked.stderr}")
            for service in ("web", "worker"):
                logs[service] = var_dir / f"{service}.log"
                with open(logs[service], "wb") as log:
                    args, service_env = compose_service(service)
                    print(f"{service}: {' '.join(args)} {service_env or ''}", flush=True)
                    processes.append(
                        subprocess.Popen(
                            args, cwd=ROOT, env={**env, **service_env}, stdout=log, stderr=log, start_new_session=True
                        )
                    )
            browser = Browser(web_port)
            wait_until(lambda: browser.get("/healthz"), 180, "the web server's /healthz", processes)
            run([sys.executable, "manage.py", "create_demo_accounts"], env)
            wait_until(lambda: b"ready." in logs["worker"].read_bytes(), 60, "the worker", processes)
            check_site(browser)
        except SmokeFailure as failure:
            print(f"\nPRODUCTION SMOKE TEST FAILED: {failure}", file=sys.stderr)
            for service, path in logs.items():
                print(f"\n--- {service} log (tail) ---\n{path.read_text(errors='replace')[-4000:]}", file=sys.stderr)
            return 1
        finally:
            for process in reversed(processes):
                if process.poll() is None:
                    try:
                        os.killpg(process.pid, signal.SIGTERM)
                    except (ProcessLookupError, PermissionError):
                        process.terminate()
            for process in processes:
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
            if env["DATABASE_URL"].startswith("postgres"):
                subprocess.run([sys.executable, "-c", _CREATE_DB, env["DATABASE_URL"], "drop"], cwd=ROOT, env=env)
    print("production smoke test passed", flush=True)
    return 0


_CREATE_DB = """
import sys
from urllib.parse import urlsplit
import psycopg
url, action = sys.argv[1], sys.argv[2]
name = urlsplit(url).path.lstrip("/")
with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    conn.execute(f'CREATE DATABASE "{name}"' if action == "create" else drop)
"""

if __name__ == "__main__":
    sys.exit(main())
