"""``bounty organize ACTION``: what a competition's organizers (and staff) do, from the command line:
create a competition from its definition (``bounty_client.organize_create``), review the queue,
approve or decline a waiting pair, roll back, disqualify a team, confirm, close, download the exports.

The actions are the entries of ``COMMANDS`` (name -> :class:`Command`); ``add_organize_parser`` turns
them into subcommands, so a new action is one function and one entry. Every action on the model needs
a reason (``--note`` for approvals): the server keeps it in the audit log with your name.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bounty_client import output
from bounty_client.api import EXPORTS, ClientError
from bounty_client.commands import OK, Ctx
from bounty_client.organize_create import create, create_args, open_args, open_competition

Handler = Callable[[Ctx], int]
Configure = Callable[[argparse.ArgumentParser], None]
HELP = "organizers: review submissions, act on the model, export"
DESCRIPTION = (
    "What a competition's console does, for its organizers and staff. Each action on the model needs a "
    "reason, kept in the audit log with your name."
)
SHOWN = 10  # rows of the longer review tables shown as text (--json has them all)


@dataclass(frozen=True)
class Command:
    handler: Handler
    help: str
    configure: Configure = lambda parser: None


# -- arguments ---------------------------------------------------------------------------------------
def _slug(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slug", help="the competition")


def _reason(parser: argparse.ArgumentParser, *, flag: str = "--reason") -> None:
    parser.add_argument(flag, required=True, metavar="TEXT", help="why (kept in the audit log)")


def _version(text: str) -> int:
    """A version number, as ``3`` or ``v3``."""
    digits = text.strip().removeprefix("v").removeprefix("V")
    if not digits.isdigit():
        raise argparse.ArgumentTypeError(f"not a version number: {text!r}")
    return int(digits)


def _review_args(parser: argparse.ArgumentParser) -> None:
    _slug(parser)
    parser.add_argument(
        "--limit",
        type=int,
        default=SHOWN,
        metavar="N",
        help=f"rows of decisions and versions (default {SHOWN})",
    )


def _decision_args(parser: argparse.ArgumentParser) -> None:
    _slug(parser)
    parser.add_argument("submission", type=int, help="the submission's id")
    _reason(parser, flag="--note")


def _rollback_args(parser: argparse.ArgumentParser) -> None:
    _slug(parser)
    parser.add_argument("version", type=_version, help="the earlier version to predict as again (3 or v3)")
    _reason(parser)


def _disqualify_args(parser: argparse.ArgumentParser) -> None:
    _slug(parser)
    parser.add_argument("team", help="the team's id, or its name")
    _reason(parser)


def _reason_args(parser: argparse.ArgumentParser) -> None:
    _slug(parser)
    _reason(parser)


def _export_args(parser: argparse.ArgumentParser) -> None:
    _slug(parser)
    parser.add_argument("kind", choices=list(EXPORTS), help="the model bundle (zip) or a CSV file")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="where to write it (default: the server's name)"
    )


# -- text --------------------------------------------------------------------------------------------
def competition_line(competition: Mapping[str, Any]) -> str:
    approval = "on" if competition.get("manual_approval") else "off"
    return (
        f"{competition.get('title')} ({competition.get('slug')}): {competition.get('status')}, "
        f"head v{competition.get('head_version')}, manual approval {approval}"
    )


def _figures(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each submission with its figures, group and standing flattened for a table."""
    flat = []
    for row in rows:
        figures = row.get("figures") or {}
        standing = row.get("standing") or {}
        flat.append(
            {
                **row,
                **{k: figures.get(k) for k in ("mass", "gain", "se", "margin")},
                "outcome": row.get("status_label") or row.get("status"),
                "group_shown": row.get("group_text")
                or ("(a group model)" if row.get("has_group_model") else None),
                "checked": None if row.get("checked_version") is None else f"v{row['checked_version']}",
                "confirmed_gain": standing.get("confirmed_gain"),
            }
        )
    return flat


AWAITING_COLUMNS = [
    ("id", "id"),
    ("seq", "arrival"),
    ("team", "team"),
    ("group_shown", "group"),
    ("checked", "checked on"),
    ("mass", "mass"),
    ("gain", "gain"),
    ("se", "se"),
    ("margin", "margin"),
]
DECIDED_COLUMNS = [
    ("id", "id"),
    ("seq", "arrival"),
    ("team", "team"),
    ("outcome", "status"),
    ("reason", "reason"),
    ("mass", "mass"),
    ("gain", "gain"),
    ("margin", "margin"),
    ("confirmed_gain", "confirmation gain"),
]
TEAM_COLUMNS = [
    ("id", "id"),
    ("name", "team"),
    ("counting", "in the model"),
    ("undone", "undone"),
    ("standing", "standing"),
]
VERSION_COLUMNS = [
    ("number", "version"),
    ("kind", "kind"),
    ("label", "label"),
    ("holdout_loss", "holdout loss"),
]


def _teams(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **r,
            "standing": f"disqualified (v{r.get('disqualified_in_version')})"
            if r.get("disqualified")
            else "in",
        }
        for r in rows
    ]


def _section(
    title: str, rows: Sequence[Mapping[str, Any]], columns: list[tuple[str, str]], limit: int
) -> str:
    shown = rows[: max(limit, 0)]
    more = f" ({len(shown)} of {len(rows)} shown)" if len(shown) < len(rows) else ""
    return f"{title}{more}\n{output.table(shown, columns)}"


