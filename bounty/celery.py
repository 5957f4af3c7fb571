"""The Celery application; configuration comes from Django settings (``CELERY_*``)."""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bounty.settings")
# Several worker processes share the cores, and a model's OpenMP threads (scikit-learn's boosting) that
# spin while they wait, libgomp's default, take the CPU from the other processes' threads, so more workers
# would decide fewer submissions (benchmarks/throughput.py runs one and two). Passive waits sleep instead
# and keep a lone worker's multi-threaded predict as fast. Set before the sandbox's zygote starts; it
# passes OMP_* variables on.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

app = Celery("bounty")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _start_sandbox_zygote(**_: object) -> None:
    """Start this worker process's sandbox zygote now, so the first submission does not wait for it."""
    from scoring.errors import EngineError
    from scoring.sandbox.runner import prestart

    try:
        prestart(0.0)  # start the zygote; do not wait for its standby
    except EngineError:
        logging.getLogger(__name__).exception("the sandbox zygote did not start; it will be retried per job")
