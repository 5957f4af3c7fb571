"""Explore's landscapes (``bounty.models.Landscape``): requested for a competition's current version,
computed by a worker (the task ``bounty.explore_landscape``, on the ``explore`` queue) and kept, since
a version never changes.

A request for a version that has a landscape, or one on its way, queues nothing. A landscape that
failed, or whose worker went silent for ``STALE_SECONDS``, is queued again by the next request after
``RETRY_SECONDS``, so a broken one costs a worker at most once every few minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import current_app
from django.db import IntegrityError, transaction
from django.utils import timezone

from bounty.engine_adapter import landscape_compute_data
from bounty.errors import DomainError
from bounty.models import Competition, Landscape

TASK = "bounty.explore_landscape"
RETRY_SECONDS = 300
STALE_SECONDS = 900
Status = Landscape.Status


def landscape_request(*, competition: Competition, kind: str = Landscape.Kind.TRAIN) -> Landscape:
    """The landscape of the competition's current version, queued for a worker when there is none
    yet (or the last try failed or went silent long enough ago)."""
    if kind not in Landscape.Kind.values:
        raise DomainError("invalid_choice", f"No landscape of kind {kind!r}.", field="kind")
    version = competition.head_version
    landscape = Landscape.objects.filter(competition=competition, version=version, kind=kind).first()
    if landscape is None:
        try:
            with transaction.atomic():
                landscape = Landscape.objects.create(competition=competition, version=version, kind=kind)
        except IntegrityError:  # another request made it first
            return Landscape.objects.get(competition=competition, version=version, kind=kind)
        _send(landscape)
    elif _due_again(landscape):
        landscape.status, landscape.error = Status.QUEUED, ""
        landscape.requested_at = timezone.now()
        landscape.save(update_fields=["status", "error", "requested_at"])
        _send(landscape)
    return landscape


def landscape_compute(*, landscape_id: int) -> None:
    """Compute a queued landscape (a repeated or stale message for a finished one does nothing)."""
    landscape = Landscape.objects.select_related("competition").filter(pk=landscape_id).first()
    if landscape is None or landscape.status == Status.DONE:
        return
    competition = landscape.competition
    _mark(landscape, Status.RUNNING, started_at=timezone.now())
    if landscape.kind == Landscape.Kind.HOLDOUT and landscape.version != competition.head_version:
        _mark(landscape, Status.FAILED, error="A newer version exists; explore that one.")
        return
    try:
        data = landscape_compute_data(competition=competition, version=landscape.version, kind=landscape.kind)
    except DomainError as error:
        _mark(landscape, Status.FAILED, error=error.message)
        return
    except Exception:
        _mark(landscape, Status.FAILED, error="The landscape could not be computed.")
        raise  # for the worker's log
    landscape.data = data
    _mark(landscape, Status.DONE)


def _due_again(landscape: Landscape) -> bool:
    now = timezone.now()
    if landscape.status == Status.FAILED:
        return landscape.finished_at is None or now - landscape.finished_at > timedelta(seconds=RETRY_SECONDS)
    if landscape.status in (Status.QUEUED, Status.RUNNING):
        since = landscape.started_at or landscape.requested_at
        return now - since > timedelta(seconds=STALE_SECONDS)
    return False


def _mark(landscape: Landscape, status: str, *, error: str = "", started_at: datetime | None = None) -> None:
    landscape.status, landscape.error = status, error[:300]
    fields = ["status", "error"]
    if started_at is not None:
        landscape.started_at = started_at
        fields.append("started_at")
    if status in (Status.DONE, Status.FAILED):
        landscape.finished_at = timezone.now()
        fields += ["finished_at", "data"]
    landscape.save(update_fields=fields)


def _send(landscape: Landscape) -> None:
    landscape_id = int(landscape.pk)
    transaction.on_commit(lambda: current_app.send_task(TASK, args=[landscape_id]))
