"""The ``bounty`` command line: argument parsing, output and exit codes, against a stub server."""

from __future__ import annotations

import io
import json
import pickle
import stat
from pathlib import Path

import numpy as np
import pytest
from bounty_client import config
from bounty_client.cli import build_parser, main
from sklearn.dummy import DummyClassifier

from tests.client.stub import Reply, Stub
from tests.client.world import RULES, SCHEMA, WEAK_GROUP, world

COMPETITION = {
    "slug": "c",
    "title": "Test",
    "status": "open",
    "task": "binary",
    "loss": "zero_one",
    "alpha": RULES.alpha,
    "mu_min": RULES.mu_min,
    "z": RULES.z,
    "terms_version": 2,
    "terms_text": "Be nice.",
}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "h.skops"
    path.write_bytes(world().h_bytes)
    return path


@pytest.fixture
def competition(stub: Stub) -> Stub:
    """A stub serving competition ``c`` with the test world's data."""
    w = world()
    schema = {**SCHEMA.to_json(), "target_range": None}  # the API sends every key
    schema["columns"] = [{"categories": [], "description": "", **c} for c in schema["columns"]]
    stub.on("GET", "competitions/c", Reply.json(COMPETITION))
    stub.on("GET", "competitions/c/schema", Reply.json(schema))
    stub.on("GET", "competitions/c/train.csv", Reply(200, w.csv, {"Content-Type": "text/csv"}))
    stub.on("GET", "competitions/c/train-baseline.npy", Reply(200, npy(w.base_labels)))
    return stub


# -- parsing -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "leaderboard", "c"],
        ["leaderboard", "c", "--json"],
        ["--server", "http://x", "leaderboard", "--json", "c"],
    ],
)
def test_json_flag_is_taken_before_or_after_the_command(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).json is True


def test_server_given_before_the_command_is_kept() -> None:
    args = build_parser().parse_args(["--server", "http://x", "status", "3"])
    assert args.server == "http://x" and args.id == 3 and args.json is False


