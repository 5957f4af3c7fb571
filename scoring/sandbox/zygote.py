"""The zygote: a fresh Python process (started with exec, never forked from a caller that holds
labels) that imports the heavy modules once (``warmup``) and keeps one standby child forked ahead of
each job (``standby``).

Requests arrive on a ``SOCK_SEQPACKET`` socket from the one caller process that started it:

- ``b"F"`` with three descriptors (job read end, result write end, status write end): hand the first
  two to the standby, which has confined itself and waits for exactly one job, and fork the next
  standby. The child's pid goes to the status pipe at once; when the zygote reaps the child it
  writes the wait status and the CPU seconds used there and closes it.
- ``b"K"`` + pid: SIGKILL that child's process group and the child, if it is not yet reaped
  (the zygote is the only reaper, so the pid cannot have been reused).
- ``b"Q"`` with one descriptor: write ``IDLE`` to it once every job's child has been reaped and the
  standby has done its head start (``settle``: nothing of the sandbox runs on).

Once no job's child runs, the zygote asks the standby for its head start (``headstart``), with as
many bytes to prefault as the last job's child grew by (at most ``MAX_PREFAULT``): a head start
beside a running job would take CPU from it.

After its warm-up the zygote moves every object it holds to the collector's permanent generation
(``gc.freeze``). Otherwise a child's first full collection would walk, and so write to, every object
of the modules the zygote imported (scikit-learn, pandas, SciPy...), copying each page of them it
shares with the zygote: about 0.1 s on the first model load of every job.

When the caller goes away (end of file on the socket) the zygote kills its children and exits;
children die with the zygote (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
import socket
import sys
from dataclasses import dataclass, field

from scoring.sandbox.wire import (
    HANDOFF,
    IDLE,
    MAX_MESSAGE,
    MAX_PREFAULT,
    PID,
    PREFAULT,
    READY,
    STATUS,
    WARM,
    WARM_UP,
)


def main(control_fd: int) -> None:
    """Entry point of the zygote process."""
    control = socket.socket(fileno=control_fd)
    from scoring.sandbox.warmup import warm_up

    warm_up()
    gc.collect()
    gc.freeze()  # see the module's docstring
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
    ready: bool = False  # it has confined itself and said so
    asked: bool = False  # it was asked for its head start
    warm: bool = False  # and said it is done


@dataclass
class _Server:
    control: socket.socket
    wake_r: int
    children: dict[int, int] = field(default_factory=dict)  # pid -> status pipe (-1: a standby)
    standby: _Standby | None = None
    settling: list[int] = field(default_factory=list)  # pipes of callers waiting for IDLE
    poller: select.poll = field(default_factory=select.poll)
    base_rss_kib: int = field(default_factory=lambda: _resident_kib())
    prefault_bytes: int = 0

    def serve(self) -> None:
        self.poller.register(self.control, select.POLLIN)
        self.poller.register(self.wake_r, select.POLLIN)
        self.standby = self.start_standby()
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
        if message == b"F" and len(fds) == 3:
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
        self.children[pid] = -1
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
        self.standby = self.start_standby()  # confines itself while this job runs

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

    def hear_standby(self) -> None:
        """The standby's ``READY``; anything else (end of file: it died) and the next job gets a
        fresh one."""
        standby = self.standby
        assert standby is not None
        try:
            message = standby.handoff.recv(MAX_MESSAGE)
        except OSError:
            message = b""
        if message == READY and not standby.ready:
            standby.ready = True
            self.warm_standby()
            self.answer_settling()
            return
        if message == WARM and standby.asked and not standby.warm:
            standby.warm = True
            self.answer_settling()
            return
        self.forget(standby)
        standby.handoff.close()
        with contextlib.suppress(OSError):
            os.kill(standby.pid, signal.SIGKILL)

    def warm_standby(self) -> None:
        """Ask the standby for its head start, once, when it is ready and no job runs."""
        standby = self.standby
        if standby is None or not standby.ready or standby.asked or self.job_running():
            return
        standby.asked = True
        with contextlib.suppress(OSError):  # it died: its socket's end of file says so
            standby.handoff.send(WARM_UP + PREFAULT.pack(self.prefault_bytes))

    def size_prefault(self, peak_rss_kib: int) -> None:
        """Prefault as much as the job just reaped grew by. A job's peak counts the prefault it was
        given and the frame pages it mapped, so the size moves only when the growth leaves a band
        around it, instead of creeping up."""
        growth = (peak_rss_kib - self.base_rss_kib) * 1024
        if not self.prefault_bytes // 2 <= growth <= self.prefault_bytes * 5 // 4:
            self.prefault_bytes = max(0, min(growth, MAX_PREFAULT))

    def job_running(self) -> bool:
        return any(status_fd >= 0 for status_fd in self.children.values())

    def answer_settling(self) -> None:
        """Answer the callers waiting for the sandbox to settle: the standby has done its head start
        (or is gone: the next job forks a fresh one) and no job's child is left to reap."""
        if self.standby is not None and not self.standby.warm:
            return
        if self.job_running():
            return
        for fd in self.settling:
            with contextlib.suppress(OSError):
                os.write(fd, IDLE)
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
            with contextlib.suppress(OSError):
                os.write(status_fd, STATUS.pack(status, usage.ru_utime + usage.ru_stime))
            os.close(status_fd)
            self.size_prefault(usage.ru_maxrss)
            self.warm_standby()
            self.answer_settling()

    def shutdown(self) -> None:
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


def _resident_kib() -> int:
    """This process's resident anonymous memory now: what a child it forks starts with (the child
    maps the zygote's file pages only as it touches them)."""
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
