"""Memory a standby faults in ahead of its job: heap and pinned object arenas."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scoring.sandbox import reserve
from scoring.sandbox.reserve import CHUNK

pytestmark = pytest.mark.engine
ROOT = Path(__file__).resolve().parents[2]


def steps(allowed: int) -> Callable[[], bool]:
    """A ``go`` that allows ``allowed`` steps, then says the job has arrived."""
    left = [allowed]

    def go() -> bool:
        left[0] -= 1
        return left[0] >= 0

    return go


# Each runs in a fresh interpreter, with nothing of this test process's history in its allocator.
_FAULTS = """
import json, resource, sys
from scoring.sandbox import reserve
if sys.argv[1] == "pinned":
    reserve.object_arenas(64 * 2**20, lambda: True)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
objects = [str(i) * 4 for i in range(400_000)]  # about 30 MB of small objects
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before))
"""
_PINS = """
import json, sys
from scoring.sandbox import reserve
getattr(reserve, sys.argv[1])(int(sys.argv[2]), lambda: True)
print(json.dumps(reserve.pinned_arenas()))
"""


def fresh_interpreter(code: str, *args: object) -> int:
    command = [sys.executable, "-c", code, *map(str, args)]
    run = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return int(json.loads(run.stdout))


def test_objects_made_after_pinning_arenas_fault_in_almost_no_pages() -> None:
    fresh = fresh_interpreter(_FAULTS, "fresh")
    pinned = fresh_interpreter(_FAULTS, "pinned")
    assert fresh > 5_000  # a fault a page of new arenas
    assert pinned < fresh // 5  # the list itself still grows the heap


def test_pinning_keeps_about_one_object_an_arena_alive() -> None:
    # 16 MiB of objects fill 16 or 17 arenas; one pin per 1 MiB of address space they span
    assert 16 <= fresh_interpreter(_PINS, "object_arenas", 4 * CHUNK) <= 2 * 17


def test_fault_in_gives_half_the_chunks_to_object_arenas_and_the_rest_to_the_heap() -> None:
    assert 8 <= fresh_interpreter(_PINS, "fault_in", 4 * CHUNK) <= 2 * 9
    assert reserve.fault_in(3 * CHUNK, lambda: True) == 3 * CHUNK
    assert reserve.fault_in(CHUNK + 1, lambda: True) == 2 * CHUNK  # whole chunks, rounded up


def test_nothing_is_faulted_in_once_the_job_has_arrived() -> None:
    assert reserve.fault_in(8 * CHUNK, lambda: False) == 0
    assert reserve.heap(8 * CHUNK, lambda: False) == 0
    assert reserve.object_arenas(8 * CHUNK, lambda: False) == 0


def test_a_job_arriving_mid_fill_stops_it_and_what_was_filled_still_counts() -> None:
    assert reserve.object_arenas(8 * CHUNK, steps(2)) == 2 * CHUNK
    assert reserve.heap(8 * CHUNK, steps(3)) == 3 * CHUNK
