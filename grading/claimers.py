"""Who holds a claim: this process's name, when a claim has lapsed, and whether a claimer on this
host still exists.

Submissions and re-grade chunks are claimed by "host:pid". A worker restarted on the same host
uses this to take back at once what its dead predecessor's processes held, instead of waiting for
the claim lease (or Redis's visibility timeout) to run out.
"""

import os
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings


def worker_name() -> str:
    return of_this_host(os.getpid())


def of_this_host(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}"


def lapsed_before(now: datetime) -> datetime:
    """A claim taken before this has outlived its lease (GRADING_CLAIM_LEASE_S): anyone may take it over."""
    return now - timedelta(seconds=settings.GRADING_CLAIM_LEASE_S)


def dead_claims(claims, pid_alive=None) -> Iterator[tuple[int, str]]:
    """(pk, claimed_by) of the rows of `claims` (a queryset with `claimed_by`) held by dead processes of this host."""
    here = claims.filter(claimed_by__startswith=f"{socket.gethostname()}:")
    for pk, claimed_by in here.values_list("pk", "claimed_by"):
        if dead_here(claimed_by, pid_alive):
            yield pk, claimed_by


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
