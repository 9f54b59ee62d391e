"""Background loops for the benchmarks' isolation floors: work beside what is measured, at the lowest niceness."""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Each says when it is running, so that a measurement starts with it at work.
SPIN = "print('ready', flush=True)\nwhile True: pass"
STREAM = (  # 2 x 64 MB: well past any cache, and little memory even with a loop per core on a large machine
    "import numpy as np\na = np.ones(8_000_000)\nb = np.empty_like(a)\nprint('ready', flush=True)\n"
    "while True: np.copyto(b, a)"
)


@contextmanager
def loops(code: str = SPIN, before: Callable[[], None] | None = None) -> Iterator[int]:
    """One loop running `code` per core, niced to 19 (after `before`, in the loop's process), for the
    block; yields how many. A loop that fails to start, or ends during the block, fails the block."""

    def start() -> None:
        if before is not None:
            before()
        os.nice(19)

    running = [
        subprocess.Popen([sys.executable, "-c", code], preexec_fn=start, stdout=subprocess.PIPE)
        for _ in range(os.cpu_count() or 1)
    ]
    try:
        if not all(loop.stdout and loop.stdout.readline().strip() == b"ready" for loop in running):
            raise RuntimeError("a background loop failed to start")
        yield len(running)
        if any(loop.poll() is not None for loop in running):
            raise RuntimeError("a background loop ended during the measurement")
    finally:
        for loop in running:
            loop.kill()
            loop.wait()
