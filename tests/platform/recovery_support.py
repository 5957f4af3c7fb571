"""Helpers for the crash and restart tests: workers with a chosen pool and environment, killing them
at a fault point, restarting PostgreSQL and Redis, and checking a submission was decided once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from bounty.models import AuditEvent, ModelVersion, Submission
from tests.platform.conftest import LiveWorker, celery_process, start_worker

FAULT_LINE = r"fault point {point} reached \(pid (\d+)\)"


@contextmanager
def launch_worker(
    tmp_path: Path,
    *,
    pool: str = "solo",
    env: dict[str, str] | None = None,
    purge: bool = True,
    own_group: bool = False,
) -> Iterator[LiveWorker]:
    """``conftest.start_worker`` with a chosen pool and extra environment variables."""
    with start_worker(
        tmp_path, purge=purge, pool=pool, env=env, prefix="recovery", own_group=own_group
    ) as worker:
        yield worker


@contextmanager
def start_beat(tmp_path: Path) -> Iterator[LiveWorker]:
    """``celery beat`` as the Makefile and docker-compose.yml run it (the reaper on its schedule)."""
    schedule = tmp_path / f"beat-{os.getpid()}-schedule"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "bounty",
        "beat",
        "--loglevel=INFO",
        f"--schedule={schedule}",
    ]
    with celery_process(command, tmp_path, "beat", env=None) as beat:
        beat.wait_for(r"beat: Starting", timeout=60)
        yield beat


def kill_at(worker: LiveWorker, point: str, *, whole_worker: bool = True) -> int:
    """Wait until the worker pauses at fault ``point`` and kill -9 it (or only the pool child that
    paused). Returns the pid that was killed."""
    found = worker.wait_for(FAULT_LINE.format(point=point), timeout=120)
    pid = worker.process.pid if whole_worker else int(found.group(1))
    os.kill(pid, signal.SIGKILL)
    if whole_worker:
        worker.process.wait(timeout=30)
    return pid


def decided_once(submission: Submission) -> None:
    """Decided, with exactly one decision record and at most one update version."""
    submission.refresh_from_db()
    assert submission.status in Submission.DECIDED, submission.status
    decisions = AuditEvent.objects.filter(action="submission.decided", payload__submission_id=submission.pk)
    assert decisions.count() == 1
    updates = ModelVersion.objects.filter(submission=submission, kind="update").count()
    assert updates == (1 if submission.status == "accepted" else 0)
    numbers = list(
        ModelVersion.objects.filter(competition=submission.competition).values_list("number", flat=True)
    )
    assert sorted(numbers) == list(range(len(numbers)))  # no gap, no duplicate


# -- the services ---------------------------------------------------------------------------------
def services_wanted() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("DATABASE_URL", "").startswith("postgres")


needs_services = pytest.mark.skipif(
    not services_wanted(),
    reason="restarts PostgreSQL and Redis: runs when CI=true or DATABASE_URL is PostgreSQL",
)


def require_local_services() -> None:
    """Skip unless this run uses a local PostgreSQL and Redis that this user may restart."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs the PostgreSQL test database and a Redis broker")
    host = connection.settings_dict.get("HOST") or "localhost"
    if host not in ("127.0.0.1", "localhost") or "127.0.0.1" not in settings.REDIS_URL:
        pytest.skip("PostgreSQL and Redis must be local to be restarted")
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster") or not shutil.which("redis-server"):
        pytest.skip("restarting the services needs root, pg_ctlcluster and redis-server")


def _wait(check: list[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run(check, capture_output=True).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError(f"{check[0]} did not come back within {timeout}s")


def restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True, timeout=120
    )
    _wait(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"])
    connections.close_all()  # this process's connection died with the server


def restart_redis() -> None:
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], timeout=30)
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
         "--appendonly", "no"],
        check=True,
        timeout=30,
    )  # fmt: skip
    _wait(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"])
