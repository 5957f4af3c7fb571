"""The warm pool: a standby child forked, confined and warmed ahead of each job."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring.errors import EngineError, Reason
from scoring.sandbox import Limits, _selftest, prestart, spawner, warmup
from scoring.sandbox import standby as standby_module
from scoring.sandbox.reserve import CHUNK
from scoring.sandbox.standby import STANDBY_NAME, _receive, prefault
from scoring.sandbox.zygote import HANDOFF, MAX_MESSAGE, WARM, WARM_UP, WARMUP_SETTING, _Server, _Standby
from tests.engine.procs import children_of, name_of, status_of

pytestmark = pytest.mark.engine
MiB = 2**20


@pytest.fixture(autouse=True)
def warm_up(request: pytest.FixtureRequest) -> Iterator[None]:
    """Standbys that warm up whatever the machine's load (by default they use idle CPU only, which
    a busy test machine may not have), or never (``@pytest.mark.parametrize`` ``mode``)."""
    mode = getattr(request, "param", "always")
    os.environ[WARMUP_SETTING] = mode
    spawner.shutdown()
    yield
    del os.environ[WARMUP_SETTING]
    spawner.shutdown()


def kib(value: str) -> int:
    return int(value.split()[0])


def standby() -> int:
    """The zygote's one standby child (waits until it is warm)."""
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


def test_a_warm_standby_has_no_thread_but_its_own() -> None:
    """Its rehearsal predicts with a gradient-boosting model (OpenMP) and a logistic regression
    (BLAS): no thread pool may be left behind, spinning beside the job that comes next."""
    _selftest("environ")
    pid = standby()
    assert [task.name for task in Path(f"/proc/{pid}/task").iterdir()] == [str(pid)]


def test_prefault_fills_what_is_asked_and_stops_when_the_job_arrives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(standby_module, "WARMUP", "always")
    quiet_r, quiet_w = os.pipe()
    busy_r, busy_w = os.pipe()
    os.write(busy_w, b"J")
    try:
        assert prefault(3 * CHUNK, quiet_r) == 3 * CHUNK
        assert prefault(64 * CHUNK, busy_r) == 0
    finally:
        for fd in (quiet_r, quiet_w, busy_r, busy_w):
            os.close(fd)


def test_after_a_big_job_the_standby_faults_in_about_as_much_heap() -> None:
    small = kib(status_of(standby())["RssAnon"])
    _selftest("refault", arg="200")  # the job's peak grows by 200 MiB
    big = kib(status_of(standby())["RssAnon"])
    assert big - small > 150 * 1024


def test_a_prefault_does_not_count_against_the_next_jobs_memory_limit() -> None:
    _selftest("refault", arg="200")
    status = status_of(standby())
    zygote = status_of(spawner.zygote_pid() or 0)
    spare = (kib(status["RssAnon"]) - kib(zygote["RssAnon"])) * 1024
    assert spare > 150 * MiB
    # Room for 120 MiB more than the standby holds without its prefault: a 100 MiB block fits
    # only if the prefault is allowed on top of the limit.
    limit = kib(status["VmSize"]) * 1024 - spare + 120 * MiB
    outcome = _selftest("refault", arg="100", limits=Limits(memory_bytes=limit, wall_seconds=20.0))
    assert outcome.endswith(f"{100 * MiB} bytes")


def test_a_job_over_its_memory_limit_is_still_refused_after_a_prefault() -> None:
    _selftest("refault", arg="200")
    status = status_of(standby())
    zygote = status_of(spawner.zygote_pid() or 0)
    spare = (kib(status["RssAnon"]) - kib(zygote["RssAnon"])) * 1024
    limit = kib(status["VmSize"]) * 1024 - spare + 50 * MiB
    with pytest.raises(EngineError) as refused:
        _selftest("refault", arg="400", limits=Limits(memory_bytes=limit, wall_seconds=20.0))
    assert refused.value.reason is Reason.RESOURCE_LIMIT


@pytest.mark.parametrize("warm_up", ["never"], indirect=True)
def test_standbys_told_never_to_warm_up_fault_nothing_in(warm_up: None) -> None:
    small = kib(status_of(standby())["RssAnon"])
    _selftest("refault", arg="200")
    assert kib(status_of(standby())["RssAnon"]) - small < 20 * 1024


