"""Celery tasks: each hands ids to the lifecycle (``bounty.lifecycle``), which does the work.

The lifecycle sends these tasks by name; this module is the top layer and imports only the lifecycle
(and the runner of the competition drafts' background jobs).
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from bounty import lifecycle
from bounty.lifecycle import fit, precheck
from bounty.services import draft_runner, landscapes


@shared_task(name="bounty.score_submission", bind=True)
def score_submission(self: Task[Any, Any], submission_id: int) -> None:
    """Claim, evaluate and decide one submission (``CELERY_TASK_ROUTES`` sends it to ``scoring``).

    A message the broker marks as redelivered (its worker was lost mid-task) may take over the
    submission it left ``running`` at once, instead of waiting for its lease to run out."""
    delivery = getattr(self.request, "delivery_info", None) or {}
    lifecycle.submission_score(submission_id=submission_id, redelivered=bool(delivery.get("redelivered")))


@shared_task(name="bounty.precheck_pair", ignore_result=False, acks_late=False)
def precheck_pair(
    competition_id: int, tree: dict[str, Any] | None, model_sha: str, group_sha: str | None
) -> dict[str, Any]:
    """Run a pair on a few hundred public train rows before it is queued (``precheck`` queue); the
    request that sent it waits for this answer."""
    return precheck.precheck_run(
        competition_id=competition_id, tree=tree, model_sha=model_sha, group_sha=group_sha
    )


@shared_task(name="bounty.evaluate_shard", ignore_result=False)
def evaluate_shard(submission_id: int, attempt: int, index: int, count: int) -> dict[str, Any]:
    """Evaluate one shard of a claimed submission (a chord's part; its result is kept for the chord)."""
    return lifecycle.shard_evaluate(submission_id=submission_id, attempt=attempt, index=index, count=count)


@shared_task(name="bounty.finish_shards")
def finish_shards(submission_id: int, attempt: int, count: int) -> None:
    """Combine a submission's shards once all are evaluated, then decide in arrival order."""
    lifecycle.submission_shards_finish(submission_id=submission_id, attempt=attempt, count=count)


@shared_task(name="bounty.reap_stuck")
def reap_stuck() -> dict[str, list[int]]:
    """Re-queue submissions whose claim went silent (Celery beat, every BOUNTY_REAP_INTERVAL_SECONDS)."""
    return lifecycle.stuck_reap().as_dict()


@shared_task(name="bounty.close_due_competitions")
def close_due_competitions() -> list[int]:
    """Close open competitions past their closing time and confirm their updates (Celery beat)."""
    return lifecycle.competitions_close_due()


@shared_task(name="bounty.draft_job")
def draft_job(draft_id: int, name: str) -> None:
    """Run one background step of a competition draft (reading, typing, training, creating)."""
    draft_runner.draft_job_run(draft_id=draft_id, name=name)


@shared_task(name="bounty.explore_landscape")
def explore_landscape(landscape_id: int) -> None:
    """Compute Explore's landscape of one version (``explore`` queue; a few seconds, apart from scoring)."""
    landscapes.landscape_compute(landscape_id=landscape_id)


@shared_task(name="bounty.fit_model")
def fit_model(job_id: int) -> None:
    """Fit a model for a group without code (``fit`` queue, its own solo worker: never behind scoring;
    the fit itself runs in a child with memory and time limits, ``scoring.engine.fit``)."""
    fit.fit_run(job_id=job_id)
