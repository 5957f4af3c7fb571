"""The create-competition wizard: a draft's data, schema, base model and rules, then the competition.

Uploaded splits are kept as text CSV in ``<data dir>/drafts/<id>/`` (never under a URL) and the choices
in ``CompetitionDraft.state``; finishing calls ``competition_create`` (status draft) and removes the
draft's files. Every refusal is a ``DomainError`` naming the file, column and row at fault.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from bounty.engine_adapter import model_format_check
from bounty.errors import DomainError
from bounty.models import Competition, CompetitionDraft
from bounty.selectors.organizers import require_organizer
from bounty.services.audit import audit_record
from bounty.services.competitions import competition_create
from bounty.services.organize import rules_arguments
from bounty.storage import data_dir
from bounty.wizard import files
from bounty.wizard.infer import combined, guess_columns, guess_target_name
from bounty.wizard.schema_build import ColumnChoice, TargetChoice, build_schema
from bounty.wizard.training import describe, train_base
from scoring.schema import Schema, SchemaIssue

SPLITS = files.SPLIT_NAMES
MAX_ISSUES = 20
Step = CompetitionDraft.Step


class Upload(Protocol):
    """What the wizard needs of an uploaded file (Django's ``UploadedFile`` fits)."""

    name: str | None

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


def draft_dir(draft: CompetitionDraft) -> Path:
    return data_dir() / "drafts" / str(int(draft.pk))


def draft_start(*, user: User, title: str, slug: str) -> CompetitionDraft:
    require_organizer(user)
    _check_slug(slug)
    draft = CompetitionDraft.objects.create(owner=user, title=title, slug=slug)
    audit_record(action="wizard.start", actor=user, payload={"draft": draft.pk, "slug": slug})
    return draft


def _check_slug(slug: str) -> None:
    if Competition.objects.filter(slug=slug).exists():
        raise DomainError("slug_taken", f"A competition called {slug!r} exists already.", field="slug")


# -- step 1: data ---------------------------------------------------------------------------------
def draft_upload_splits(*, draft: CompetitionDraft, uploads: dict[str, Upload]) -> None:
    """Store three uploaded splits (train, holdout, confirmation) after reading them."""
    frames = {name: _read_upload(draft, uploads[name], f"the {name} file") for name in SPLITS}
    source = {"mode": "three", "files": {n: uploads[n].name for n in SPLITS}}
    _store_frames(draft, frames, source)


def draft_upload_single(
    *, draft: CompetitionDraft, upload: Upload, ratios: tuple[float, float, float], seed: int
) -> None:
    """Store one uploaded table split at random (seeded) into the three splits."""
    frame = _read_upload(draft, upload, "the file")
    frames = files.split_table(frame, ratios, seed)
    source = {"mode": "one", "files": {"all": upload.name}, "ratios": list(ratios), "seed": seed}
    _store_frames(draft, frames, source)


def _read_upload(draft: CompetitionDraft, upload: Upload, label: str) -> pd.DataFrame:
    folder = draft_dir(draft)
    folder.mkdir(parents=True, exist_ok=True)
    raw = folder / "upload.tmp"
    limit = int(settings.BOUNTY_WIZARD_MAX_FILE_BYTES)
    size = 0
    try:
        with raw.open("wb") as handle:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > limit:
                    message = f"{label.capitalize()} is larger than {limit // 2**20} MB."
                    raise DomainError("file_too_large", message)
                handle.write(chunk)
        return files.read_table(
            raw,
            label=label,
            max_rows=int(settings.BOUNTY_WIZARD_MAX_ROWS),
            max_columns=512,
        )
    finally:
        raw.unlink(missing_ok=True)


def _store_frames(draft: CompetitionDraft, frames: dict[str, pd.DataFrame], source: dict[str, Any]) -> None:
    files.check_same_columns(frames)
    order = list(frames["train"].columns)
    folder = draft_dir(draft)
    for name, frame in frames.items():
        frame[order].to_csv(folder / f"{name}.csv", index=False)
    (folder / "base.skops").unlink(missing_ok=True)
    guesses = guess_columns(combined([frames[n][order] for n in SPLITS]))
    draft.state = {
        "source": source,
        "rows": {n: len(frames[n]) for n in SPLITS},
        "columns": [g.to_json() for g in guesses],
        "target": guess_target_name(order),
    }
    draft.step = Step.SCHEMA
    draft.save(update_fields=["state", "step", "updated_at"])


def draft_frames(draft: CompetitionDraft) -> dict[str, pd.DataFrame]:
    """The draft's stored splits (text values)."""
    folder = draft_dir(draft)
    if not all((folder / f"{n}.csv").exists() for n in SPLITS):
        raise DomainError("no_data", "Upload the data first.")
    limit = int(settings.BOUNTY_WIZARD_MAX_ROWS)
    return {
        n: files.read_table(folder / f"{n}.csv", label=f"the {n} file", max_rows=limit, max_columns=512)
        for n in SPLITS
    }


# -- step 2: schema -------------------------------------------------------------------------------
def draft_set_schema(
    *, draft: CompetitionDraft, columns: list[ColumnChoice], target: TargetChoice
) -> list[str]:
    """Build and check the schema against every split. Returns the problems found (each naming the
    split, column and row); the schema is kept and the step advances only when there are none."""
    frames = draft_frames(draft)
    schema = build_schema(combined(list(frames.values())), columns, target)
    problems = schema_problems(schema, frames)
    draft.state = {
        **draft.state,
        "choices": [vars(c) | {"categories": list(c.categories)} for c in columns],
        "target": target.name,
        "schema": schema.to_json() if not problems else None,
    }
    if not problems:
        draft.step = Step.MODEL
    draft.save(update_fields=["state", "step", "updated_at"])
    return problems


def schema_problems(schema: Schema, frames: dict[str, pd.DataFrame]) -> list[str]:
    """Every split must fit the schema (types, allowed values, missing values, target values)."""
    problems: list[str] = []
    for name in SPLITS:
        for issue in schema.validate(frames[name], with_target=True):
            problems.append(issue_text(name, issue))
    if schema.task.is_classification:
        seen = set(frames["train"][schema.target].dropna().astype(str))
        if len(seen) < 2:
            problems.append(f"The train file: target {schema.target!r} needs at least two classes.")
    return problems[:MAX_ISSUES]


def issue_text(split: str, issue: SchemaIssue) -> str:
    where = f"the {split} file, column {issue.column!r}"
    if issue.row is not None:
        where += f", row {issue.row + 1}"
    return f"{where}: {issue.message}"


def draft_schema(draft: CompetitionDraft) -> Schema:
    data = draft.state.get("schema")
    if not data:
        raise DomainError("no_schema", "Confirm the schema first.")
    return Schema.from_json(data)


# -- step 3: base model ---------------------------------------------------------------------------
def draft_train_model(*, draft: CompetitionDraft, algorithm: str, description: str = "") -> None:
    schema = draft_schema(draft)
    train = draft_frames(draft)["train"]
    if len(train) > int(settings.BOUNTY_WIZARD_MAX_TRAIN_ROWS):
        message = "The train split is too large to train here; upload a model file instead."
        raise DomainError("train_too_large", message, field="source")
    try:
        model = train_base(algorithm, train, schema)
    except (ValueError, TypeError) as exc:
        raise DomainError("training_failed", f"Training failed: {exc}", field="algorithm") from exc
    info = {"source": "trained", "algorithm": algorithm}
    _store_model(draft, model, info, description or describe(algorithm, schema))


def draft_upload_model(*, draft: CompetitionDraft, upload: Upload, description: str = "") -> None:
    draft_schema(draft)
    limit = int(settings.BOUNTY_MAX_MODEL_BYTES)
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > limit:
            raise DomainError(
                "file_too_large", f"The model is larger than {limit // 2**20} MB.", "model_file"
            )
    model_format_check(data=bytes(data), field="model_file")
    info = {"source": "upload", "file": upload.name}
    _store_model(draft, bytes(data), info, description or "A model uploaded by the organizers.")


def _store_model(draft: CompetitionDraft, model: bytes, info: dict[str, Any], description: str) -> None:
    (draft_dir(draft) / "base.skops").write_bytes(model)
    draft.state = {
        **draft.state,
        "model": {**info, "description": description, "bytes": len(model)},
    }
    draft.step = Step.RULES
    draft.save(update_fields=["state", "step", "updated_at"])


# -- step 4: rules, then finish -------------------------------------------------------------------
def draft_set_rules(*, draft: CompetitionDraft, rules: dict[str, Any]) -> None:
    if not draft.state.get("model"):
        raise DomainError("no_model", "Choose the base model first.")
    stored = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in rules.items()}
    draft.state = {**draft.state, "rules": stored}
    draft.step = Step.REVIEW
    draft.save(update_fields=["state", "step", "updated_at"])


def draft_finish(*, draft: CompetitionDraft, user: User) -> Competition:
    """Create the competition (status draft) from the draft, then drop the draft's files."""
    require_organizer(user)
    if draft.competition_id is not None:
        raise DomainError("already_created", "This draft was already turned into a competition.")
    _check_slug(draft.slug)
    schema = draft_schema(draft)
    model_path = draft_dir(draft) / "base.skops"
    if not model_path.exists() or "rules" not in draft.state:
        raise DomainError("incomplete", "Finish every step first.")
    with transaction.atomic():
        competition = competition_create(
            slug=draft.slug,
            title=draft.title,
            schema=schema,
            splits=draft_frames(draft),
            base_model=model_path.read_bytes(),
            organizers=[draft.owner],
            status=Competition.Status.DRAFT,
            base_model_description=str(draft.state["model"]["description"]),
            actor=user,
            **rules_arguments(draft.state["rules"]),
        )
        draft.competition = competition
        draft.step = Step.DONE
        draft.save(update_fields=["competition", "step", "updated_at"])
    shutil.rmtree(draft_dir(draft), ignore_errors=True)
    return competition
