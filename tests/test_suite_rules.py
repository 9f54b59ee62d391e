"""Rules the suite keeps so that it stays fast and tells the same story on every run."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _modules():
    for path in sorted(TESTS.rglob("*.py")):
        yield path, ast.parse(path.read_text(), str(path))


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def test_test_modules_import_helpers_from_helper_modules_never_from_each_other():
    wrong = [
        f"{path.relative_to(TESTS)}: {node.module}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tests.")
        and _is_test_module(node.module)
    ]  # fmt: skip
    assert wrong == []


def test_no_test_sleeps_or_times_itself():
    """Waiting on a condition goes through tests.celery_worker.wait_for; how fast is for the benchmarks."""
    wrong = []
    for path, tree in _modules():
        if not path.name.startswith("test_"):
            continue
        for node in ast.walk(tree):
            timed = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "time"
            if timed and node.attr in ("sleep", "perf_counter", "process_time"):
                wrong.append(f"{path.relative_to(TESTS)}:{node.lineno}: time.{node.attr}")
    assert wrong == []
