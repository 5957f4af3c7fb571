"""The pre-check of a pair before it is queued: a short sandbox run on a few hundred public train rows
(``scoring.engine.precheck``, the worker's own sandbox path), so that a failure the participant could
be told at once is refused at upload, with its exact cause, and costs no quota.

It runs as the task ``bounty.precheck_pair`` on the ``precheck`` queue, and the request waits for its
answer (at most ``BOUNTY_PRECHECK_TIMEOUT_SECONDS``) when a result backend (Redis) is configured and
``BOUNTY_PRECHECK_ON_WORKER`` is on (the default then); without one (the embedded default) the request
runs it itself, as the scoring task's shards run in one process there. Free sandbox runs are limited
per user (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["precheck"]``, e.g. ``30/hour``): over the rate,
``rate_limited`` (429) with the seconds to wait.
"""

from __future__ import annotations

import math
import time
from typing import Any

from celery import current_app
from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from kombu.exceptions import OperationalError

from bounty.engine_adapter import pair_precheck, precheck_possible
from bounty.errors import DomainError
from bounty.models import Competition
from bounty.storage import artifact_read
from scoring.errors import Reason

TASK = "bounty.precheck_pair"
QUEUE = "precheck"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def precheck_run(
    *, competition_id: int, tree: dict[str, Any] | None, model_sha: str, group_sha: str | None
) -> dict[str, Any]:
    """The pre-check itself (in the task, or in the request): ``{"ok": True, "rows": n}``, or the
    refusal as ``{"ok": False, "code", "message", "field"}``."""
    competition = Competition.objects.get(pk=competition_id)
    group: dict[str, Any] | bytes = tree if tree is not None else artifact_read(str(group_sha))
    try:
        rows = pair_precheck(competition=competition, group=group, model=artifact_read(model_sha))
    except DomainError as error:
        return {"ok": False, **error.as_dict()}
    return {"ok": True, "rows": rows}


def pair_precheck_wait(
    *,
    competition: Competition,
    user: User,
    tree: dict[str, Any] | None,
    model_sha: str,
    group_sha: str | None,
) -> None:
    """Pre-check the stored pair and wait for the answer; raise its refusal as a ``DomainError``
    (the engine's reason code, 400, the exact words), ``rate_limited`` when the user's free runs are
    used up, ``precheck_unavailable`` (503) when no worker answered in time."""
    if not precheck_possible(competition):
        return
    _take_run(user)
    kwargs: dict[str, Any] = {
        "competition_id": competition.pk,
        "tree": tree,
        "model_sha": model_sha,
        "group_sha": group_sha,
    }
    answer = _on_worker(kwargs) if _use_worker() else precheck_run(**kwargs)
    if not answer.get("ok"):  # an engine refusal: its reason is the code
        reason = Reason(answer["code"])
        raise DomainError(reason.value, str(answer["message"]), field=answer.get("field"))


def _use_worker() -> bool:
    return bool(settings.CELERY_RESULT_BACKEND) and bool(settings.BOUNTY_PRECHECK_ON_WORKER)


def _on_worker(kwargs: dict[str, Any]) -> dict[str, Any]:
    timeout = float(settings.BOUNTY_PRECHECK_TIMEOUT_SECONDS)
    try:
        result = current_app.send_task(TASK, kwargs=kwargs, queue=QUEUE, expires=timeout)
    except OperationalError as exc:
        raise _unavailable() from exc
    try:
        return dict(result.get(timeout=timeout, propagate=True))
    except CeleryTimeout as exc:
        raise _unavailable() from exc
    finally:
        result.forget()


def _unavailable() -> DomainError:
    return DomainError(
        "precheck_unavailable",
        "The check of your files on the training rows did not answer in time; nothing was queued "
        "and no quota was used. Try again in a minute.",
    )


def _rate() -> tuple[int, int] | None:
    """(runs, seconds) of the per-user limit, or None when it is off."""
    text = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get("precheck")
    if not text:
        return None
    count, period = str(text).split("/")
    return int(count), _PERIODS[period[0]]


def _take_run(user: User) -> None:
    """Count one free sandbox run of ``user`` (a sliding window in the cache, as the API's throttles
    keep theirs); ``rate_limited`` with the seconds to wait when the window is full."""
    rate = _rate()
    if rate is None:
        return
    count, seconds = rate
    key = f"bounty:precheck:{user.pk}"
    now = time.time()
    history = [t for t in cache.get(key, []) if t > now - seconds]
    if len(history) >= count:
        wait = max(1, math.ceil(seconds - (now - history[0])))
        raise DomainError(
            "rate_limited",
            f"You have used the {count} checks of a pair allowed per {_period_words(seconds)}; "
            f"try again in {wait} seconds. Nothing was queued and no quota was used.",
            retry_after=wait,
        )
    cache.set(key, [*history, now], seconds)


def _period_words(seconds: int) -> str:
    return {1: "second", 60: "minute", 3600: "hour", 86400: "day"}[seconds]
