"""What the sandbox's processes look like from outside, read from /proc, for the sandbox tests."""

from __future__ import annotations

import threading
from pathlib import Path

from scoring.sandbox import Limits, _selftest


def processes() -> dict[int, tuple[str, int]]:
    """State and parent of every process on the machine."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            table[int(entry.name)] = (fields[0], int(fields[1]))
    return table


def children_of(parent: int) -> set[int]:
    """Live (not zombie) children of ``parent``."""
    return {pid for pid, (state, ppid) in processes().items() if ppid == parent and state != "Z"}


def children_named(parent: int, name: str) -> list[int]:
    """Live children of ``parent`` whose process name is ``name``."""
    return sorted(pid for pid in children_of(parent) if name_of(pid) == name)


def name_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def status_of(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def in_background(
    probe: str, limits: Limits, frames: tuple[Path, ...] = ()
) -> tuple[threading.Thread, list[BaseException]]:
    """A started thread running the self-test ``probe`` (with ``frames`` mapped); the list gets the
    error it ends with."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            _selftest(probe, limits=limits, frames=frames)
        except Exception as exc:  # the test says which it expected
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    return worker, outcome
