"""Run the whole site locally: migrate, import content, demo accounts, Redis, Celery workers and beat, web."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tools.redis_server import ensure_redis

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("VAR_DIR", ROOT / "var"))


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def main() -> None:
    VAR.mkdir(exist_ok=True)
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    url, redis_process = ensure_redis(url, VAR / "redis")
    os.environ["REDIS_URL"] = url
    print(f"Redis: {url}" + (" (started a local redis-server for this run)" if redis_process else ""), flush=True)

    manage("migrate", "--no-input", "-v", "0")
    manage("import_content", str(ROOT / "content"))
    manage("create_demo_accounts")

    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    children = [
        subprocess.Popen(
            [*celery, "worker", "-Q", "interactive", "-n", "interactive@%h", "-c", "2", "-l", "INFO"], cwd=ROOT
        ),
        subprocess.Popen([*celery, "worker", "-Q", "batch", "-n", "batch@%h", "-c", "1", "-l", "INFO"], cwd=ROOT),
        subprocess.Popen([*celery, "beat", "-s", str(VAR / "celerybeat-schedule"), "-l", "INFO"], cwd=ROOT),
        subprocess.Popen([sys.executable, "manage.py", "runserver", f"{host}:{port}", "--noreload"], cwd=ROOT),
    ]
    if redis_process:
        children.append(redis_process)
    print(
        f"\nThe site is at http://{host}:{port}/  (admin: http://{host}:{port}/admin/)\n"
        "Demo log-ins: student / learn-math-2026 (student), instructor / teach-math-2026 (instructor)\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )

    def stop(*_):
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    failed = next(child for child in children if child.poll() is not None)
    print(f"{' '.join(map(str, failed.args[:6]))} exited with {failed.returncode}; stopping.", file=sys.stderr)
    stop()


if __name__ == "__main__":
    main()
