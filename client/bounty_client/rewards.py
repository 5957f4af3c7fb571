"""``bounty find``: submit a finding (a group alone: the model does worse on it than on the rest) and,
with ``--wait``, follow it to its decision and its published gap; ``bounty findings``: the published
findings; ``bounty earnings``: your team's balance, each member's part and the ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bounty_client import output
from bounty_client.commands import OK, Ctx, _decided, _wait

ENTRY_COLUMNS = [("created_at", "date"), ("kind", "what"), ("submission", "for"), ("amount", "amount"),
                 ("status", "state"), ("note", "note")]  # fmt: skip
FINDING_COLUMNS = [("submission", "#"), ("group", "group"), ("team", "team"), ("gap", "gap"),
                   ("tier", "tier"), ("fixed", "fixed by")]  # fmt: skip


def add_reward_parsers(sub: Any, common: Any, wait_options: Any) -> None:
    find = sub.add_parser("find", parents=[common], help="submit a finding: a group the model fails",
                          description=__doc__.splitlines()[0])  # fmt: skip
    find.set_defaults(handler=find_run)
    find.add_argument("slug")
    group = find.add_mutually_exclusive_group(required=True)
    group.add_argument("--group", metavar="TEXT", help="the group, e.g. \"age >= 60 and sex == 'Female'\"")
    group.add_argument("--group-json", metavar="FILE", help="the group as a JSON tree in a file")
    find.add_argument("--description", metavar="TEXT", help="what you found (optional)")
    find.add_argument("--wait", action="store_true", help="wait for the decision")
    wait_options(find)
    findings = sub.add_parser("findings", parents=[common], help="list the published findings")
    findings.set_defaults(handler=findings_run)
    findings.add_argument("slug")
    earnings = sub.add_parser("earnings", parents=[common], help="show your team's earnings and ledger")
    earnings.set_defaults(handler=earnings_run)
    earnings.add_argument("slug")


def find_run(ctx: Ctx) -> int:
    args, client = ctx.args, ctx.session().client
    tree = json.loads(Path(args.group_json).read_text()) if args.group_json else None
    submission = client.find(
        args.slug, group_text=args.group or "", group=tree, description=args.description or ""
    )
    if not args.wait:
        ctx.emit(
            submission,
            f"Finding submitted as {submission['id']}; follow it with: bounty status {submission['id']}",
        )
        return OK
    decided = _wait(ctx, client, int(submission["id"]))
    code = _decided(ctx, decided)
    if decided.get("status") == "accepted" and not ctx.json:
        published = next((f for f in client.findings(args.slug) if f["submission"] == decided["id"]), None)
        if published is not None:
            ctx.out.write(finding_text(published) + "\n")
    return code


def finding_text(f: dict[str, Any]) -> str:
    rows = [
        ("group", f["group"]),
        ("gap (published step)", f["gap"]),
        ("severity", f["tier"] or "below every tier"),
    ]
    if f["known"]:
        rows.append(("known", f"already listed on Explore as {f['known_slice']}"))
    if f["fixed_by"] is not None:
        rows += [("fixed by", f"#{f['fixed_by']} ({f['fixed_by_team']})"), ("gap after", f["gap_after"])]
    return output.pairs(rows)


def findings_run(ctx: Ctx) -> int:
    found = ctx.session().client.findings(ctx.args.slug)
    rows = [{**f, "fixed": f"#{f['fixed_by']}" if f["fixed_by"] is not None else "-"} for f in found]
    ctx.emit(found, output.table(rows, FINDING_COLUMNS))
    return OK


def earnings_run(ctx: Ctx) -> int:
    e = ctx.session().client.earnings(ctx.args.slug)
    money = e["currency"] or ""
    head = [("team", e["team"]), ("earned", f"{e['balance']} {money}"), ("paid", f"{e['paid']} {money}"),
            ("still to pay", f"{e['unpaid']} {money}")]  # fmt: skip
    if e["queued"] not in ("0", "0.00"):
        head.append(("waiting for an organizer", f"{e['queued']} {money}"))
    split = "own split" if e["custom_split"] else "equal shares"
    parts = "\n".join(f"  {p['member']}: {p['amount']} {money} (weight {p['weight']})" for p in e["parts"])
    ledger = output.table(e["entries"], ENTRY_COLUMNS)
    text = f"{output.pairs(head)}\n\nEach member's part ({split}):\n{parts}\n\n{ledger}"
    ctx.emit(e, text)
    return OK
