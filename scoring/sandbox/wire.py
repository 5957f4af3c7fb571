"""What the zygote, its standby child and the callers say to each other: message tags and limits.

Kept apart from ``zygote`` and ``standby`` so that each imports this, and neither the other's module.
"""

from __future__ import annotations

import struct

PID = struct.Struct("<q")
STATUS = struct.Struct("<qdd")  # wait status, CPU seconds, peak RSS in KiB
READY = b"ready"
HANDOFF = b"J"  # zygote to standby, with the job's two descriptors
WARM_UP = b"U"  # zygote to standby, with JSON {"frames": [directory, ...], "prefault": bytes}
WARM = b"W"  # standby to zygote: confined, then done warming up; zygote to a settling caller
MAX_PREFAULT = 2**30
WARMUP_SETTING = "BOUNTY_SANDBOX_WARMUP"  # when standbys warm up: on idle CPU (default), always, never
WARMUP_MODES = ("idle", "always", "never")
MAX_MESSAGE = 64 * 2**10
