"""The zygote: a fresh Python process (started with exec, never forked from a caller that holds
labels) that imports the heavy modules once and forks one sandboxed child per job.

Requests arrive on a ``SOCK_SEQPACKET`` socket from the one caller process that started it:

- ``b"F"`` with three descriptors (job read end, result write end, status write end): fork a
  child. The child's pid goes to the status pipe at once; when the zygote reaps the child it
  writes the wait status, the CPU seconds used and the peak RSS there and closes it.
- ``b"K"`` + pid: SIGKILL that child's process group and the child, if it is not yet reaped
  (the zygote is the only reaper, so the pid cannot have been reused).

When the caller goes away (end of file on the socket) the zygote kills its children and exits;
children die with the zygote (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import struct
import sys

PID = struct.Struct("<q")
STATUS = struct.Struct("<qdd")  # wait status, CPU seconds, peak RSS in KiB
READY = b"ready"
_MAX_REQUEST = 64


def main(control_fd: int) -> None:
    """Entry point of the zygote process."""
    control = socket.socket(fileno=control_fd)
    from scoring.sandbox.warmup import warm_up

    warm_up()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda _signum, _frame: None)
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    control.send(READY)
    _serve(control, wake_r)
    os._exit(0)  # skip interpreter teardown: nothing to flush, and it is slow with these modules


def _serve(control: socket.socket, wake_r: int) -> None:
    children: dict[int, int] = {}  # pid -> status pipe
    poller = select.poll()
    poller.register(control, select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    while True:
        try:
            events = poller.poll()
        except InterruptedError:
            continue
        for fd, _event in events:
            if fd == wake_r:
                _drain(wake_r)
                _reap(children)
                continue
            message, fds, _flags, _addr = socket.recv_fds(control, _MAX_REQUEST, 3)
            if not message:
                _shutdown(children)
                return
            if message == b"F" and len(fds) == 3:
                _fork(children, fds)
            else:
                for extra in fds:
                    os.close(extra)
                if message[:1] == b"K" and len(message) == 1 + PID.size:
                    _kill(children, PID.unpack(message[1:])[0])


def _fork(children: dict[int, int], fds: list[int]) -> None:
    job_fd, result_fd, status_fd = fds
    zygote_pid = os.getpid()
    pid = os.fork()
    if pid == 0:
        _become_child(job_fd, result_fd, zygote_pid)
    os.close(job_fd)
    os.close(result_fd)
    children[pid] = status_fd
    try:
        os.write(status_fd, PID.pack(pid))
    except OSError:  # the caller gave up already
        _kill(children, pid)


def _become_child(job_fd: int, result_fd: int, zygote_pid: int) -> None:
    code = 70
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        from scoring.sandbox.child import run_child

        code = run_child(job_fd, result_fd, zygote_pid)
    finally:
        os._exit(code)


def _kill(children: dict[int, int], pid: int) -> None:
    if pid not in children:
        return
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(OSError):
            kill(pid, signal.SIGKILL)


def _reap(children: dict[int, int]) -> None:
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        status_fd = children.pop(pid, None)
        if status_fd is None:
            continue
        cpu = usage.ru_utime + usage.ru_stime
        with contextlib.suppress(OSError):
            os.write(status_fd, STATUS.pack(status, cpu, float(usage.ru_maxrss)))
        os.close(status_fd)


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def _shutdown(children: dict[int, int]) -> None:
    for pid in list(children):
        _kill(children, pid)
    for pid in list(children):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


if __name__ == "__main__":  # pragma: no cover - started by scoring.sandbox.spawner
    main(int(sys.argv[1]))
