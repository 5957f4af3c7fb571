"""No sandbox process holds another job's data: a job's child maps its own job's frames and no other
file of any competition, and the zygote and the standby waiting for the next job map none at all."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression

from scoring.errors import EngineError, Reason
from scoring.frames import write_frame
from scoring.sandbox import Limits, prestart, run_model, spawner
from scoring.sandbox.standby import JOB_NAME, STANDBY_NAME
from scoring.schema import Column, Kind, Schema, Task
from tests.engine.procs import children_named, in_background

pytestmark = pytest.mark.engine
SCHEMA = Schema(columns=(Column("x", Kind.NUMERIC),), target="y", task=Task.BINARY, classes=("no", "yes"))


@pytest.fixture(autouse=True)
def fresh_zygote() -> Iterator[None]:
    spawner.shutdown()
    yield
    spawner.shutdown()


def frame_files(directory: Path, values: list[float]) -> set[str]:
    """Write a frame of ``values`` to ``directory``: the paths of its column files."""
    write_frame(pd.DataFrame({"x": values}), SCHEMA, directory)
    return {str(path) for path in directory.glob("col_*.npy")}


def mapped_under(pid: int, root: Path) -> set[str]:
    """The files under ``root`` that the process ``pid`` has mapped."""
    paths = set()
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5].startswith(f"{root}/"):
            paths.add(fields[5].removesuffix(" (deleted)"))
    return paths


def filtered(pid: int) -> bool:
    """Whether the process has its seccomp filter on (its set-up, frames included, is done)."""
    try:
        return "Seccomp:\t2" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def model_bytes() -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression().fit(
            pd.DataFrame({"x": [-2.0, -1.0, 1.0, 2.0]}), ["no", "no", "yes", "yes"]
        )
    return skops.io.dumps(model)


def running_job(zygote: int) -> int:
    """The pid of the zygote's child that runs a job, once its filter is on."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        jobs = children_named(zygote, JOB_NAME)
        if jobs and filtered(jobs[0]):
            return jobs[0]
        time.sleep(0.01)
    raise AssertionError("no job's child got its filter on")


def test_a_jobs_child_maps_its_own_frames_and_no_file_of_the_job_before(tmp_path: Path) -> None:
    root = tmp_path / "competitions"
    first = frame_files(root / "a" / "holdout", [-1.0, 1.0, 2.0])
    second = frame_files(root / "b" / "holdout", [3.0, -3.0])
    assert run_model(model_bytes(), root / "a" / "holdout", "label", SCHEMA.classes).tolist() == [0, 1, 1]
    prestart()  # the first job's child is gone; the next standby is ready
    zygote = spawner.zygote_pid() or 0
    (standby,) = children_named(zygote, STANDBY_NAME)
    assert mapped_under(zygote, root) == set()
    assert mapped_under(standby, root) == set()  # nothing of the last job waits for the next one

    # The next job stands in for a model running on the second frame, and waits there.
    limits = Limits(wall_seconds=5.0, cpu_seconds=5)
    worker, outcome = in_background("sleep_forever", limits, frames=(root / "b" / "holdout",))
    child = running_job(zygote)
    seen = mapped_under(child, root)
    worker.join(timeout=20)

    assert child == standby  # the standby checked above is the process that ran the job
    assert seen == second  # its own frame's files, and no other file of any competition
    assert not seen & first
    assert isinstance(outcome[0], EngineError) and outcome[0].reason is Reason.TIMEOUT
