"""Frames mapped ahead by the standby: used only when they are the job's own and unchanged, and
gone from the child before anything of its job runs when they are not."""

from __future__ import annotations

import os
import shutil
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression

from scoring.frames import write_frame
from scoring.sandbox import Limits, premap, prestart, run_model, spawner
from scoring.sandbox.standby import JOB_NAME, STANDBY_NAME
from scoring.sandbox.zygote import WARMUP_SETTING
from scoring.schema import Column, Kind, Schema, Task
from tests.engine.procs import children_named, in_background

pytestmark = pytest.mark.engine
SCHEMA = Schema(
    columns=(Column("x", Kind.NUMERIC),),
    target="y",
    task=Task.BINARY,
    classes=("no", "yes"),
)


def frame_of(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"x": values})


def write(directory: Path, values: list[float]) -> str:
    write_frame(frame_of(values), SCHEMA, directory)
    return str(directory)


def inodes(directory: str) -> set[tuple[int, int]]:
    return {(s.st_dev, s.st_ino) for s in (os.stat(p) for p in Path(directory).glob("col_*.npy"))}


def mapped_in(pid: int | str) -> set[tuple[int, int]]:
    return set(premap._parse_maps(Path(f"/proc/{pid}/maps").read_text().splitlines()))


@pytest.fixture(autouse=True)
def nothing_mapped_ahead() -> Iterator[None]:
    premap.release()
    yield
    premap.release()


# -- in this process ------------------------------------------------------------------------------
def test_a_frame_mapped_ahead_is_the_one_the_job_gets(tmp_path: Path) -> None:
    frame_dir = write(tmp_path / "a", [-1.0, 2.0, 3.0])
    premap.map_ahead(frame_dir)
    ahead = premap.mapped_ahead()
    taken = premap.frame(frame_dir)
    premap.release()
    assert ahead == [frame_dir]
    assert taken["x"].tolist() == [-1.0, 2.0, 3.0]
    assert inodes(frame_dir) <= mapped_in("self")  # the job holds it


def test_a_frame_the_job_does_not_read_is_unmapped(tmp_path: Path) -> None:
    other = write(tmp_path / "other", [5.0, 6.0])
    mine = write(tmp_path / "mine", [1.0])
    premap.map_ahead(other)
    assert inodes(other) <= mapped_in("self")
    job_frame = premap.frame(mine)
    premap.release()
    assert not inodes(other) & mapped_in("self")
    assert job_frame["x"].tolist() == [1.0]


def test_a_frame_rewritten_since_it_was_mapped_is_read_again(tmp_path: Path) -> None:
    frame_dir = write(tmp_path / "a", [1.0, 2.0])
    premap.map_ahead(frame_dir)
    time.sleep(0.01)  # a later modification time even on coarse clocks
    write(tmp_path / "a", [7.0, 8.0, 9.0])
    assert premap.frame(frame_dir)["x"].tolist() == [7.0, 8.0, 9.0]
    premap.release()


def test_a_frame_replaced_since_it_was_mapped_is_read_again_and_the_old_files_unmapped(
    tmp_path: Path,
) -> None:
    frame_dir = write(tmp_path / "a", [1.0, 2.0])
    premap.map_ahead(frame_dir)
    old = inodes(frame_dir)
    shutil.rmtree(frame_dir)
    write(tmp_path / "a", [3.0])
    assert premap.frame(frame_dir)["x"].tolist() == [3.0]
    premap.release()
    assert not old & mapped_in("self")


def test_release_refuses_when_a_dropped_frame_stays_mapped(tmp_path: Path) -> None:
    other = write(tmp_path / "other", [5.0, 6.0])
    premap.map_ahead(other)
    leaked = premap.frame(other)  # held on to, as a bug would, but not counted as the job's
    premap._taken.discard(other)
    premap._used.discard(other)
    with pytest.raises(premap.StillMapped):
        premap.release()
    assert leaked["x"].tolist() == [5.0, 6.0]


def test_a_frame_that_cannot_be_read_is_left_to_the_job(tmp_path: Path) -> None:
    premap.map_ahead(str(tmp_path / "missing"))
    assert premap.mapped_ahead() == []


# -- in the sandbox -------------------------------------------------------------------------------
@pytest.fixture
def warm_always() -> Iterator[None]:
    os.environ[WARMUP_SETTING] = "always"
    spawner.shutdown()
    yield
    del os.environ[WARMUP_SETTING]
    spawner.shutdown()


def model_bytes() -> bytes:
    frame = frame_of([-2.0, -1.0, 1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression().fit(frame, ["no", "no", "yes", "yes"])
    return skops.io.dumps(model)


def filtered(pid: int) -> bool:
    """Whether the process has its seccomp filter on."""
    try:
        return "Seccomp:\t2" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def test_the_next_standby_maps_the_last_jobs_frames(tmp_path: Path, warm_always: None) -> None:
    frame_dir = write(tmp_path / "a", [-1.0, 1.0])
    run_model(model_bytes(), Path(frame_dir), "label", SCHEMA.classes)
    prestart()
    (standby,) = children_named(spawner.zygote_pid() or 0, STANDBY_NAME)
    assert inodes(frame_dir) <= mapped_in(standby)


def test_predictions_follow_a_frame_rewritten_after_it_was_mapped_ahead(
    tmp_path: Path, warm_always: None
) -> None:
    frame_dir = tmp_path / "a"
    write(frame_dir, [-1.0, 1.0])
    model = model_bytes()
    assert run_model(model, frame_dir, "label", SCHEMA.classes).tolist() == [0, 1]
    prestart()  # the standby has mapped the frame
    assert run_model(model, frame_dir, "label", SCHEMA.classes).tolist() == [0, 1]
    prestart()
    time.sleep(0.01)
    write(frame_dir, [3.0, -3.0, 2.0])
    assert run_model(model, frame_dir, "label", SCHEMA.classes).tolist() == [1, 0, 1]


def test_a_job_of_another_competition_never_has_the_frames_mapped_ahead(
    tmp_path: Path, warm_always: None
) -> None:
    frame_dir = write(tmp_path / "a", [-1.0, 1.0])
    run_model(model_bytes(), Path(frame_dir), "label", SCHEMA.classes)
    prestart()
    zygote = spawner.zygote_pid() or 0
    (standby,) = children_named(zygote, STANDBY_NAME)
    assert inodes(frame_dir) <= mapped_in(standby)
    # a job that reads no frame at all, and waits
    worker, outcome = in_background("sleep_forever", Limits(wall_seconds=3.0, cpu_seconds=2))
    deadline = time.monotonic() + 3
    while not filtered(standby) and time.monotonic() < deadline:  # past its set-up: running the job
        time.sleep(0.01)
    assert standby in children_named(zygote, JOB_NAME)
    seen = mapped_in(standby)
    worker.join()
    assert not inodes(frame_dir) & seen
    assert outcome and outcome[0].reason.value == "timeout"
