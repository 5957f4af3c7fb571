"""Parent side of a sandbox run: send the job, enforce the wall time, read and judge the result.

Only plain data goes to the child (frame directories, masks, model bytes, limits), never labels.
The child's answer is read with a deadline and a byte cap and re-validated (``results``). Then the
child is killed (it has nothing left to do) and the zygote reaps it; its exit status is waited for
only when it gave no answer, to say why. A child that did answer exits, and frees its memory, while
the caller goes on.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scoring.errors import EngineError, Reason
from scoring.frames import frame_rows
from scoring.sandbox import protocol, results
from scoring.sandbox.limits import HIDDEN_CHECK, OUTPUTS, Limits, Output, PairJob, SplitJob, SplitResult
from scoring.sandbox.spawner import ExitStatus, SpawnError, get_zygote, wait_exit

EXIT_GRACE_SECONDS = 10.0
SETTLE_SECONDS = 30.0


@dataclass
class _Exchange:
    message: tuple[dict[str, Any], list[memoryview]] | None = None
    failure: EngineError | None = None


def run_pair(job: PairJob, limits: Limits = Limits()) -> dict[str, SplitResult]:  # noqa: B008
    """Run a (group model, model) pair on each split of ``job`` in a sandboxed child."""
    rows = _check_job(job, limits)
    blobs: list[protocol.Blob] = [job.model]
    if job.group_model is not None:
        blobs.append(job.group_model)
    splits = []
    for name, split in job.splits.items():
        mask_index = None
        if split.mask is not None:
            mask_index = len(blobs)
            blobs.append(protocol.array_to_npy(split.mask))
        splits.append({"name": name, "frame_dir": str(split.frame_dir), "mask": mask_index})
    header = {
        "mode": "pair",
        "output": job.output,
        "classes": list(job.classes),
        "max_model_bytes": limits.max_model_bytes,
        "model": 0,
        "group_model": None if job.group_model is None else 1,
        "splits": splits,
        "parity_frame": None if job.parity_frame is None else str(job.parity_frame),
        "public": job.public,
    }
    try:
        reply, replied = _execute(header, blobs, limits)
    except EngineError as exc:
        if job.public or exc.reason not in SHOWN_REASONS:  # public: no hidden row was mapped, so
            raise  # the child's words may be shown; otherwise only the category is
        raise _explained_without_frames(exc, header, blobs, limits) from None
    masks = {name: split.mask for name, split in job.splits.items()}
    return results.parse_pair(
        reply, replied, rows=rows, masks=masks, output=job.output, n_classes=len(job.classes)
    )


# Refusals whose message reaches the participant: only a child that never saw the hidden splits may
# word them (a child that had them mapped could spell features into the text).
SHOWN_REASONS = frozenset({Reason.INVALID_MODEL, Reason.INVALID_GROUP})
NOT_FROM_THE_FILE = f"The pair loads, but failed on the hidden rows. {HIDDEN_CHECK}"


def _explained_without_frames(
    failure: EngineError, header: dict[str, Any], blobs: list[protocol.Blob], limits: Limits
) -> EngineError:
    """``failure`` re-worded by a child with no hidden split: its refusal when loading fails there,
    else a fixed text."""
    frameless = {**header, "mode": "load", "splits": []}
    try:
        _execute(frameless, blobs[: 1 if header["group_model"] is None else 2], limits)
    except EngineError as exc:
        return exc if exc.reason in SHOWN_REASONS else failure.with_message(NOT_FROM_THE_FILE)
    return failure.with_message(NOT_FROM_THE_FILE)


def run_model(
    model: bytes,
    frame_dir: Path,
    output: Output,
    classes: tuple[str, ...],
    limits: Limits = Limits(),  # noqa: B008
) -> np.ndarray:
    """Canonical predictions of ``model`` on every row of the frame in ``frame_dir``."""
    mask = np.ones(_rows(frame_dir), dtype=bool)
    job = PairJob(model=model, output=output, classes=classes, splits={"data": SplitJob(frame_dir, mask)})
    return run_pair(job, limits)["data"].predictions


def prestart(seconds: float = SETTLE_SECONDS) -> None:
    """Start the zygote ahead of the first run and wait (at most ``seconds``) until its standby child
    is ready and the last job's child has exited, so that nothing of the sandbox runs on beside what
    follows."""
    try:
        get_zygote().settle(seconds)
    except SpawnError as exc:
        raise EngineError(Reason.PREDICTION_ERROR, "The sandbox could not start.") from exc


def selftest(probe: str, arg: str, limits: Limits, frames: tuple[Path, ...] = ()) -> str:
    """Run a named attack probe in a sandboxed child that has mapped ``frames``, as a model's child
    maps its job's (test hook; see ``scoring.sandbox.probes``)."""
    header = {"mode": "probe", "probe": probe, "arg": arg, "frames": [str(f) for f in frames]}
    reply, replied = _execute(header, [], limits)
    return results.parse_probe(reply, replied)


# -- one child ----------------------------------------------------------------------------------
def _execute(
    header: dict[str, Any], blobs: list[protocol.Blob], limits: Limits
) -> tuple[dict[str, Any], list[memoryview]]:
    try:
        return _execute_unchecked(header, blobs, limits)
    except EngineError:
        raise
    except Exception as exc:  # never let anything but EngineError out
        message = f"The sandbox failed ({type(exc).__name__})."
        raise EngineError(Reason.PREDICTION_ERROR, message) from exc


