"""What the zygote, its standby child and the callers say to each other: message tags and limits.

Kept apart from ``zygote`` and ``standby`` so that each imports this, and neither the other's module.
"""

from __future__ import annotations

import struct

PID = struct.Struct("<q")
STATUS = struct.Struct("<qd")  # wait status, CPU seconds
READY = b"ready"  # zygote to caller once started; standby to zygote once confined
HANDOFF = b"J"  # zygote to standby, with the job's two descriptors
IDLE = b"I"  # zygote to a settling caller
WARM_UP = b"W"  # zygote to standby once no job runs, with the bytes to prefault (``PREFAULT``)
PREFAULT = struct.Struct("<q")
WARM = b"warm"  # standby to zygote: done with the head start asked of it
MAX_PREFAULT = 2**30
MAX_MESSAGE = 64 * 2**10
