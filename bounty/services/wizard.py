"""The create-competition wizard: a draft's files, values, schema, base model and rules, then the
competition. The API's competition definitions (``bounty.services.definitions``) drive the same steps.

Files live in ``<data dir>/drafts/<id>/`` (never under a URL): ``uploads/`` as they arrived,
``raw/<key>.parquet`` as read (every CSV value as text, exactly), ``splits/<split>.parquet`` typed by
the schema, ``base.skops``. What the reader found and what the organizer chose live in
``CompetitionDraft.state``; the long steps (reading, typing, training, creating) run as background jobs
(``bounty.services.draft_jobs``). Every refusal is a ``DomainError`` naming the file, column and rows.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import User

from bounty.engine_adapter import model_format_check
from bounty.errors import DomainError
from bounty.models import Competition, CompetitionDraft
from bounty.selectors.organizers import require_organizer
from bounty.services.audit import audit_record
from bounty.services.draft_jobs import draft_job_start, require_idle
from bounty.storage import draft_folder
from bounty.wizard.infer import guess_columns
from bounty.wizard.prepare import SPLITS, SplitPlan
from bounty.wizard.problems import Problem, check_choices, find_problems, unresolved
from bounty.wizard.schema_build import ColumnChoice, TargetChoice, build_schema
from bounty.wizard.stats import FileStats
from scoring.schema import Schema, SchemaIssue

Step = CompetitionDraft.Step
MAX_ISSUES = 20


class Upload(Protocol):
    """What the wizard needs of an uploaded file (Django's ``UploadedFile`` fits)."""

    name: str | None

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


def draft_dir(draft: CompetitionDraft) -> Path:
    return draft_folder(int(draft.pk))


def draft_start(*, user: User, title: str, slug: str) -> CompetitionDraft:
    require_organizer(user)
    check_slug(slug)
    draft = CompetitionDraft.objects.create(owner=user, title=title, slug=slug)
    audit_record(action="wizard.start", actor=user, payload={"draft": draft.pk, "slug": slug})
    return draft


def check_slug(slug: str) -> None:
    if Competition.objects.filter(slug=slug).exists():
        raise DomainError("slug_taken", f"A competition called {slug!r} exists already.", field="slug")


# -- step 1: data ---------------------------------------------------------------------------------
def draft_upload(
    *, draft: CompetitionDraft, uploads: Mapping[str, Upload], plan: SplitPlan, delimiter: str = ""
) -> None:
    """Keep the uploaded files (``data``, or ``train`` / ``holdout`` / ``confirmation``) and start
    reading them in the background."""
    require_idle(draft)
    keys = ("data",) if plan.mode == "one" else SPLITS
    if set(uploads) != set(keys):
        raise DomainError("invalid_data", f"Upload the files {', '.join(keys)}.", field="data")
    folder = draft_dir(draft)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "uploads").mkdir(parents=True)
    for key in keys:
        store_upload(uploads[key], folder / "uploads" / key, label=f"the file {uploads[key].name or key}")
    draft.state = {
        "source": {
            "mode": plan.mode,
            "files": {k: str(uploads[k].name or k) for k in keys},
            "shares": list(plan.shares),
            "seed": plan.seed,
            "delimiter": delimiter,
        }
    }
    draft.step = Step.DATA
    draft.save(update_fields=["state", "step", "updated_at"])
    draft_job_start(draft=draft, name="read")


def store_upload(upload: Upload, target: Path, *, label: str) -> None:
    """Stream one upload to ``target``, refusing it as soon as it passes the size limit."""
    limit = int(settings.BOUNTY_DATA_MAX_BYTES)
    temporary = getattr(upload, "temporary_file_path", None)
    size = int(getattr(upload, "size", 0) or 0)
    if size > limit:
        raise _too_large(label, limit)
    if temporary is not None:  # already on disk (Django spooled it): move, don't copy
        shutil.move(temporary(), target)
        return
    written = 0
    with target.open("wb") as handle:
        for chunk in upload.chunks(1024 * 1024):
            written += len(chunk)
            if written > limit:
                raise _too_large(label, limit)
            handle.write(chunk)


def _too_large(label: str, limit: int) -> DomainError:
    return DomainError(
        "file_too_large", f"{label[:1].upper()}{label[1:]} is larger than {limit / 2**30:.1f} GB."
    )


def draft_files(draft: CompetitionDraft) -> list[FileStats]:
    """What the reader found in each uploaded file (kept beside the data: it can be large)."""
    path = draft_dir(draft) / "stats.json"
    if not draft.state.get("files") or not path.exists():
        raise DomainError("no_data", "Upload the data first.")
    return [FileStats.from_json(f) for f in json.loads(path.read_text())]


