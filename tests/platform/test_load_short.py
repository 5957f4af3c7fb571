"""The load benchmark's short mode on the real stack (gunicorn, a Celery worker, the database and
broker of this run): no submission is lost and none is decided twice. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def test_the_short_load_run_loses_nothing_and_decides_nothing_twice(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BOUNTY_"))}
    env.pop("DATABASE_URL", None)  # its own SQLite database and filesystem broker in tmp_path
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--short", "--data-dir", str(tmp_path / "load")],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["submitted"] > 0
    assert result["lost"] == 0
    assert result["decided_twice"] == 0
    assert result["decided"] + result["failed"] == result["submitted"]
    assert result["page_requests"] > 0
