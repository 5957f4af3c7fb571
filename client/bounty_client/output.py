"""Human-readable output of the ``bounty`` commands: plain-text tables and figure blocks."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from bounty_client.local import LocalCheck

HOLDOUT_NOTE = (
    "These figures are on the public train split. The server decides on a hidden holdout, "
    "against the current global model, so its decision can differ."
)
REASONS = {
    "accepted": "accepted",
    "group_too_small": "the group is too small (below the minimum share of rows)",
    "insufficient_improvement": "the improvement is not large enough",
    "gap_too_small": "the model does not do worse enough on the group than on the rest",
    "invalid_group": "the group is not valid",
    "invalid_model": "the model file was refused",
    "schema_mismatch": "the data does not match the schema",
    "prediction_error": "the model's predictions were not usable",
    "timeout": "the model took too long",
    "resource_limit": "the model needed too much memory or CPU",
}


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, default=str)


def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """A left-aligned text table of ``rows`` with ``columns`` given as (key, header) pairs."""
    if not rows:
        return "(none)"
    cells = [[cell(row.get(key)) for key, _ in columns] for row in rows]
    headers = [header for _, header in columns]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def pairs(items: Sequence[tuple[str, Any]]) -> str:
    width = max(len(k) for k, _ in items)
    return "\n".join(f"{k.ljust(width)}  {cell(v)}" for k, v in items)


def reason_text(reason: str | None) -> str:
    return REASONS.get(reason or "", reason or "-")


def check_text(result: LocalCheck) -> str:
    verdict = "would be ACCEPTED" if result.accepted else f"would be REJECTED: {reason_text(result.reason)}"
    rows = [
        ("group", result.group_text),
        ("rows in train", result.n_rows),
        ("rows in group", result.members),
        ("mass (share of rows)", f"{result.mass:.4f}  (minimum {result.mu_min:g})"),
        ("loss of base model on g", f"{result.loss_current:.6f}"),
        ("loss of h on g", f"{result.loss_h:.6f}"),
        ("gain (mass x difference)", f"{result.gain:.6f}"),
        ("standard error of gain", f"{result.se:.6f}"),
        ("margin", f"{result.margin:.6f}  (gain - {result.z:g} x se - alpha {result.alpha:g})"),
        ("public gain if accepted", f"{result.public_gain:g}"),
    ]
    return f"{pairs(rows)}\n\nOn the train split the pair {verdict}.\n{HOLDOUT_NOTE}"


def explore_text(landscape: Mapping[str, Any], slug: str, *, by: str | None = None) -> str:
    """The top slices (or, with ``by``, the loss by each level of one column) and how to submit."""
    rules = landscape["scoring"]
    head = (
        f"Where the base model does worst on the public train split ({landscape['rows']:,} rows, "
        f"mean loss {cell(landscape['loss'])}):"
    )
    if by is not None:
        found = [column for column in landscape["columns"] if column["name"] == by]
        if not found:
            names = ", ".join(column["name"] for column in landscape["columns"])
            raise ValueError(f"no column {by!r} in the train split; the columns are {names}")
        levels = [
            {**level, "rows": f"{level['rows']:,}", "loss": _fixed(level["loss"])}
            for level in found[0]["levels"]
        ]
        columns = [("name", by), ("text", "group"), ("rows", "rows"), ("loss", "mean loss")]
        return f"{head}\n\n{table(levels, columns)}"
    rows = [
        {
            "n": number,
            "text": item["text"],
            "rows": f"{item['rows']:,}",
            "loss": f"{item['loss']:.3f}",
            "gap": f"{item['gap']:+.3f}",
            "interval": f"{item['low']:.3f} to {item['high']:.3f}",
        }
        for number, item in enumerate(landscape["slices"], start=1)
    ]
    columns = [("n", "#"), ("text", "group"), ("rows", "rows"), ("loss", "mean loss"),
               ("gap", "vs the rest"), ("interval", "95% interval")]  # fmt: skip
    note = (
        f"Ranked by SliceLine's score (alpha {rules['alpha']:g}); slices of at least "
        f"{rules['min_rows']:,} rows. The figures are on the public train split; the server decides on a "
        "hidden holdout."
    )
    lines = [head, "", table(rows, columns), "", note]
    if landscape["slices"]:
        group = shlex.quote(landscape["slices"][0]["text"])
        lines.append(f"To submit a model for #1: bounty submit {slug} --group {group} --model h.skops")
    return "\n".join(lines)


def _fixed(value: float | None) -> str | None:
    return None if value is None else f"{value:.3f}"


def submission_text(sub: Mapping[str, Any]) -> str:
    rows = [
        ("submission", sub.get("id")),
        ("competition", sub.get("competition")),
        ("team", sub.get("team")),
        ("status", sub.get("status")),
        *([("outcome", sub["status_label"])] if sub.get("status_label") else []),
        ("reason", reason_text(sub.get("reason")) if sub.get("reason") else None),
        ("message", sub.get("message") or None),
        ("group", sub.get("group_text") or ("(a group model)" if sub.get("has_group_model") else None)),
        ("public gain", sub.get("public_gain")),
        *([("credited gain now", sub["credited_gain"])] if sub.get("credited_gain") is not None else []),
        ("checked against version", sub.get("checked_version")),
        ("created", sub.get("created_at")),
        ("finished", sub.get("finished_at")),
    ]
    return pairs(rows)


COMPETITION_COLUMNS = [
    ("slug", "slug"),
    ("title", "title"),
    ("status", "status"),
    ("task", "task"),
    ("loss", "loss"),
    ("accepting_submissions", "open"),
    ("closes_at", "closes"),
]
SUBMISSION_COLUMNS = [
    ("id", "id"),
    ("outcome", "status"),
    ("reason", "reason"),
    ("public_gain", "public gain"),
    ("group_text", "group"),
    ("created_at", "created"),
]
LEADERBOARD_COLUMNS = [
    ("rank", "rank"),
    ("team", "team"),
    ("credit", "credit"),  # percent of the published base loss, as on the web: "10.81%"
    ("gain", "gain"),
    ("updates", "accepted"),
    ("rejections", "rejected"),
    ("findings", "findings"),
]
VERSION_COLUMNS = [
    ("number", "version"),
    ("kind", "kind"),
    ("public_gain", "public gain"),
    ("created_at", "created"),
]


def submission_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each submission with its outcome ("Accepted, rolled back in v5"; the bare status from a server
    that does not say)."""
    return [{**row, "outcome": row.get("status_label") or row.get("status")} for row in rows]


def leaderboard_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each row as the web shows it: credit in percent of the published base loss with 2 decimals
    (``credit_percent``), the published gain as the server wrote it."""
    return [
        {
            **row,
            "credit": _percent(row.get("credit_percent")),
            "gain": _plain(row.get("gain")),
            "updates": len(row.get("updates") or []),
            "findings": len(row.get("findings") or []),
        }
        for row in rows
    ]


def _percent(value: Any) -> str | None:
    return None if value is None else f"{float(value):.2f}%"


def _plain(value: Any) -> str | None:
    """A published figure exactly as published (no trailing zeros): 0.016, not 0.0160000."""
    if value is None:
        return None
    number = float(value)
    return f"{number:.6f}".rstrip("0").rstrip(".") if number != 0 else "0"


class Progress:
    """One status line while waiting: rewritten in place on a terminal, else printed on change."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = ""

    def __call__(self, submission: Mapping[str, Any], elapsed: float) -> None:
        status = str(submission.get("status"))
        line = f"submission {submission.get('id')}: {status} ({elapsed:.0f} s)"
        if self.tty:
            self.stream.write("\r" + line.ljust(60))
            self.stream.flush()
        elif status != self.last:
            self.stream.write(line + "\n")
        self.last = status

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
