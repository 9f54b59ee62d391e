"""Who holds a claim: this process's name, and whether a claimer on this host still exists.

Submissions and re-grade chunks are claimed by "host:pid". A worker restarted on the same host
uses this to take back at once what its dead predecessor's processes held, instead of waiting for
the claim lease (or Redis's visibility timeout) to run out.
"""

import os
import socket


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def dead_here(claimed_by: str, pid_alive=None) -> bool:
    """True if `claimed_by` names a process of this host that no longer exists (never one of another host)."""
    host, _, pid = claimed_by.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not (pid_alive or process_alive)(int(pid))


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    # A killed worker's orphaned children linger as zombies until something reaps them: dead all the same.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except (OSError, IndexError):  # no /proc here: trust kill(0)
        return True
