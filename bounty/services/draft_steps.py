"""The steps a draft's background jobs run (``bounty.services.draft_runner`` runs them): each reads
the draft, does one step and records its outcome in ``state``; a refusal is a ``DomainError``."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.conf import settings
from django.contrib.auth.models import User

from bounty.errors import DomainError
from bounty.models import Competition, CompetitionDraft
from bounty.services.competitions import competition_create
from bounty.services.draft_jobs import Progress
from bounty.services.organize import competition_open, rules_arguments
from bounty.services.rules_advice import default_loss, draft_spread_measure
from bounty.services.wizard import check_slug, draft_dir, draft_files, draft_schema, store_model
from bounty.storage import draft_forget
from bounty.wizard.infer import guess_columns, guess_target_name
from bounty.wizard.prepare import SPLITS, SplitPlan, read_split, read_split_sample, write_typed
from bounty.wizard.problems import find_problems
from bounty.wizard.reading import read_upload
from bounty.wizard.stats import FileStats
from bounty.wizard.training import describe, train_base
from scoring.schema import Schema

Step = CompetitionDraft.Step
MAX_COLUMNS = 512


@dataclass
class Outcome:
    status: str = "done"  # done | needs_choices
    extra: dict[str, Any] = field(default_factory=dict)


# -- reading --------------------------------------------------------------------------------------
def read_files(draft: CompetitionDraft, report: Progress) -> Outcome:
    source = draft.state["source"]
    folder = draft_dir(draft)
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    keys = list(source["files"])
    found: list[FileStats] = []
    for index, key in enumerate(keys):
        label = str(source["files"][key])

        def share(part: float, index: int = index, label: str = label) -> None:
            report((index + part) / len(keys), f"Reading {label}")

        found.append(
            read_upload(
                folder / "uploads" / key,
                folder / "raw" / f"{key}.parquet",
                label=label,
                max_rows=int(settings.BOUNTY_WIZARD_MAX_ROWS),
                max_columns=MAX_COLUMNS,
                delimiter=str(source.get("delimiter") or ""),
                progress=share,
            )
        )
    _same_columns(found)
    shutil.rmtree(folder / "uploads", ignore_errors=True)
    (folder / "stats.json").write_text(json.dumps([f.to_json() for f in found]))
    return _after_reading(draft, found)


def _same_columns(found: list[FileStats]) -> None:
    first = {c.name for c in found[0].columns}
    for other in found[1:]:
        names = {c.name for c in other.columns}
        if names != first:
            name = sorted(first ^ names)[0]
            where = found[0].label if name in first else other.label
            message = f"The files' columns differ: {name!r} is only in {where}."
            raise DomainError("invalid_data", message, field="data")


def _after_reading(draft: CompetitionDraft, found: list[FileStats]) -> Outcome:
    problems = find_problems(found)
    guesses = guess_columns(found, {})
    draft.state = {
        **draft.state,
        "files": [f.to_json() | {"columns": []} for f in found],  # columns: stats.json
        "rows": {f.label: f.rows for f in found},
        "problems": [p.to_json() for p in problems],
        "choices": {},
        "columns": [g.to_json() for g in guesses],
        "target": guess_target_name([c.name for c in found[0].columns]),
    }
    draft.step = Step.PROBLEMS if problems else Step.SCHEMA
    draft.save(update_fields=["state", "step", "updated_at"])
    return Outcome(extra={"problems": [p.text() for p in problems]})


# -- typing and splitting -------------------------------------------------------------------------
def prepare_splits(draft: CompetitionDraft, report: Progress) -> Outcome:
    schema = Schema.from_json(draft.state["pending_schema"])
    source = draft.state["source"]
    files = draft_files(draft)
    folder = draft_dir(draft)
    raw = {
        key: (folder / "raw" / f"{key}.parquet", stats)
        for key, stats in zip(source["files"], files, strict=True)
    }
    plan = SplitPlan(source["mode"], tuple(source["shares"]), int(source["seed"]))
    counts, problems = write_typed(
        raw,
        schema=schema,
        choices=draft.state.get("choices") or {},
        plan=plan,
        folder=folder / "splits",
        progress=lambda share: report(share, "Typing and splitting the rows"),
    )
    if problems:
        draft.state = {**draft.state, "schema_problems": problems}
        draft.save(update_fields=["state", "updated_at"])
        return Outcome("needs_choices", {"problems": problems})
    draft.state = {**draft.state, "schema": schema.to_json(), "split_rows": counts, "schema_problems": []}
    draft.step = Step.MODEL
    draft.save(update_fields=["state", "step", "updated_at"])
    return Outcome(extra={"rows": counts})


def draft_frames(draft: CompetitionDraft) -> dict[str, pd.DataFrame]:
    folder = draft_dir(draft) / "splits"
    if not all((folder / f"{s}.parquet").exists() for s in SPLITS):
        raise DomainError("no_data", "Confirm the schema first.")
    return {s: read_split(folder, s) for s in SPLITS}


# -- base model -----------------------------------------------------------------------------------
def train_model(draft: CompetitionDraft, report: Progress) -> Outcome:
    schema = draft_schema(draft)
    choice = draft.state["training"]
    report(0.05, "Loading the train split")
    limit = int(settings.BOUNTY_WIZARD_MAX_TRAIN_ROWS)  # a seeded sample: the same draft, the same model
    train, total = read_split_sample(draft_dir(draft) / "splits", "train", limit=limit)
    used = len(train)
    report(0.2, f"Training on {used:,} rows")
    try:
        model = train_base(choice["algorithm"], train, schema)
    except (ValueError, TypeError) as exc:
        raise DomainError("training_failed", f"Training failed: {exc}", field="algorithm") from exc
    description = choice.get("description") or describe(choice["algorithm"], schema)
    if used < total:
        description += f" Trained on a random {used:,} of the train split's rows."
    info = {"source": "trained", "algorithm": choice["algorithm"], "rows": used}
    store_model(draft, model, info, description)
    return Outcome()


def measure_spread(
    draft: CompetitionDraft, report: Progress, *, loss: str = "", params: dict[str, Any] | None = None
) -> Outcome:
    """How much real fixes' per-row gains vary on this data, for the pre-flight (sandboxed base model)."""
    report(0.0, "Measuring how much real fixes' gains vary (for the pre-flight)")
    schema = draft_schema(draft)
    draft_spread_measure(
        draft=draft, schema=schema, loss=loss or default_loss(schema), loss_params=params or {}
    )
    return Outcome()


