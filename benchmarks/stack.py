"""The real stack for the platform benchmarks (``latency``, ``throughput``, ``leaderboard``): a fresh
PostgreSQL database and Redis database of their own, a fresh data dir, the demo competition as
``manage.py seed_demo`` makes it, participants with API tokens, and worker processes.

Process handling and Django set-up come from ``benchmarks.load`` and the pairs from
``benchmarks.load_world``. PostgreSQL and Redis must be running (``make services``):

- ``BENCH_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432``): the server; each benchmark
  drops and creates its own database there (``bench_<name>``);
- ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379``): the server; each benchmark flushes and
  uses its own database number (2 and up; 0 and 1 are left to the test suite).

The UCI Adult data are downloaded by ``seed_demo`` once and kept in ``var/cache/adult`` for later runs.
The data dir is removed when the benchmark ends unless ``BENCH_KEEP=1`` (its ``logs/`` hold the
processes' output).
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import skops.io as sio

from benchmarks.load import REPO_DIR, configure

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
ADULT_CACHE = REPO_DIR / "var" / "cache" / "adult"
DEMO_SLUG = "adult-income"


def fresh_database(name: str) -> str:
    """Drop and create ``bench_<name>``; its URL."""
    import psycopg

    database = f"bench_{name}"
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return f"{PG_URL}/{database}"


def fresh_redis(number: int) -> str:
    """Flush Redis database ``number`` (2 or more); its URL."""
    import redis

    if number < 2:
        raise ValueError("Redis databases 0 and 1 are the test suite's")
    url = f"{REDIS_URL}/{number}"
    redis.Redis.from_url(url).flushdb()
    return url


def prepare(name: str, redis_db: int) -> tuple[dict[str, str], Path]:
    """A fresh database, Redis database and data dir, Django configured on them and migrated: the
    environment for child processes and the data dir."""
    os.environ["DATABASE_URL"] = fresh_database(name)
    os.environ["REDIS_URL"] = fresh_redis(redis_db)
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-")).resolve()
    if not os.environ.get("BENCH_KEEP"):  # BENCH_KEEP=1 keeps the data dir and its logs
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    env = configure(data_dir)
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # keep stdout to the JSON

    call_command("migrate", "--noinput", verbosity=0)
    return env, data_dir


def seed_demo(data_dir: Path) -> Any:
    """The demo competition (``manage.py seed_demo``), with quotas no benchmark can exhaust."""
    from django.core.management import call_command

    from bounty.models import Competition

    cache = data_dir / "cache" / "adult"
    if ADULT_CACHE.is_dir():
        shutil.copytree(ADULT_CACHE, cache, dirs_exist_ok=True)
    call_command("seed_demo", stdout=io.StringIO())
    if cache.is_dir() and not ADULT_CACHE.is_dir():
        shutil.copytree(cache, ADULT_CACHE)
    Competition.objects.filter(slug=DEMO_SLUG).update(daily_quota=1_000_000, total_quota=1_000_000)
    return Competition.objects.get(slug=DEMO_SLUG)


def participant(competition: Any, name: str) -> tuple[Any, str]:
    """A user with the terms accepted, a team and an API token."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from bounty.services.teams import team_create
    from bounty.services.terms import terms_accept

    user = User.objects.create_user(name, password=None)
    terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
    team_create(competition=competition, name=f"Team {name}", user=user)
    return user, Token.objects.create(user=user).key


def submit(competition: Any, user: Any, text: str, model: bytes) -> Any:
    """A submission of (``text``, ``model``) by ``user``, as the web and API make it (queued on commit)."""
    from django.core.files.base import ContentFile

    from bounty.lifecycle import submission_create

    upload = ContentFile(model, name="m.skops")
    return submission_create(competition=competition, user=user, group_text=text, model_file=upload)


@dataclass(frozen=True)
class Pair:
    text: str
    model: bytes
    kind: str  # boosting | tree2 | tree5


def demo_pairs(competition: Any) -> list[Pair]:
    """Pairs trained on the competition's public train split: gradient boosting on the group's rows
    (accepted the first time, for some groups), then depth-2 and depth-5 trees on numeric features."""
    from benchmarks.load_world import GROUP_TEXTS, _pair_model
    from bounty.demo.models import _fit_on_group
    from bounty.engine_adapter import competition_schema, competition_store
    from scoring import groups

    schema = competition_schema(competition)
    train = pd.read_csv(competition_store(competition).public_train_csv)
    boosted = [
        Pair(
            text, bytes(sio.dumps(_fit_on_group(train, schema, groups.parse_text(text, schema)))), "boosting"
        )
        for text in GROUP_TEXTS
    ]
    trees = [
        Pair(text, _pair_model(text, schema, train, depth), f"tree{depth}")
        for depth in (2, 5)
        for text in GROUP_TEXTS
    ]
    return boosted + trees


def wait_for_workers(count: int, timeout: float = 120.0) -> None:
    """Until ``count`` Celery workers answer a ping (their zygotes start with their first job)."""
    from bounty.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1.0) or []) >= count:
            return
    raise RuntimeError(f"fewer than {count} workers answered within {timeout:.0f}s")


def load_average() -> float:
    """The 1-minute load average when the run ended (other work on the machine skews the figures)."""
    return round(os.getloadavg()[0], 2)
