"""The engine is pure: grading imports neither Django nor Celery nor JAX (Celery forks after import)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import sys
import grading.core
ex = grading.core.Exercise.from_spec({"slug": "g", "kind": "vector", "variables": ["x", "y"],
    "reference": {"gradient": {"function": "x^2 y", "wrt": ["x", "y"]}}})
assert grading.core.grade(ex.variant(1), "[2xy, x^2]").status == "correct"
assert grading.core.grade_spec({"kind": "numeric", "reference": "1/3"}, "0.3333333333").status == "correct"
print(sorted(m for m in ("django", "celery", "jax") if m in sys.modules))
"""


def test_grading_needs_no_django_celery_or_jax():
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_jax_is_loaded_only_by_the_import_time_check():
    code = CODE + "ex.check(); print('jax' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "True"]
