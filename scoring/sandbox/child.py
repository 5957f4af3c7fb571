"""The sandboxed child's job, run by a standby (``scoring.sandbox.standby``) once its job arrives.

In this order: resource limits (read from the job's first message), no new privileges, read the job
(model bytes, masks), map the job's frames, cap open files, install the seccomp filter, and only then
load and run the models. The result goes back as one ``protocol`` message; the child never sees
labels.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from scoring.errors import EngineError, Reason
from scoring.frames import read_frame
from scoring.sandbox import confine, protocol, seccomp
from scoring.sandbox.predict import PairInput, SplitInput, load, run

SETTINGS_BYTES = 64 * 2**10
JOB_BYTES = 2**40  # trusted sender; memory is bounded by RLIMIT_AS already
Result = tuple[dict[str, Any], list[bytearray]]


def run_child(job_fd: int, result_fd: int, *, spare_memory: int = 0) -> int:
    """Run one job and write its result; the exit code for ``os._exit``. ``spare_memory``: the bytes
    the standby faulted in ahead (``headstart``), which the memory limit allows on top."""
    try:
        work = _prepare(job_fd, spare_memory)
        seccomp.install(deny_open=True)
        header, blobs = work()
    except EngineError as exc:
        header, blobs = _error(exc.reason, exc.message), []
    except MemoryError:
        header, blobs = _error(Reason.RESOURCE_LIMIT, "The model ran out of memory."), []
    except Exception as exc:
        message = f"The model raised {type(exc).__name__} while predicting."
        header, blobs = _error(Reason.PREDICTION_ERROR, message), []
    try:
        protocol.write_message(result_fd, header, blobs)
    except OSError:
        return 1
    return 0


def _prepare(job_fd: int, spare_memory: int) -> Callable[[], Result]:
    settings, _ = protocol.read_trusted(job_fd, SETTINGS_BYTES)
    memory_bytes = int(settings["memory_bytes"]) + spare_memory
    confine.set_limits(memory_bytes=memory_bytes, cpu_seconds=int(settings["cpu_seconds"]))
    confine.no_new_privileges()
    job, blobs = protocol.read_trusted(job_fd, JOB_BYTES)
    os.close(job_fd)
    if job["mode"] == "probe":
        work = _prepare_probe(job)
    else:
        work = _prepare_pair(job, blobs, load_only=job["mode"] == "load")
    confine.limit_open_files(confine.highest_open_fd() + confine.FD_HEADROOM)
    return work


def _frame(directory: str) -> pd.DataFrame:
    return read_frame(Path(directory), mmap=True)


def _prepare_pair(job: dict[str, Any], blobs: list[memoryview], *, load_only: bool) -> Callable[[], Result]:
    splits = []
    for spec in job["splits"]:
        mask = None
        if spec["mask"] is not None:
            mask = protocol.npy_to_array(blobs[spec["mask"]], [protocol.BOOL])
        splits.append(SplitInput(name=spec["name"], frame=_frame(spec["frame_dir"]), mask=mask))
    group_index = job["group_model"]
    parity_dir = job.get("parity_frame")
    pair = PairInput(
        model=bytes(blobs[job["model"]]),
        group_model=None if group_index is None else bytes(blobs[group_index]),
        output=job["output"],
        classes=tuple(job["classes"]),
        max_model_bytes=int(job["max_model_bytes"]),
        splits=splits,
        parity=None if parity_dir is None else _frame(parity_dir),
        public=bool(job.get("public")),
    )
    return (lambda: load(pair)) if load_only else (lambda: run(pair))


def _prepare_probe(job: dict[str, Any]) -> Callable[[], Result]:
    """A test probe, run with the job's frames mapped as a model's would be."""
    from scoring.sandbox import probes  # test hook only: imported before the filter denies open

    probe = probes.PROBES[job["probe"]]
    arg = str(job["arg"])
    held = (probe, [_frame(directory) for directory in job.get("frames", [])])  # mapped while it runs
    return lambda: ({"status": "ok", "probe": held[0](arg)}, [])


def _error(reason: Reason, message: str) -> dict[str, Any]:
    return {"status": "error", "reason": reason.value, "message": message}
