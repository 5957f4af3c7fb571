"""gunicorn's settings, read from the working directory: metrics from every web process.

The request counters of ``bounty.monitoring.requests`` live in each process; with
``PROMETHEUS_MULTIPROC_DIR`` they are kept in files there and ``/metrics`` adds up every process's. The
folder is emptied when the server starts (left-over files would count again) and a dead worker's files
are merged away.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

_folder = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"bounty-metrics-{os.getpid()}")
)


def on_starting(server: Any) -> None:
    shutil.rmtree(_folder, ignore_errors=True)
    os.makedirs(_folder, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, _folder)
