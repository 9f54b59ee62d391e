import os
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.celery_worker import Worker
from tools.redis_server import free_port, start_redis

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"

# `make test` and CI: the same examples on every run and in every checkout, and no example database, so
# a failure found once on one machine never makes this run differ from a fresh clone. `make fuzz`:
# many more random examples, with the example database, to find new failures (then pin them with
# @example in the test).
hypothesis_settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
hypothesis_settings.register_profile(
    "fuzz", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# Fixtures through which a test reaches Django's database (and so the views, the cache, the API).
_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


@pytest.fixture(scope="session")
def content_documents():
    from courseware.content import read_directory

    return read_directory(CONTENT_DIR)


@pytest.fixture
def lesson_content(db, content_documents):
    """The real content/ topics in the test database (checked separately, in test_import_content)."""
    from courseware.content import import_documents

    import_documents(content_documents)
    return content_documents


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database of this run's own: other test runs in the same checkout must not share it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    run = uuid.uuid4().hex[:8]
    if db["ENGINE"].endswith("sqlite3"):
        test["NAME"] = str(
            Path(test.get("NAME") or settings.VAR_DIR / "test-db.sqlite3").with_suffix(f".{run}.sqlite3")
        )
    else:
        test["NAME"] = f"test_{db['NAME']}_{run}"


@pytest.fixture(autouse=True)
def _own_cache_namespace(request):
    """Rate-limit counts start from zero in every test that reaches the site; pure tests start no Redis."""
    if request.node.get_closest_marker("django_db") is None and not _DATABASE_FIXTURES & set(request.fixturenames):
        return
    pipeline_redis = request.getfixturevalue("pipeline_redis")
    settings = request.getfixturevalue("settings")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": pipeline_redis,
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }


@pytest.fixture(autouse=True)
def _no_tasks_for_a_worker_the_test_did_not_ask_for(request):
    """A committed test without the `worker` fixture keeps the tasks it sends to itself.

    Once started, the session's worker keeps consuming the shared queues; a committed test that grades
    in-process (as the progress-table tests do) would otherwise race it for its own submissions.
    """
    if "worker" in request.fixturenames:
        return
    marker = request.node.get_closest_marker("django_db")
    if not ("transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))):
        return  # nothing is committed, so nothing is sent
    from grading import dispatch

    sent: list[tuple[str, tuple]] = []
    request.getfixturevalue("monkeypatch").setattr(dispatch, "send", lambda name, args, **_: sent.append((name, args)))


# The grading pipeline's Redis and worker, one of each for the session: its own tests and the browser tests use them.
@pytest.fixture(scope="session")
def pipeline_redis(tmp_path_factory):
    """A Redis of our own, so no other worker on this machine can take our tasks."""
    from django.test.utils import override_settings

    from config.celery import app

    workdir = tmp_path_factory.mktemp("redis")
    port = free_port()
    process = start_redis(port, workdir)
    url = f"redis://127.0.0.1:{port}/0"
    app.conf.broker_url = url
    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "tests"}
    with override_settings(CELERY_BROKER_URL=url, REDIS_URL=url, CACHES={"default": cache}):
        yield url
    app.pool.force_close_all()
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session")
def worker(django_db_setup, pipeline_redis, tmp_path_factory):
    """One real worker for the session, on both queues, with two prefork children."""
    process = Worker(pipeline_redis, tmp_path_factory.mktemp("worker"))
    yield process
    process.stop()
