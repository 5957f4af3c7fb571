"""Running a draft's queued background job: the task ``bounty.draft_job`` calls ``draft_job_run``.

The job's outcome is written to ``CompetitionDraft.job`` (``bounty.services.draft_jobs``): done, or
needs_choices with the problems the organizer must resolve, or failed with the refusal's code and
message. An unexpected error fails the job too (and is re-raised for the worker's log).
"""

from __future__ import annotations

from collections.abc import Callable

from bounty.errors import DomainError
from bounty.models import CompetitionDraft
from bounty.services import draft_steps
from bounty.services.definitions import definition_run
from bounty.services.draft_jobs import ACTIVE, Progress, job_finish, job_update, progress_writer
from bounty.storage import draft_saved

BODIES: dict[str, Callable[[CompetitionDraft, Progress], draft_steps.Outcome]] = {
    "read": draft_steps.read_files,
    "prepare": draft_steps.prepare_splits,
    "train": draft_steps.train_and_measure,
    "spread": draft_steps.measure_spread,
    "create": draft_steps.create_competition,
    "definition": definition_run,
}


def draft_job_run(*, draft_id: int, name: str) -> None:
    """Run the draft's queued job ``name`` (a stale or repeated message does nothing)."""
    draft = CompetitionDraft.objects.filter(pk=draft_id).first()
    if draft is None or (draft.job or {}).get("name") != name or draft.job.get("status") not in ACTIVE:
        return
    job_update(draft, status="running", stage="Starting")
    try:
        outcome = BODIES[name](draft, progress_writer(draft))
    except DomainError as error:
        draft_saved(draft_id)
        job_finish(draft, "failed", error={"code": error.code, "message": error.message})
        return
    except Exception:
        job_finish(draft, "failed", error={"code": "internal", "message": "The step failed unexpectedly."})
        raise
    draft_saved(draft_id)  # the files it wrote, before the pages say it is done
    job_finish(draft, outcome.status, progress=1.0, stage="Finished", **outcome.extra)
