"""Sending the lifecycle's work to the workers. Tasks are sent by name (``bounty.tasks`` defines them
and calls back into the lifecycle), so nothing here imports the task module."""

from __future__ import annotations

from celery import chord, current_app, signature
from django.conf import settings
from django.db import transaction

SCORE = "bounty.score_submission"
EVALUATE_SHARD = "bounty.evaluate_shard"
FINISH_SHARDS = "bounty.finish_shards"


def send_score(submission_id: int) -> None:
    """Ask a worker to claim and evaluate the submission, then decide whatever is ready; sending it
    twice is harmless (a claim succeeds once, a decision happens once)."""
    current_app.send_task(SCORE, args=[submission_id])


def score_after_commit(submission_id: int) -> None:
    """``send_score`` once the current transaction commits (never for a submission rolled back)."""
    transaction.on_commit(lambda: send_score(submission_id))


def chords_available() -> bool:
    """Shards run as a chord of separate tasks only with a result backend (Redis)."""
    return bool(settings.CELERY_RESULT_BACKEND)


def send_shards(submission_id: int, attempt: int, count: int) -> None:
    """One task per shard of claim ``attempt`` and, once all are done, the one that combines them."""
    app = current_app
    header = [
        signature(EVALUATE_SHARD, args=(submission_id, attempt, index, count), app=app, immutable=True)
        for index in range(count)
    ]
    chord(header, app=app)(
        signature(FINISH_SHARDS, args=(submission_id, attempt, count), app=app, immutable=True)
    )