def review_text(data: Mapping[str, Any], *, limit: int = SHOWN) -> str:
    competition = data.get("competition") or {}
    awaiting = list(data.get("awaiting") or [])
    slug = competition.get("slug", "SLUG")
    parts = [
        competition_line(competition),
        f"holdout loss {output.cell(competition.get('current_holdout_loss'))} "
        f"(base {output.cell(competition.get('base_holdout_loss'))})",
        "",
        f"Waiting for approval: {len(awaiting)}\n{output.table(_figures(awaiting), AWAITING_COLUMNS)}",
    ]
    if awaiting:
        parts.append(f"Decide with: bounty organize approve|decline {slug} ID --note TEXT")
    parts += [
        "",
        _section("Latest decisions", _figures(data.get("decided") or []), DECIDED_COLUMNS, limit),
        "",
        _section("Versions", list(data.get("versions") or []), VERSION_COLUMNS, limit),
        "",
        f"Teams\n{output.table(_teams(data.get('teams') or []), TEAM_COLUMNS)}",
    ]
    return "\n".join(parts)


def action_text(data: Mapping[str, Any]) -> str:
    lines = [str(data.get("message", "Done.")), competition_line(data.get("competition") or {})]
    submission = data.get("submission")
    if submission:
        lines.append(
            f"submission {submission.get('id')}: {submission.get('status_label') or submission.get('status')}"
        )
    return "\n".join(lines)


# -- the actions -------------------------------------------------------------------------------------
def review(ctx: Ctx) -> int:
    data = ctx.session().client.review(ctx.args.slug)
    ctx.emit(data, review_text(data, limit=ctx.args.limit))
    return OK


def approve(ctx: Ctx) -> int:
    args = ctx.args
    data = ctx.session().client.approve(args.slug, args.submission, args.note)
    ctx.emit(data, action_text(data))
    return OK


def decline(ctx: Ctx) -> int:
    args = ctx.args
    data = ctx.session().client.decline(args.slug, args.submission, args.note)
    ctx.emit(data, action_text(data))
    return OK


def rollback(ctx: Ctx) -> int:
    args = ctx.args
    data = ctx.session().client.rollback(args.slug, args.version, args.reason)
    ctx.emit(data, action_text(data))
    return OK


def team_id(teams: Sequence[Mapping[str, Any]], team: str, slug: str) -> int:
    """The id of ``team``: given as an id, or the name of one of ``teams`` (any case)."""
    if team.strip().isdigit():
        return int(team)
    found = [t for t in teams if str(t.get("name", "")).casefold() == team.strip().casefold()]
    if not found:
        raise ClientError(
            "not_found", f"There is no team called {team!r} in {slug}; see: bounty organize review {slug}"
        )
    return int(found[0]["id"])


def disqualify(ctx: Ctx) -> int:
    args, client = ctx.args, ctx.session().client
    teams = [] if args.team.strip().isdigit() else client.review(args.slug).get("teams") or []
    data = client.disqualify(args.slug, team_id(teams, args.team, args.slug), args.reason)
    ctx.emit(data, action_text(data))
    return OK


def confirm(ctx: Ctx) -> int:
    data = ctx.session().client.confirm(ctx.args.slug, ctx.args.reason)
    ctx.emit(data, action_text(data))
    return OK


def close(ctx: Ctx) -> int:
    data = ctx.session().client.close(ctx.args.slug, ctx.args.reason)
    ctx.emit(data, action_text(data))
    return OK


def export(ctx: Ctx) -> int:
    args = ctx.args
    name, content = ctx.session().client.export(args.slug, args.kind)
    target = Path(args.output or name)
    target.write_bytes(content)
    ctx.emit(
        {"kind": args.kind, "file": str(target), "bytes": len(content)},
        f"Wrote the {args.kind} export ({len(content):,} bytes) to {target}.",
    )
    return OK


COMMANDS: dict[str, Command] = {
    "create": Command(create, "create a competition from its definition (YAML) and data files", create_args),
    "open": Command(open_competition, "open a competition created as a draft", open_args),
    "review": Command(review, "the queue waiting for approval, decisions, versions and teams", _review_args),
    "approve": Command(approve, "approve a pair waiting for approval", _decision_args),
    "decline": Command(decline, "decline a pair waiting for approval", _decision_args),
    "rollback": Command(rollback, "roll the model back to an earlier version", _rollback_args),
    "disqualify": Command(
        disqualify, "disqualify a team (the model is rebuilt without it)", _disqualify_args
    ),
    "confirm": Command(confirm, "confirm the counting updates on the confirmation split", _reason_args),
    "close": Command(close, "close the competition (and confirm its updates)", _reason_args),
    "export": Command(export, "download the model bundle, the submissions or the leaderboard", _export_args),
}


def add_organize_parser(
    subparsers: Any, common: argparse.ArgumentParser, commands: Mapping[str, Command] | None = None
) -> argparse.ArgumentParser:
    """Add ``organize`` and one subcommand per entry of ``commands`` (default ``COMMANDS``) to the
    ``bounty`` subparsers; ``common`` carries the options every subcommand takes."""
    organize: argparse.ArgumentParser = subparsers.add_parser(
        "organize", parents=[common], help=HELP, description=DESCRIPTION
    )
    actions = organize.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, command in (COMMANDS if commands is None else commands).items():
        parser = actions.add_parser(name, parents=[common], help=command.help, description=command.help)
        command.configure(parser)
        parser.set_defaults(handler=command.handler)
    return organize
