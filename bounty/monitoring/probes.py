"""Readiness: can this process serve? The database, the broker and the file store each answer."""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection

from bounty.storage import data_dir, remote

log = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def _broker() -> None:
    if settings.REDIS_URL:
        _redis().ping()
    elif not settings.BOUNTY_BROKER_DIR.is_dir():
        raise OSError("the broker folder is missing")


def _store() -> None:
    store = remote.remote()
    if store is not None:
        remote.ready(store)
    elif not data_dir().is_dir():
        raise OSError("the data folder is missing")


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "broker": _broker, "store": _store}


def readiness() -> dict[str, bool]:
    """Each dependency and whether it answered (the causes go to the log, not to the caller)."""
    answers = {}
    for name, check in CHECKS.items():
        try:
            check()
            answers[name] = True
        except Exception:
            log.warning("readiness: the %s does not answer", name, exc_info=True)
            answers[name] = False
    return answers


def broker_queue_lengths() -> dict[str, int]:
    """Messages waiting in each queue of the Redis broker (none counted without Redis)."""
    if not settings.REDIS_URL:
        return {}
    client = _redis()
    queues = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {"celery"}
    return {queue: int(client.llen(queue)) for queue in sorted(queues)}
