"""Fixtures for the platform tests: users, an open competition with files on disk, and a real
Celery worker process (``live_worker``) that uses the same test database."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.utils import timezone

from bounty.models import Competition, Membership, Team, TermsAcceptance
from bounty.storage import competition_dir
from scoring.engine import Rules, Settings
from scoring.sandbox import Limits
from scoring.schema import Schema

REPO_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-staple"
HOLDOUT_MARKER = "HOLDOUT-SECRET-7f3a9c"
CONFIRMATION_MARKER = "CONFIRMATION-SECRET-51be02"
TRAIN_CSV = "age,sex,y\n61,Female,1\n35,Male,0\n"

SCHEMA = {
    "columns": [
        {"name": "age", "kind": "numeric"},
        {"name": "sex", "kind": "categorical", "categories": ["Female", "Male"]},
    ],
    "target": "y",
    "task": "binary",
    "classes": ["0", "1"],
    "attributes": ["sex"],
}


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test gets its own data dir for competition files and artifacts."""
    path = tmp_path / "data"
    path.mkdir()
    settings.BOUNTY_DATA_DIR = path
    return path


def make_competition(**overrides: Any) -> Competition:
    now = timezone.now()
    fields: dict[str, Any] = {
        "slug": "adult-income",
        "title": "Adult income",
        "description": "Find groups the **base model** fails.",
        "rules": "Be kind.",
        "schema": SCHEMA,
        "task": "binary",
        "loss": "zero_one",
        "alpha": 0.001,
        "mu_min": 0.01,
        "z": 0.0,
        "daily_quota": 3,
        "total_quota": 5,
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "status": Competition.Status.OPEN,
        "terms_text": "Do not try to recover the holdout.",
        "terms_version": 1,
        "data_card": {"rows": {"train": 2, "holdout": 20_000, "confirmation": 2}, "attributes": ["sex"]},
        "base_holdout_loss": 0.2,
        "current_holdout_loss": 0.2,
    }
    fields.update(overrides)
    competition = Competition.objects.create(**fields)
    write_split_files(competition)
    return competition


def write_split_files(competition: Competition) -> None:
    """The files of a competition without an engine run: its settings (the rules, as the store keeps
    them), the public train split and marked stand-ins for the hidden splits."""
    root = competition_dir(competition.pk)
    root.mkdir(parents=True, exist_ok=True)
    rules = Rules(alpha=competition.alpha, mu_min=competition.mu_min, z=competition.z)
    settings = Settings(Schema.from_json(competition.schema), competition.loss, {}, rules, Limits())
    (root / "competition.json").write_text(json.dumps(settings.to_json()))
    (root / "public").mkdir(parents=True, exist_ok=True)
    (root / "private").mkdir(parents=True, exist_ok=True)
    (root / "public" / "train.csv").write_text(TRAIN_CSV)
    for folder in (root, root / "private"):
        (folder / "holdout.csv").write_text(f"age,sex,y\n1,Male,{HOLDOUT_MARKER}\n")
        (folder / "confirmation.csv").write_text(f"age,sex,y\n2,Male,{CONFIRMATION_MARKER}\n")


@pytest.fixture(scope="session")
def adult_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data, fetched (or generated) once per test session."""
    from bounty.demo import load_demo_frame

    cache = tmp_path_factory.mktemp("adult-cache")
    load_demo_frame(cache)
    return cache


@pytest.fixture
def competition(db: None) -> Competition:
    return make_competition()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(username: str, **extra: Any) -> User:
        return User.objects.create_user(username=username, password=PASSWORD, **extra)

    return make


@pytest.fixture
def participant(make_user: Callable[..., User]) -> User:
    return make_user("ada")


@pytest.fixture
def ready_participant(participant: User, competition: Competition) -> User:
    """A participant who accepted the current terms and has a team."""
    TermsAcceptance.objects.create(
        user=participant, competition=competition, terms_version=competition.terms_version
    )
    team = Team.objects.create(competition=competition, name="Lovelace")
    Membership.objects.create(team=team, competition=competition, user=participant)
    return participant


@pytest.fixture
def organizer(make_user: Callable[..., User], competition: Competition) -> User:
    user = make_user("grace")
    competition.organizers.add(user)
    return user


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def model_upload(content: bytes | None = None, name: str = "m.skops") -> Any:
    """An uploaded model file: by default a real (tiny) skops file, which passes the upload's check of
    the bytes (every entry point makes it); competitions without an engine store skip the pre-check."""
    from tests.platform.api_support import skops_model

    data = skops_model() if content is None else content
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record scoring tasks sent to the broker instead of sending them."""
    from bounty.lifecycle import enqueue

    sent: list[int] = []
    monkeypatch.setattr(enqueue, "send_score", sent.append)
    return sent


