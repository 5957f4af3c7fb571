"""Memory a standby faults in ahead of its job, so that the job's allocations find pages already in
place instead of having the kernel fault in and zero fresh ones (in a virtual machine that reports
free pages to its host, a fresh page can cost the host a fault too: the same predict then varies by
a third from run to run).

A job's memory comes from two allocators, and the standby fills both, half the reserve each:

- **heap** (``heap``): blocks from malloc, zeroed and freed again. In children malloc never trims its
  heap and serves blocks up to 32 MiB from it (``spawner.MALLOC_TUNABLES``), so the job's arrays
  reuse those pages.
- **object arenas** (``object_arenas``): CPython's small-object allocator takes memory from the
  kernel in 1 MiB arenas of its own, and unmaps an arena as soon as its last object dies. Turning a
  categorical frame into Python objects (as scikit-learn's encoders do on every predict) makes and
  frees about a hundred arenas per 274k rows, each faulted in afresh. The standby fills arenas with
  small objects, keeps one object alive in each arena (the pin) and frees the others: the arenas
  stay mapped with their pools empty and faulted in, and the allocator takes pools from arenas it
  has before it maps new ones. (HistGradientBoosting on the engine benchmark's 274k group rows, in
  one process, six predicts each: 22,000-25,000 page faults and 586-602 ms a predict; after pinning
  200 MiB of arenas, 0-134 faults and 555-573 ms.)

Each step fills ``CHUNK`` bytes and runs only when ``go()`` says so (idle CPU, no job yet). The
pins are plain zero bytes, kept for the life of the process, which ends with its one job.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

CHUNK = 4 * 2**20  # below malloc's mmap threshold in children, so heap blocks come from the heap
ARENA_BITS = 20  # CPython's arenas are 1 MiB (3.10 and later): one pin per 1 MiB of address space
_OBJECT = 512  # the largest object the small-object allocator serves (sys.getsizeof(bytes(479)))
_FILLER = _OBJECT - 33  # the length of a bytes object that size (its header is 33 bytes)
_SAMPLE = 16  # look at every 16th object (8 KiB apart): every pool and arena filled is seen

_libc = ctypes.CDLL(None)
_libc.malloc.restype = ctypes.c_void_p
_libc.malloc.argtypes = [ctypes.c_size_t]
_libc.free.argtypes = [ctypes.c_void_p]
_pins: dict[int, bytes] = {}  # one live object per arena filled, by arena address
_left: list[list[bytes]] = []  # fillers a job arrived before they were freed


def fault_in(size: int, go: Callable[[], bool]) -> int:
    """Fault in about ``size`` bytes, in whole ``CHUNK`` steps: half of them as object arenas, the
    rest as heap. The bytes faulted in (the job's memory limit allows them on top)."""
    chunks = -(-size // CHUNK)
    return object_arenas(chunks // 2 * CHUNK, go) + heap((chunks - chunks // 2) * CHUNK, go)


def heap(size: int, go: Callable[[], bool]) -> int:
    """Fault in up to ``size`` bytes of heap and free them again (malloc keeps them); the bytes
    faulted in."""
    blocks: list[int] = []
    try:
        while len(blocks) * CHUNK < size and go():
            block = _libc.malloc(CHUNK)
            if not block:
                break
            blocks.append(block)
            ctypes.memset(block, 0, CHUNK)
    finally:
        for block in blocks:
            _libc.free(block)
    return len(blocks) * CHUNK


def object_arenas(size: int, go: Callable[[], bool]) -> int:
    """Fill up to ``size`` bytes of object arenas, pin each arena with one object and free the
    rest; the bytes filled. If the job arrives before all are freed, the rest stay (it does not
    wait for them) and are counted as faulted in all the same."""
    fills: list[list[bytes]] = []
    while len(fills) * CHUNK < size and go():
        fill = [bytes(_FILLER) for _ in range(CHUNK // _OBJECT)]  # new zeroed objects
        for obj in fill[::_SAMPLE]:
            _pins.setdefault(id(obj) >> ARENA_BITS, obj)  # CPython: an object's id is its address
        fills.append(fill)
    filled = len(fills) * CHUNK
    while fills and go():
        fills.pop()
    _left.extend(fills)
    return filled


def pinned_arenas() -> int:
    """How many arena-sized address ranges hold a pin (for tests)."""
    return len(_pins)
