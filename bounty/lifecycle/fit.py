"""Fitting a model for a group on the site, without code, and submitting it.

``fit_request`` checks at the door everything a submission would (the competition is open, the email
confirmed, the terms accepted, a team that may submit), the group and the menu choice, and the team's
fitting rate (``BOUNTY_FITS_PER_HOUR``); then a worker on the ``fit`` queue, apart from scoring, runs
``fit_run``. ``fit_submit`` turns a fitted model into an ordinary submission: the same upload checks,
pre-check and quota as any model (a fit costs no quota; a submission does).
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from bounty.engine_adapter import fit_compute, group_parse
from bounty.errors import DomainError
from bounty.lifecycle.submit import submission_create, submitting_team
from bounty.models import Competition, FitJob, Submission
from bounty.storage import artifact_read, artifact_write
from scoring.errors import EngineError
from scoring.fitting import choose

TASK = "bounty.fit_model"


def fit_request(*, competition: Competition, user: User, group_text: str, family: str, choice: str) -> FitJob:
    """Queue a fit of ``family`` (with ``choice`` for its setting) for the group, or refuse with why."""
    team = submitting_team(competition=competition, user=user)
    tree = group_parse(competition=competition, text=group_text)
    try:
        _, picked = choose(family, choice or None)
    except EngineError as exc:
        raise DomainError("invalid_choice", exc.message, field=exc.field) from exc
    _rate(team_id=team.pk)
    job = FitJob.objects.create(
        competition=competition, team=team, user=user, group_text=group_text.strip(), group_tree=tree,
        family=family, choice=picked,
    )  # fmt: skip
    job_id = int(job.pk)
    transaction.on_commit(lambda: current_app.send_task(TASK, args=[job_id]))
    return job


def _rate(*, team_id: int) -> None:
    limit = int(settings.BOUNTY_FITS_PER_HOUR)
    since = timezone.now() - timedelta(hours=1)
    recent = FitJob.objects.filter(team_id=team_id, created_at__gte=since)
    times = list(recent.values_list("created_at", flat=True))
    if len(times) >= limit:
        wait = max(1, int((min(times) + timedelta(hours=1) - timezone.now()).total_seconds()) + 1)
        message = f"Your team has fitted {limit} models in the last hour; fit again in {wait} seconds."
        raise DomainError("rate_limited", message, retry_after=wait)


def fit_run(*, job_id: int) -> None:
    """Fit a queued job's model (a repeated message for a finished job does nothing)."""
    job = FitJob.objects.select_related("competition").filter(pk=job_id).first()
    if job is None or job.status in (FitJob.Status.DONE, FitJob.Status.FAILED):
        return
    job.status = FitJob.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        model, estimate = fit_compute(
            competition=job.competition, tree=job.group_tree, family=job.family, choice=job.choice
        )
        job.model_sha = artifact_write([model], max_bytes=settings.BOUNTY_MAX_MODEL_BYTES, field="model_file")
    except DomainError as error:
        _finish(job, FitJob.Status.FAILED, error=error.message)
        return
    except Exception:
        _finish(job, FitJob.Status.FAILED, error="The model could not be fitted.")
        raise  # for the worker's log
    job.estimate = estimate
    _finish(job, FitJob.Status.DONE)


def _finish(job: FitJob, status: str, *, error: str = "") -> None:
    job.status, job.error, job.finished_at = status, error[:500], timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "estimate", "model_sha"])


def fit_submit(*, job: FitJob, user: User) -> Submission:
    """Submit a fitted model with its group: an ordinary submission (checks, pre-check, quota)."""
    if job.user_id != user.pk and not job.team.memberships.filter(user=user).exists():
        raise DomainError("not_found", "No such fitted model.")
    if job.status != FitJob.Status.DONE:
        raise DomainError("invalid_choice", "This model is not fitted yet.")
    if job.submission_id is not None:
        raise DomainError("already_submitted", "This fitted model was submitted already.")
    upload = File(BytesIO(artifact_read(job.model_sha)), name=f"fit-{job.pk}.skops")
    submission = submission_create(
        competition=job.competition,
        user=user,
        model_file=upload,
        group_text=job.group_text,
        description=f"Fitted on the site: {job.family.replace('_', ' ')} ({job.choice}).",
        precheck=True,
    )
    FitJob.objects.filter(pk=job.pk).update(submission=submission)
    return submission
