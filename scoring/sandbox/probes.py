"""Test-only attack probes, run inside a sandboxed child after its seccomp filter is on.

Real model files cannot carry code, so these functions stand in for a model that somehow got code
execution. They are reachable only through ``scoring.sandbox._selftest`` (never from a production
job) and return what happened: ``"allowed"`` or ``"denied: <errno name>"``; the probes that exhaust
a limit never return.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import os
import resource
import socket
import threading
import time
from collections.abc import Callable

import numpy as np


def _outcome(action: Callable[[], object]) -> str:
    try:
        action()
    except OSError as exc:
        return f"denied: {errno.errorcode.get(exc.errno or 0, str(exc.errno))}"
    return "allowed"


def _socket(_arg: str) -> str:
    return _outcome(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))


def _write_file(arg: str) -> str:
    def write() -> None:
        with open(arg, "w") as handle:
            handle.write("escaped")

    return _outcome(write)


def _read_file(path: str) -> str:
    def read() -> None:
        with open(path, "rb") as handle:
            handle.read(1)

    return _outcome(read)


def _read_passwd(_arg: str) -> str:
    return _read_file("/etc/passwd")


def _fork(_arg: str) -> str:
    def fork() -> None:
        if os.fork() == 0:
            os._exit(0)

    return _outcome(fork)


def _execve(_arg: str) -> str:
    return _outcome(lambda: os.execv("/bin/true", ["true"]))  # noqa: S606


def _kill_parent(_arg: str) -> str:
    return _outcome(lambda: os.kill(os.getppid(), 0))


def _outlive_zygote(_arg: str) -> str:
    """Try to stop dying with the zygote (clear PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)

    def clear() -> None:
        if libc.prctl(1, ctypes.c_ulong(0), 0, 0, 0) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    return _outcome(clear)


def _sleep_forever(_arg: str) -> str:
    while True:
        time.sleep(3600)


def _busy_loop(_arg: str) -> str:
    count = 0
    while True:
        count += 1


def _allocate_10gb(_arg: str) -> str:
    block = np.ones(10 * 2**30, dtype=np.uint8)
    return f"allocated {block.nbytes} bytes"


def _thread(_arg: str) -> str:
    box: list[int] = []
    worker = threading.Thread(target=lambda: box.append(1))
    worker.start()
    worker.join()
    return "allowed" if box else "denied"


def _environ(_arg: str) -> str:
    """The names of the child's environment variables."""
    return " ".join(sorted(os.environ))


def _refault(arg: str) -> str:
    """Page faults taken by filling a block of ``arg`` MiB freed just before (its first fill faults
    every page in)."""
    size = int(arg) * 2**20
    first = np.ones(size, dtype=np.uint8)
    del first
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    again = np.ones(size, dtype=np.uint8)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    return f"{faults} faults, {again.nbytes} bytes"


def _fill(arg: str) -> str:
    """Page faults taken by filling ``arg`` MiB of new 4 MiB arrays, all held at once."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    held = [np.ones(4 * 2**20, dtype=np.uint8) for _ in range(int(arg) // 4)]
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    return f"{faults} faults, {sum(block.nbytes for block in held)} bytes"


def _collect(_arg: str) -> str:
    """Page faults taken by a full collection of the garbage collector (each page of the zygote's
    objects that it writes to is copied)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    gc.collect()
    return f"{resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before} faults"


PROBES: dict[str, Callable[[str], str]] = {
    "socket": _socket,
    "write_file": _write_file,
    "read_file": _read_file,
    "read_passwd": _read_passwd,
    "fork": _fork,
    "exec": _execve,
    "kill_parent": _kill_parent,
    "outlive_zygote": _outlive_zygote,
    "sleep_forever": _sleep_forever,
    "busy_loop": _busy_loop,
    "allocate_10gb": _allocate_10gb,
    "thread": _thread,
    "environ": _environ,
    "refault": _refault,
    "fill": _fill,
    "collect": _collect,
}
