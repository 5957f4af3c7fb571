"""Zip-bomb and path checks on a skops archive, from its directory alone, before skops reads it.

Python's ``zipfile`` never returns more than a member's declared ``file_size`` (and fails the CRC
check if the stream holds more), so bounding the declared sizes bounds what reading can produce.
Zip archives nested in members (``.npz`` sparse matrices; ``numpy.load`` opens any zip) are checked
the same way and count towards the same budget. ``.npy`` members must hold exactly the data their
header declares, since ``numpy.load`` allocates the declared shape before reading.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterator
from tokenize import TokenError
from typing import IO

from scoring.errors import EngineError, Reason
from scoring.safe_load.npyheader import read_header

DEFAULT_MAX_UNCOMPRESSED = 512 * 2**20
MAX_MEMBERS = 50_000
MAX_SCHEMA_BYTES = 64 * 2**20
MAX_RATIO = 200
RATIO_FLOOR = 2**20  # the ratio cap applies to members that inflate to more than this
_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})
_DRIVE = re.compile(r"^[A-Za-z]:")
_NPY_VERSIONS = frozenset({(1, 0), (2, 0)})
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError)


def _refuse(message: str) -> EngineError:
    return EngineError(Reason.INVALID_MODEL, message, field="model")


def _shown(name: str) -> str:
    return repr(name[:80])


def _check_name(name: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts or "\x00" in name:
        raise _refuse(f"The archive has an unsafe member name {_shown(name)}.")


def _check_member(info: zipfile.ZipInfo) -> None:
    _check_name(info.filename)
    if info.flag_bits & 0x1:
        raise _refuse(f"The archive member {_shown(info.filename)} is encrypted.")
    if info.compress_type not in _METHODS:
        raise _refuse(f"The archive member {_shown(info.filename)} uses an unsupported compression method.")
    ratio_cap = MAX_RATIO * max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and info.file_size > ratio_cap:
        raise _refuse(
            f"The archive member {_shown(info.filename)} inflates from {info.compress_size:,} to "
            f"{info.file_size:,} bytes, more than {MAX_RATIO}:1; this looks like a zip bomb."
        )


def _check_directory(infos: list[zipfile.ZipInfo], budget: int) -> int:
    """Check every member; return the total declared uncompressed size."""
    if len(infos) > MAX_MEMBERS:
        raise _refuse(f"The archive has {len(infos):,} members; the limit is {MAX_MEMBERS:,}.")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise _refuse("The archive has two members with the same name.")
    total = 0
    for info in infos:
        _check_member(info)
        total += info.file_size
    if total > budget:
        raise _refuse(f"The archive would inflate to {total:,} bytes; the limit is {budget:,} bytes.")
    return total


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise _refuse("The model file is not a valid zip archive.") from exc


def _check_npy(member: IO[bytes], info: zipfile.ZipInfo) -> None:
    """An array header must describe exactly the bytes after it: ``np.load`` allocates first.
    ``member`` is positioned just after the 6-byte magic."""
    version = tuple(member.read(2))
    if version not in _NPY_VERSIONS:
        raise _refuse(f"The array {_shown(info.filename)} uses an unsupported format.")
    try:
        shape, _, dtype = read_header(member, (version[0], version[1]))
    except (ValueError, SyntaxError, TokenError) as exc:  # numpy's fallback parser raises all three
        raise _refuse(f"The array {_shown(info.filename)} has a malformed header.") from exc
    data_size = info.file_size - member.tell()
    if dtype.hasobject or data_size != math.prod(shape) * dtype.itemsize:
        raise _refuse(f"The array {_shown(info.filename)} does not hold the data it declares.")


def _inspect_members(archive: zipfile.ZipFile) -> Iterator[bytes]:
    """Check every ``.npy`` member; yield the bytes of every member that is itself a zip."""
    for info in archive.infolist():
        if info.file_size < 6 or info.filename == "schema.json":
            continue
        with archive.open(info) as member:
            head = member.read(6)
            if head[:2] != b"PK":
                if head == b"\x93NUMPY":
                    _check_npy(member, info)
                continue
            nested = head + member.read()
        yield nested


def check_archive(data: bytes, *, max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED) -> None:
    """Refuse (``EngineError(INVALID_MODEL)``) an archive that is unsafe to hand to skops."""
    with _open(data) as archive:
        try:
            total = _check_directory(archive.infolist(), max_uncompressed)
            schema = archive.getinfo("schema.json")
            if schema.file_size > MAX_SCHEMA_BYTES:
                raise _refuse(f"schema.json is larger than {MAX_SCHEMA_BYTES:,} bytes.")
            for inner in _inspect_members(archive):
                with _open(inner) as nested:
                    total += _check_directory(nested.infolist(), max_uncompressed - total)
                    for _ in _inspect_members(nested):
                        pass  # numpy never opens a zip nested in an .npz; only check its arrays
        except KeyError as exc:
            raise _refuse("The archive has no schema.json; it is not a skops file.") from exc
        except _ZIP_ERRORS as exc:
            raise _refuse("The model archive is corrupt.") from exc
