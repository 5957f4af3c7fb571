"""Running untrusted participant models in a locked-down child process.

``run_pair`` runs a (group model, model) pair on one or more splits and ``run_model`` one model on
every row of a frame. Each run forks a fresh child from a zygote (a separate Python process started
with exec that has the heavy modules imported; it never shares memory with the caller, which may
hold labels). The child gets only frame directories (``scoring.frames``), masks and model bytes; it
sets resource limits, drops privileges, maps its frames, installs a seccomp filter (no network, no
new processes, no opening of any file) and only then loads the models with ``scoring.safe_load``.
Its answer is untrusted and re-validated by the parent; every failure is an ``EngineError``.

Modules: ``limits`` (the data types), ``runner`` (parent side), ``spawner`` / ``zygote`` (process
management), ``child`` / ``confine`` / ``seccomp`` / ``predict`` (the child), ``protocol`` and
``results`` (the wire format and its validation), ``warmup`` (what the zygote preloads),
``standby`` and ``premap`` (the child forked ahead of its job, and the frames it maps ahead) and
``probes`` (test-only attack probes, reachable only through ``_selftest``).
"""

from __future__ import annotations

from scoring.sandbox.limits import Limits, Output, PairJob, SplitJob, SplitResult
from scoring.sandbox.runner import run_model, run_pair

__all__ = [
    "Limits",
    "Output",
    "PairJob",
    "SplitJob",
    "SplitResult",
    "prestart",
    "run_model",
    "run_pair",
]


def prestart(settle_seconds: float = 30.0) -> None:
    """Start this process's zygote now (about 2 s of imports) instead of on the first run, e.g.
    from Celery's ``worker_process_init`` signal, and wait up to ``settle_seconds`` until nothing of
    the sandbox runs on and its standby child is warm (what a benchmark does before timing
    anything). Raises ``EngineError`` when it cannot start."""
    from scoring.sandbox.runner import prestart as start

    start(settle_seconds)


def _selftest(probe: str, *, arg: str = "", limits: Limits | None = None) -> str:
    """Test hook: run the attack probe ``probe`` (see ``scoring.sandbox.probes``) inside a sandboxed
    child after its filter is on; returns what happened or raises the run's ``EngineError``."""
    from scoring.sandbox.runner import selftest

    return selftest(probe, arg, limits or Limits(wall_seconds=20.0, cpu_seconds=10))