def _execute_unchecked(
    header: dict[str, Any], blobs: list[protocol.Blob], limits: Limits
) -> tuple[dict[str, Any], list[memoryview]]:
    zygote = get_zygote()
    job_r, job_w = os.pipe()
    result_r, result_w = os.pipe()
    try:
        pid, status_r = zygote.spawn(job_r, result_w)
    except SpawnError as exc:
        os.close(job_w)
        os.close(result_r)
        raise EngineError(Reason.PREDICTION_ERROR, "The sandbox could not start.") from exc
    finally:
        os.close(job_r)
        os.close(result_w)
    try:
        exchange = _exchange(job_w, result_r, header, blobs, limits)
        zygote.kill(pid)  # done with it either way (a no-op once it has exited and been reaped)
        exit_status = None
        if exchange.message is None:  # only how it ended can say why there is no answer
            exit_status = wait_exit(status_r, time.monotonic() + EXIT_GRACE_SECONDS)
            if exit_status is None:
                zygote.kill(pid)
                exit_status = wait_exit(status_r, time.monotonic() + EXIT_GRACE_SECONDS)
    finally:
        os.close(status_r)
    return _judge(exchange, exit_status, limits)


def _exchange(
    job_w: int, result_r: int, header: dict[str, Any], blobs: list[protocol.Blob], limits: Limits
) -> _Exchange:
    deadline = time.monotonic() + limits.wall_seconds
    settings = {"memory_bytes": limits.memory_bytes, "cpu_seconds": limits.cpu_seconds}
    try:
        try:
            protocol.write_message(job_w, settings, deadline=deadline)
            protocol.write_message(job_w, header, blobs, deadline=deadline)
        except BrokenPipeError:
            pass  # the child died; its exit status tells why
        finally:
            os.close(job_w)
        message = protocol.read_message(result_r, deadline=deadline, max_bytes=limits.max_output_bytes)
        return _Exchange(message=message)
    except protocol.Deadline:
        text = f"The model took longer than {limits.wall_seconds:g} seconds."
        return _Exchange(failure=EngineError(Reason.TIMEOUT, text))
    except protocol.OutputTooLarge:
        text = "The model's output is larger than the sandbox allows."
        return _Exchange(failure=EngineError(Reason.RESOURCE_LIMIT, text))
    except protocol.ProtocolError:
        return _Exchange(failure=results.malformed())
    finally:
        os.close(result_r)


def _judge(
    exchange: _Exchange, exit_status: ExitStatus | None, limits: Limits
) -> tuple[dict[str, Any], list[memoryview]]:
    if exchange.failure is not None:
        raise exchange.failure
    if exchange.message is None:
        raise _died(exit_status, limits)
    header, blobs = exchange.message
    if header.get("status") == "error":
        results.raise_if_error(header)
    return header, blobs


def _died(exit_status: ExitStatus | None, limits: Limits) -> EngineError:
    """Why a child ended without sending a result."""
    if exit_status is None:
        return EngineError(Reason.PREDICTION_ERROR, "The sandboxed model vanished.")
    status = exit_status.wait_status
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and exit_status.cpu_seconds >= limits.cpu_seconds):
            text = f"The model used more than {limits.cpu_seconds} CPU seconds."
            return EngineError(Reason.TIMEOUT, text)
        if sig == signal.SIGKILL:
            return EngineError(Reason.RESOURCE_LIMIT, "The model was killed (out of memory).")
        return EngineError(Reason.PREDICTION_ERROR, f"The model crashed ({_signal_name(sig)}).")
    return EngineError(Reason.PREDICTION_ERROR, "The sandboxed model stopped without a result.")


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


# -- checks of the (trusted) job ----------------------------------------------------------------
def _check_job(job: PairJob, limits: Limits) -> dict[str, int]:
    if job.output not in OUTPUTS:
        raise EngineError(Reason.PREDICTION_ERROR, f"unknown output kind {job.output!r}")
    if job.output != "value" and len(job.classes) < 2:
        raise EngineError(Reason.SCHEMA_MISMATCH, "classification needs at least two classes")
    if not job.splits:
        raise EngineError(Reason.SCHEMA_MISMATCH, "a sandbox job needs at least one split")
    if len(job.model) > limits.max_model_bytes or (
        job.group_model is not None and len(job.group_model) > limits.max_model_bytes
    ):
        raise EngineError(Reason.INVALID_MODEL, "The model file is larger than allowed.")
    rows = {}
    for name, split in job.splits.items():
        rows[name] = _rows(split.frame_dir)
        _check_mask(name, split, rows[name], has_group_model=job.group_model is not None)
    if job.parity_frame is not None:
        _rows(job.parity_frame)  # a readable frame description, or EngineError here, not in the child
    return rows


def _check_mask(name: str, split: SplitJob, n_rows: int, *, has_group_model: bool) -> None:
    if split.mask is None:
        if not has_group_model:
            raise EngineError(Reason.INVALID_GROUP, f"split {name!r} has no mask and no group model")
        return
    mask = split.mask
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_ or mask.shape != (n_rows,):
        raise EngineError(Reason.INVALID_GROUP, f"the mask of split {name!r} does not fit its rows")


def _rows(frame_dir: Path) -> int:
    return frame_rows(Path(frame_dir))
