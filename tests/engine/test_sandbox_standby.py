"""The standby: a child forked and confined ahead of each job, which runs exactly one job."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring.sandbox import _selftest, prestart, spawner, warmup
from scoring.sandbox.standby import STANDBY_NAME, _receive
from scoring.sandbox.wire import HANDOFF, IDLE, PREFAULT, READY, WARM, WARM_UP
from scoring.sandbox.zygote import _Server, _Standby
from tests.engine.procs import children_of, name_of, status_of

pytestmark = pytest.mark.engine


@pytest.fixture(autouse=True)
def fresh_zygote() -> Iterator[None]:
    spawner.shutdown()
    yield
    spawner.shutdown()


def standby() -> int:
    """The zygote's one standby child (waits until it is ready)."""
    prestart()
    zygote = spawner.zygote_pid() or 0
    found = children_of(zygote)
    assert [name_of(pid) for pid in found] == [STANDBY_NAME]
    return found.pop()


def test_a_standby_waits_confined_with_nothing_but_its_hand_off_socket() -> None:
    pid = standby()
    fds = {int(fd.name): os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}
    assert {fds.pop(0), fds.pop(1), fds.pop(2)} == {os.devnull}
    assert len(fds) == 1 and next(iter(fds.values())).startswith("socket:")
    assert os.getsid(pid) == pid  # its own session: the caller kills its whole group


def test_each_job_runs_in_the_standby_and_a_fresh_one_replaces_it() -> None:
    first = standby()
    assert _selftest("environ")
    second = standby()
    assert second != first
    assert not Path(f"/proc/{first}").exists() or status_of(first).get("State", "").startswith("Z")


def test_a_childs_full_garbage_collection_copies_almost_no_page_of_the_zygote() -> None:
    """The zygote freezes its objects after the warm-up: a child's collector never walks them, so
    its first full collection does not copy the pages of every module the zygote imported (without
    the freeze it takes thousands of faults, about 0.1 s on the first model load of every job)."""
    faults = int(_selftest("collect").split()[0])
    assert faults < 200


def test_a_standby_has_no_thread_but_its_own() -> None:
    """The zygote's exercise predicts with a gradient-boosting model (OpenMP) and a logistic
    regression (BLAS): no thread pool may be left behind for a standby to inherit."""
    _selftest("environ")
    pid = standby()
    assert [task.name for task in Path(f"/proc/{pid}/task").iterdir()] == [str(pid)]


def test_the_job_reaches_a_standby_whose_ready_went_unread() -> None:
    # The zygote hands the job over and closes its end while the standby's READY sits unread in it:
    # the kernel then reports a reset to the waiting standby once, ahead of the job queued for it.
    zygote_end, standby_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    job_r, job_w = os.pipe()
    try:
        standby_end.send(READY)
        socket.send_fds(zygote_end, [HANDOFF], [job_r, job_w])
        zygote_end.close()
        received = _receive(standby_end)
        assert received is not None
        message, fds = received
        assert message == HANDOFF and len(fds) == 2
        for fd in fds:
            os.close(fd)
    finally:
        standby_end.close()
        os.close(job_r)
        os.close(job_w)


def test_a_settling_caller_is_answered_once_no_job_runs_and_the_standby_has_its_head_start() -> None:
    zygote_end, standby_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    control, caller = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    settled_r, settled_w = os.pipe()
    server = _Server(control=control, wake_r=-1)
    server.standby = waiting = _Standby(os.getpid(), zygote_end)
    server.poller.register(zygote_end)
    job_r, job_w = os.pipe()
    try:
        server.children[12345] = job_w  # a job's child, not yet reaped
        server.settling.append(settled_w)
        standby_end.send(READY)
        server.hear_standby()
        assert waiting.ready
        assert server.settling == [settled_w]  # the job's child still runs
        del server.children[12345]  # reaped: the zygote asks the standby for its head start
        server.warm_standby()
        assert standby_end.recv(64) == WARM_UP + PREFAULT.pack(0)
        assert server.settling == [settled_w]  # not yet done with it
        standby_end.send(WARM)
        server.hear_standby()
        assert server.settling == []
        assert os.read(settled_r, 8) == IDLE
    finally:
        for end in (zygote_end, standby_end, control, caller):
            end.close()
        for fd in (settled_r, job_r, job_w):
            os.close(fd)


def test_a_standby_that_says_anything_but_ready_is_dropped() -> None:
    zygote_end, standby_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    control, caller = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sleeper = subprocess.Popen(["sleep", "60"])  # stands in for the standby's process
    server = _Server(control=control, wake_r=-1)
    server.standby = _Standby(sleeper.pid, zygote_end)
    server.poller.register(zygote_end)
    try:
        standby_end.send(b"anything")
        server.hear_standby()
        assert server.standby is None
        assert sleeper.wait(timeout=10) == -signal.SIGKILL
    finally:
        sleeper.kill()
        for end in (standby_end, control, caller):
            end.close()


def test_a_warm_up_that_starts_a_thread_stops_the_zygote(monkeypatch: pytest.MonkeyPatch) -> None:
    # A thread in the zygote (an OpenMP pool, say) would hang every child it forks: the exercise runs
    # its boosting model on one OpenMP thread, and the zygote refuses to start if it ever stops doing so.
    release = threading.Event()
    monkeypatch.setenv("ORT_DISABLE_TELEMETRY", "1")  # warm_up sets it; restored after the test
    monkeypatch.setattr(warmup, "_exercise", lambda: threading.Thread(target=release.wait).start())
    monkeypatch.setattr(warmup.formats, "REGISTRY", ())
    try:
        with pytest.raises(RuntimeError, match="started a thread"):
            warmup.warm_up()
    finally:
        release.set()
