"""A standby: a child the zygote forks ahead of its job, so that a job starts in a process that is
already confined and warm.

Before any job it confines itself (a new session, death with the zygote, every inherited descriptor
closed but its hand-off socket) and tells the zygote so. Once no job runs, the zygote asks it to warm
up (``zygote.WARM_UP``): rehearse the common load-and-predict paths (``warmup.rehearsal``), map the
last job's frames (``premap``) and fault in memory, sized by the last job's growth: heap and Python
object arenas that the job's arrays and objects reuse instead of having the kernel fault in and zero
fresh pages (``reserve``). It warms up only on idle CPU time (``when_idle``): while the machine is
busy it sleeps, and it stops warming up the moment its job arrives. Then it runs that one job
(``child.run_child``) and exits: nothing of one job is ever seen by the next.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket

from scoring.sandbox import confine, premap, reserve
from scoring.sandbox.child import run_child
from scoring.sandbox.warmup import rehearsal
from scoring.sandbox.wire import HANDOFF, MAX_MESSAGE, WARM, WARM_UP, WARMUP_SETTING

STANDBY_NAME = "sandbox-standby"  # process names, for ps and tests
JOB_NAME = "sandbox-job"
IDLE_POLL_MS = 5  # how soon a standby waiting for idle CPU looks again (doubling up to the maximum)
MAX_IDLE_POLL_MS = 80


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
    """Serve the zygote's warm-up request until the job's two descriptors (job read end, result
    write end) arrive: those and the bytes of memory faulted in; ``None`` if the zygote sends anything
    else or goes away. One WARM says the standby is confined, then one that it is done warming up,
    so that the zygote knows when all it asked for is done."""
    spare = 0
    while True:
        with contextlib.suppress(OSError):  # the zygote may have closed its end after the job
            handoff.send(WARM)
        received = _receive(handoff)
        if received is None:
            return None
        message, fds = received
        if message == HANDOFF and len(fds) == 2:
            return fds[0], fds[1], spare
        for fd in fds:
            os.close(fd)
        if not message.startswith(WARM_UP):
            return None
        request = json.loads(message[len(WARM_UP) :])
        spare = max(spare, warm_up(request["frames"], int(request["prefault"]), handoff.fileno()))


def rehearse(interrupt_fd: int) -> None:
    """Rehearse (``warmup.rehearsal``) one step at a time on idle CPU, until ``interrupt_fd`` is
    readable (the job has arrived)."""
    with contextlib.suppress(Exception):  # only a head start: the job runs the same code anyway
        for _ in rehearsal():
            if not when_idle(interrupt_fd):
                return


def warm_up(frames: list[str], memory: int, interrupt_fd: int) -> int:
    """Rehearse, map ``frames`` ahead and fault in ``memory`` bytes, each step on idle CPU, until
    ``interrupt_fd`` is readable; the bytes faulted in."""
    rehearse(interrupt_fd)
    map_ahead(frames, interrupt_fd)
    return prefault(memory, interrupt_fd)


def map_ahead(directories: list[str], interrupt_fd: int) -> None:
    """Map the frames in ``directories`` (``premap``), one at a time on idle CPU (``when_idle``),
    until ``interrupt_fd`` is readable."""
    for directory in directories:
        if not when_idle(interrupt_fd):
            return
        premap.map_ahead(directory)


def _receive(handoff: socket.socket) -> tuple[bytes, list[int]] | None:
    """The zygote's next message and the descriptors it carries; ``None`` if the socket fails."""
    while True:
        try:
            message, fds, _flags, _addr = socket.recv_fds(handoff, MAX_MESSAGE, 2)
        except ConnectionResetError:
            # The zygote closed its end after the hand-off with our WARM unread: the kernel reports
            # that once, ahead of the job's descriptors still queued for us.
            continue
        except OSError:
            return None
        return message, fds


def prefault(size: int, interrupt_fd: int) -> int:
    """Fault in about ``size`` bytes of memory for the job (``reserve``: object arenas and heap),
    ``reserve.CHUNK`` at a time on idle CPU (``when_idle``); stop as soon as ``interrupt_fd`` is readable.
    The bytes faulted in."""
    return reserve.fault_in(size, lambda: when_idle(interrupt_fd))


def when_idle(interrupt_fd: int) -> bool:
    """Wait, sleeping, until there is CPU to spare for warming up (``cpu_to_spare``): True then;
    False as soon as ``interrupt_fd`` is readable (the job has arrived) or warming up is off."""
    if WARMUP == "never":
        return False
    poller = select.poll()
    poller.register(interrupt_fd, select.POLLIN)
    pause = IDLE_POLL_MS
    while not poller.poll(0):
        if cpu_to_spare():
            return True
        poller.poll(pause)
        pause = min(2 * pause, MAX_IDLE_POLL_MS)  # a long busy spell costs next to nothing
    return False


def cpu_to_spare() -> bool:
    """Whether to warm up now (``WARMUP``): by default only if a CPU would otherwise sit idle, i.e. no
    more tasks are runnable (this one included) than CPUs this process may use. Warming up ahead pays
    only on idle time; on a busy machine (workers deciding submissions on every core) it would slow
    the jobs that are running."""
    if WARMUP != "idle":
        return WARMUP == "always"
    with open("/proc/stat", "rb") as stat:
        for line in stat:
            if line.startswith(b"procs_running"):
                return int(line.split()[1]) <= _CPUS
    return True


_CPUS = len(os.sched_getaffinity(0))
WARMUP = os.environ.get(WARMUP_SETTING, "idle")  # idle | always | never