@pytest.mark.parametrize(
    "argv",
    [
        ["submit", "c", "--model", "h.skops"],
        ["submit", "c", "--model", "h.skops", "--group", "all", "--group-json", "g.json"],
        ["check", "c", "--group", "all"],
        ["status", "not-a-number"],
        ["frobnicate"],
    ],
)
def test_bad_arguments_exit_with_usage_error(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(argv)
    assert info.value.code == 2


# -- account -----------------------------------------------------------------------------------------
def test_login_stores_the_token_privately_and_logout_forgets_it(stub: Stub, config_dir: Path) -> None:
    stub.on("POST", "auth/token", Reply.json({"token": "tok-1"}))
    code, out, _ = run("--server", stub.url, "login", "-u", "alice", "--password", "pw")
    assert code == 0 and "Logged in" in out
    stored = config.load_credentials(stub.url)
    assert stored is not None and stored.token == "tok-1" and stored.username == "alice"
    assert stat.S_IMODE((config_dir / "config.json").stat().st_mode) == 0o600
    code, out, _ = run("logout", "--json")
    assert code == 0 and json.loads(out)["removed"] is True
    assert config.load_credentials(stub.url) is None


def test_wrong_password_exits_2_with_the_api_error_as_json(stub: Stub) -> None:
    stub.on("POST", "auth/token", Reply.error(400, "invalid_credentials", "Wrong.", None))
    code, out, err = run("--server", stub.url, "--json", "login", "-u", "a", "--password", "b")
    assert code == 2
    assert json.loads(out)["error"]["code"] == "invalid_credentials"
    assert "Wrong." in err


def test_stored_token_is_used_by_later_commands(stub: Stub) -> None:
    config.save_token(stub.url, "saved-token")
    stub.on("GET", "competitions", Reply.json([COMPETITION]))
    code, out, _ = run("competitions")
    assert code == 0 and "zero_one" in out.splitlines()[2]
    assert stub.seen[0].headers["Authorization"] == "Token saved-token"


# -- data --------------------------------------------------------------------------------------------
def test_download_writes_the_csv_and_the_baseline(competition: Stub, tmp_path: Path) -> None:
    target, base = tmp_path / "train.csv", tmp_path / "base.npy"
    code, out, _ = run(
        "--server", competition.url, "download", "c", "-o", str(target), "--baseline", str(base)
    )
    assert code == 0 and target.read_bytes() == world().csv
    assert np.array_equal(np.load(base, allow_pickle=False), world().base_labels)
    assert f"{len(world().train):,} train rows" in out


def test_terms_not_accepted_gives_a_hint(stub: Stub, tmp_path: Path) -> None:
    stub.on("GET", "competitions/c/train.csv", Reply.error(403, "terms_not_accepted", "Accept the terms."))
    code, _, err = run("--server", stub.url, "download", "c", "-o", str(tmp_path / "t.csv"))
    assert code == 2 and "bounty terms c --accept" in err


# -- local check -------------------------------------------------------------------------------------
def test_check_prints_the_figures_and_exits_0_when_it_would_accept(
    competition: Stub, model_file: Path
) -> None:
    code, out, _ = run(
        "--server", competition.url, "check", "c", "--group", WEAK_GROUP, "--model", str(model_file)
    )
    assert code == 0
    for label in ("mass", "loss of base model on g", "loss of h on g", "gain", "standard error", "margin"):
        assert label in out
    assert "would be ACCEPTED" in out and "hidden holdout" in out


def test_check_json_has_the_exact_figures(competition: Stub, model_file: Path) -> None:
    from bounty_client.local import check_locally

    w = world()
    code, out, _ = run(
        "--server", competition.url, "check", "c", "--group", WEAK_GROUP, "--model", str(model_file), "--json"
    )
    data = json.loads(out)
    expected = check_locally(w.csv, SCHEMA, RULES, "zero_one", w.base_labels, WEAK_GROUP, w.h_bytes)
    assert code == 0 and data["split"] == "train"
    assert data["gain"] == expected.gain and data["se"] == expected.se and data["margin"] == expected.margin


def test_check_exits_1_when_the_rule_would_reject(competition: Stub, model_file: Path) -> None:
    code, out, _ = run(
        "--server",
        competition.url,
        "check",
        "c",
        "--group",
        'age >= 79 and region == "None"',
        "--model",
        str(model_file),
    )
    assert code == 1 and "too small" in out


def test_check_exits_2_for_a_model_the_server_would_refuse(competition: Stub, tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(DummyClassifier().fit([[0]], ["no"])))
    code, out, err = run(
        "--server", competition.url, "--json", "check", "c", "--group", "all", "--model", str(path)
    )
    assert code == 2 and json.loads(out)["error"]["code"] == "invalid_model"
    assert "refused" in err


def test_check_uses_local_train_and_baseline_files(stub: Stub, model_file: Path, tmp_path: Path) -> None:
    w = world()
    stub.on("GET", "competitions/c", Reply.json(COMPETITION))
    stub.on("GET", "competitions/c/schema", Reply.json(SCHEMA.to_json()))
    (tmp_path / "t.csv").write_bytes(w.csv)
    np.save(tmp_path / "b.npy", w.base_labels, allow_pickle=False)
    code, _, _ = run(
        "--server",
        stub.url,
        "check",
        "c",
        "--group",
        WEAK_GROUP,
        "--model",
        str(model_file),
        "--train",
        str(tmp_path / "t.csv"),
        "--baseline",
        str(tmp_path / "b.npy"),
    )
    assert code == 0
    assert {s.path for s in stub.seen} == {"/api/v1/competitions/c", "/api/v1/competitions/c/schema"}


# -- submitting --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("final", "expected"),
    [("accepted", 0), ("rejected", 1), ("failed", 2), ("cancelled", 2), ("awaiting_approval", 3)],
)
def test_submit_wait_exit_code_follows_the_decision(
    stub: Stub, model_file: Path, final: str, expected: int
) -> None:
    stub.on("POST", "competitions/c/submissions", Reply.json({"id": 9, "status": "queued"}, 201))
    stub.on(
        "GET",
        "submissions/9",
        [
            Reply.json({"id": 9, "status": "queued"}),
            Reply.error(429, "throttled", "Slow down.", **{"Retry-After": "0"}),
            Reply.json({"id": 9, "status": "running"}),
            Reply.json({"id": 9, "status": final, "reason": "insufficient_improvement", "public_gain": 0.0}),
        ],
    )
    code, out, err = run(
        "--server",
        stub.url,
        "--token",
        "t",
        "submit",
        "c",
        "--group",
        "age >= 60",
        "--model",
        str(model_file),
        "--wait",
        "--poll",
        "0.01",
    )
    assert code == expected
    assert f"status                   {final}" in out
    assert "submission 9: running" in err


