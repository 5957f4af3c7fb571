"""The zygote: a fresh Python process (started with exec, never forked from a caller that holds
labels) that imports the heavy modules once and keeps one standby child forked ahead of each job.

Requests arrive on a ``SOCK_SEQPACKET`` socket from the one caller process that started it:

- ``b"F"`` + the JSON list of the job's frame directories, with three descriptors (job read end,
  result write end, status write end): hand the first two to the standby
  (``scoring.sandbox.standby``), which has confined itself and waits for exactly one job, and fork
  the next standby. The child's pid goes to the status pipe at once; when the zygote reaps the child
  it writes the wait status, the CPU seconds used and the peak RSS there and closes it.
- ``b"K"`` + pid: SIGKILL that child's process group and the child, if it is not yet reaped
  (the zygote is the only reaper, so the pid cannot have been reused).
- ``b"Q"`` with one descriptor: write ``WARM`` to it once every job's child has been reaped and the
  standby has done all the warming up asked of it (``settle``: nothing of the sandbox runs on).

A standby warms up only when asked (``WARM_UP``), once no job's child runs: warming up beside a job
slowed big jobs by about 4% (a rehearsal step on one CPU stalls the job's OpenMP team). It rehearses
the load-and-predict paths, maps the last job's frames ahead (``premap``) and faults in as much memory
(heap and object arenas: ``reserve``) as the last job's child grew by (at most ``MAX_PREFAULT``;
those bytes are allowed on top of its job's memory limit), in short steps on idle CPU, and stops
between two steps when its job arrives.
When the caller goes away (end of file on the socket) the zygote kills its children and exits;
children die with the zygote (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import sys
from dataclasses import dataclass, field

from scoring.sandbox.wire import (
    HANDOFF,
    MAX_MESSAGE,
    MAX_PREFAULT,
    PID,
    READY,
    STATUS,
    WARM,
    WARM_UP,
    WARMUP_SETTING,  # noqa: F401 (where the zygote's tests read it)
)


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
    server = _Server(control, wake_r)
    try:
        server.serve()
    finally:
        server.shutdown()
    os._exit(0)  # skip interpreter teardown: nothing to flush, and it is slow with these modules


@dataclass
class _Standby:
    """A child forked ahead of its job, waiting on ``handoff`` for the job's descriptors."""

    pid: int
    handoff: socket.socket
    unanswered: int = 1  # its confinement, then the WARM_UP request: a WARM each
    asked: bool = False  # whether it was asked to warm up

    @property
    def warm(self) -> bool:
        return self.unanswered == 0

    def ask(self, message: bytes) -> None:
        """Send a request, which the standby answers with one WARM when done with it."""
        self.handoff.send(message)
        self.unanswered += 1


