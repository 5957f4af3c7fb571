"""The ``bounty`` commands: each takes the parsed arguments and a :class:`Ctx`, and returns the exit code.

Exit codes: 0 done (or accepted), 1 rejected, 2 failed, refused or an error, 3 (``--wait``) checked
and awaiting an organizer's approval.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from bounty_client import config, output
from bounty_client.api import Client
from bounty_client.explore import explore_locally
from bounty_client.local import check_locally, read_train_csv
from bounty_client.session import Session, wait_for_decision

OK, REJECTED, FAILED, AWAITING_APPROVAL = 0, 1, 2, 3


@dataclass
class Ctx:
    args: argparse.Namespace
    out: TextIO
    err: TextIO

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def session(self) -> Session:
        server, token = config.resolve(self.args.server, self.args.token)
        return Session(Client(server, token))

    def emit(self, data: Any, text: str) -> None:
        self.out.write((output.dumps(data) if self.json else text) + "\n")

    def note(self, text: str) -> None:
        self.err.write(text + "\n")


def exit_code(status: str) -> int:
    codes = {"accepted": OK, "rejected": REJECTED, "awaiting_approval": AWAITING_APPROVAL}
    return codes.get(status, FAILED)


# -- account ---------------------------------------------------------------------------------------
def login(ctx: Ctx) -> int:
    args = ctx.args
    session = ctx.session()
    if args.password_stdin and not args.username:
        raise ValueError("--password-stdin needs --username")
    username = args.username or input("User name: ").strip()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = args.password or getpass.getpass("Password: ")
    session.login(username, password, save=True)
    where = config.config_path()
    ctx.emit(
        {"server": session.client.server, "username": username, "config": str(where)},
        f"Logged in to {session.client.server} as {username}. Token saved in {where}.",
    )
    return OK


def logout(ctx: Ctx) -> int:
    server = config.normalize_server(ctx.args.server) if ctx.args.server else config.default_server()
    removed = config.forget_token(server)
    text = f"Removed the token of {server}." if removed else f"No token stored for {server}."
    ctx.emit({"server": server, "removed": removed}, text)
    return OK


# -- competitions ----------------------------------------------------------------------------------
def competitions(ctx: Ctx) -> int:
    rows = ctx.session().client.competitions()
    ctx.emit(rows, output.table(rows, output.COMPETITION_COLUMNS))
    return OK


def terms(ctx: Ctx) -> int:
    client = ctx.session().client
    info = client.competition(ctx.args.slug)
    if ctx.args.accept:
        accepted = client.accept_terms(ctx.args.slug, int(info["terms_version"]))
        ctx.emit(accepted, f"Accepted version {accepted.get('terms_version')} of the terms.")
        return OK
    text = f"{info.get('title')} - terms, version {info.get('terms_version')}\n\n{info.get('terms_text')}"
    ctx.emit({k: info.get(k) for k in ("slug", "terms_version", "terms_text", "viewer")}, text)
    return OK


def team(ctx: Ctx) -> int:
    client, slug = ctx.session().client, ctx.args.slug
    if ctx.args.create:
        info = client.create_team(slug, ctx.args.create)
    elif ctx.args.join:
        info = client.join_team(slug, ctx.args.join)
    else:
        info = client.team(slug)
    members = ", ".join(m.get("username", "?") for m in info.get("members", []))
    quota = info.get("quota") or {}
    text = output.pairs(
        [
            ("team", info.get("name")),
            ("members", members),
            ("invite code", info.get("invite_code")),
            ("used today", f"{quota.get('used_today')} of {quota.get('daily_limit')}"),
            ("used in all", f"{quota.get('used_total')} of {quota.get('total_limit')}"),
            *([("approval", "waiting for an organizer")] if info.get("awaiting_approval") else []),
        ]
    )
    ctx.emit(info, text)
    return OK


def download(ctx: Ctx) -> int:
    client, slug = ctx.session().client, ctx.args.slug
    target = Path(ctx.args.output or f"{slug}-train.csv")
    raw = client.train_csv(slug)
    target.write_bytes(raw)
    rows = len(read_train_csv(raw))
    result: dict[str, Any] = {"train": str(target), "rows": rows}
    text = f"Wrote {rows:,} train rows to {target}."
    if ctx.args.baseline:
        base_path = Path(ctx.args.baseline)
        np.save(base_path, client.train_baseline(slug), allow_pickle=False)
        result["baseline"] = str(base_path)
        text += f"\nWrote the base model's train predictions to {base_path}."
    ctx.emit(result, text)
    return OK


def _public_files(args: argparse.Namespace, client: Client) -> tuple[Any, np.ndarray]:
    """The train split and the base predictions: the files given (``--train``, ``--baseline``), or
    downloaded."""
    train = read_train_csv(Path(args.train) if args.train else client.train_csv(args.slug))
    if args.baseline:
        return train, np.load(args.baseline, allow_pickle=False)
    return train, client.train_baseline(args.slug)


def explore(ctx: Ctx) -> int:
    args, client = ctx.args, ctx.session().client
    info = client.competition(args.slug)
    train, baseline = _public_files(args, client)
    landscape = explore_locally(
        train,
        client.schema(args.slug),
        info,
        str(info["loss"]),
        baseline,
        loss_params=info.get("loss_params") or {},
        top_k=args.top,
        alpha=args.alpha,
    )
    ctx.emit({**landscape, "split": "train"}, output.explore_text(landscape, args.slug, by=args.by))
    return OK


# -- pairs -----------------------------------------------------------------------------------------
def _group(args: argparse.Namespace) -> tuple[str | dict[str, Any] | None, bytes | None]:
    if args.group is not None:
        return args.group, None
    if args.group_json is not None:
        tree = json.loads(Path(args.group_json).read_text(encoding="utf-8"))
        if not isinstance(tree, dict):
            raise ValueError(f"{args.group_json} does not hold a JSON object (a group tree)")
        return tree, None
    return None, Path(args.group_model).read_bytes()


def check(ctx: Ctx) -> int:
    args, client = ctx.args, ctx.session().client
    info = client.competition(args.slug)
    group, group_model = _group(args)
    train, baseline = _public_files(args, client)
    result = check_locally(
        train,
        client.schema(args.slug),
        info,
        str(info["loss"]),
        baseline,
        group,
        Path(args.model).read_bytes(),
        group_model=group_model,
        loss_params=info.get("loss_params") or {},
    )
    data = {**result.as_dict(), "split": "train", "note": output.HOLDOUT_NOTE}
    ctx.emit(data, output.check_text(result))
    return OK if result.accepted else REJECTED


def _wait(ctx: Ctx, client: Client, submission_id: int) -> dict[str, Any]:
    progress = output.Progress(ctx.err)
    try:
        return wait_for_decision(
            client, submission_id, poll=ctx.args.poll, timeout=ctx.args.timeout, on_progress=progress
        )
    finally:
        progress.done()


def _decided(ctx: Ctx, submission: dict[str, Any]) -> int:
    ctx.emit(submission, output.submission_text(submission))
    if submission.get("status") == "awaiting_approval":
        ctx.note(
            f"Submission {submission.get('id')} passed the check and is awaiting an organizer's approval; "
            f"see later with: bounty status {submission.get('id')}"
        )
    return exit_code(str(submission.get("status")))


def submit(ctx: Ctx) -> int:
    args, client = ctx.args, ctx.session().client
    group, group_model = _group(args)
    submission = client.submit(
        args.slug,
        model=Path(args.model).read_bytes(),
        group_text=group if isinstance(group, str) else None,
        group=group if isinstance(group, dict) else None,
        group_model=group_model,
        description=getattr(args, "description", None),
    )
    if not args.wait:
        text = f"Submitted as {submission['id']} ({submission.get('status')}). "
        text += f"Follow it with: bounty status {submission['id']} --wait"
        ctx.emit(submission, text)
        return OK
    ctx.note(f"Submitted as {submission['id']}; waiting for the decision (Ctrl-C stops waiting).")
    return _decided(ctx, _wait(ctx, client, int(submission["id"])))


def status(ctx: Ctx) -> int:
    client = ctx.session().client
    if ctx.args.wait:
        return _decided(ctx, _wait(ctx, client, ctx.args.id))
    submission = client.submission(ctx.args.id)
    ctx.emit(submission, output.submission_text(submission))
    return OK


def cancel(ctx: Ctx) -> int:
    submission = ctx.session().client.cancel(ctx.args.id)
    ctx.emit(submission, output.submission_text(submission))
    return OK


def submissions(ctx: Ctx) -> int:
    rows = ctx.session().client.submissions(ctx.args.slug)
    ctx.emit(rows, output.table(output.submission_rows(rows), output.SUBMISSION_COLUMNS))
    return OK


def leaderboard(ctx: Ctx) -> int:
    rows = ctx.session().client.leaderboard(ctx.args.slug)
    ctx.emit(rows, output.table(output.leaderboard_rows(rows), output.LEADERBOARD_COLUMNS))
    return OK


def versions(ctx: Ctx) -> int:
    rows = ctx.session().client.versions(ctx.args.slug)
    ctx.emit(rows, output.table(rows, output.VERSION_COLUMNS))
    return OK
