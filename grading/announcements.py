"""Verdict announcements over Redis: a worker publishes each stored verdict; each web process listens once for all.

An announcement is only a hint that wakes a waiting request early; the database stays the truth.
One pattern subscription per web process (a daemon thread) serves every long poll in it, so a
waiting student costs no Redis connection and no subscribe round trip of its own. While the
listener is not subscribed (Redis down, reconnecting), `Listener.subscribed` is false and waiters
poll the database instead; when it (re)subscribes it wakes every waiter, since announcements
made while it was away are lost.
"""

import logging
import os
import threading
from functools import lru_cache

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)
PREFIX = "grading:verdict:"
RECONNECT_S = (0.5, 5.0)  # first and longest pause between attempts to reach Redis again
HEALTH_CHECK_S = 10  # a silent connection is pinged this often (with TCP keepalive: a vanished server is noticed)


def channel(submission_id: int) -> str:
    return f"{PREFIX}{submission_id}"


def redis_client() -> redis.Redis:
    return _redis_client(settings.REDIS_URL, os.getpid())


@lru_cache(maxsize=4)
def _redis_client(url: str, pid: int) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def announce(submission_id: int) -> None:
    """Wake whoever waits for this submission's verdict. Never raises: a lost hint only delays the waiter."""
    try:
        redis_client().publish(channel(submission_id), "final")
    except Exception:
        logger.warning("could not announce the verdict of submission %s", submission_id, exc_info=True)


class Listener:
    """This process's subscription to every verdict announcement, and the requests waiting on them."""

    def __init__(self, url: str):
        self.url = url
        self._lock = threading.Lock()
        self._waiting: dict[int, set[threading.Event]] = {}
        self._subscribed = threading.Event()
        self._thread = threading.Thread(target=self._listen_forever, name="verdict-listener", daemon=True)
        self._thread.start()

    @property
    def subscribed(self) -> bool:
        return self._subscribed.is_set()

    def waiting_on(self, submission_id: int) -> int:
        """How many requests of this process wait for this submission now."""
        with self._lock:
            return len(self._waiting.get(submission_id, ()))

    def register(self, submission_id: int) -> threading.Event:
        event = threading.Event()
        with self._lock:
            self._waiting.setdefault(submission_id, set()).add(event)
        return event

    def unregister(self, submission_id: int, event: threading.Event) -> None:
        with self._lock:
            events = self._waiting.get(submission_id)
            if events is not None:
                events.discard(event)
                if not events:
                    del self._waiting[submission_id]

    def _wake(self, submission_id: int | None) -> None:
        """The waiters of one submission, or (None) every waiter."""
        with self._lock:
            if submission_id is None:
                events = [e for waiters in self._waiting.values() for e in waiters]
            else:
                events = list(self._waiting.get(submission_id, ()))
        for event in events:
            event.set()

    def _listen_forever(self) -> None:
        pause = RECONNECT_S[0]
        stop = threading.Event()  # never set: its timed wait is the pause between attempts
        while True:
            try:
                self._listen()
                pause = RECONNECT_S[0]
            except (redis.RedisError, OSError) as exc:
                # Once per outage, not once per attempt to reconnect.
                level = logging.WARNING if self._subscribed.is_set() else logging.DEBUG
                logger.log(level, "verdict listener: Redis unreachable (%s); long polls read the database", exc)
            except Exception:  # keep listening whatever happens: waiters fall back to the database meanwhile
                logger.exception("verdict listener failed")
            finally:
                if self._subscribed.is_set():
                    self._subscribed.clear()
                    self._wake(None)  # they switch to reading the database
            stop.wait(pause)
            pause = min(pause * 2, RECONNECT_S[1])

    def _listen(self) -> None:
        # No silent reconnection inside redis-py: every lost connection must reach `_listen_forever`,
        # which tells the waiters (announcements made meanwhile are lost).
        client = redis.Redis.from_url(
            self.url,
            socket_connect_timeout=2,
            socket_keepalive=True,
            health_check_interval=HEALTH_CHECK_S,
            retry=Retry(NoBackoff(), 0),
        )
        pubsub = client.pubsub()
        try:
            pubsub.psubscribe(f"{PREFIX}*")
            while not self._subscribed.is_set():  # the confirmation: from here on nothing announced is missed
                message = pubsub.get_message(timeout=HEALTH_CHECK_S)
                if message and message["type"] == "psubscribe":
                    self._wake(None)  # what was announced while unsubscribed is lost: everyone looks again
                    self._subscribed.set()
            while True:
                message = pubsub.get_message(timeout=HEALTH_CHECK_S)
                if message is not None and message["type"] == "psubscribe":  # subscribed again after all
                    self._wake(None)
                if message is None or message["type"] != "pmessage":  # nothing yet, a pong, a confirmation
                    continue
                suffix = message["channel"][len(PREFIX) :]
                if suffix.isdigit():
                    self._wake(int(suffix))
        finally:
            pubsub.close()
            client.close()


_listeners: dict[tuple[str, int], Listener] = {}
_listeners_lock = threading.Lock()


def listener() -> Listener:
    """This process's listener for the configured Redis (started on first use, after any fork: keyed by pid)."""
    key = (settings.REDIS_URL, os.getpid())
    found = _listeners.get(key)
    if found is None:
        with _listeners_lock:  # two first requests at once start one listener, not two
            found = _listeners.get(key) or _listeners.setdefault(key, Listener(key[0]))
    return found