def test_prefault_waits_for_idle_cpu_and_gives_up_when_the_job_arrives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(standby_module, "WARMUP", "idle")
    monkeypatch.setattr(standby_module, "_CPUS", 0)  # every CPU busy, whatever the machine does
    job_r, job_w = os.pipe()
    arrival = threading.Timer(0.2, os.write, (job_w, b"J"))
    arrival.start()
    try:
        started = time.monotonic()
        assert prefault(3 * CHUNK, job_r) == 0
        assert time.monotonic() - started >= 0.15
    finally:
        arrival.join()
        os.close(job_r)
        os.close(job_w)


def test_an_unknown_warm_up_mode_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WARMUP_SETTING, "sometimes")
    spawner.shutdown()
    with pytest.raises(ValueError, match=WARMUP_SETTING):
        spawner.get_zygote()


def test_the_job_reaches_a_standby_whose_last_warm_went_unread() -> None:
    # The zygote hands the job over and closes its end while the standby's WARM sits unread in it:
    # the kernel then reports a reset to the waiting standby once, ahead of the job queued for it.
    zygote_end, standby_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    job_r, job_w = os.pipe()
    try:
        standby_end.send(WARM)
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


def test_a_standby_is_asked_to_warm_up_once_no_job_runs_and_settles_when_done() -> None:
    # Warming up beside a job would slow the job. The standby says WARM once confined and once warm;
    # the first must not be taken for the second.
    zygote_end, standby_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    control, caller = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    settled_r, settled_w = os.pipe()
    server = _Server(control=control, wake_r=-1, frames=["/frames"], prefault_bytes=CHUNK)
    server.standby = standby = _Standby(os.getpid(), zygote_end)
    try:
        server.children[os.getpid()] = settled_r  # a job's child, not yet reaped
        server.warm_standby()
        assert not standby.asked
        server.children.clear()
        server.warm_standby()
        server.warm_standby()  # once only
        message = standby_end.recv(MAX_MESSAGE)
        assert message.startswith(WARM_UP)
        assert json.loads(message[len(WARM_UP) :]) == {"frames": ["/frames"], "prefault": CHUNK}
        server.settling.append(settled_w)
        for done in (False, True):
            standby_end.send(WARM)
            server.hear_standby()
            assert standby.warm is done
            assert server.settling == ([] if done else [settled_w])
        assert os.read(settled_r, 8) == WARM
        standby_end.setblocking(False)
        with pytest.raises(BlockingIOError):
            standby_end.recv(MAX_MESSAGE)
    finally:
        for end in (zygote_end, standby_end, control, caller):
            end.close()
        os.close(settled_r)


def test_a_warm_up_that_starts_a_thread_stops_the_zygote(monkeypatch: pytest.MonkeyPatch) -> None:
    # A thread in the zygote (an OpenMP pool, say) would hang every child it forks: the exercise runs
    # its boosting model on one OpenMP thread, and the zygote refuses to start if it ever stops doing so.
    release = threading.Event()
    monkeypatch.setenv("ORT_DISABLE_TELEMETRY", "1")  # warm_up sets it; restored after the test
    monkeypatch.setattr(warmup, "_exercise", lambda: threading.Thread(target=release.wait).start())
    monkeypatch.setattr(warmup, "_exercise_onnx", lambda: None)
    try:
        with pytest.raises(RuntimeError, match="started a thread"):
            warmup.warm_up()
    finally:
        release.set()


def test_a_warm_up_request_too_long_for_one_message_leaves_the_frames_to_the_job() -> None:
    zygote_end, standby_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    control, caller = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    frames = [f"/competitions/{i:05d}/frames/holdout" for i in range(MAX_MESSAGE // 30)]
    server = _Server(control=control, wake_r=-1, frames=frames, prefault_bytes=CHUNK)
    server.standby = _Standby(os.getpid(), zygote_end)
    try:
        server.warm_standby()
        message = standby_end.recv(MAX_MESSAGE + 1)
        assert json.loads(message[len(WARM_UP) :]) == {"frames": [], "prefault": CHUNK}
    finally:
        for end in (zygote_end, standby_end, control, caller):
            end.close()
