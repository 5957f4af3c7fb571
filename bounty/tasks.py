"""Celery tasks. The scoring task lives here; the work is done by ``bounty.services.scoring``."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task


@shared_task(name="bounty.score_submission", bind=True)
def score_submission(self: Task[Any, Any], submission_id: int) -> None:
    """Evaluate and decide one submission (``CELERY_TASK_ROUTES`` sends it to ``scoring``).

    A message the broker marks as redelivered (its worker was lost mid-task) may take over the
    submission it left ``running`` at once, instead of waiting for the reaper's lease."""
    from bounty.services.scoring import submission_score

    delivery = getattr(self.request, "delivery_info", None) or {}
    submission_score(submission_id=submission_id, redelivered=bool(delivery.get("redelivered")))


@shared_task(name="bounty.evaluate_shard", ignore_result=False)
def evaluate_shard(submission_id: int, attempt: int, index: int, count: int) -> dict[str, Any]:
    """Evaluate one shard of a claimed submission (a chord's part; its result is kept for the chord)."""
    from bounty.services.sharding import shard_evaluate

    return shard_evaluate(submission_id=submission_id, attempt=attempt, index=index, count=count)


@shared_task(name="bounty.finish_shards")
def finish_shards(submission_id: int, attempt: int, count: int) -> None:
    """Combine a submission's shards once all are evaluated, then decide in arrival order."""
    from bounty.services.scoring import submission_shards_finish

    submission_shards_finish(submission_id=submission_id, attempt=attempt, count=count)


@shared_task(name="bounty.reap_stuck")
def reap_stuck() -> dict[str, list[int]]:
    """Re-queue submissions stuck past the lease (run by Celery beat; see ``bounty.services.reaper``)."""
    from bounty.services.reaper import stuck_reap

    return stuck_reap().as_dict()


@shared_task(name="bounty.close_due_competitions")
def close_due_competitions() -> list[int]:
    """Close open competitions past their closing time and confirm their updates (Celery beat)."""
    from bounty.services.confirmation import competitions_close_due

    return competitions_close_due()