# -- a real worker process ------------------------------------------------------------------------
def database_url(settings_dict: dict[str, Any]) -> str:
    """A ``DATABASE_URL`` for the database this test process is using (the test database)."""
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite:///" + str(Path(settings_dict["NAME"]).resolve())
    if "postgresql" in engine:
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgresql://{auth}{host}{port}/{quote(settings_dict['NAME'], safe='')}"
    raise RuntimeError(f"no worker support for database engine {engine}")


@dataclass
class LiveWorker:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log())
            if found:
                return found
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited ({self.process.returncode}):\n{self.log()}")
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} in the worker log after {timeout}s:\n{self.log()}")


@contextmanager
def start_worker(
    tmp_path: Path,
    *,
    purge: bool = True,
    pool: str = "solo",
    env: dict[str, str] | None = None,
    prefix: str = "test",
    own_group: bool = False,
) -> Iterator[LiveWorker]:
    """A real ``celery -A bounty worker`` subprocess on the test database, the test broker and
    this test's data dir, with the chosen ``pool`` (one process) and extra ``env``; ``own_group``
    starts it in a process group of its own (the children it starts are in it too)."""
    from bounty.celery import app

    if purge:
        app.control.purge()
    command = [
        sys.executable, "-m", "celery", "-A", "bounty", "worker", "-Q", "scoring,celery,precheck,explore,fit",
        f"--pool={pool}", "--concurrency=1", "--loglevel=INFO", "--without-mingle",
        "--without-gossip", "--without-heartbeat", "-n", f"{prefix}-{uuid.uuid4().hex[:8]}@%h",
    ]  # fmt: skip
    with celery_process(command, tmp_path, "worker", env=env, own_group=own_group) as worker:
        worker.wait_for(r"ready\.", timeout=90)
        yield worker


@contextmanager
def celery_process(
    command: list[str], tmp_path: Path, kind: str, *, env: dict[str, str] | None, own_group: bool = False
) -> Iterator[LiveWorker]:
    """A Celery process (worker or beat) on the test database, broker and data dir; stopped at the end."""
    from django.conf import settings

    full = dict(os.environ)
    for name in ("BOUNTY_FAULT_PAUSE_AT", "BOUNTY_FAULT_ONCE_FILE"):
        full.pop(name, None)
    full.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        BOUNTY_TEST_DATA_DIR=str(settings.BOUNTY_DATA_DIR),
        BOUNTY_BROKER_DIR=str(settings.BOUNTY_BROKER_DIR),
        DATABASE_URL=database_url(connections["default"].settings_dict),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_DIR), full.get("PYTHONPATH")])),
    )
    full.update(env or {})  # a worker "on another host" names its own data dir
    log_path = tmp_path / f"{kind}-{uuid.uuid4().hex[:8]}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_DIR,
            env=full,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )
    try:
        yield LiveWorker(process, log_path)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def live_worker(transactional_db: None, tmp_path: Path) -> Iterator[LiveWorker]:
    with start_worker(tmp_path) as worker:
        yield worker


@pytest.fixture
def two_workers(transactional_db: None, tmp_path: Path) -> Iterator[list[LiveWorker]]:
    """Two separate worker processes taking from the same queue."""
    with start_worker(tmp_path) as first, start_worker(tmp_path, purge=False) as second:
        yield [first, second]
