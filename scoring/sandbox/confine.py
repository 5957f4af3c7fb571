"""Process-level confinement of a sandboxed child, before its seccomp filter goes on."""

from __future__ import annotations

import ctypes
import os
import resource
import signal
from collections.abc import Iterable

PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
PR_SET_NO_NEW_PRIVS = 38
FD_HEADROOM = 16
MAX_FD = 2**20

_libc = ctypes.CDLL(None, use_errno=True)


def detach(zygote_pid: int) -> None:
    """New session and process group (the parent kills the group), and die with the zygote."""
    os.setsid()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote_pid:  # the zygote is already gone
        os._exit(1)


def set_name(name: str) -> None:
    """The process name ``ps`` and ``/proc/<pid>/comm`` show (at most 15 bytes)."""
    if _libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


def no_new_privileges() -> None:
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def set_limits(*, memory_bytes: int, cpu_seconds: int) -> None:
    """Address space, CPU time (SIGXCPU, then SIGKILL one second later), no core files and no
    file growth (SIGXFSZ ignored so a write fails with EFBIG). Open files: ``limit_open_files``
    once the frames are mapped."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    cpu = max(1, int(cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def limit_open_files(count: int) -> None:
    """At most ``count`` descriptors (already open ones above stay valid)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    count = count if hard == resource.RLIM_INFINITY else min(count, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (count, count))


def null_stdio() -> None:
    """Standard input, output and error on /dev/null (warnings go nowhere)."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    if null > 2:
        os.close(null)


def close_fds(keep: Iterable[int]) -> None:
    """Close every inherited descriptor above 2 except ``keep``."""
    keep_sorted = sorted(fd for fd in set(keep) if fd > 2)
    low = 3
    for fd in keep_sorted:
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, MAX_FD)


def highest_open_fd() -> int:
    fds = [int(name) for name in os.listdir("/proc/self/fd") if name.isdigit()]
    return max(fds, default=2)


def _prctl(option: int, value: int) -> None:
    if _libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
