"""Exports: the current model as a deployable bundle (organizers), every submission with the
organizer-only figures (organizers) and the public leaderboard (anyone), as CSV.

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) are prefixed with an apostrophe: team names and group texts come from participants.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User

from bounty.engine_adapter import competition_store, group_describe
from bounty.errors import DomainError
from bounty.models import Competition, Submission
from bounty.selectors.leaderboard import leaderboard
from bounty.selectors.outcomes import standing_of, submission_outcome
from bounty.selectors.published import published_figures
from bounty.selectors.rewards import PAYOUT_COLUMNS, competition_program, payout_rows
from bounty.services.audit import audit_record
from bounty.services.organizer_guards import organizer_required
from scoring.engine import organize as engine
from scoring.errors import EngineError
from scoring.publish import PERCENT_DIGITS

FIGURES = ("mass", "loss_current", "loss_h", "gain", "se", "margin")
SUBMISSION_COLUMNS = (
    "id", "arrival", "team", "author", "created_at", "finished_at", "status", "outcome", "reason",
    "checked_version", "group", "group_model_sha256", "model_sha256", *FIGURES, "public_gain",
    "credited_gain", "counts", "dropped", "dropped_in", "confirmed_gain", "confirmed",
)  # fmt: skip
LEADERBOARD_COLUMNS = (
    "rank", "team", "credit_percent", "gain", "accepted_updates", "rejections", "findings", "findings_fixed",
)  # fmt: skip


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _csv(header: tuple[str, ...], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def bundle_export(*, competition: Competition, actor: User) -> tuple[str, bytes]:
    """The current version as a zip bundle (``scoring.bundle``): its file name and bytes."""
    organizer_required(competition=competition, actor=actor)
    competition.refresh_from_db(fields=["head_version"])
    head = competition.head_version
    meta = {"competition": competition.slug, "title": competition.title, "version": head}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = engine.export_bundle(
                competition_store(competition), Path(tmp) / "bundle.zip", head=head, meta=meta
            )
            data = path.read_bytes()
    except (OSError, EngineError) as exc:
        raise DomainError("not_found", "The model of this competition is not available.") from exc
    audit_record(
        action="competition.export_bundle",
        actor=actor,
        competition=competition,
        payload={"version": head, "bytes": len(data)},
    )
    return f"{competition.slug}-v{head}.zip", data


def _submission_row(s: Submission) -> list[Any]:
    figures = s.figures if isinstance(s.figures, dict) else {}
    group = s.group_text or (group_describe(s.group_tree) if s.group_tree is not None else "")
    outcome, standing = submission_outcome(s), standing_of(s)
    accepted = s.status == Submission.Status.ACCEPTED
    return [
        s.pk, s.seq, s.team.name, s.author.username, s.created_at.isoformat(),
        s.finished_at.isoformat() if s.finished_at else None, s.status, outcome.label, s.reason,
        s.checked_version, group, s.group_model_sha256, s.model_sha256, *(figures.get(k) for k in FIGURES),
        s.public_gain, outcome.credited_gain, outcome.counts if accepted else None, outcome.undone,
        outcome.undone_in, None if standing is None else standing.confirmed_gain,
        None if standing is None else standing.confirmed,
    ]  # fmt: skip


def submissions_csv(*, competition: Competition, actor: User) -> str:
    """Every submission, in arrival order, with the organizer-only figures and where it stands now."""
    organizer_required(competition=competition, actor=actor)
    submissions = competition.submissions.select_related("team", "author", "standing", "competition")
    submissions = submissions.order_by("seq")
    rows = [_submission_row(s) for s in submissions]
    audit_record(
        action="competition.export_submissions",
        actor=actor,
        competition=competition,
        payload={"rows": len(rows)},
    )
    return _csv(SUBMISSION_COLUMNS, rows)


def leaderboard_csv(*, competition: Competition) -> str:
    """The public leaderboard: what the leaderboard page shows, with the same published figures (credit
    in percent of the published base loss, 2 decimals; gains at the competition's step)."""
    figures = published_figures(competition=competition)
    rows = [
        [
            r.rank,
            r.team.name,
            f"{r.credit:.{PERCENT_DIGITS}f}",
            figures.step.text(r.gain),
            len(r.updates),
            r.rejections,
            len(r.findings),
            sum(f.fixed_by is not None for f in r.findings),
        ]
        for r in leaderboard(competition=competition, figures=figures)
    ]
    return _csv(LEADERBOARD_COLUMNS, rows)


def payout_csv(*, competition: Competition, actor: User) -> str:
    """The payout ledger: one row per entry and team member (``bounty.selectors.rewards.payout_rows``);
    amounts are written as numbers, never prefixed like text."""
    organizer_required(competition=competition, actor=actor)
    program = competition_program(competition)
    if program is None:
        raise DomainError("no_program", "This competition has no reward program.")
    rows = payout_rows(competition, program)
    audit_record(action="export.payouts", actor=actor, competition=competition, payload={"rows": len(rows)})
    return _csv(PAYOUT_COLUMNS, [[row[c] for c in PAYOUT_COLUMNS] for row in rows])
