"""The settings read the environment and fail loudly; each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parents[2]
REPORT = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "debug": s.DEBUG, "hosts": s.ALLOWED_HOSTS, "key": s.SECRET_KEY,
    "engine": db["ENGINE"], "name": str(db["NAME"]), "test_name": db.get("TEST", {}).get("NAME"),
    "conn_max_age": db.get("CONN_MAX_AGE"), "broker": s.CELERY_BROKER_URL,
    "broker_options": s.CELERY_BROKER_TRANSPORT_OPTIONS, "routes": s.CELERY_TASK_ROUTES,
    "ignore_result": s.CELERY_TASK_IGNORE_RESULT, "acks_late": s.CELERY_TASK_ACKS_LATE,
    "prefetch": s.CELERY_WORKER_PREFETCH_MULTIPLIER,
    "reject_lost": s.CELERY_TASK_REJECT_ON_WORKER_LOST,
    "result_backend": s.CELERY_RESULT_BACKEND, "shard_rows": s.BOUNTY_SHARD_ROWS,
}))
"""


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": str(REPO_DIR)}
    clean.update(DJANGO_SETTINGS_MODULE="bounty.settings", BOUNTY_DATA_DIR=str(tmp_path / "data"))
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", REPORT], env=clean, cwd=tmp_path, capture_output=True, text=True
    )


def report(tmp_path: Path, **env: str) -> dict[str, Any]:
    done = run(tmp_path, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_production_mode_without_a_secret_key_fails(tmp_path: Path) -> None:
    done = run(tmp_path, DJANGO_ALLOWED_HOSTS="bounty.example.org")
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "DJANGO_SECRET_KEY" in done.stderr


def test_production_mode_without_allowed_hosts_fails(tmp_path: Path) -> None:
    done = run(tmp_path, DJANGO_SECRET_KEY="x" * 50)
    assert done.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in done.stderr


def test_malformed_switches_fail(tmp_path: Path) -> None:
    done = run(tmp_path, DJANGO_DEBUG="maybe")
    assert done.returncode != 0
    assert "DJANGO_DEBUG" in done.stderr


def test_production_mode_with_its_environment(tmp_path: Path) -> None:
    settings = report(
        tmp_path,
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_ALLOWED_HOSTS="bounty.example.org, www.example.org",
        DATABASE_URL="postgresql://bounty:pw@db:5432/bounty",
        REDIS_URL="redis://redis:6379/0",
    )
    assert settings["debug"] is False
    assert settings["hosts"] == ["bounty.example.org", "www.example.org"]
    assert settings["key"] == "k" * 50
    assert (settings["engine"], settings["name"]) == ("django.db.backends.postgresql", "bounty")
    assert settings["conn_max_age"] == 60
    assert settings["broker"] == "redis://redis:6379/0"


def test_demo_mode_generates_a_private_secret_key_and_keeps_it(tmp_path: Path) -> None:
    first = report(tmp_path, BOUNTY_DEMO="1")
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first["key"]
    assert len(first["key"]) >= 50
    assert report(tmp_path, BOUNTY_DEMO="1")["key"] == first["key"]
    assert first["hosts"] == ["localhost", "127.0.0.1"]
    assert first["debug"] is False


def test_without_environment_sqlite_and_a_filesystem_broker_live_in_the_data_dir(
    tmp_path: Path,
) -> None:
    settings = report(tmp_path, BOUNTY_DEMO="1")
    data = tmp_path / "data"
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(data / "db.sqlite3")
    assert settings["test_name"] == str(data / "test_db.sqlite3")
    assert settings["broker"] == "filesystem://localhost//"
    options = settings["broker_options"]
    assert options["data_folder_in"] == options["data_folder_out"]
    assert Path(options["data_folder_in"]).is_dir()
    assert Path(options["data_folder_in"]).is_relative_to(data)


def test_celery_routes_scoring_and_the_precheck_to_their_queues_and_acknowledges_late(tmp_path: Path) -> None:
    settings = report(tmp_path, BOUNTY_DEMO="1")
    scoring = {"queue": "scoring"}
    assert settings["routes"] == {
        "bounty.score_submission": scoring,
        "bounty.evaluate_shard": scoring,
        "bounty.finish_shards": scoring,
        "bounty.precheck_pair": {"queue": "precheck"},  # short runs a request waits for
        "bounty.explore_landscape": {"queue": "explore"},
        "bounty.fit_model": {"queue": "fit"},
    }
    assert settings["ignore_result"] is True
    assert settings["acks_late"] is True
    assert settings["prefetch"] == 1
    assert settings["reject_lost"] is True


def test_shards_run_as_chords_only_with_a_redis_result_backend(tmp_path: Path) -> None:
    local = report(tmp_path, BOUNTY_DEMO="1")
    assert local["result_backend"] is None and local["shard_rows"] == 500_000
    redis = report(tmp_path, BOUNTY_DEMO="1", REDIS_URL="redis://redis:6379/3", BOUNTY_SHARD_ROWS="1000")
    assert redis["result_backend"] == "redis://redis:6379/3" and redis["shard_rows"] == 1000
    assert run(tmp_path, BOUNTY_DEMO="1", BOUNTY_SHARD_ROWS="0").returncode != 0


def test_debug_only_with_django_debug(tmp_path: Path) -> None:
    assert report(tmp_path, DJANGO_DEBUG="1")["debug"] is True
