"""The notebook facade: ``connect`` and the Session methods, against a stub server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import bounty_client as bc
import pandas as pd
import pytest
from bounty_client import config
from bounty_client.api import Client, ClientError
from bounty_client.local import check_locally
from bounty_client.session import MAX_TRANSIENT_FAILURES, poll_delays, wait_for_decision

from tests.client.stub import Reply, Stub
from tests.client.test_cli import COMPETITION, competition  # noqa: F401  (fixture)
from tests.client.world import RULES, SCHEMA, WEAK_GROUP, world


def test_connect_uses_the_token_stored_for_that_server(stub: Stub) -> None:
    config.save_token(stub.url, "stored")
    session = bc.connect(stub.url)
    assert session.client.token == "stored"
    assert bc.connect(stub.url, token="given").client.token == "given"


def test_check_accepts_a_fitted_estimator_and_matches_the_engine(competition: Stub) -> None:  # noqa: F811
    w = world()
    result = bc.connect(competition.url).check("c", group=WEAK_GROUP, model=w.h)
    expected = check_locally(w.csv, SCHEMA, RULES, "zero_one", w.base_labels, WEAK_GROUP, w.h_bytes)
    assert result == expected


def test_explore_gives_the_same_landscape_as_the_command_line(competition: Stub) -> None:  # noqa: F811
    from bounty_client.explore import explore_locally

    w = world()
    landscape = bc.connect(competition.url).explore("c", top_k=3)
    assert landscape == explore_locally(
        w.csv, SCHEMA, {"mu_min": RULES.mu_min, "alpha": RULES.alpha}, "zero_one", w.base_labels, top_k=3
    )
    assert landscape["slices"][0]["text"] == WEAK_GROUP


def test_download_returns_a_frame_and_leaderboard_a_table(competition: Stub) -> None:  # noqa: F811
    competition.on("GET", "competitions/c/leaderboard", Reply.json([{"rank": 1, "team": "A", "credit": 0.1}]))
    session = bc.connect(competition.url)
    train = session.download("c")
    assert isinstance(train, pd.DataFrame) and len(train) == len(world().train)
    board = session.leaderboard("c")
    assert list(board["team"]) == ["A"]
    assert session.schema("c") == SCHEMA


def test_submit_with_a_tree_and_wait_returns_the_decided_submission(stub: Stub) -> None:
    stub.on("POST", "competitions/c/submissions", Reply.json({"id": 2, "status": "queued"}, 201))
    stub.on(
        "GET",
        "submissions/2",
        [Reply.json({"id": 2, "status": "running"}), Reply.json({"id": 2, "status": "accepted"})],
    )
    session = bc.connect(stub.url, token="t")
    done = session.submit("c", group={"op": "all"}, model=b"M", wait=True, poll=0.01)
    assert done["status"] == "accepted"
    assert b'name="group"' in stub.seen[0].body


def test_polls_start_at_a_quarter_second_and_never_wait_more_than_a_second(stub: Stub) -> None:
    statuses = ["queued"] * 3 + ["running"] * 5 + ["accepted"]
    stub.on("GET", "submissions/3", [Reply.json({"id": 3, "status": s}) for s in statuses])
    waits: list[float] = []
    done = wait_for_decision(Client(stub.url), 3, sleep=waits.append)
    assert done["status"] == "accepted" and len(stub.seen) == len(statuses)
    assert waits == [0.25, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert list(zip(range(4), poll_delays(0.4), strict=False)) == [(0, 0.25), (1, 0.4), (2, 0.4), (3, 0.4)]


def test_waiting_gives_up_after_repeated_server_errors(stub: Stub) -> None:
    stub.on("GET", "submissions/5", Reply.error(503, "unavailable", "Down."))
    with pytest.raises(ClientError) as info:
        wait_for_decision(Client(stub.url), 5, poll=0.0, sleep=lambda _: None)
    assert info.value.status == 503
    assert len(stub.seen) == MAX_TRANSIENT_FAILURES + 1


def test_waiting_stops_at_once_on_a_non_transient_error(stub: Stub) -> None:
    with pytest.raises(ClientError) as info:
        wait_for_decision(Client(stub.url), 6, poll=0.0, sleep=lambda _: None)
    assert info.value.code == "not_found" and len(stub.seen) == 1


def test_client_modules_import_neither_django_nor_drf() -> None:
    # Bypass bounty/__init__.py (it loads the Celery app) to see what the client itself imports.
    code = textwrap.dedent(
        """
        import importlib, pathlib, sys, types
        package = types.ModuleType("bounty")
        package.__path__ = [str(pathlib.Path("bounty").resolve())]
        sys.modules["bounty"] = package
        for name in ("api", "config", "local", "export", "session", "output", "commands", "cli"):
            importlib.import_module("bounty_client." + name)
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("django", "rest_framework", "celery"))
        print(bad)
        """
    )
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert done.stdout.strip() == "[]"
