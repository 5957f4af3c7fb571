"""Attack probes run inside a sandboxed child after its seccomp filter is on.

Real skops files cannot carry code, so the probes (``scoring.sandbox.probes``, reachable only through
the ``_selftest`` hook) stand in for a model that gained code execution. Each test also checks that
the caller survives and that no sandbox process is left behind.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring.errors import EngineError, Reason
from scoring.sandbox import Limits, _selftest, prestart, spawner
from scoring.sandbox.standby import JOB_NAME
from tests.engine.procs import children_named, children_of, in_background, processes

pytestmark = pytest.mark.engine
SHORT = Limits(wall_seconds=3.0, cpu_seconds=2)


def jobs_of(zygote: int) -> set[int]:
    """Live children of the zygote that hold a job (the others are its standby, waiting for one)."""
    return set(children_named(zygote, JOB_NAME))


def zombies_of(parents: set[int]) -> set[int]:
    return {pid for pid, (state, ppid) in processes().items() if ppid in parents and state == "Z"}


def alive(pid: int) -> bool:
    entry = processes().get(pid)
    return entry is not None and entry[0] != "Z"


@pytest.fixture(autouse=True)
def nothing_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    _selftest("thread")  # a running zygote
    prestart()  # and the child of that run reaped (it is killed and reaped as the caller goes on)
    zygote = spawner.zygote_pid()
    assert zygote is not None
    yield
    if "killed_zygote" not in request.node.name:
        assert spawner.zygote_pid() == zygote, "the attack took the zygote down"
    zygote = spawner.zygote_pid()
    assert zygote is not None
    deadline = time.monotonic() + 5  # a child that answered is killed and reaped as the caller goes on
    while (jobs_of(zygote) or zombies_of({zygote})) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert jobs_of(zygote) == set(), "a sandboxed child is still running"
    assert len(children_of(zygote)) <= 1, "more than one standby"
    assert zygote in children_of(os.getpid())
    assert not zombies_of({os.getpid(), zygote})


@pytest.mark.parametrize("probe", ["socket", "read_passwd", "fork", "exec", "kill_parent", "outlive_zygote"])
def test_probe_is_denied(probe: str) -> None:
    assert _selftest(probe) == "denied: EPERM"


def test_threads_still_work_under_the_filter() -> None:
    assert _selftest("thread") == "allowed"


def test_a_written_file_never_appears(tmp_path: Path) -> None:
    target = tmp_path / "escaped.txt"
    assert _selftest("write_file", arg=str(target)) == "denied: EPERM"
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_label_files_cannot_be_read(tmp_path: Path) -> None:
    labels = tmp_path / "holdout_labels.csv"
    labels.write_text("y\nyes\nno\n")
    assert _selftest("read_file", arg=str(labels)) == "denied: EPERM"


def test_sleeping_forever_is_a_timeout_within_the_wall_limit() -> None:
    start = time.monotonic()
    with pytest.raises(EngineError) as info:
        _selftest("sleep_forever", limits=SHORT)
    assert info.value.reason is Reason.TIMEOUT
    assert 3.0 <= time.monotonic() - start < 6.0


def test_a_busy_loop_is_a_timeout_at_the_cpu_limit() -> None:
    start = time.monotonic()
    with pytest.raises(EngineError) as info:
        _selftest("busy_loop", limits=Limits(wall_seconds=30.0, cpu_seconds=2))
    assert info.value.reason is Reason.TIMEOUT
    assert "CPU" in info.value.message
    assert time.monotonic() - start < 15.0


def test_allocating_10gb_is_a_resource_limit() -> None:
    with pytest.raises(EngineError) as info:
        _selftest("allocate_10gb", limits=Limits(wall_seconds=20.0, memory_bytes=4 * 2**30))
    assert info.value.reason is Reason.RESOURCE_LIMIT


def test_an_unknown_probe_is_an_engine_error() -> None:
    with pytest.raises(EngineError):
        _selftest("no_such_probe")


def test_children_die_with_a_killed_zygote_and_a_new_zygote_starts() -> None:
    zygote = spawner.zygote_pid()
    assert zygote is not None
    worker, outcome = in_background("sleep_forever", Limits(wall_seconds=60.0, cpu_seconds=60))
    deadline = time.monotonic() + 10
    while not jobs_of(zygote) and time.monotonic() < deadline:
        time.sleep(0.05)
    (child,) = jobs_of(zygote)
    standbys = children_of(zygote) - {child}
    os.kill(zygote, 9)
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert isinstance(outcome[0], EngineError)
    deadline = time.monotonic() + 10  # each dies on its own signal, in its own time
    while any(alive(pid) for pid in {child, zygote, *standbys}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child), "the sandboxed child outlived its zygote"
    assert not any(alive(pid) for pid in standbys), "a standby outlived its zygote"
    assert _selftest("socket") == "denied: EPERM"  # a fresh zygote
    assert spawner.zygote_pid() not in (None, zygote)
