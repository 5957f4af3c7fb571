"""Celery tasks. The scoring task lives here; the work is done by ``bounty.services.scoring``."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="bounty.score_submission")
def score_submission(submission_id: int) -> None:
    """Evaluate and decide one submission (``CELERY_TASK_ROUTES`` sends it to ``scoring``)."""
    from bounty.services.scoring import submission_score

    submission_score(submission_id=submission_id)
