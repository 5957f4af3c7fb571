"""Sharded scoring: one submission's evaluation on large hidden splits cut into row ranges that are
evaluated in parallel, then combined into the one evaluation the ordinary commit decides.

When a hidden split is longer than the competition's ``shard_rows`` (or ``BOUNTY_SHARD_ROWS``), the
scoring task, having claimed the submission, sends a Celery chord: one ``bounty.evaluate_shard`` task
per shard (each runs the pair in the sandbox on its row ranges and writes the group's rows and h's
predictions there as ``.npy`` files under the competition's ``evaluations/`` folder) and, once every
shard is written, ``bounty.finish_shards``, which concatenates them in row order into exactly the
evaluation an unsharded run gives (``scoring.engine.shards``) and decides in arrival order as usual
(``bounty.services.scoring.submission_shards_finish``). Committing stays serialized: only the
evaluation is spread over workers.

A chord needs a result backend (Redis). Without one (SQLite and the filesystem broker) the shards run
one after another inside the scoring task, through the same functions and the same combine.

Each shard task and the combine belong to one claim (the submission's ``attempts``): after the reaper
re-queued a submission, an earlier claim's tasks find nothing to do. A group given as a model file is
evaluated whole (the sandbox predicts its membership on every row it is given).
"""

from __future__ import annotations

import logging
import shutil
from typing import Any

from django.conf import settings
from django.utils import timezone

from bounty.engine_adapter import competition_store
from bounty.models import Submission
from bounty.storage import artifact_read
from scoring.engine import Evaluation, ShardResult, Store
from scoring.engine.shards import (
    combine,
    evaluate_shard,
    load_shard,
    save_shard,
    shard_count,
    shard_ranges,
    shards_dir,
    split_rows,
)
from scoring.errors import EngineError

log = logging.getLogger(__name__)
Status = Submission.Status


def submission_shard_count(submission: Submission) -> int:
    """How many shards this submission's evaluation takes (1: evaluate it whole)."""
    if submission.group_tree is None:
        return 1
    competition = submission.competition
    limit = competition.shard_rows or int(settings.BOUNTY_SHARD_ROWS)
    try:
        return shard_count(split_rows(competition_store(competition)), limit)
    except (OSError, EngineError):
        return 1  # the whole evaluation will say what is wrong


def chords_available() -> bool:
    return bool(settings.CELERY_RESULT_BACKEND)


def shards_start(*, submission: Submission, count: int) -> bool:
    """Send the chord and return True, or, without a result backend, evaluate every shard here, one
    after another, and return False (the caller then combines them)."""
    attempt = submission.attempts
    chords = chords_available()
    log.info("submission %s: %s shards, %s", submission.pk, count, "a chord" if chords else "in turn")
    if chords:
        from celery import chord

        from bounty.tasks import evaluate_shard as shard_task
        from bounty.tasks import finish_shards

        header = [shard_task.si(submission.pk, attempt, index, count) for index in range(count)]
        chord(header)(finish_shards.si(submission.pk, attempt, count))
        return True
    for index in range(count):
        shard_evaluate(submission_id=submission.pk, attempt=attempt, index=index, count=count)
    return False


def shard_evaluate(*, submission_id: int, attempt: int, index: int, count: int) -> dict[str, Any]:
    """Evaluate shard ``index`` of ``count`` and write its outcome: the arrays, the engine's refusal or
    a platform failure (so the chord always completes). Renews the claim's lease while shards run."""
    claimed = Submission.objects.filter(pk=submission_id, status=Status.RUNNING, attempts=attempt)
    if not claimed.update(started_at=timezone.now()):
        return {"index": index, "status": "skipped"}
    submission = Submission.objects.select_related("competition").get(pk=submission_id)
    store = competition_store(submission.competition)
    try:
        assert submission.group_tree is not None
        part = evaluate_shard(
            store,
            group=submission.group_tree,
            model=artifact_read(submission.model_sha256),
            ranges=shard_ranges(split_rows(store), count, index),
        )
    except EngineError as exc:
        part = ShardResult(status="refused", reason=exc.reason.value, message=exc.message)
    except Exception:
        log.exception("shard %s/%s of submission %s failed", index, count, submission_id)
        part = ShardResult(status="failed")
    save_shard(shards_dir(store, _label(submission_id, attempt)) / str(index), part)
    return {"index": index, "status": part.status}


def shards_load(*, submission: Submission, count: int) -> list[ShardResult] | None:
    """Every shard's saved outcome for the submission's current claim, or None if one is missing."""
    store = competition_store(submission.competition)
    folder = shards_dir(store, _label(submission.pk, submission.attempts))
    parts = [load_shard(folder / str(index)) for index in range(count)]
    return None if any(p is None for p in parts) else [p for p in parts if p is not None]


def shards_combine(store: Store, *, submission: Submission, parts: list[ShardResult]) -> Evaluation:
    """The whole evaluation; raises the first refusal in row order, or RuntimeError if a shard failed."""
    for part in parts:
        if part.status == "refused":
            raise part.error()
        if part.status != "ok":
            raise RuntimeError("a shard of the evaluation failed")
    assert submission.group_tree is not None
    model = artifact_read(submission.model_sha256)
    return combine(store, group=submission.group_tree, model=model, parts=parts)


def shards_drop(*, submission: Submission) -> None:
    """Remove the saved shards of every claim of the submission."""
    store = competition_store(submission.competition)
    for folder in shards_dir(store, _label(submission.pk, 0)).parent.glob(f"{submission.pk}-*.shards"):
        shutil.rmtree(folder, ignore_errors=True)


def _label(submission_id: int, attempt: int) -> str:
    return f"{int(submission_id)}-{int(attempt)}"
