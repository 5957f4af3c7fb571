"""Frames a standby maps ahead of its job: the frames of the zygote's last job, which the next job
most likely reads too (a worker decides one competition's queue at a time).

Mapping a frame (``read_frame``: the description, one memory map a column, the categorical code
checks) costs a fresh process some 5-10 ms a frame; done ahead, on idle CPU, a job whose frames were
mapped starts that much sooner. A job never sees a frame it was not given: once its job has arrived,
the child takes the frames it names (``frame``) and drops every other one (``release``), checks in
``/proc/self/maps`` that none of their files is still mapped, and only then installs its seccomp
filter and reads the model. A frame whose files changed since they were mapped (same path, another
file or another write) is read again and the old map dropped the same way.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scoring.frames import META_NAME, read_frame, read_meta

FileId = tuple[int, int, int, int]  # device, inode, size, modification time (ns)


class StillMapped(Exception):
    """A frame's file stayed mapped after it was dropped."""


@dataclass(frozen=True)
class _Mapped:
    frame: pd.DataFrame
    files: tuple[FileId, ...]


_mapped: dict[str, _Mapped] = {}  # frame directory -> its frame, mapped ahead
_taken: set[str] = set()  # directories whose frame mapped ahead this job took
_used: set[str] = set()  # every directory whose frame this job took or read


def map_ahead(directory: str) -> None:
    """Map the frame in ``directory`` now (a standby before its job). A frame that cannot be read,
    or changes while it is read, is left to the job."""
    if directory in _mapped:
        return
    try:
        before = identity(directory)
        frame = read_frame(Path(directory), mmap=True)
        if identity(directory) == before:
            _mapped[directory] = _Mapped(frame, before)
    except Exception:  # the job reads it again and says what is wrong
        return


def mapped_ahead() -> list[str]:
    """The directories whose frames are mapped ahead (for tests and diagnostics)."""
    return list(_mapped)


def frame(directory: str) -> pd.DataFrame:
    """The frame in ``directory``: the one mapped ahead if its files are the same, else read now."""
    _used.add(directory)
    ahead = _mapped.get(directory)
    if ahead is not None and _same(directory, ahead.files):
        _taken.add(directory)
        return ahead.frame
    return read_frame(Path(directory), mmap=True)


def release() -> None:
    """Drop every frame mapped ahead that the job did not take; raise ``StillMapped`` if a file of
    one of them is still mapped afterwards (then the job must not run). A file the job's own frames
    use too (a frame rewritten in place: the same inode) is the job's to see."""
    dropped = {f[:2] for d, ahead in _mapped.items() if d not in _taken for f in ahead.files}
    used = set(_used)
    _mapped.clear()
    _taken.clear()
    _used.clear()
    if not dropped:
        return
    gc.collect()
    left = (_mapped_files() & dropped) - {f[:2] for d in used for f in identity(d)}
    if left:
        raise StillMapped(f"{len(left)} files of dropped frames are still mapped")


def identity(directory: str) -> tuple[FileId, ...]:
    """What tells the files of the frame in ``directory`` apart from any later ones."""
    names = [META_NAME] + [entry["file"] for entry in read_meta(Path(directory))["columns"]]
    return tuple(_file_id(os.stat(Path(directory) / name)) for name in names)


def _same(directory: str, files: tuple[FileId, ...]) -> bool:
    try:
        return identity(directory) == files
    except Exception:
        return False


def _file_id(stat: os.stat_result) -> FileId:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _mapped_files() -> set[tuple[int, int]]:
    """(device, inode) of every file this process has mapped."""
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        return set(_parse_maps(maps))


def _parse_maps(lines: Iterable[str]) -> Iterable[tuple[int, int]]:
    for line in lines:
        fields = line.split(maxsplit=5)
        if len(fields) < 6 or fields[4] == "0":
            continue
        major, _, minor = fields[3].partition(":")
        yield os.makedev(int(major, 16), int(minor, 16)), int(fields[4])