@dataclass
class _Server:
    control: socket.socket
    wake_r: int
    children: dict[int, int] = field(default_factory=dict)  # pid -> status pipe (-1: a standby)
    standby: _Standby | None = None
    settling: list[int] = field(default_factory=list)  # pipes of callers waiting for WARM
    poller: select.poll = field(default_factory=select.poll)
    base_rss_kib: int = field(default_factory=lambda: _resident_kib())
    prefault_bytes: int = 0
    frames: list[str] = field(default_factory=list)  # the frame directories of the last job

    def serve(self) -> None:
        self.poller.register(self.control, select.POLLIN)
        self.poller.register(self.wake_r, select.POLLIN)
        self.standby = self.start_standby()
        self.warm_standby()
        while True:
            try:
                events = self.poller.poll()
            except InterruptedError:
                continue
            for fd, _event in events:
                if fd == self.wake_r:
                    _drain(self.wake_r)
                    self.reap()
                elif fd == self.control.fileno():
                    if not self.request():
                        return
                elif self.standby is not None and fd == self.standby.handoff.fileno():
                    self.hear_standby()

    def request(self) -> bool:
        """Serve one request from the caller; False once it has gone."""
        message, fds, _flags, _addr = socket.recv_fds(self.control, MAX_MESSAGE, 3)
        if not message:
            return False
        if message[:1] == b"F" and len(fds) == 3:
            self.frames = _directories(message[1:])
            self.hand_off(*fds)
        elif message == b"Q" and len(fds) == 1:
            self.settling.append(fds[0])
            self.answer_settling()
        else:
            for extra in fds:
                os.close(extra)
            if message[:1] == b"K" and len(message) == 1 + PID.size:
                self.kill(PID.unpack(message[1:])[0])
        return True

    # -- standbys -------------------------------------------------------------------------------
    def start_standby(self) -> _Standby | None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        zygote_pid = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            ours.close()
            theirs.close()
            return None
        if pid == 0:
            ours.close()
            _become_standby(theirs.detach(), zygote_pid)
        theirs.close()
        self.poller.register(ours, select.POLLIN)
        return _Standby(pid, ours)

    def hand_off(self, job_fd: int, result_fd: int, status_fd: int) -> None:
        """Give the job to the standby (or, if it died, to a fresh one); fork the next standby."""
        try:
            child = self.deliver(self.standby, job_fd, result_fd)
            if child is None:
                child = self.deliver(self.start_standby(), job_fd, result_fd)
        finally:
            os.close(job_fd)
            os.close(result_fd)
        if child is None:
            os.close(status_fd)  # the caller reads end of file: the sandbox could not start
        else:
            self.children[child] = status_fd
            try:
                os.write(status_fd, PID.pack(child))
            except OSError:  # the caller gave up already
                self.kill(child)
        self.standby = self.start_standby()  # confines itself while this job runs; warms up after

    def deliver(self, standby: _Standby | None, job_fd: int, result_fd: int) -> int | None:
        """The standby's pid once it holds the job's descriptors; ``None`` if it is gone."""
        if standby is None:
            return None
        self.forget(standby)
        try:
            socket.send_fds(standby.handoff, [HANDOFF], [job_fd, result_fd])
        except OSError:
            with contextlib.suppress(OSError):
                os.kill(standby.pid, signal.SIGKILL)
            return None
        finally:
            standby.handoff.close()
        return standby.pid

    def forget(self, standby: _Standby) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.poller.unregister(standby.handoff)
        if standby is self.standby:
            self.standby = None
        self.answer_settling()

    def hear_standby(self) -> None:
        standby = self.standby
        assert standby is not None
        try:
            message = standby.handoff.recv(MAX_MESSAGE)
        except OSError:
            message = b""
        if message == WARM and standby.unanswered > 0:
            standby.unanswered -= 1  # a WARM sent before a later request was read answers an earlier one
            self.answer_settling()
        else:  # it died or misbehaved: the next job gets a fresh one
            self.forget(standby)
            standby.handoff.close()
            with contextlib.suppress(OSError):
                os.kill(standby.pid, signal.SIGKILL)

    def size_prefault(self, peak_rss_kib: float) -> None:
        """Size the standbys' prefault to as much memory as the job just reaped grew by. A job's peak
        counts the prefault it was given and its mapped frame pages too, so the size follows the
        growth only when it moves out of a band around the current size, instead of creeping up."""
        growth = int(peak_rss_kib - self.base_rss_kib) * 1024
        if not self.prefault_bytes // 2 <= growth <= self.prefault_bytes * 5 // 4:
            self.prefault_bytes = max(0, min(growth, MAX_PREFAULT))

    def warm_standby(self) -> None:
        """Ask the standby to warm up, once, when no job runs."""
        standby = self.standby
        if standby is None or standby.asked or self.job_running():
            return
        standby.asked = True
        message = _warm_up_request(self.frames, self.prefault_bytes)
        if len(message) > MAX_MESSAGE:  # too many frames to name: the job maps its own
            message = _warm_up_request([], self.prefault_bytes)
        with contextlib.suppress(OSError):
            standby.ask(message)

    def job_running(self) -> bool:
        return any(status_fd >= 0 for status_fd in self.children.values())

    def answer_settling(self) -> None:
        """Answer the callers waiting for the sandbox to settle: no job's child is left to reap
        and the standby has done all the warming up asked of it."""
        if self.standby is not None and not self.standby.warm:
            return
        if self.job_running():
            return
        for fd in self.settling:
            with contextlib.suppress(OSError):
                os.write(fd, WARM)
            os.close(fd)
        self.settling.clear()

    # -- children -------------------------------------------------------------------------------
    def kill(self, pid: int) -> None:
        if pid not in self.children:
            return
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(OSError):
                kill(pid, signal.SIGKILL)

    def reap(self) -> None:
        """Reap every child that has exited and report each job's to its caller."""
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            status_fd = self.children.pop(pid, None)
            if status_fd is None or status_fd < 0:
                continue  # a standby (its socket tells the rest)
            cpu = usage.ru_utime + usage.ru_stime
            with contextlib.suppress(OSError):
                os.write(status_fd, STATUS.pack(status, cpu, float(usage.ru_maxrss)))
            os.close(status_fd)
            self.size_prefault(usage.ru_maxrss)
            self.warm_standby()
            self.answer_settling()

    def shutdown(self) -> None:
        if self.standby is not None:
            self.children[self.standby.pid] = -1
        for pid in list(self.children):
            self.kill(pid)
        for pid in list(self.children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        for fd in self.settling:
            os.close(fd)


def _become_standby(handoff_fd: int, zygote_pid: int) -> None:
    code = 70
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        from scoring.sandbox.standby import run_standby

        code = run_standby(handoff_fd, zygote_pid)
    finally:
        os._exit(code)


def _warm_up_request(frames: list[str], prefault_bytes: int) -> bytes:
    return WARM_UP + json.dumps({"frames": frames, "prefault": prefault_bytes}).encode()


def _directories(raw: bytes) -> list[str]:
    """The frame directories in a hand-off request (none if it does not hold a list of them)."""
    try:
        directories = json.loads(raw) if raw else []
    except ValueError:
        return []
    if not isinstance(directories, list) or not all(isinstance(d, str) for d in directories):
        return []
    return directories


def _resident_kib() -> int:
    """This process's resident anonymous memory now: what a child it forks starts with (the
    child maps the zygote's file pages only as it touches them)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


if __name__ == "__main__":  # pragma: no cover - started by scoring.sandbox.spawner
    main(int(sys.argv[1]))
