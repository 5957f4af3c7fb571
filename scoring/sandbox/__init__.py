"""Running untrusted participant models in a locked-down child process.

``run_pair`` runs a (group model, model) pair on one or more splits and ``run_model`` one model on
every row of a frame. Each run gets a fresh child, forked ahead of it from a zygote (a separate
Python process started with exec that has the heavy modules imported; it never shares memory with
the caller, which may hold labels). The child gets only frame directories (``scoring.frames``),
masks and model bytes; it sets resource limits, drops privileges, maps its frames, installs a
seccomp filter (no network, no new processes, no opening of any file) and only then loads the
models with ``scoring.safe_load``.
Its answer is untrusted and re-validated by the parent; every failure is an ``EngineError``.

Modules:

- ``limits``: the plain data a run is described by (limits, jobs, results);
- ``runner``: the parent side of a run (send the job, enforce the wall time, judge the answer);
- ``spawner``: the caller's handle on its zygote (start it, ask it for children);
- ``zygote``: the fresh process that forks one standby ahead of each job and reaps the children;
- ``wire``: the message tags the caller, the zygote and the standby exchange;
- ``warmup``: what the zygote imports and exercises once, so that nothing is imported under the
  filter;
- ``standby``: the child forked ahead of its job, confined before its job arrives;
- ``headstart``: what a standby does once no job runs (rehearse, fault in memory);
- ``child``: the job itself: limits, frames, filter, then the models;
- ``confine`` and ``seccomp``: the process limits and the system-call filter;
- ``predict``: loading, parity check and predictions, under the filter;
- ``protocol`` and ``results``: the wire format between parent and child, and the parent's
  re-validation of the child's answer;
- ``probes``: test-only attack probes, reachable only through ``_selftest``.
"""

from __future__ import annotations

from pathlib import Path

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
    """Start this process's zygote now instead of on the first run, e.g. from Celery's
    ``worker_process_init`` signal, and wait up to ``settle_seconds`` until its standby child is
    ready and no job's child runs on (what a benchmark does before timing anything). Raises
    ``EngineError`` when it cannot start."""
    from scoring.sandbox.runner import prestart as start

    start(settle_seconds)


def _selftest(
    probe: str, *, arg: str = "", limits: Limits | None = None, frames: tuple[Path, ...] = ()
) -> str:
    """Test hook: run the attack probe ``probe`` (see ``scoring.sandbox.probes``) inside a sandboxed
    child after its filter is on, with the frames in ``frames`` mapped as a job's would be; returns
    what happened or raises the run's ``EngineError``."""
    from scoring.sandbox.runner import selftest

    return selftest(probe, arg, limits or Limits(wall_seconds=20.0, cpu_seconds=10), frames)