def draft_problems(draft: CompetitionDraft) -> list[Problem]:
    return find_problems(draft_files(draft))


# -- step 2: values -------------------------------------------------------------------------------
def draft_set_choices(*, draft: CompetitionDraft, choices: Mapping[str, str], ignored: set[str]) -> None:
    """Record the organizer's choice for each problem found; every problem needs one (problems of
    columns the organizer ignores excepted)."""
    require_idle(draft)
    problems = draft_problems(draft)
    check_choices(problems, choices)
    missing = unresolved(problems, choices, ignored)
    if missing:
        raise DomainError("unresolved_problems", missing[0].text(), field="problems")
    files = draft_files(draft)
    guesses = guess_columns(files, choices)
    draft.state = {
        **draft.state,
        "choices": dict(choices),
        "columns": [g.to_json() for g in guesses],
        "schema": None,
        "schema_problems": [],
    }
    draft.step = Step.SCHEMA
    draft.save(update_fields=["state", "step", "updated_at"])


# -- step 3: schema -------------------------------------------------------------------------------
def draft_set_schema(*, draft: CompetitionDraft, columns: list[ColumnChoice], target: TargetChoice) -> None:
    """Build the schema, then type and split the data by it in the background; values the schema
    refuses come back as the job's problems (each naming the file, column and rows)."""
    require_idle(draft)
    schema = draft_build_schema(draft=draft, columns=columns, target=target)
    draft.state = {
        **draft.state,
        "column_choices": [vars(c) | {"categories": list(c.categories)} for c in columns],
        "target": target.name,
        "pending_schema": schema.to_json(),
        "schema": None,
        "schema_problems": [],
    }
    draft.step = Step.SCHEMA
    draft.save(update_fields=["state", "step", "updated_at"])
    draft_job_start(draft=draft, name="prepare")


def draft_build_schema(
    *, draft: CompetitionDraft, columns: list[ColumnChoice], target: TargetChoice
) -> Schema:
    return build_schema(draft_files(draft), draft.state.get("choices") or {}, columns, target)


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


# -- step 4: base model ---------------------------------------------------------------------------
def draft_train_model(*, draft: CompetitionDraft, algorithm: str, description: str = "") -> None:
    """Train one of the platform's base models on the typed train split, in the background."""
    require_idle(draft)
    draft_schema(draft)
    from bounty.wizard.training import BY_KEY

    if algorithm not in BY_KEY:
        raise DomainError("invalid_model", f"Unknown algorithm {algorithm!r}.", field="algorithm")
    draft.state = {**draft.state, "training": {"algorithm": algorithm, "description": description}}
    draft.save(update_fields=["state", "updated_at"])
    draft_job_start(draft=draft, name="train")


def draft_upload_model(*, draft: CompetitionDraft, upload: Upload, description: str = "") -> None:
    require_idle(draft)
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
    store_model(draft, bytes(data), info, description or "A model uploaded by the organizers.")
    draft_job_start(draft=draft, name="spread")  # the pre-flight's measurement runs the model: a job


def store_model(draft: CompetitionDraft, model: bytes, info: dict[str, Any], description: str) -> None:
    (draft_dir(draft) / "base.skops").write_bytes(model)
    draft.state = {**draft.state, "model": {**info, "description": description, "bytes": len(model)}}
    draft.step = Step.RULES
    draft.save(update_fields=["state", "step", "updated_at"])


# -- step 5: rules, then finish -------------------------------------------------------------------
def draft_set_rules(*, draft: CompetitionDraft, rules: dict[str, Any]) -> None:
    require_idle(draft)
    if not draft.state.get("model"):
        raise DomainError("no_model", "Choose the base model first.")
    stored = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in rules.items()}
    draft.state = {**draft.state, "rules": stored}
    draft.step = Step.REVIEW
    draft.save(update_fields=["state", "step", "updated_at"])


def draft_finish(*, draft: CompetitionDraft, user: User, open_now: bool = False) -> None:
    """Create the competition from the draft in the background (status draft, or open)."""
    require_organizer(user)
    require_idle(draft)
    if draft.competition_id is not None:
        raise DomainError("already_created", "This draft was already turned into a competition.")
    check_slug(draft.slug)
    draft_schema(draft)
    if not (draft_dir(draft) / "base.skops").exists() or "rules" not in draft.state:
        raise DomainError("incomplete", "Finish every step first.")
    draft.state = {**draft.state, "open_now": open_now, "finished_by": user.pk}
    draft.save(update_fields=["state", "updated_at"])
    draft_job_start(draft=draft, name="create")
