"""The warm pool: a standby child forked, confined and warmed ahead of each job."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scoring.errors import EngineError
from scoring.sandbox import Limits, _selftest, prestart, spawner
from scoring.sandbox.standby import CHUNK, STANDBY_NAME, prefault

pytestmark = pytest.mark.engine
MiB = 2**20


def status_of(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def kib(value: str) -> int:
    return int(value.split()[0])


def standby() -> int:
    """The zygote's one standby child (waits until it is warm)."""
    prestart()
    zygote = spawner.zygote_pid()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = status_of(int(entry.name))
            except OSError:
                continue
            if status.get("PPid") == str(zygote):
                found.append((status["Name"], int(entry.name)))
    assert [name for name, _ in found] == [STANDBY_NAME]
    return found[0][1]


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


def test_prefault_fills_what_is_asked_and_stops_when_the_job_arrives() -> None:
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
    spawner.shutdown()  # a fresh zygote: no earlier job sized the prefault
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
    with pytest.raises(EngineError):
        _selftest("refault", arg="400", limits=Limits(memory_bytes=limit, wall_seconds=20.0))
