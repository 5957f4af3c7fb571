"""A fit without code (``scoring.fitting``) for a competition, in a child process with limits, so that
no fit can take its worker down: address space (what the child holds after its imports plus
``memory_bytes``), CPU seconds and wall time, on one thread.

The child comes from a fork server that has imported the fitting code once (a fresh process, not a
fork of a worker that may run thread pools). It reads the public train rows from the competition's
directory itself and sends back the estimate as JSON and the model file as bytes.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from scoring.check import Rules
from scoring.errors import EngineError, Reason

MEMORY_BYTES = 4 * 2**30
SECONDS = 240
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["scoring.fitting", "scoring.engine.store"])


def fit_limited(
    directory: Path,
    *,
    rules: Rules,
    tree: dict[str, Any],
    family: str,
    choice: str,
    memory_bytes: int = MEMORY_BYTES,
    seconds: int = SECONDS,
) -> tuple[bytes, dict[str, Any]]:
    """The model file fitted for the group and its estimate (``Fitted`` as plain data)."""
    reader, writer = _context.Pipe(duplex=False)
    job = {
        "directory": str(directory),
        "rules": asdict(rules),
        "tree": tree,
        "family": family,
        "choice": choice,
    }
    child = _context.Process(target=_run, args=(writer, job, memory_bytes, seconds), daemon=True)
    child.start()
    writer.close()
    try:
        if not reader.poll(seconds + 10):
            raise EngineError(Reason.TIMEOUT, f"Fitting took longer than {seconds} seconds.")
        header = json.loads(reader.recv_bytes())
        if header["status"] != "ok":
            raise EngineError(Reason(header["reason"]), header["message"], field=header.get("field"))
        return reader.recv_bytes(), header["estimate"]
    except EOFError:
        raise EngineError(Reason.RESOURCE_LIMIT, "The fit ran out of memory or CPU time.") from None
    finally:
        reader.close()
        if child.is_alive():
            child.kill()
        child.join()


def _run(writer: Connection, job: dict[str, Any], memory_bytes: int, seconds: int) -> None:
    try:
        _limit(memory_bytes, seconds)
        model, estimate = _fit(job)
        writer.send_bytes(json.dumps({"status": "ok", "estimate": estimate}).encode())
        writer.send_bytes(model)
    except EngineError as exc:
        writer.send_bytes(_error(exc.reason, exc.message, exc.field))
    except MemoryError:
        writer.send_bytes(_error(Reason.RESOURCE_LIMIT, "The fit needed more memory than allowed."))
    finally:
        os._exit(0)


def _limit(memory_bytes: int, seconds: int) -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    held = _address_space()
    resource.setrlimit(resource.RLIMIT_AS, (held + memory_bytes, held + memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _fit(job: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    from scoring.engine.store import Store
    from scoring.fitting import fit_for_group

    store = Store(Path(job["directory"]))
    fitted = fit_for_group(
        frame=store.frame("train"),
        labels=store.train_labels(),
        base_predictions=store.train_base_predictions(),
        schema=store.schema,
        loss=store.loss,
        rules=Rules(**job["rules"]),
        tree=job["tree"],
        family=job["family"],
        choice=job["choice"],
    )
    estimate = {
        **fitted.decision.figures.as_dict(),
        "accepted": fitted.decision.accepted,
        "reason": fitted.decision.reason.value,
        "fit_rows": fitted.fit_rows,
        "estimate_rows": fitted.estimate_rows,
    }
    return fitted.model, estimate


def _error(reason: Reason, message: str, field: str | None = None) -> bytes:
    return json.dumps(
        {"status": "error", "reason": reason.value, "message": message, "field": field}
    ).encode()
