"""A messy 200,000-row organizer table and the competition definitions that go with it."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import Group, User

from benchmarks.messy import CHOICES, CLASSES, ODD_AGE_ROWS, RAGGED_AFTER, write_messy_csv
from bounty.models import CompetitionDraft
from bounty.services.draft_runner import draft_job_run

ROWS = 200_000
CACHE = Path(__file__).resolve().parents[2] / "var" / "test-cache"
EXPECTED_PROBLEMS = set(CHOICES)
# Data rows of the file: the ragged row is row RAGGED_AFTER + 1, so later rows move down by one.
ODD_ROWS = [row + (row > RAGGED_AFTER) for row in ODD_AGE_ROWS]


@cache
def messy_csv() -> Path:
    """The generated table (written once per machine: the generator is seeded)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"messy-{ROWS}.csv"
    if not path.exists():
        tmp = path.with_suffix(".part")
        write_messy_csv(tmp, ROWS, seed=0)
        tmp.replace(path)
    return path


def definition(slug: str, *, choices: dict[str, str] | None = None, **changes: Any) -> str:
    data: dict[str, Any] = {
        "slug": slug,
        "title": "Income, from a messy census table",
        "description": "Find groups the base model serves badly.",
        "data": {
            "file": "census.csv",
            "split": {"train": 0.6, "holdout": 0.2, "confirmation": 0.2, "seed": 7},
        },
        "target": "income",
        "classes": list(CLASSES),
        "columns": {"instance_weight": {"role": "ignore"}},
        "loss": "zero_one",
        "quotas": {"daily": 5, "total": 20, "expected_teams": 10},
        "base_model": {"train": "tree4"},
        "open": True,
        **changes,
    }
    if choices is not None:
        data["problems"] = choices
    return yaml.safe_dump(data, sort_keys=False)


def organizer_user(username: str = "grace") -> User:
    user = User.objects.create_user(username=username, password="pw-organizer-1")
    user.groups.add(Group.objects.get_or_create(name="organizers")[0])
    return user


def run_jobs(draft_id: int) -> dict[str, Any]:
    """Run the draft's queued job here (the tests' transactions never commit, so nothing was sent)."""
    draft = CompetitionDraft.objects.get(pk=draft_id)
    draft_job_run(draft_id=draft_id, name=str(draft.job["name"]))
    return dict(CompetitionDraft.objects.get(pk=draft_id).job)


def wait_for_job(draft_id: int, timeout: float = 180.0) -> dict[str, Any]:
    """Wait until a real worker has run the draft's job (for tests with ``live_worker``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = dict(CompetitionDraft.objects.get(pk=draft_id).job)
        if job.get("status") not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"the draft's job did not end in {timeout} s: {job}")
