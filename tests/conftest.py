import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"


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
def redis_url(tmp_path_factory):
    """A reachable Redis: REDIS_URL's, or a private one started for the session."""
    from tools.redis_server import ensure_redis

    url, process = ensure_redis(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), tmp_path_factory.mktemp("redis")
    )
    yield url
    if process:
        process.terminate()
        process.wait(10)
