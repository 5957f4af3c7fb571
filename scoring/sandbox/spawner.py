"""Caller side of the zygote (``scoring.sandbox.zygote``): start it, ask it for children.

One zygote per caller process, started on first use with ``subprocess`` (fork + exec of a fresh
interpreter, so it holds none of the caller's memory) and a scrubbed environment (no secrets; the
thread-count variables of numeric libraries pass through unchanged). A process forked from the
caller (e.g. a Celery prefork worker) drops the inherited handle and starts its own zygote.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from scoring.sandbox.wire import IDLE, PID, READY, STATUS

START_SECONDS = 180.0
PID_SECONDS = 30.0
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from scoring.sandbox.zygote import main; main(int(sys.argv[2]))"
)
_ENV_NAMES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
# Thread-count settings of numeric libraries pass through, so children use what the caller would.
_ENV_PREFIXES = (
    "OMP_",
    "GOMP_",
    "KMP_",
    "OPENBLAS_",
    "GOTO",
    "MKL_",
    "BLIS_",
    "VECLIB_",
    "NUMEXPR_",
    "LOKY_",
    "SKLEARN_",
)


class SpawnError(Exception):
    """The zygote could not be started or did not answer."""


@dataclass(frozen=True)
class ExitStatus:
    wait_status: int
    cpu_seconds: float


class Zygote:
    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        paths = [os.path.abspath(p) if p else os.getcwd() for p in sys.path]
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, json.dumps(paths), str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=_scrubbed_env(),
                cwd="/",
                start_new_session=True,
            )
        finally:
            theirs.close()
        self.socket = ours
        self.owner = os.getpid()
        self.lock = threading.Lock()
        if not _wait_readable(ours.fileno(), START_SECONDS) or ours.recv(16) != READY:
            self.close()
            raise SpawnError("the sandbox zygote did not start")

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        """Whether this process owns the zygote and it still runs. Judged by the socket (the
        zygote never writes after ``READY``, so a readable socket means it closed), which works
        even where SIGCHLD is ignored and ``waitpid`` cannot see the zygote."""
        if self.owner != os.getpid():
            return False
        self.process.poll()  # reap it if it has exited
        return not _wait_readable(self.socket.fileno(), 0.0)

    def spawn(self, job_r: int, result_w: int) -> tuple[int, int]:
        """Fork a child that reads its job from ``job_r`` and writes to ``result_w``: its pid
        and the read end of its status pipe (``wait_exit``)."""
        status_r, status_w = os.pipe()
        try:
            with self.lock:
                socket.send_fds(self.socket, [b"F"], [job_r, result_w, status_w])
        except OSError:
            os.close(status_r)
            raise SpawnError("the sandbox zygote is gone") from None
        finally:
            os.close(status_w)
        raw = _read_exact(status_r, PID.size, time.monotonic() + PID_SECONDS)
        if raw is None:
            os.close(status_r)
            raise SpawnError("the sandbox zygote did not fork")
        return PID.unpack(raw)[0], status_r

    def settle(self, seconds: float) -> bool:
        """Wait (at most ``seconds``) until the standby child is ready and every job's child has been
        reaped; whether that happened."""
        if seconds <= 0:
            return False
        done_r, done_w = os.pipe()
        try:
            try:
                with self.lock:
                    socket.send_fds(self.socket, [b"Q"], [done_w])
            except OSError:
                return False
            finally:
                os.close(done_w)
            return _read_exact(done_r, len(IDLE), time.monotonic() + seconds) == IDLE
        finally:
            os.close(done_r)

    def kill(self, pid: int) -> None:
        """SIGKILL the child ``pid`` and its process group unless it was reaped already."""
        try:
            with self.lock:
                self.socket.send(b"K" + PID.pack(pid))
        except OSError:
            pass

    def close(self) -> None:
        self.socket.close()
        if self.owner == os.getpid():
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_exit(status_r: int, deadline: float) -> ExitStatus | None:
    """The child's exit status from its status pipe, or None (deadline passed, zygote gone)."""
    raw = _read_exact(status_r, STATUS.size, deadline)
    if raw is None:
        return None
    status, cpu = STATUS.unpack(raw)
    return ExitStatus(wait_status=status, cpu_seconds=cpu)


_state_lock = threading.Lock()
_zygote: Zygote | None = None


def get_zygote() -> Zygote:
    """This process's zygote, started (or restarted) when needed."""
    global _zygote
    with _state_lock:
        if _zygote is None or not _zygote.alive():
            if _zygote is not None and _zygote.owner == os.getpid():
                _zygote.close()
            _zygote = Zygote()
        return _zygote


def zygote_pid() -> int | None:
    """The pid of this process's zygote, if it runs (for tests and diagnostics)."""
    zygote = _zygote
    return zygote.pid if zygote is not None and zygote.alive() else None


def shutdown() -> None:
    """Stop this process's zygote (its children are killed)."""
    global _zygote
    with _state_lock:
        if _zygote is not None and _zygote.owner == os.getpid():
            _zygote.close()
        _zygote = None


def _forget_after_fork() -> None:
    global _zygote, _state_lock
    _state_lock = threading.Lock()
    if _zygote is not None:
        _zygote.socket.close()  # the parent keeps its zygote; this process starts its own
    _zygote = None


os.register_at_fork(after_in_child=_forget_after_fork)


def _scrubbed_env() -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if key in _ENV_NAMES or key.startswith(_ENV_PREFIXES)
    }
    env["GLIBC_TUNABLES"] = MALLOC_TUNABLES
    return env


# A child is a fresh process: every page its arrays use is faulted in and zeroed by the kernel, and
# glibc's defaults hand blocks above 128 KiB straight back to the kernel when freed, so a model that
# allocates and frees the same large temporaries again and again would pay for fresh pages each time.
# In children, blocks up to 32 MiB (glibc's ceiling for this setting) come from the heap and the heap
# is never trimmed: freed memory is reused, already faulted in. A child lives for one job, so nothing
# is kept for long.
MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184"


def _wait_readable(fd: int, seconds: float) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(max(0.0, seconds) * 1000))


def _read_exact(fd: int, size: int, deadline: float) -> bytes | None:
    data = b""
    while len(data) < size:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not _wait_readable(fd, remaining):
            return None
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
