"""Models that misbehave once running: run forever, exhaust memory, fork, open sockets, read
/etc/passwd or the holdout, write files.

Real skops files cannot carry code, so the behaviour is produced by the sandbox's own attack probes
(``scoring.sandbox._selftest``) in a real sandboxed child; the scoring service is run in-process on a
real submission with a store whose ``evaluate`` runs the probe. Each attack must end as the right
reason category with the public message only (the engine's detail kept for organizers), the
sandbox must keep serving, and no file may appear where the probe tried to write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from bounty import lifecycle
from bounty.lifecycle import evaluate, messages
from bounty.models import Competition, QuotaLedger, Submission
from bounty.services.quotas import quota_take
from bounty.storage import artifact_write, competition_dir
from scoring.errors import EngineError, Reason
from scoring.sandbox import Limits, _selftest
from tests.platform.conftest import HOLDOUT_MARKER

SHORT = Limits(wall_seconds=3.0, cpu_seconds=2)
REFUSALS = [r for r in Reason if r not in (Reason.ACCEPTED,)]
SECRET = "mass=0.3141 loss_h=0.2718"  # what an engine message must never carry to a participant


@dataclass
class ProbeStore:
    """Stands in for a competition's store: ``evaluate`` runs ``attack`` in the real sandbox."""

    attack: Callable[[], Any]

    def evaluate(self, *, group: Any, model: bytes) -> Any:
        return self.attack()


@pytest.fixture
def queued(competition: Competition, ready_participant: User) -> Submission:
    sha = artifact_write([b"PK\x03\x04 a model"], max_bytes=1024, field="model_file")
    team = ready_participant.memberships.get().team
    submission = Submission.objects.create(
        competition=competition,
        team=team,
        author=ready_participant,
        seq=1,
        group_tree={"col": "age", "op": ">=", "value": 60},
        group_text="age >= 60",
        model_sha256=sha,
        model_format="skops",
    )
    quota_take(submission=submission)
    return submission


def score_with(
    monkeypatch: pytest.MonkeyPatch, submission: Submission, attack: Callable[[], Any]
) -> Submission:
    monkeypatch.setattr(evaluate, "competition_store", lambda competition: ProbeStore(attack))
    lifecycle.submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


@pytest.fixture(autouse=True)
def sandbox_keeps_serving() -> Iterator[None]:
    yield
    assert _selftest("thread") == "allowed"


def denied(probe: str, arg: str = "") -> Callable[[], Any]:
    """A model whose attempt is denied: the probe must report EPERM, after which a real model's
    call would raise inside ``predict``, which the child reports as a prediction error."""

    def attack() -> Any:
        outcome = _selftest(probe, arg=arg)
        assert outcome == "denied: EPERM", (probe, outcome)
        raise EngineError(Reason.PREDICTION_ERROR, "The model raised PermissionError while predicting.")

    return attack


@pytest.mark.parametrize(
    ("probe", "limits", "reason"),
    [
        ("sleep_forever", SHORT, Reason.TIMEOUT),
        ("busy_loop", Limits(wall_seconds=30.0, cpu_seconds=2), Reason.TIMEOUT),
        ("allocate_10gb", Limits(wall_seconds=20.0, memory_bytes=4 * 2**30), Reason.RESOURCE_LIMIT),
    ],
)
def test_a_model_that_exhausts_a_limit_is_refused_with_its_category(
    probe: str, limits: Limits, reason: Reason, queued: Submission, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = score_with(monkeypatch, queued, lambda: _selftest(probe, limits=limits))
    assert (done.status, done.reason) == ("rejected", reason.value)
    assert done.message == messages.PUBLIC_MESSAGES[reason]
    assert done.figures["detail"]  # the engine's own words, for organizers


@pytest.mark.parametrize("probe", ["socket", "read_passwd", "fork", "exec", "kill_parent", "outlive_zygote"])
def test_a_model_that_tries_a_forbidden_system_call_is_denied_and_refused(
    probe: str, queued: Submission, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = score_with(monkeypatch, queued, denied(probe))
    assert (done.status, done.reason) == ("rejected", "prediction_error")
    assert done.message == messages.PUBLIC_MESSAGES[Reason.PREDICTION_ERROR]


def test_a_model_cannot_read_the_holdout_files(
    competition: Competition, queued: Submission, monkeypatch: pytest.MonkeyPatch
) -> None:
    holdout = competition_dir(competition.pk) / "private" / "holdout.csv"
    assert HOLDOUT_MARKER in holdout.read_text()
    done = score_with(monkeypatch, queued, denied("read_file", str(holdout)))
    assert done.reason == "prediction_error"
    assert HOLDOUT_MARKER not in done.message + str(done.figures)


def test_a_model_cannot_write_files_anywhere(
    queued: Submission, monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path
) -> None:
    targets = [data_dir / "escaped.txt", data_dir / "artifacts" / "planted", tmp_path / "escaped.txt"]

    def attack() -> Any:
        for target in targets:
            assert _selftest("write_file", arg=str(target)) == "denied: EPERM"
        raise EngineError(Reason.PREDICTION_ERROR, "The model raised PermissionError while predicting.")

    done = score_with(monkeypatch, queued, attack)
    assert done.reason == "prediction_error"
    assert not any(target.exists() for target in targets)


@pytest.mark.parametrize("reason", REFUSALS, ids=[r.value for r in REFUSALS])
def test_every_engine_reason_maps_to_its_category_and_only_file_messages_are_shown(
    reason: Reason, queued: Submission, monkeypatch: pytest.MonkeyPatch
) -> None:
    def attack() -> Any:
        raise EngineError(reason, f"refused ({SECRET})")

    done = score_with(monkeypatch, queued, attack)
    assert (done.status, done.reason) == ("rejected", reason.value)
    if reason in messages.FILE_REASONS:
        assert done.message == f"refused ({SECRET})"  # about the uploaded file itself
    else:
        assert done.message == messages.PUBLIC_MESSAGES[reason]
        assert SECRET not in done.message
    assert done.figures == {"detail": f"refused ({SECRET})"}
    assert QuotaLedger.objects.filter(team=done.team, used=1).count() == 2  # the slot stays used


def test_a_platform_failure_is_not_the_participants_fault_and_gives_the_quota_back(
    queued: Submission, monkeypatch: pytest.MonkeyPatch
) -> None:
    def attack() -> Any:
        raise OSError("the data disk went away")

    done = score_with(monkeypatch, queued, attack)
    assert (done.status, done.reason) == ("failed", "")
    assert "does not count" in done.message
    assert QuotaLedger.objects.filter(team=done.team, used=0).count() == 2
