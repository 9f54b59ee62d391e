from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parent.parent / "docker"


def test_compose_file_parses_and_names_every_service():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "redis", "postgres"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    assert "--appendonly yes" in services["redis"]["command"]
    for name in ("web", "worker", "redis", "postgres"):
        assert "healthcheck" in services[name], name
    assert {"postgres-data", "redis-data"} <= set(compose["volumes"])


def test_the_batch_worker_container_takes_only_the_cpu_the_others_leave():
    # Between containers, CPU goes by their groups' weights, not by niceness: the batch worker's must be the least.
    services = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]
    assert "-Q batch" in services["batch-worker"]["command"]
    assert services["batch-worker"]["cpu_shares"] <= 16  # of 1024
    assert all("cpu_shares" not in service for name, service in services.items() if name != "batch-worker")


def test_dockerfile_is_multi_stage_and_runs_unprivileged():
    text = (DOCKER / "Dockerfile").read_text()
    assert text.count("FROM ") >= 2 and "COPY --from=build" in text
    assert "\nUSER app" in text


def test_env_example_names_the_settings():
    text = (DOCKER / ".env.example").read_text()
    for name in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"):
        assert f"{name}=" in text
