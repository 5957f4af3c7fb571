"""``bounty``: the participant's command line (login, download, check locally, submit, follow), and
the organizers' (``bounty organize ...``, in ``bounty_client.organize``).

Every command takes ``--json`` for machine output and ``--server`` / ``--token`` (defaults:
``$BOUNTY_URL`` / ``$BOUNTY_TOKEN``, else what ``bounty login`` stored).
Exit codes: 0 done or accepted, 1 rejected, 2 failed, refused or an error, 3 (``--wait``) awaiting an
organizer's approval.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from bounty_client import commands, organize, output
from bounty_client.api import ClientError
from bounty_client.commands import FAILED, Ctx
from bounty_client.fit import add_fit_parser
from bounty_client.rewards import add_reward_parsers
from bounty_client.session import POLL_SECONDS
from scoring.errors import EngineError
from scoring.explore.slices import DEFAULT_ALPHA

Handler = Callable[[Ctx], int]
DESCRIPTION = "The bias-bounty platform from the command line: download, check locally, submit, follow."
EPILOG = (
    "Exit codes: 0 done or accepted, 1 rejected, 2 failed, refused or an error, "
    "3 (--wait) awaiting an organizer's approval."
)


def _common() -> argparse.ArgumentParser:
    """Options every subcommand takes (SUPPRESS keeps a value given before the subcommand)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine output")
    common.add_argument("--server", default=argparse.SUPPRESS, help="the platform's URL")
    common.add_argument("--token", default=argparse.SUPPRESS, help="an API token")
    return common


def _group_options(parser: argparse.ArgumentParser, *, allow_model: bool = True) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--group", metavar="TEXT", help="the group, e.g. \"age >= 60 and sex == 'Female'\"")
    group.add_argument("--group-json", metavar="FILE", help="the group as a JSON tree in a file")
    if allow_model:
        group.add_argument("--group-model", metavar="FILE", help="a skops classifier defining the group")
    parser.add_argument("--model", metavar="FILE", required=True, help="the model h (a skops file)")


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll",
        type=float,
        default=POLL_SECONDS,
        metavar="SECONDS",
        help=f"the longest wait between two polls (default {POLL_SECONDS:g}; polling starts at 0.25)",
    )
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="stop waiting")


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="bounty", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--json", action="store_true", default=False, help="machine output")
    parser.add_argument("--server", default=None, help="the platform's URL")
    parser.add_argument("--token", default=None, help="an API token")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, parents=[common], help=text, description=text)
        command.set_defaults(handler=handler)
        return command

    login = add("login", commands.login, "log in and store the API token (mode 600)")
    login.add_argument("--username", "-u")
    secret = login.add_mutually_exclusive_group()
    secret.add_argument("--password", help="the password (visible to other local users; prefer the prompt)")
    secret.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add("logout", commands.logout, "forget the stored token of the server")
    add("competitions", commands.competitions, "list the competitions")
    terms = add("terms", commands.terms, "show a competition's terms, or accept them")
    terms.add_argument("slug")
    terms.add_argument("--accept", action="store_true", help="accept the current version")
    team = add("team", commands.team, "show your team, or create or join one")
    team.add_argument("slug")
    how = team.add_mutually_exclusive_group()
    how.add_argument("--create", metavar="NAME", help="create a team with this name")
    how.add_argument("--join", metavar="INVITE_CODE", help="join a team with its invite code")
    download = add("download", commands.download, "download the public train split")
    download.add_argument("slug")
    download.add_argument("-o", "--output", metavar="FILE", help="where to write it (default SLUG-train.csv)")
    download.add_argument(
        "--baseline", metavar="FILE", help="also save the base model's train predictions (.npy)"
    )
    check = add("check", commands.check, "run the server's check on the public train split, locally")
    check.add_argument("slug")
    _group_options(check)
    check.add_argument("--train", metavar="CSV", help="a downloaded train split (default: download it)")
    check.add_argument("--baseline", metavar="NPY", help="saved base predictions (default: download them)")
    explore = add(
        "explore", commands.explore, "find groups the base model does badly on (train split, locally)"
    )
    explore.add_argument("slug")
    explore.add_argument("--top", type=int, default=10, metavar="N", help="how many slices (default 10)")
    explore.add_argument(
        "--alpha",
        type=float,
        default=DEFAULT_ALPHA,
        help=f"SliceLine's weight of the loss (default {DEFAULT_ALPHA})",
    )
    explore.add_argument("--by", metavar="COLUMN", help="instead, the loss by each level of one column")
    explore.add_argument("--train", metavar="CSV", help="a downloaded train split (default: download it)")
    explore.add_argument("--baseline", metavar="NPY", help="saved base predictions (default: download them)")
    submit = add("submit", commands.submit, "submit a (group, model) pair")
    submit.add_argument("slug")
    _group_options(submit)
    submit.add_argument("--description", metavar="TEXT", help="a note on the pair for your team (optional)")
    submit.add_argument("--wait", action="store_true", help="wait for the decision")
    _wait_options(submit)
    status = add("status", commands.status, "show a submission")
    status.add_argument("id", type=int)
    status.add_argument("--wait", action="store_true", help="wait for the decision")
    _wait_options(status)
    cancel = add("cancel", commands.cancel, "cancel a queued submission")
    cancel.add_argument("id", type=int)
    for name, handler, text in (
        ("submissions", commands.submissions, "list your team's submissions"),
        ("leaderboard", commands.leaderboard, "show the leaderboard"),
        ("versions", commands.versions, "list the global model's versions"),
    ):
        add(name, handler, text).add_argument("slug")
    add_fit_parser(sub, common)
    add_reward_parsers(sub, common, _wait_options)
    organize.add_organize_parser(sub, common)
    return parser


def _fail(ctx: Ctx, code: str, message: str, extra: dict[str, object] | None = None) -> int:
    if ctx.json:
        ctx.out.write(output.dumps({"error": {"code": code, "message": message, **(extra or {})}}) + "\n")
    ctx.err.write(f"bounty: {message}\n")
    return FAILED


def run(ctx: Ctx) -> int:
    handler: Handler = ctx.args.handler
    try:
        return handler(ctx)
    except ClientError as exc:
        hint = _hint(exc.code, ctx.args)
        return _fail(ctx, exc.code, str(exc) + hint, {"field": exc.field, "status": exc.status})
    except EngineError as exc:
        text = f"{output.reason_text(exc.reason.value)}: {exc.message}"
        return _fail(ctx, exc.reason.value, text, {"field": exc.field})
    except TimeoutError as exc:
        return _fail(ctx, "still_pending", f"{exc}; see later with: bounty status ID --wait")
    except (OSError, ValueError) as exc:
        return _fail(ctx, "local_error", str(exc))


def _hint(code: str, args: argparse.Namespace) -> str:
    slug = getattr(args, "slug", "SLUG")
    hints = {
        "not_authenticated": "\nLog in first: bounty login",
        "authentication_failed": "\nYour token was refused; log in again: bounty login",
        "terms_not_accepted": f"\nRead and accept the terms: bounty terms {slug} --accept",
        "no_team": f"\nCreate or join a team: bounty team {slug} --create NAME",
        "team_not_approved": f"\nSee your team's state: bounty team {slug}",
    }
    return hints.get(code, "")


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    ctx = Ctx(args, out or sys.stdout, err or sys.stderr)
    try:
        return run(ctx)
    except KeyboardInterrupt:
        ctx.err.write("\nbounty: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
