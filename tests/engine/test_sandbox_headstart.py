"""The standby's head start: once no job runs it rehearses and faults in as much memory as the last
job grew by, so that the next job's arrays land on pages already in place; it stops when its job
arrives, and the job's memory limit allows what it faulted in on top."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scoring.sandbox import Limits, _selftest, headstart, prestart, spawner
from tests.engine.procs import status_of

pytestmark = pytest.mark.engine
MIB = 2**20


@pytest.fixture(autouse=True)
def fresh_zygote() -> Iterator[None]:
    spawner.shutdown()
    yield
    spawner.shutdown()


def faults(outcome: str) -> int:
    return int(outcome.split(" faults, ")[0])


@pytest.fixture
def no_rehearsal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rehearsal runs only where the warm-up has run (a zygote, or an earlier test here)."""
    monkeypatch.setattr(headstart, "rehearsal", lambda: iter(()))


@pytest.mark.usefixtures("no_rehearsal")
def test_head_start_faults_in_heap_and_object_arenas_as_asked() -> None:
    before = headstart.pinned_arenas()
    assert headstart.head_start(32 * MIB, lambda: False) == 32 * MIB
    assert headstart.pinned_arenas() - before >= 12  # 16 MiB of small objects: about one pin a MiB


@pytest.mark.usefixtures("no_rehearsal")
def test_head_start_stops_as_soon_as_the_job_arrives() -> None:
    asked = iter([False, False, True])
    assert headstart.head_start(64 * MIB, lambda: next(asked, True)) == 2 * headstart.CHUNK


def test_a_job_after_a_big_job_finds_its_memory_already_faulted_in() -> None:
    cold = faults(_selftest("fill", arg="96"))  # a fresh standby: new pages, new faults
    prestart()  # the next standby has its head start, sized by that job's growth
    warm = faults(_selftest("fill", arg="48"))
    assert warm < cold / 2 * 0.3, (cold, warm)  # half the memory, under a third of its faults


def test_the_memory_limit_allows_what_the_head_start_faulted_in_on_top() -> None:
    prestart()
    zygote = spawner.zygote_pid() or 0
    size_kib = int(status_of(zygote)["VmSize"].split()[0])
    tight = Limits(memory_bytes=size_kib * 1024 + 160 * MIB, wall_seconds=20.0, cpu_seconds=10)
    assert _selftest("fill", arg="64", limits=tight).endswith(f"{64 * MIB} bytes")  # fits, cold
    _selftest("fill", arg="256")  # the next standby faults in about 256 MiB, more than the headroom
    prestart()
    assert _selftest("fill", arg="64", limits=tight).endswith(f"{64 * MIB} bytes")  # fits all the same
