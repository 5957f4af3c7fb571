"""A standby: a child the zygote forks ahead of its job, so that a job starts in a process that is
already confined.

Before any job it confines itself (a new session, death with the zygote, every inherited descriptor
closed but its hand-off socket, standard streams on /dev/null) and tells the zygote so. Once no job
runs, the zygote asks it for a head start (``headstart``: rehearse the load-and-predict paths on
synthetic data and fault in memory), which stops as soon as its job arrives. Then it runs that one
job (``child.run_child``) and exits: nothing of one job is ever seen by the next, and no process
holds a job's data before that job arrives.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket

from scoring.sandbox import confine
from scoring.sandbox.child import run_child
from scoring.sandbox.headstart import head_start
from scoring.sandbox.wire import HANDOFF, MAX_MESSAGE, MAX_PREFAULT, PREFAULT, READY, WARM, WARM_UP

STANDBY_NAME = "sandbox-standby"  # process names, for ps and tests
JOB_NAME = "sandbox-job"


def run_standby(handoff_fd: int, zygote_pid: int) -> int:
    """Get ready, wait for the job, run it; the exit code for ``os._exit``."""
    confine.set_name(STANDBY_NAME)
    confine.detach(zygote_pid)
    confine.close_fds(keep=(handoff_fd,))
    confine.null_stdio()
    handoff = socket.socket(fileno=handoff_fd)
    try:
        job = _wait_for_job(handoff)
    finally:
        handoff.close()
    if job is None:
        return 1
    job_fd, result_fd, spare_memory = job
    confine.set_name(JOB_NAME)
    return run_child(job_fd, result_fd, spare_memory=spare_memory)


def _wait_for_job(handoff: socket.socket) -> tuple[int, int, int] | None:
    """Say READY, then take the zygote's head-start request (``headstart``, answered with WARM)
    until the job's two descriptors (job read end, result write end) arrive: those and the bytes
    faulted in; ``None`` if the zygote sends anything else or goes away."""
    with contextlib.suppress(OSError):  # the zygote may have gone; the receive says so
        handoff.send(READY)
    spare = 0
    while True:
        received = _receive(handoff)
        if received is None:
            return None
        message, fds = received
        if message == HANDOFF and len(fds) == 2:
            return fds[0], fds[1], spare
        for fd in fds:
            os.close(fd)
        if len(message) != len(WARM_UP) + PREFAULT.size or not message.startswith(WARM_UP):
            return None
        size = min(max(PREFAULT.unpack(message[len(WARM_UP) :])[0], 0), MAX_PREFAULT)
        spare = head_start(size, lambda: bool(select.select([handoff], [], [], 0)[0]))
        with contextlib.suppress(OSError):  # the job may have arrived and the zygote closed its end
            handoff.send(WARM)


def _receive(handoff: socket.socket) -> tuple[bytes, list[int]] | None:
    """The zygote's next message and the descriptors it carries; ``None`` if the socket fails."""
    while True:
        try:
            message, fds, _flags, _addr = socket.recv_fds(handoff, MAX_MESSAGE, 2)
        except ConnectionResetError:
            # The zygote closed its end after the hand-off with our last message unread: the kernel
            # reports that once, ahead of the job's descriptors still queued for us.
            continue
        except OSError:
            return None
        return message, fds