def train_and_measure(draft: CompetitionDraft, report: Progress) -> Outcome:
    train_model(draft, lambda share, stage: report(0.8 * share, stage))
    return measure_spread(draft, lambda share, stage: report(0.8 + 0.2 * share, stage))


# -- creating -------------------------------------------------------------------------------------
def create_competition(draft: CompetitionDraft, report: Progress) -> Outcome:
    check_slug(draft.slug)
    user = User.objects.get(pk=draft.state.get("finished_by") or draft.owner_id)
    report(0.1, "Storing the splits and running the base model on them")
    competition = competition_create(
        slug=draft.slug,
        title=draft.title,
        schema=draft_schema(draft),
        splits=draft_frames(draft),
        base_model=(draft_dir(draft) / "base.skops").read_bytes(),
        organizers=[draft.owner],
        status=Competition.Status.DRAFT,
        base_model_description=str(draft.state["model"]["description"]),
        actor=user,
        **rules_arguments(draft.state["rules"]),
    )
    if draft.state.get("open_now"):
        competition = competition_open(competition=competition, user=user)
    draft.competition = competition
    draft.step = Step.DONE
    draft.save(update_fields=["competition", "step", "updated_at"])
    draft_forget(int(draft.pk))
    return Outcome(extra={"competition": competition.slug, "competition_status": competition.status})
