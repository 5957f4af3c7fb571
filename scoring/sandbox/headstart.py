"""What a standby does ahead of its job, once no job runs and the zygote asks (``wire.WARM_UP``), so
that the job does not pay for a fresh process's first steps:

- **rehearse**: load the warm-up's small model files and predict with them through the child's own
  code (``warmup.rehearsal``), so that the copy-on-write copies of the zygote's pages these paths
  touch, and the caches they fill, are made before the job instead of during it.
- **prefault**: fault in memory that the job's arrays and objects reuse instead of having the
  kernel fault in and zero fresh pages (in a virtual machine that hands free pages back to its host,
  a fresh page can cost a fault on the host too). Half is heap: arrays filled and freed again (in
  children malloc keeps its heap and serves blocks up to 32 MiB from it,
  ``spawner.MALLOC_TUNABLES``). Half is CPython's object arenas, which the small-object allocator
  unmaps as soon as their last object dies (scikit-learn's encoders make and free millions of small
  objects on every predict): filled with small objects, one kept alive in each arena, the rest freed.

Each step is short and the standby stops between two as soon as its job arrives. It touches only its
own synthetic data: no frame, file or other job.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import numpy as np

from scoring.sandbox.warmup import rehearsal

CHUNK = 4 * 2**20  # below malloc's mmap threshold in children, so heap blocks come from the heap
ARENA_BITS = 20  # CPython's arenas are 1 MiB: one pin per 1 MiB of address space
_OBJECT = 512  # the largest object the small-object allocator serves
_FILLER = _OBJECT - 33  # the length of a bytes object that size (its header is 33 bytes)
_SAMPLE = 16  # look at every 16th object (8 KiB apart): every arena filled is seen
_pins: dict[int, bytes] = {}  # one live object per arena filled, by arena address


def head_start(prefault_bytes: int, job_arrived: Callable[[], bool]) -> int:
    """Rehearse, then fault in about ``prefault_bytes``, stopping as soon as ``job_arrived()``; the
    bytes faulted in (the job's memory limit allows them on top)."""
    with contextlib.suppress(Exception):  # only a head start: the job runs the same code anyway
        for _ in rehearsal():
            if job_arrived():
                return 0
    chunks = prefault_bytes // CHUNK
    return object_arenas(chunks // 2, job_arrived) + heap(chunks - chunks // 2, job_arrived)


def heap(chunks: int, job_arrived: Callable[[], bool]) -> int:
    """Fill ``chunks`` arrays of ``CHUNK`` bytes and free them (malloc keeps the pages); the bytes."""
    blocks: list[np.ndarray] = []
    while len(blocks) < chunks and not job_arrived():
        block = np.empty(CHUNK, dtype=np.uint8)
        block.fill(1)
        blocks.append(block)
    return len(blocks) * CHUNK


def object_arenas(chunks: int, job_arrived: Callable[[], bool]) -> int:
    """Fill ``chunks`` times ``CHUNK`` bytes of object arenas, keep one object in each arena and free
    the rest; the bytes filled."""
    fills: list[list[bytes]] = []  # all kept until the end, so that each chunk takes new arenas
    while len(fills) < chunks and not job_arrived():
        fill = [bytes(_FILLER) for _ in range(CHUNK // _OBJECT)]  # new zeroed objects
        for obj in fill[::_SAMPLE]:
            _pins.setdefault(id(obj) >> ARENA_BITS, obj)  # CPython: an object's id is its address
        fills.append(fill)
    return len(fills) * CHUNK


def pinned_arenas() -> int:
    """How many arena-sized address ranges hold a pin (for tests)."""
    return len(_pins)
