import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import ConfigError, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly these overrides."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    environment.update(env)
    code = "import config.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_it_runs_in_development_with_no_configuration():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True django.db.backends.sqlite3")


def test_it_refuses_to_run_in_production_without_a_real_secret_key():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


REAL_KEY = "q7L2vX9pR4mW8nB3kT6yH1jF5dS0aZcE-gU_iO2lP9wQ4rN7xV3bM6"


def test_it_runs_in_production_with_a_secret_key_and_postgres():
    result = load_settings(
        DEBUG="false", SECRET_KEY=REAL_KEY, DATABASE_URL="postgres://u@db:5432/app", ALLOWED_HOSTS="a.example,b.example"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False django.db.backends.postgresql ['a.example', 'b.example']"


def test_a_malformed_boolean_is_an_error_not_a_guess():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


def test_a_malformed_database_url_is_an_error():
    result = load_settings(DATABASE_URL="nonsense://x")
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("off", False), ("", True)])
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", True) is expected


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("N", "12")
    monkeypatch.setenv("L", " a, b ,,c ")
    assert env_int("N", 0) == 12 and env_list("L", []) == ["a", "b", "c"]
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ConfigError):
        env_int("N", 0)


@pytest.mark.parametrize(
    "key",
    [
        "change-me-to-a-long-random-string-of-50-characters",  # docker/.env.example's placeholder
        "dev-only-secret-key-never-use-in-production",
        "x" * 60,  # long, but not random
        "short-but-random-Xq3k",
    ],
)
def test_production_refuses_a_placeholder_or_weak_secret_key(key):
    result = load_settings(DEBUG="false", SECRET_KEY=key)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_the_env_example_secret_is_refused_as_a_real_key():
    example = dict(
        line.split("=", 1)
        for line in (ROOT / "docker" / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    result = load_settings(DEBUG="false", SECRET_KEY=example["SECRET_KEY"])
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def production_check(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECRET_KEY", "SECURE_"))}
    environment.update(DEBUG="false", SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="courses.example", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment, capture_output=True, text=True,
    )  # fmt: skip


def test_check_deploy_reports_nothing_in_production():
    result = production_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_is_on_by_default_in_production_and_configurable():
    code = "import config.settings as s; print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "SECURE_HSTS_SECONDS"}}
    environment.update(DEBUG="false", SECRET_KEY=REAL_KEY)
    default = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert default.stdout.split() == ["31536000", "True", "True"], default.stderr
    short = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**environment, "SECURE_HSTS_SECONDS": "3600"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert short.stdout.split()[0] == "3600"
    # Turning HSTS off in production is possible, and check --deploy says so.
    off = production_check(SECURE_HSTS_SECONDS="0")
    assert off.returncode != 0 and "security.W004" in off.stdout + off.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SUBMISSION_RATE", "lots"),
        ("SUBMISSION_RATE", "30"),
        ("SUBMISSION_RATE", "0/m"),
        ("PREVIEW_RATE", "300/minute"),
        ("GRADING_BUDGET_S", "abc"),
        ("GRADING_BUDGET_S", "0"),
        ("GRADING_BUDGET_S", "-1"),
        ("GRADING_BUDGET_S", "nan"),
        ("GRADING_BUDGET_S", "inf"),
        ("CELERY_TIME_LIMIT", "0"),
        ("SWEEP_MAX_ATTEMPTS", "-3"),
        ("CELERY_MAX_MEMORY_PER_CHILD_MB", "-1"),
        ("CELERY_MAX_TASKS_PER_CHILD", "many"),
        ("SUBMISSION_MAX_LENGTH", "lots"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_a_malformed_setting_refuses_to_start_and_names_the_variable(name, value):
    result = load_settings(**{name: value})
    assert result.returncode != 0
    assert f"{name} must be" in result.stderr.splitlines()[-1] and repr(value) in result.stderr


def test_manage_py_says_what_is_wrong_without_a_traceback():
    environment = {**os.environ, "GRADING_BUDGET_S": "abc"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip() == "Configuration error: GRADING_BUDGET_S must be a positive number of seconds, "
        "such as 2.5, not 'abc'"
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"SUBMISSION_RATE": "5/10m", "GRADING_BUDGET_S": "0.5", "LOG_LEVEL": "warning"}, "5/10m 0.5 WARNING")],
)
def test_well_formed_settings_are_read(env, expected):
    environment = {**os.environ, **env}
    code = "import config.settings as s; print(s.SUBMISSION_RATE, s.GRADING_BUDGET_S, s.LOG_LEVEL)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.stdout.strip() == expected, result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        # By default a pool child is replaced only when it leaks: never after a count of tasks.
        ({}, "1048576 None"),
        ({"CELERY_MAX_MEMORY_PER_CHILD_MB": "512", "CELERY_MAX_TASKS_PER_CHILD": "100"}, "524288 100"),
        ({"CELERY_MAX_MEMORY_PER_CHILD_MB": "0"}, "None None"),
    ],
)
def test_pool_children_are_replaced_by_their_memory_not_by_a_count_of_tasks(env, expected):
    environment = {**os.environ, **env}
    for name in ("CELERY_MAX_MEMORY_PER_CHILD_MB", "CELERY_MAX_TASKS_PER_CHILD"):
        if name not in env:
            environment.pop(name, None)
    code = (
        "import config.settings as s; print(s.CELERY_WORKER_MAX_MEMORY_PER_CHILD, s.CELERY_WORKER_MAX_TASKS_PER_CHILD)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.stdout.strip() == expected, result.stderr
