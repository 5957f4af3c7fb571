"""``bounty find``, ``bounty findings`` and ``bounty earnings`` against a stub of the API: what they send
and what they print, with the answers shaped as the platform's serializers shape them."""

from __future__ import annotations

import json

from tests.client.stub import Reply, Stub
from tests.client.test_cli import run

FINDING = {
    "submission": 12,
    "seq": 3,
    "team": "Nina's",
    "group": "marital status is Married-civ-spouse",
    "group_text": 'marital_status in ["Married-civ-spouse"]',
    "version": 0,
    "gap": 0.34,
    "tier": "Severe",
    "known": False,
    "known_slice": "",
    "fixed_by": 15,
    "fixed_by_team": "Team B",
    "fixed_version": 1,
    "gap_after": 0.14,
    "fix_counts": True,
}
EARNINGS = {
    "team": "Nina's",
    "currency": "EUR",
    "balance": "400.00",
    "paid": "0.00",
    "unpaid": "400.00",
    "queued": "150.00",
    "custom_split": True,
    "parts": [
        {"member": "nina", "amount": "266.67", "weight": 2},
        {"member": "omar", "amount": "133.33", "weight": 1},
    ],
    "entries": [
        {
            "id": 1,
            "team": "Nina's",
            "submission": 12,
            "kind": "finding",
            "amount": "400.00",
            "status": "committed",
            "note": "finding #12 accepted",
            "created_at": "2026-12-06T19:45:00Z",
            "paid_at": None,
        }
    ],
}


def test_find_sends_the_group_and_waits_for_the_published_finding(stub: Stub) -> None:
    stub.on("POST", "competitions/c/findings", Reply.json({"id": 12, "status": "queued"}, 201))
    stub.on(
        "GET",
        "submissions/12",
        [Reply.json({"id": 12, "status": "running"}), Reply.json({"id": 12, "status": "accepted"})],
    )
    stub.on("GET", "competitions/c/findings", Reply.json([FINDING]))
    group = FINDING["group_text"]
    code, out, _ = run("--server", stub.url, "--token", "t", "find", "c", "--group", group, "--wait")
    assert code == 0
    sent = next(s for s in stub.seen if s.method == "POST")
    assert json.loads(sent.body) == {"group_text": group, "description": ""}
    assert "Severe" in out and "0.34" in out and "#15 (Team B)" in out and "0.14" in out


def test_find_refused_at_the_door_exits_2_with_the_cause(stub: Stub) -> None:
    refusal = Reply.error(400, "invalid_group", "Unknown column 'maritl'.", "group_text")
    stub.on("POST", "competitions/c/findings", refusal)
    code, _, err = run("--server", stub.url, "--token", "t", "find", "c", "--group", "maritl == 1")
    assert code == 2 and "Unknown column 'maritl'" in err


def test_findings_lists_each_published_finding_with_its_fix(stub: Stub) -> None:
    stub.on(
        "GET",
        "competitions/c/findings",
        Reply.json([FINDING, {**FINDING, "submission": 13, "fixed_by": None}]),
    )
    code, out, _ = run("--server", stub.url, "--token", "t", "findings", "c")
    assert code == 0
    rows = [line for line in out.splitlines() if "Married-civ-spouse" in line]
    assert len(rows) == 2 and "#15" in rows[0] and rows[1].rstrip().endswith("-")


def test_earnings_prints_the_balance_the_parts_and_the_ledger(stub: Stub) -> None:
    stub.on("GET", "competitions/c/earnings", Reply.json(EARNINGS))
    code, out, _ = run("--server", stub.url, "--token", "t", "earnings", "c")
    assert code == 0
    assert "400.00 EUR" in out and "150.00 EUR" in out  # the balance, and what waits for an organizer
    assert "nina: 266.67 EUR (weight 2)" in out and "omar: 133.33 EUR (weight 1)" in out
    assert "own split" in out and "finding #12 accepted" in out
    code, raw, _ = run("--server", stub.url, "--token", "t", "--json", "earnings", "c")
    assert code == 0 and json.loads(raw) == EARNINGS
