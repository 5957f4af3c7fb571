"""``bounty organize create competition.yaml``: a competition from its definition and data files.

The definition names its files (``data: {file: ...}`` or ``data: {files: {train, holdout,
confirmation}}``, and ``base_model: {file: ...}``), relative to the definition's folder. The command
uploads them (streamed), then follows the draft's background job until it ends:

- done: the competition (open, or a draft if the definition says ``open: false``) and its rules;
- problems: each problem the data has and the definition does not resolve, with its file, rows,
  counts and choices. Add a choice per problem under ``problems:`` and run the command again with
  ``--draft N``: the files are not sent again.

Exit codes: 0 created, 1 problems to resolve, 2 refused or failed. ``bounty organize open SLUG``
opens a competition the definition created as a draft (``open: false``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bounty_client.api import JSON, ClientError
from bounty_client.commands import FAILED, OK, REJECTED, Ctx

POLL_SECONDS = 2.0
SPLITS = ("train", "holdout", "confirmation")


def create_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("definition", type=Path, help="the competition definition (YAML)")
    parser.add_argument("--draft", type=int, metavar="N", help="run it on draft N (files already sent)")
    parser.add_argument("--resend", action="store_true", help="with --draft: send the data files again")
    parser.add_argument("--no-wait", action="store_true", help="send, print the draft and return")
    parser.add_argument(
        "--timeout", type=float, default=3600.0, metavar="S", help="give up waiting after S s"
    )


def definition_files(definition: Path) -> dict[str, Path]:
    """The upload fields and the files the definition names (relative to its folder)."""
    try:
        data = yaml.safe_load(definition.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ClientError("invalid_definition", f"Cannot read {definition}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise ClientError("invalid_definition", f"{definition} needs a data: section naming the files.")
    section = data["data"]
    named = {"data": section["file"]} if "file" in section else dict(section.get("files") or {})
    model = (data.get("base_model") or {}).get("file") if isinstance(data.get("base_model"), dict) else None
    if model:
        named["model"] = model
    files = {key: (definition.parent / str(name)).absolute() for key, name in named.items()}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise ClientError("file_not_found", f"The definition names {missing[0]}, which is not there.")
    return files


def create(ctx: Ctx) -> int:
    args = ctx.args
    client = ctx.session().client
    files = definition_files(args.definition)
    if args.draft is not None and not args.resend:
        files = {k: v for k, v in files.items() if k == "model"}
    if not ctx.json:
        sent = (
            ", ".join(f"{p.name} ({p.stat().st_size / 2**20:,.1f} MB)" for p in files.values()) or "no files"
        )
        ctx.note(f"Sending {args.definition.name} and {sent}...")
    draft = client.create_competition(args.definition, files, draft=args.draft)
    if args.no_wait:
        ctx.emit(
            draft, f"Draft {draft['id']}: {draft['job']['status']}. Follow it with --draft {draft['id']}."
        )
        return OK
    draft = follow(ctx, client, int(draft["id"]), args.timeout)
    return report(ctx, draft, args.definition)


def follow(ctx: Ctx, client: Any, draft_id: int, timeout: float) -> JSON:
    """Poll the draft until its job ends, telling each new stage on stderr."""
    deadline, last = time.monotonic() + timeout, ""
    while True:
        draft: JSON = client.draft(draft_id)
        job = draft.get("job") or {}
        if job.get("status") not in ("queued", "running"):
            return draft
        stage = f"{job.get('stage', '')} ({round(100 * float(job.get('progress') or 0))}%)"
        if stage != last and not ctx.json:
            ctx.note(f"  {stage}")
            last = stage
        if time.monotonic() > deadline:
            raise ClientError(
                "timeout", f"Draft {draft_id} is still working; follow it with --draft {draft_id}."
            )
        time.sleep(POLL_SECONDS)


def report(ctx: Ctx, draft: JSON, definition: Path) -> int:
    job = draft.get("job") or {}
    status = job.get("status")
    if status == "done":
        rules = job.get("rules") or {}
        chosen = ", ".join(f"{k} = {rules[k]}" for k in ("alpha", "mu_min", "z") if k in rules)
        suggested = f" (suggested: {', '.join(rules['suggested'])})" if rules.get("suggested") else ""
        text = f"Created {job.get('competition')} ({job.get('competition_status')}): {chosen}{suggested}."
        publication = rules.get("publication") or {}
        if publication.get("hides_gains"):
            text += (
                f"\nWarning: figures are published at a step of {publication['step']}, coarser than alpha:"
                f" accepted gains under it show as 0"
                f" (publish_k {publication['k_for_alpha']} or less avoids it)."
            )
        ctx.emit(draft, text)
        return OK
    if status == "needs_choices":
        ctx.emit(draft, problems_text(job.get("problems") or [], int(draft["id"]), definition))
        return REJECTED
    error = job.get("error") or {}
    ctx.emit(draft, f"Draft {draft['id']}: {error.get('message', 'failed')} [{error.get('code', status)}]")
    return FAILED


def problems_text(problems: list[Any], draft_id: int, definition: Path) -> str:
    lines = [f"Draft {draft_id} needs your decision; nothing was created."]
    for problem in problems:
        if isinstance(problem, str):  # a value the schema refuses
            lines.append(f"- {problem}")
            continue
        lines.append(f"- {problem['key']}: {problem['message']}")
        for place in problem.get("places") or []:
            rows = ", ".join(map(str, place.get("rows") or [])) or "not recorded"
            lines.append(f"    {place['file']}: {place['count']:,} rows; first rows: {rows}")
        if problem.get("values"):
            shown = ", ".join(f"{value!r} ({count:,})" for value, count in _items(problem["values"]))
            lines.append(f"    values: {shown}")
        for choice, meaning in _items(problem.get("choices") or {}):
            lines.append(f"    {problem['key']}: {choice}  # {meaning}")
    lines.append(f"Add one choice per problem under problems: in {definition.name}, then run:")
    lines.append(f"  bounty organize create {definition} --draft {draft_id}")
    return "\n".join(lines)


def open_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slug", help="the competition, created as a draft")


def open_competition(ctx: Ctx) -> int:
    data = ctx.session().client.open_competition(ctx.args.slug)
    ctx.emit(data, f"{data.get('message', 'Opened.')} ({ctx.args.slug})")
    return OK


def _items(mapping: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return list(mapping.items())
