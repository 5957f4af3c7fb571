"""The shared file store, host by host: folders, blobs and the cache, with a folder standing in for the
bucket (``BOUNTY_STORE_DIR``; tests/platform/test_scale_out.py runs the same code against an S3 server).
Each "host" is a data dir of its own; switching ``BOUNTY_DATA_DIR`` moves between them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from bounty import storage
from bounty.errors import DomainError
from bounty.storage import blobs, remote

NAME = "competitions/9"


@pytest.fixture
def store_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "bucket"
    folder.mkdir()
    backend = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    shared = {**backend, "OPTIONS": {"location": str(folder), "allow_overwrite": True}}
    with override_settings(STORAGES={**settings.STORAGES, "bounty": shared}):
        yield folder


@contextmanager
def host(tmp_path: Path, name: str) -> Iterator[Path]:
    with override_settings(BOUNTY_DATA_DIR=tmp_path / name):
        yield tmp_path / name


def write(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def read_all(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


FILES = {"competition.json": b"{}", "frames/holdout/a.npy": b"a" * 1000, "list/manifest.json": b"[1]"}


def test_a_folder_pushed_on_one_host_is_pulled_whole_on_another(store_dir: Path, tmp_path: Path) -> None:
    with host(tmp_path, "a") as a:
        write(a / NAME, FILES)
        storage.folder_push(NAME, mark="0")
    with host(tmp_path, "b") as b:
        assert not (b / NAME).exists()
        local = storage.folder_pull(NAME, mark="0")
        assert local == b / NAME and read_all(local) == FILES
        # linked to this host's cache, not copied: one copy on disk
        assert (local / "frames/holdout/a.npy").stat().st_nlink == 2


def test_a_pull_fetches_only_what_changed_and_drops_what_was_removed(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with host(tmp_path, "a") as a:
        write(a / NAME, FILES)
        storage.folder_push(NAME, mark="0")
    with host(tmp_path, "b") as b:
        storage.folder_pull(NAME, mark="0")
        kept = (b / NAME / "frames/holdout/a.npy").stat().st_ino
    with host(tmp_path, "a") as a:
        (a / NAME / "list/manifest.json").write_bytes(b"[1, 2]")
        (a / NAME / "competition.json").unlink()
        write(a / NAME, {"list/nodes/00001/holdout.rows.npy": b"rows"})
        storage.folder_push(NAME, mark="1")
    fetched: list[str] = []
    real = remote.get_file
    monkeypatch.setattr(remote, "get_file", lambda s, n, t: fetched.append(n) or real(s, n, t))
    with host(tmp_path, "b") as b:
        storage.folder_pull(NAME, mark="1")
        assert read_all(b / NAME) == {
            "frames/holdout/a.npy": b"a" * 1000,
            "list/manifest.json": b"[1, 2]",
            "list/nodes/00001/holdout.rows.npy": b"rows",
        }
        assert (b / NAME / "frames/holdout/a.npy").stat().st_ino == kept  # untouched
        assert len(fetched) == 2  # the two new contents, nothing else
        reads: list[str] = []
        monkeypatch.setattr(remote, "get_bytes", lambda s, n: reads.append(n))
        storage.folder_pull(NAME, mark="1")  # the same head again: not even the index is asked for
        assert reads == []


def test_subfolders_shared_on_their_own_and_temporary_files_stay_out(store_dir: Path, tmp_path: Path) -> None:
    with host(tmp_path, "a") as a:
        write(a / NAME, {**FILES, "evaluations/7/meta.json": b"{}", "list/.manifest.json.tmp": b"x"})
        storage.folder_push(NAME, mark="0", exclude=("evaluations",))
        write(a / NAME / "evaluations/7", {"holdout.mask.npy": b"m"})
        storage.folder_push(f"{NAME}/evaluations/7")
    with host(tmp_path, "b"):
        assert read_all(storage.folder_pull(NAME, mark="0", exclude=("evaluations",))) == FILES
        evaluation = storage.folder_pull(f"{NAME}/evaluations/7")
        assert read_all(evaluation) == {"meta.json": b"{}", "holdout.mask.npy": b"m"}
        storage.folder_drop(f"{NAME}/evaluations/7")
    with host(tmp_path, "c") as c:
        assert not storage.folder_pull(f"{NAME}/evaluations/7").exists()
        assert not (c / NAME / "evaluations").exists()


def test_a_damaged_blob_is_refused_and_nothing_is_placed(store_dir: Path, tmp_path: Path) -> None:
    with host(tmp_path, "a") as a:
        write(a / NAME, FILES)
        storage.folder_push(NAME, mark="0")
    sha = blobs.file_sha256(tmp_path / "a" / NAME / "frames/holdout/a.npy")
    (store_dir / "blobs" / sha).write_bytes(b"b" * 1000)
    with host(tmp_path, "b") as b:
        with pytest.raises(OSError, match="damaged"):
            storage.folder_pull(NAME, mark="0")
        assert not (b / NAME / "frames/holdout/a.npy").exists()
        assert not blobs.cached_path(sha).exists()


def test_the_cache_evicts_least_recently_used_blobs_past_its_cap_but_keeps_linked_ones(
    store_dir: Path, tmp_path: Path
) -> None:
    with host(tmp_path, "a"):
        digests = [storage.artifact_write([bytes([i]) * 1000], max_bytes=10**6, field="f") for i in range(5)]
    with host(tmp_path, "b") as b:
        for age, sha in enumerate(digests):
            path = blobs.blob_get(sha)
            os.utime(path, (1000 + age, 1000 + age))
        linked = b / "folder" / "linked"
        linked.parent.mkdir(parents=True, exist_ok=True)
        os.link(blobs.cached_path(digests[0]), linked)  # the oldest, but a pulled folder holds it
        assert blobs.cache_evict(2500) == 3000  # the linked blob counts, and stays
        kept = {p.name for p in (b / "cache/blobs").glob("??/*")}
        assert kept == {digests[0], digests[4]}
        assert storage.artifact_read(digests[1]) == bytes([1]) * 1000  # evicted: fetched again
    with host(tmp_path, "c") as c, override_settings(BOUNTY_CACHE_MAX_BYTES=2500):
        for sha in digests:  # every fetch keeps the cache within its cap
            blobs.blob_get(sha)
        assert sum(p.stat().st_size for p in (c / "cache/blobs").glob("??/*")) <= 2500


def test_an_upload_refused_at_the_door_leaves_nothing_in_the_store(store_dir: Path, tmp_path: Path) -> None:
    with host(tmp_path, "a"):
        with pytest.raises(DomainError) as empty:
            storage.artifact_write([b""], max_bytes=100, field="model_file")
        with pytest.raises(DomainError) as large:
            storage.artifact_write([b"x" * 60, b"x" * 60], max_bytes=100, field="model_file")
    assert (empty.value.code, large.value.code) == ("file_empty", "file_too_large")
    assert not (store_dir / "blobs").exists()


def test_shard_results_are_shared_and_dropped_per_submission(store_dir: Path, tmp_path: Path) -> None:
    with host(tmp_path, "a"):
        storage.shard_mark(claim="12-1", index=0)
        storage.shard_write(claim="12-1", index=0, data=b"part 0")
        storage.shard_write(claim="123-1", index=0, data=b"another submission")
    with host(tmp_path, "b"):
        assert storage.shard_done(claim="12-1", index=0) and not storage.shard_done(claim="12-1", index=1)
        assert storage.shard_read(claim="12-1", index=0) == b"part 0"
        age = storage.shard_mark_age(claim="12-1", index=0)
        assert age is not None and age < 60
        assert storage.shard_mark_age(claim="12-1", index=1) is None
        storage.shards_drop(submission_id=12)
        assert storage.shard_read(claim="12-1", index=0) is None
        assert storage.shard_read(claim="123-1", index=0) == b"another submission"
        with pytest.raises(ValueError):
            storage.shard_write(claim="../x", index=0, data=b"")


def test_without_a_shared_store_every_file_stays_in_the_data_dir(tmp_path: Path) -> None:
    with host(tmp_path, "a") as a:
        assert not storage.shared()
        sha = storage.artifact_write([b"model"], max_bytes=100, field="f")
        assert storage.artifact_path(sha) == a / "artifacts" / sha[:2] / sha
        write(a / NAME, FILES)
        storage.folder_push(NAME, mark="0")
        assert storage.folder_pull(NAME, mark="0") == a / NAME
        assert not (a / "cache").exists()


def test_a_released_folder_leaves_the_host_but_its_files_stay_cached(store_dir: Path, tmp_path: Path) -> None:
    with host(tmp_path, "a") as a:
        write(a / "drafts/4", {"uploads/data": b"a big upload"})
        storage.draft_saved(4)
        assert not (a / "drafts/4").exists()  # the next step may run anywhere: nothing stays here
        assert read_all(storage.draft_folder(4)) == {"uploads/data": b"a big upload"}  # from the cache
    with host(tmp_path, "b"):
        assert read_all(storage.draft_folder(4)) == {"uploads/data": b"a big upload"}
        storage.draft_forget(4)
    with host(tmp_path, "c"):
        assert not storage.draft_folder(4).exists()


def test_a_folder_dropped_on_one_host_goes_from_the_others_at_their_next_pull(
    store_dir: Path, tmp_path: Path
) -> None:
    name = f"{NAME}/evaluations/8"
    with host(tmp_path, "a") as a:
        write(a / name, {"meta.json": b"{}"})
        storage.folder_push(name)
    with host(tmp_path, "b") as b:
        storage.folder_pull(name)
        assert (b / name / "meta.json").is_file()
    with host(tmp_path, "a"):
        storage.folder_drop(name)
    with host(tmp_path, "b") as b:
        assert not storage.folder_pull(name).exists()


def test_a_pull_never_undoes_a_write_of_this_host_that_is_not_sent_yet(
    store_dir: Path, tmp_path: Path
) -> None:
    """Two processes of one host: the decider wrote the new manifest and has not pushed it yet when an
    evaluator pulls (another head): the pull keeps the new file, and the push then sends it."""
    with host(tmp_path, "a") as a:
        write(a / NAME, FILES)
        storage.folder_push(NAME, mark="0")
        write(a / NAME, {"list/manifest.json": b"[1, 2, 3]", "list/nodes/00002/holdout.rows.npy": b"r"})
        storage.folder_pull(NAME, mark="another head")
        assert (a / NAME / "list/manifest.json").read_bytes() == b"[1, 2, 3]"
        storage.folder_push(NAME, mark="1")
    with host(tmp_path, "b") as b:
        storage.folder_pull(NAME, mark="1")
        assert (b / NAME / "list/manifest.json").read_bytes() == b"[1, 2, 3]"
        assert (b / NAME / "list/nodes/00002/holdout.rows.npy").read_bytes() == b"r"