def test_waiting_stops_when_a_pair_awaits_an_organizer_and_says_so(stub: Stub) -> None:
    stub.on(
        "GET",
        "submissions/8",
        [Reply.json({"id": 8, "status": "running"}), Reply.json({"id": 8, "status": "awaiting_approval"})],
    )
    code, out, err = run("--server", stub.url, "status", "8", "--wait")
    assert code == 3 and "awaiting_approval" in out
    assert "awaiting an organizer's approval" in err and "bounty status 8" in err
    assert len(stub.seen) == 2  # it stops asking: a person decides, which can take days


def test_submit_with_a_group_json_file_sends_the_tree(stub: Stub, model_file: Path, tmp_path: Path) -> None:
    tree = {"col": "age", "op": ">=", "value": 60}
    (tmp_path / "g.json").write_text(json.dumps(tree))
    stub.on("POST", "competitions/c/submissions", Reply.json({"id": 3, "status": "queued"}, 201))
    code, out, _ = run(
        "--server",
        stub.url,
        "submit",
        "c",
        "--group-json",
        str(tmp_path / "g.json"),
        "--model",
        str(model_file),
    )
    assert code == 0 and "bounty status 3 --wait" in out
    assert json.dumps(tree).encode() in stub.seen[0].body


def test_waiting_past_the_timeout_exits_2(stub: Stub) -> None:
    stub.on("GET", "submissions/4", Reply.json({"id": 4, "status": "running"}))
    code, out, _ = run(
        "--server", stub.url, "--json", "status", "4", "--wait", "--poll", "0.01", "--timeout", "0.05"
    )
    assert code == 2 and json.loads(out)["error"]["code"] == "still_pending"


def test_leaderboard_prints_a_table_with_credit_in_percent_as_on_the_web(stub: Stub) -> None:
    rows = [
        {"rank": 1, "team": "Married Minds", "credit_percent": 5.0, "gain": 0.004, "rejections": 0},
        {"rank": 2, "team": "Tiny Tables", "credit_percent": 0.0, "gain": 0.0, "rejections": 2},
    ]
    rows[0]["updates"], rows[1]["updates"] = [{}], []
    stub.on("GET", "competitions/c/leaderboard", Reply.json(rows))
    code, out, _ = run("--server", stub.url, "leaderboard", "c")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["rank", "team", "credit"]
    assert lines[2].split()[:4] == ["1", "Married", "Minds", "5.00%"] and "0.004" in lines[2]
    assert lines[3].split()[:4] == ["2", "Tiny", "Tables", "0.00%"]


# -- explore ----------------------------------------------------------------------------------------
def test_explore_ranks_the_weak_group_first_and_says_how_to_submit_it(competition: Stub) -> None:
    code, out, _ = run("--server", competition.url, "explore", "c")
    assert code == 0
    lines = out.splitlines()
    assert "public train split" in lines[0]
    first = next(line for line in lines if line.startswith("1 "))
    assert WEAK_GROUP in first
    assert f"bounty submit c --group '{WEAK_GROUP}' --model h.skops" in out


def test_explore_json_is_the_engines_landscape_of_the_base_model_on_train(competition: Stub) -> None:
    from scoring.explore import Scoring, explore
    from scoring.frames import canonical_frame

    w = world()
    code, out, _ = run("--server", competition.url, "--json", "explore", "c", "--top", "5")
    data = json.loads(out)
    frame = canonical_frame(w.train, SCHEMA)
    loss = (w.base_labels != w.labels).astype(np.float64)
    expected = explore(
        frame, SCHEMA, loss, scoring=Scoring.for_rows(len(frame), mu_min=RULES.mu_min), top_k=5
    )
    assert code == 0 and data["split"] == "train"
    assert data["slices"] == json.loads(json.dumps(expected["slices"]))
    assert data["scoring"]["min_rows"] == max(30, int(np.ceil(RULES.mu_min * len(frame))))


def test_explore_by_a_column_lists_its_levels_and_refuses_an_unknown_one(competition: Stub) -> None:
    code, out, _ = run("--server", competition.url, "explore", "c", "--by", "region")
    assert code == 0 and 'region == "NA"' in out and "mean loss" in out
    code, _, err = run("--server", competition.url, "explore", "c", "--by", "regoin")
    assert code == 2 and "no column 'regoin'" in err
