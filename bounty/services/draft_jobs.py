"""Background jobs of a competition draft: reading the files, typing and splitting them, training the
base model, creating the competition, or all of them for a competition definition.

A draft runs one job at a time. ``draft_job_start`` records the job as queued and, once the
transaction commits, sends the task ``bounty.draft_job`` (by name: ``bounty.tasks`` defines it and
calls ``bounty.services.draft_steps``). The job writes only ``CompetitionDraft.job`` while it runs, so
the organizer's pages read its progress without racing it; the organizer can leave and come back.

``job`` holds ``name``, ``status`` (queued | running | done | failed | needs_choices), ``progress``
(0..1), ``stage`` (what it is doing, in words), ``started`` / ``finished`` (ISO times) and, when it
stops, ``error`` (code and message) or ``problems``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from celery import current_app
from django.db import transaction
from django.utils import timezone

from bounty.errors import DomainError
from bounty.models import CompetitionDraft
from bounty.storage import draft_saved

TASK = "bounty.draft_job"
JOBS = ("read", "prepare", "train", "spread", "create", "definition")
ACTIVE = ("queued", "running")
STALE_SECONDS = 6 * 3600  # a job silent this long is taken as lost (its worker died)
Progress = Callable[[float, str], None]


def require_idle(draft: CompetitionDraft) -> None:
    """Refuse to change a draft while one of its jobs is queued or running."""
    job = draft.job or {}
    if job.get("status") in ACTIVE and not _stale(job):
        raise DomainError("draft_busy", f"Wait until the draft's {job.get('name')} step finishes.")


def _stale(job: dict[str, Any]) -> bool:
    return time.time() - float(job.get("beat", 0) or 0) > STALE_SECONDS


def draft_job_start(*, draft: CompetitionDraft, name: str) -> None:
    """Queue job ``name`` for the draft; the task is sent when the transaction commits."""
    if name not in JOBS:
        raise ValueError(f"unknown draft job {name!r}")
    draft.job = {
        "name": name,
        "status": "queued",
        "progress": 0.0,
        "stage": "Waiting for a worker",
        "started": timezone.now().isoformat(),
        "beat": time.time(),
    }
    draft.save(update_fields=["job", "updated_at"])
    draft_id = int(draft.pk)
    draft_saved(draft_id)  # what the job will read, for the worker that takes it
    transaction.on_commit(lambda: current_app.send_task(TASK, args=[draft_id, name]))


def job_update(draft: CompetitionDraft, **changes: Any) -> None:
    """Write the job's fields (only ``job``: the organizer's own edits are refused while it runs)."""
    draft.job = {**(draft.job or {}), **changes, "beat": time.time()}
    CompetitionDraft.objects.filter(pk=draft.pk).update(job=draft.job)


def progress_writer(draft: CompetitionDraft, *, every: float = 0.5) -> Progress:
    """A callback that records progress at most every ``every`` seconds."""
    last = [0.0]

    def report(share: float, stage: str) -> None:
        now = time.monotonic()
        if now - last[0] >= every or share >= 1.0:
            last[0] = now
            job_update(draft, progress=round(min(max(share, 0.0), 1.0), 3), stage=stage)

    return report


def job_finish(draft: CompetitionDraft, status: str, **extra: Any) -> None:
    job_update(draft, status=status, finished=timezone.now().isoformat(), **extra)
