"""What CPU priority leaves a task beside busy loops: `python -m bench.cpu_groups` (root, Linux, a writable
cgroup file system, v1 `cpu` or v2).

A task runs 4 ms bursts of CPU with 10 ms pauses, as a web process or worker serving students does;
busy loops niced to 19, one per core, stand for batch work. It prints the bursts' median,
p95 and p99 alone, then with the loops: in the task's own CPU group (as processes on one machine
share one, and as `bench.pipeline` runs them), in a group of their own with the same weight (a
container, or a systemd service, left at its default weight), and in a group of their own with
a low weight (the compose file's `cpu_shares: 16` for the batch worker). Niceness ranks a
process only within its group.
"""

import argparse
import os
import sys
import time
from contextlib import suppress
from functools import partial
from pathlib import Path

from bench import background

V1 = Path("/sys/fs/cgroup/cpu")
V2 = Path("/sys/fs/cgroup")


class Groups:
    """CPU groups made for this run under the cgroup root, removed at the end."""

    def __init__(self) -> None:
        if (V1 / "cpu.shares").exists():
            self.root, self.weight_file, self.scale = V1, "cpu.shares", 1024
        elif (V2 / "cgroup.controllers").exists() and "cpu" in (V2 / "cgroup.controllers").read_text().split():
            try:
                (V2 / "cgroup.subtree_control").write_text("+cpu")
            except OSError as error:  # not the root of a cgroup tree of our own (a container, a delegated slice)
                sys.exit(f"cannot hand the cpu controller to new groups: {error}")
            self.root, self.weight_file, self.scale = V2, "cpu.weight", 100
        else:
            sys.exit("no writable cgroup file system with the cpu controller")
        self.made: list[Path] = []

    def make(self, name: str, low: bool) -> Path:
        path = self.root / f"bench-cpu-groups-{name}"
        path.mkdir(exist_ok=True)
        # As Docker maps `cpu_shares: 16`: 16 of 1024 under cgroup v1, weight 1 of 100 under v2.
        (path / self.weight_file).write_text(str((16 if self.scale == 1024 else 1) if low else self.scale))
        self.made.append(path)
        return path

    def remove(self) -> None:
        (self.root / "cgroup.procs").write_text(str(os.getpid()))
        for path in self.made:
            with suppress(OSError):
                path.rmdir()


def join(group: Path) -> None:
    (group / "cgroup.procs").write_text(str(os.getpid()))


def burst(loops: int = 200_000) -> float:
    began, total = time.perf_counter(), 0
    for i in range(loops):
        total += i
    return (time.perf_counter() - began) * 1000


def bursts(count: int) -> str:
    times = []
    for _ in range(count):
        times.append(burst())
        time.sleep(0.01)
    times.sort()
    quantiles = (("median", 0.5), ("p95", 0.95), ("p99", 0.99))
    return " ".join(f"{name} {times[int(q * (count - 1))]:5.2f} ms" for name, q in quantiles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=600)
    args = parser.parse_args()
    groups = Groups()
    try:
        task = groups.make("task", low=False)
        join(task)
        cases = {
            "in the task's own group": task,
            "in a group of their own, the same weight": groups.make("equal", low=False),
            "in a group of their own, the compose file's weight": groups.make("low", low=True),
        }
        print(f"{os.cpu_count()} CPUs, {args.bursts} bursts of about 4 ms each; busy loops niced to 19")
        print(f"  {'alone':<50} {bursts(args.bursts)}")
        for label, group in cases.items():
            with background.loops(before=partial(join, group)):
                print(f"  {label:<50} {bursts(args.bursts)}")
    finally:
        groups.remove()


if __name__ == "__main__":
    main()
