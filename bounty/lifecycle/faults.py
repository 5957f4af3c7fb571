"""Test-only fault points: a test makes a worker stop at a named point so it can kill it there.

``fault_point("evaluate")`` (a claimed submission, before its evaluation) and ``fault_point("commit")``
(inside the decision's transaction, after the engine saved the new list and before the database
records it) pause for ``BOUNTY_FAULT_PAUSE_SECONDS`` (default an hour) when the environment variable
``BOUNTY_FAULT_PAUSE_AT`` names the point; with ``BOUNTY_FAULT_ONCE_FILE`` set, only the first
process to create that file pauses (so a redelivered task runs through). They do nothing unless the
settings are in test mode (``BOUNTY_TEST=1``), so production ignores the variables.
"""

from __future__ import annotations

import logging
import os
import time

from django.conf import settings

log = logging.getLogger(__name__)
POINTS = ("evaluate", "commit")


def fault_point(name: str) -> None:
    if name not in POINTS:
        raise ValueError(f"unknown fault point {name!r}")
    if not getattr(settings, "TESTING", False) or os.environ.get("BOUNTY_FAULT_PAUSE_AT") != name:
        return
    once = os.environ.get("BOUNTY_FAULT_ONCE_FILE")
    if once:
        try:
            os.close(os.open(once, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return
    seconds = float(os.environ.get("BOUNTY_FAULT_PAUSE_SECONDS") or 3600)
    log.warning("fault point %s reached (pid %s); pausing %.0f s", name, os.getpid(), seconds)
    time.sleep(seconds)
