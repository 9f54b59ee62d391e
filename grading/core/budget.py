"""Wall-clock limits for grading steps that can run away (SymPy's simplify, high-precision evaluation).

Two mechanisms, chosen by where the caller runs:

* Main thread of the main interpreter (CLI, Celery prefork children, tests): `Budget.guard(fn)`
  arms SIGALRM through ``setitimer`` while ``fn`` runs. The handler raises `BudgetExceeded`, a
  BaseException so that SymPy's internal ``except Exception`` cannot swallow it, and the timer
  re-fires every 50 ms in case a bare ``except`` does. The handler raises only while the guarded
  call is running (a flag cleared by the first statement of a ``finally``, which no signal can
  pre-empt), so an alarm that lands just as the call returns can never escape into unrelated
  code. A single long C call is only interrupted when it returns; the parser's size limits keep
  those out and the worker's hard time limit is the last resort.
* Any other thread (a threaded web server), where signals cannot be used: `Budget.run` executes
  the risky step in a forked child that is SIGKILLed at the deadline, so a runaway simplify costs
  at most the budget. Forking is unsafe once JAX has started its threads, and impossible on some
  platforms; there the step runs in a daemon thread that is abandoned at the deadline (it cannot
  be killed and finishes in the background).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_REFIRE_S = 0.05


class BudgetExceeded(BaseException):
    """The time allowed for one answer is spent."""


_current: Budget | None = None  # the budget whose guarded call is running in the main thread


def _on_alarm(signum: int, frame: object) -> None:
    if _current is not None and _current.running:
        raise BudgetExceeded
    # otherwise a late alarm: the guard's `finally` is about to disarm the timer


def _signals_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class Budget:
    """A deadline; `guard` enforces it by signal where possible, `run` for single risky steps."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.running = False

    @classmethod
    def within(cls, promise_s: float) -> Budget:
        """A budget that ends early enough for the verdict to be out within ``promise_s`` wall-clock.

        A quarter (at most 0.5 s) is kept back for what runs after the deadline: a C call that
        SIGALRM can only interrupt when it returns, killing and reaping a forked child, writing
        the verdict. The 2 s promise to the student includes all of it.
        """
        return cls(promise_s - min(0.25 * promise_s, 0.5))

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def check(self) -> None:
        if self.remaining() <= 0:
            raise BudgetExceeded

    def guard(self, fn: Callable[[], T]) -> T:
        """Run `fn`, interrupted at the deadline by BudgetExceeded when signals are usable here."""
        global _current
        if not _signals_usable():
            return fn()
        handler = signal.signal(signal.SIGALRM, _on_alarm)
        enclosing, started, outer = _current, time.monotonic(), (0.0, 0.0)
        try:
            _current, self.running = self, True
            delay = max(self.remaining(), 1e-6)
            outer = signal.setitimer(signal.ITIMER_REAL, delay, _REFIRE_S)
            if 0 < outer[0] < delay:  # an enclosing limit ends first: keep it
                signal.setitimer(signal.ITIMER_REAL, outer[0], _REFIRE_S)
            return fn()
        finally:
            self.running = False  # first: from here on, alarms are ignored
            _current = enclosing
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, handler)
            if outer[0] > 0:  # give an enclosing timer back what is left of it
                signal.setitimer(signal.ITIMER_REAL, max(outer[0] - (time.monotonic() - started), 1e-6), outer[1])

    def run(self, fn: Callable[[], T]) -> T:
        """Run a step that may not return in time; raise BudgetExceeded if it does not."""
        self.check()
        if self.running:
            return fn()
        if hasattr(os, "fork") and "jax" not in sys.modules:
            return _run_forked(fn, self.remaining())
        return _run_in_thread(fn, self.remaining())


def _run_forked(fn: Callable[[], T], timeout: float) -> T:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: compute, report through the pipe, leave without cleanup handlers
        os.close(read_fd)
        try:
            try:
                payload = pickle.dumps((True, fn()))
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                payload = pickle.dumps((False, repr(exc)))
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_fd], [], [], left)[0]:
                raise BudgetExceeded
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if not chunks:  # the child died without a word (e.g. recursion overflow)
        raise BudgetExceeded
    ok, value = pickle.loads(b"".join(chunks))  # noqa: S301 - written by our own child above
    if not ok:
        raise RuntimeError(value)
    return value


def _run_in_thread(fn: Callable[[], T], timeout: float) -> T:
    box: list[tuple[bool, object]] = []

    def target() -> None:
        try:
            box.append((True, fn()))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box.append((False, exc))

    worker = threading.Thread(target=target, daemon=True, name="grading-budget")
    worker.start()
    worker.join(max(timeout, 0))
    if not box:
        raise BudgetExceeded
    ok, value = box[0]
    if not ok:
        raise value  # type: ignore[misc]
    return value  # type: ignore[return-value]
