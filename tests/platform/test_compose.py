"""docker-compose.yml runs the same web and worker commands as the Makefile."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

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


def test_web_and_worker_share_the_data_volume_and_environment() -> None:
    services = compose()["services"]
    mounts = [set(services[name]["volumes"]) for name in ("web", "worker", "migrate")]
    assert mounts[0] == mounts[1] == mounts[2]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql://")
        assert env["REDIS_URL"].startswith("redis://")
        assert env["BOUNTY_DATA_DIR"]


def test_the_worker_scales_out_without_clashing_replicas() -> None:
    """``docker compose up --scale worker=4``: nothing in the worker may be unique to one container."""
    services = compose()["services"]
    worker = services["worker"]
    for unique in ("container_name", "hostname", "ports", "network_mode"):
        assert unique not in worker, f"the worker sets {unique}, so replicas would clash"
    words = command(worker)
    assert not {"-n", "--hostname"} & set(words), "a fixed Celery node name would clash across replicas"
    assert not any(w.startswith(("--hostname=", "-n=")) for w in words)
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["web"]
    # replicas combine each other's shard files and use Redis for the broker and chord results
    assert set(worker["volumes"]) == set(services["web"]["volumes"])
    assert worker["environment"]["BOUNTY_DATA_DIR"] == services["web"]["environment"]["BOUNTY_DATA_DIR"]
    assert worker["environment"]["REDIS_URL"] == services["web"]["environment"]["REDIS_URL"]


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
