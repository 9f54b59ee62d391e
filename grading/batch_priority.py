"""Batch work runs on the CPU that students leave: the batch worker's own processes are niced, and
so is the PostgreSQL backend process serving it when the database runs on this same host.

A re-grade's cost is as much in PostgreSQL (locking, rewriting and auditing thousands of rows per
chunk) as in the worker; on a single machine a niced worker whose database session is not niced
still takes a full share of the CPU from the students' verdicts.
"""

import logging
import os

logger = logging.getLogger(__name__)
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
_niceness = 0
_lowered: set[int] = set()


def yield_the_cpu(niceness: int) -> int:
    """Nice this process (before the pool forks, so its children inherit it); remember it for the database."""
    global _niceness
    _niceness = niceness
    return os.nice(niceness)


def lower_database_backend(connection) -> None:
    """Give this process's PostgreSQL backend the same niceness, when it is a process of this host we may renice."""
    if not _niceness or connection.vendor != "postgresql":
        return
    if connection.settings_dict.get("HOST", "") not in LOCAL_HOSTS and not str(
        connection.settings_dict.get("HOST", "")
    ).startswith("/"):
        return
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    if pid in _lowered:
        return
    _lowered.add(pid)  # tried once per backend, whatever the outcome
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if b"postgres" not in cmdline.read():  # another PID namespace (a container): not our backend
                return
        os.setpriority(os.PRIO_PROCESS, pid, max(os.getpriority(os.PRIO_PROCESS, pid), _niceness))
    except OSError:  # PostgreSQL elsewhere, or another user's process we may not renice
        logger.debug("could not lower the priority of PostgreSQL backend %s", pid, exc_info=True)
        return
    logger.info("batch worker: PostgreSQL backend %s niced to %s", pid, _niceness)
