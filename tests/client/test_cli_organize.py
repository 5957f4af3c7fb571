"""``bounty organize``: the organizers' commands, their requests, output and exit codes, against a stub."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest
from bounty_client.cli import build_parser, main
from bounty_client.commands import Ctx
from bounty_client.organize import COMMANDS, Command, add_organize_parser

from tests.client.stub import Reply, Stub

BASE = "organize/competitions/c"
COMPETITION = {
    "slug": "c",
    "title": "Test",
    "status": "open",
    "head_version": 3,
    "manual_approval": True,
    "base_holdout_loss": 0.25,
    "current_holdout_loss": 0.2,
}
WAITING = {
    "id": 41,
    "seq": 7,
    "team": "Lovelace",
    "status": "awaiting_approval",
    "status_label": "Awaiting approval",
    "group_text": "age >= 60",
    "checked_version": 3,
    "figures": {"mass": 0.125, "gain": 0.0042, "se": 0.001, "margin": 0.0012},
    "standing": None,
}
DECIDED = {
    "id": 40,
    "seq": 6,
    "team": "Babbage",
    "status": "accepted",
    "status_label": "Accepted, rolled back in v3",
    "reason": "accepted",
    "group_text": 'sex == "Female"',
    "checked_version": 1,
    "figures": {"mass": 0.3, "gain": 0.01, "se": 0.002, "margin": 0.005},
    "standing": {"counts": False, "confirmed_gain": None},
}
REVIEW = {
    "competition": COMPETITION,
    "awaiting": [WAITING],
    "decided": [DECIDED],
    "versions": [
        {"number": 3, "kind": "rollback", "label": "rollback to v1", "holdout_loss": 0.2},
        {"number": 0, "kind": "base", "label": "base", "holdout_loss": 0.25},
    ],
    "teams": [
        {"id": 7, "name": "Babbage", "counting": 0, "undone": 1, "disqualified": False},
        {
            "id": 8,
            "name": "Lovelace",
            "counting": 1,
            "undone": 0,
            "disqualified": True,
            "disqualified_in_version": 2,
        },
    ],
    "actions": [],
}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def organize(stub: Stub, *argv: str) -> tuple[int, str, str]:
    return run("--server", stub.url, "--token", "tok", "organize", *argv)


def result(message: str, **extra: Any) -> Reply:
    return Reply.json({"message": message, "competition": COMPETITION, **extra})


def sent(stub: Stub, index: int = -1) -> Any:
    return json.loads(stub.seen[index].body)


# -- parsing -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["organize"],
        ["organize", "approve", "c", "41"],  # no --note
        ["organize", "close", "c"],  # no --reason
        ["organize", "rollback", "c", "latest", "--reason", "x"],
        ["organize", "export", "c", "everything"],
        ["organize", "approve", "c", "not-an-id", "--note", "x"],
    ],
)
def test_bad_arguments_exit_with_usage_error(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(argv)
    assert info.value.code == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "organize", "review", "c"],
        ["organize", "--json", "review", "c"],
        ["organize", "review", "c", "--json"],
    ],
)
def test_json_flag_is_taken_anywhere(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.json is True and args.slug == "c" and args.action == "review"


def test_a_version_may_be_written_with_its_v() -> None:
    assert build_parser().parse_args(["organize", "rollback", "c", "v3", "--reason", "x"]).version == 3


def test_a_new_action_is_one_entry_of_the_table() -> None:
    def hello(ctx: Ctx) -> int:
        ctx.emit({"slug": ctx.args.slug}, f"hello {ctx.args.slug}")
        return 0

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    common = argparse.ArgumentParser(add_help=False)
    table = {**COMMANDS, "hello": Command(hello, "say hello", lambda p: p.add_argument("slug"))}
    add_organize_parser(sub, common, table)
    args = parser.parse_args(["organize", "hello", "c"])
    out = io.StringIO()
    assert args.handler(Ctx(args, out, io.StringIO())) == 0 and out.getvalue() == "hello c\n"
    assert parser.parse_args(["organize", "review", "c"]).handler is COMMANDS["review"].handler


# -- review ------------------------------------------------------------------------------------------
def test_review_prints_the_queue_decisions_versions_and_teams(stub: Stub) -> None:
    stub.on("GET", f"{BASE}/review", Reply.json(REVIEW))
    code, out, _ = organize(stub, "review", "c")
    assert code == 0
    assert "Test (c): open, head v3, manual approval on" in out
    assert "Waiting for approval: 1" in out
    waiting = next(line for line in out.splitlines() if line.startswith("41 "))
    assert waiting.split()[:3] == ["41", "7", "Lovelace"] and "0.0042" in waiting and "v3" in waiting
    assert "bounty organize approve|decline c ID --note TEXT" in out
    assert "Accepted, rolled back in v3" in out and "rollback to v1" in out
    assert "disqualified (v2)" in out
    assert stub.seen[0].headers["Authorization"] == "Token tok"


def test_review_json_is_the_api_answer(stub: Stub) -> None:
    stub.on("GET", f"{BASE}/review", Reply.json(REVIEW))
    code, out, _ = organize(stub, "review", "c", "--json")
    assert code == 0 and json.loads(out) == REVIEW


def test_review_limits_the_long_tables(stub: Stub) -> None:
    stub.on("GET", f"{BASE}/review", Reply.json(REVIEW))
    code, out, _ = organize(stub, "review", "c", "--limit", "1")
    assert (
        code == 0
        and "Versions (1 of 2 shown)" in out
        and "base" not in out.split("Versions")[1].split("Teams")[0]
    )


# -- decisions ---------------------------------------------------------------------------------------
def test_approve_sends_the_note_and_prints_the_result(stub: Stub) -> None:
    submission = {**WAITING, "status": "accepted", "status_label": "Accepted"}
    stub.on(
        "POST",
        f"{BASE}/submissions/41/approve",
        result("Submission #7 approved: accepted.", submission=submission),
    )
    code, out, _ = organize(stub, "approve", "c", "41", "--note", "looks right")
    assert code == 0
    assert out.splitlines() == [
        "Submission #7 approved: accepted.",
        "Test (c): open, head v3, manual approval on",
        "submission 41: Accepted",
    ]
    assert stub.seen[0].method == "POST" and sent(stub) == {"note": "looks right"}


def test_a_refused_decision_exits_2_with_the_error(stub: Stub) -> None:
    error = Reply.error(409, "not_awaiting_approval", "This submission is not awaiting approval.")
    stub.on("POST", f"{BASE}/submissions/41/decline", error)
    code, out, err = organize(stub, "--json", "decline", "c", "41", "--note", "no")
    assert code == 2
    assert json.loads(out)["error"] == {
        "code": "not_awaiting_approval",
        "message": "This submission is not awaiting approval. [not_awaiting_approval]",
        "field": None,
        "status": 409,
    }
    assert "bounty: This submission is not awaiting approval." in err


def test_a_participant_is_told_only_organizers_may(stub: Stub) -> None:
    stub.on(
        "POST",
        f"{BASE}/close",
        Reply.error(403, "forbidden", "Only this competition's organizers can do this."),
    )
    code, _, err = organize(stub, "close", "c", "--reason", "mine")
    assert code == 2 and "Only this competition's organizers can do this. [forbidden]" in err


# -- actions on the model ----------------------------------------------------------------------------
def test_rollback_sends_the_version_and_the_reason(stub: Stub) -> None:
    version = {"number": 4, "kind": "rollback", "target_version": 1}
    stub.on("POST", f"{BASE}/rollback", result("Rolled back: v4 predicts as v1 did.", version=version))
    code, out, _ = organize(stub, "rollback", "c", "v1", "--reason", "bad update")
    assert code == 0 and out.startswith("Rolled back: v4 predicts as v1 did.")
    assert sent(stub) == {"version": 1, "reason": "bad update"}


def test_disqualify_finds_the_team_by_its_name(stub: Stub) -> None:
    stub.on("GET", f"{BASE}/review", Reply.json(REVIEW))
    message = "Babbage is disqualified; the model was rebuilt without its updates as v5."
    stub.on("POST", f"{BASE}/teams/7/disqualify", result(message, disqualification={"team_id": 7}))
    code, out, _ = organize(stub, "disqualify", "c", "babbage", "--reason", "collusion")
    assert code == 0 and out.startswith(message)
    assert stub.seen[-1].path == f"/api/v1/{BASE}/teams/7/disqualify" and sent(stub) == {
        "reason": "collusion"
    }


def test_disqualify_by_id_asks_nothing_else(stub: Stub) -> None:
    stub.on("POST", f"{BASE}/teams/8/disqualify", result("Lovelace is disqualified."))
    code, _, _ = organize(stub, "disqualify", "c", "8", "--reason", "collusion")
    assert code == 0 and [s.path for s in stub.seen] == [f"/api/v1/{BASE}/teams/8/disqualify"]


def test_disqualify_an_unknown_team_sends_nothing(stub: Stub) -> None:
    stub.on("GET", f"{BASE}/review", Reply.json(REVIEW))
    code, out, err = organize(stub, "--json", "disqualify", "c", "Nobody", "--reason", "x")
    assert code == 2 and json.loads(out)["error"]["code"] == "not_found"
    assert "bounty organize review c" in err and all(s.method == "GET" for s in stub.seen)


def test_confirm_and_close_send_the_reason(stub: Stub) -> None:
    stub.on(
        "POST", f"{BASE}/confirm", result("Confirmation: 2 updates confirmed, 1 not confirmed.", confirmed=2)
    )
    stub.on("POST", f"{BASE}/close", result("The competition is closed and its updates were confirmed."))
    code, out, _ = organize(stub, "--json", "confirm", "c", "--reason", "midway")
    assert code == 0 and json.loads(out)["confirmed"] == 2 and sent(stub) == {"reason": "midway"}
    code, out, _ = organize(stub, "close", "c", "--reason", "the end")
    assert code == 0 and out.startswith("The competition is closed") and sent(stub) == {"reason": "the end"}


# -- exports -----------------------------------------------------------------------------------------
def test_export_writes_the_file_where_asked(stub: Stub, tmp_path: Path) -> None:
    csv = b"seq,id,team\n1,41,Lovelace\n"
    headers = {"Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="c-submissions.csv"'}
    stub.on("GET", f"{BASE}/exports/submissions.csv", Reply(200, csv, headers))
    target = tmp_path / "out.csv"
    code, out, _ = organize(stub, "--json", "export", "c", "submissions", "-o", str(target))
    assert code == 0 and target.read_bytes() == csv
    assert json.loads(out) == {"kind": "submissions", "file": str(target), "bytes": len(csv)}


def test_export_takes_the_servers_bare_file_name(
    stub: Stub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    headers = {"Content-Disposition": 'attachment; filename="../../c-v3.zip"'}
    stub.on("GET", f"{BASE}/exports/bundle.zip", Reply(200, b"PK\x03\x04zip", headers))
    code, out, _ = organize(stub, "export", "c", "bundle")
    assert code == 0 and (tmp_path / "c-v3.zip").read_bytes() == b"PK\x03\x04zip"
    assert "Wrote the bundle export (7 bytes) to c-v3.zip." in out
    stub.on("GET", f"{BASE}/exports/leaderboard.csv", Reply(200, b"rank,team\n"))
    code, _, _ = organize(stub, "export", "c", "leaderboard")
    assert code == 0 and (tmp_path / "c-leaderboard.csv").read_bytes() == b"rank,team\n"


def test_open_opens_a_competition_created_as_a_draft(stub: Stub) -> None:
    stub.on("POST", f"{BASE}/open", result("The competition is open."))
    code, out, _ = organize(stub, "open", "c")
    assert code == 0 and out.startswith("The competition is open. (c)")
    assert stub.seen[-1].method == "POST"


def test_create_shows_each_problem_with_its_rows_and_choices(stub: Stub, tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    definition = tmp_path / "c.yaml"
    definition.write_text("slug: c\ntitle: C\ndata: {file: data.csv}\n")
    problem = {
        "key": "age/non_numeric",
        "kind": "non_numeric",
        "column": "age",
        "message": "Column 'age' holds numbers and 1 other value(s) such as 'abc'",
        "count": 3,
        "places": [{"file": "data.csv", "count": 3, "rows": [17, 4243, 10000]}],
        "values": {"abc": 3},
        "choices": {"missing": "treat these values as missing", "drop": "leave these rows out"},
    }
    draft = {"id": 12, "job": {"name": "definition", "status": "needs_choices", "problems": [problem]}}
    stub.on("POST", "organize/competitions", Reply.json({**draft, "job": {"status": "queued"}}, status=202))
    stub.on("GET", "organize/drafts/12", Reply.json(draft))
    code, out, err = organize(stub, "create", str(definition))
    assert code == 1 and "Sending c.yaml and data.csv" in err
    assert "data.csv: 3 rows; first rows: 17, 4243, 10000" in out and "values: 'abc' (3)" in out
    assert "age/non_numeric: missing  # treat these values as missing" in out
    assert f"bounty organize create {definition} --draft 12" in out
    assert b'name="data"; filename="data.csv"' in stub.seen[0].body
