"""Competitions as code: a definition (YAML, ``bounty.wizard.definition``) and its files become a
competition through the same draft steps the wizard uses, in one background job.

The job stops, opening nothing, where the organizer must decide: problems in the values without a
choice in ``problems:`` (each with its file, rows and counts), values the schema refuses, a refused
model. The organizer sends a corrected definition to the same draft (the files stay; no new upload).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from bounty.engine_adapter import model_format_check
from bounty.errors import DomainError
from bounty.models import CompetitionDraft
from bounty.selectors.organizers import require_organizer
from bounty.services import draft_steps
from bounty.services.draft_jobs import Progress, draft_job_start, require_idle
from bounty.services.rules_advice import draft_finding_advice, draft_publication, draft_rule_advice
from bounty.services.wizard import (
    Upload,
    check_slug,
    draft_build_schema,
    draft_dir,
    draft_files,
    draft_problems,
    draft_start,
    store_model,
    store_upload,
)
from bounty.wizard.definition import Definition, default_dates, parse_definition
from bounty.wizard.infer import guess_columns
from bounty.wizard.problems import check_choices, unresolved
from bounty.wizard.schema_build import ColumnChoice, TargetChoice
from scoring.check import DEFAULT_BETA
from scoring.losses import LOSSES
from scoring.publish import DEFAULT_PUBLISH_K
from scoring.schema import Schema, Task

Step = CompetitionDraft.Step


def definition_submit(*, user: User, text: str, uploads: Mapping[str, Upload]) -> CompetitionDraft:
    """A new draft from a definition and its files; the work runs in the background."""
    require_organizer(user)
    definition = parse_definition(text)
    _check_uploads(definition, uploads, fresh=True)
    draft = draft_start(user=user, title=definition.title, slug=definition.slug)
    _store(draft, definition, text, uploads)
    return draft


def definition_resubmit(
    *, draft: CompetitionDraft, text: str, uploads: Mapping[str, Upload]
) -> CompetitionDraft:
    """Run a corrected definition on a draft; files sent again replace the stored ones."""
    require_idle(draft)
    if draft.competition_id is not None:
        raise DomainError("already_created", "This draft was already turned into a competition.")
    definition = parse_definition(text)
    _check_uploads(definition, uploads, fresh=not draft.state.get("files"))
    if definition.slug != draft.slug:
        check_slug(definition.slug)
    draft.title, draft.slug = definition.title, definition.slug
    draft.save(update_fields=["title", "slug", "updated_at"])
    _store(draft, definition, text, uploads)
    return draft


def _check_uploads(definition: Definition, uploads: Mapping[str, Upload], *, fresh: bool) -> None:
    needed = set(definition.files) if fresh else set()
    if definition.model_file and (fresh or "model" in uploads):
        needed.add("model")
    sent = set(uploads)
    if fresh and not needed <= sent:
        missing = sorted(needed - sent)[0]
        name = definition.files.get(missing, definition.model_file)
        raise DomainError(
            "invalid_definition", f"Send the file {name!r} as the form field {missing!r}.", missing
        )
    extra = sent - set(definition.files) - {"model"}
    if extra:
        raise DomainError("invalid_definition", f"The definition names no file for {sorted(extra)[0]!r}.")


def _store(draft: CompetitionDraft, definition: Definition, text: str, uploads: Mapping[str, Upload]) -> None:
    folder = draft_dir(draft)
    data_sent = set(definition.files) <= set(uploads)
    if data_sent:
        (folder / "uploads").mkdir(parents=True, exist_ok=True)
        for key, name in definition.files.items():
            store_upload(uploads[key], folder / "uploads" / key, label=f"the file {name}")
    if "model" in uploads:
        store_upload(uploads["model"], folder / "model.upload", label="the model file")
    keep = {} if data_sent else {k: draft.state[k] for k in ("files", "rows") if k in draft.state}
    source = {
        "mode": definition.plan.mode,
        "files": dict(definition.files),
        "shares": list(definition.plan.shares),
        "seed": definition.plan.seed,
        "delimiter": definition.delimiter,
    }
    draft.state = {**keep, "source": source, "definition": text}
    draft.step = Step.DATA if data_sent else Step.PROBLEMS
    draft.save(update_fields=["state", "step", "updated_at"])
    draft_job_start(draft=draft, name="definition")


# -- the job --------------------------------------------------------------------------------------
def definition_run(draft: CompetitionDraft, report: Progress) -> draft_steps.Outcome:
    """Read, resolve, type, train and create as the definition says; stop where it does not say."""
    definition = parse_definition(draft.state["definition"])
    if not draft.state.get("files"):
        draft_steps.read_files(draft, lambda s, stage: report(0.4 * s, stage))
    stop = definition_resolve(draft, definition)
    if stop is not None:
        return stop
    report(0.45, "Typing and splitting the rows")
    outcome = draft_steps.prepare_splits(draft, lambda s, stage: report(0.45 + 0.25 * s, stage))
    if outcome.status != "done":
        return outcome
    definition_model(draft, definition, report)
    schema = Schema.from_json(draft.state["schema"])
    rules = definition_rules(draft, definition, schema)
    draft.state = {**draft.state, "rules": rules, "open_now": definition.open, "finished_by": draft.owner_id}
    draft.step = Step.REVIEW
    draft.save(update_fields=["state", "step", "updated_at"])
    report(0.85, "Creating the competition")
    created = draft_steps.create_competition(draft, lambda s, stage: report(0.85 + 0.15 * s, stage))
    return draft_steps.Outcome(extra={**created.extra, "rules": _public_rules(rules)})


def definition_resolve(draft: CompetitionDraft, definition: Definition) -> draft_steps.Outcome | None:
    problems = draft_problems(draft)
    check_choices(problems, definition.problems)
    ignored = {name for name, o in definition.columns.items() if o.role == "ignore"}
    missing = unresolved(problems, definition.problems, ignored)
    if missing:
        return draft_steps.Outcome("needs_choices", {"problems": [p.to_json() for p in missing]})
    files = draft_files(draft)
    guesses = guess_columns(files, definition.problems)
    names = {g.name for g in guesses}
    wrong = sorted((set(definition.columns) | set(definition.attributes or ())) - names)
    if wrong or (definition.target and definition.target not in names):
        name = wrong[0] if wrong else definition.target
        raise DomainError("invalid_definition", f"There is no column {name!r} in the data.", "columns")
    target = TargetChoice(
        name=definition.target or str(draft.state.get("target")),
        task=definition.task,
        classes=definition.classes,
    )
    columns = [_choice(g.to_json(), definition) for g in guesses]
    schema = draft_build_schema(draft=draft, columns=columns, target=target)
    draft.state = {
        **draft.state,
        "choices": dict(definition.problems),
        "columns": [g.to_json() for g in guesses],
        "column_choices": [vars(c) | {"categories": list(c.categories)} for c in columns],
        "target": target.name,
        "pending_schema": schema.to_json(),
    }
    draft.step = Step.SCHEMA
    draft.save(update_fields=["state", "step", "updated_at"])
    return None


def _choice(guess: dict[str, Any], definition: Definition) -> ColumnChoice:
    override = definition.columns.get(guess["name"])
    attribute = bool(guess["attribute"])
    if definition.attributes is not None:
        attribute = guess["name"] in definition.attributes
    if override is not None and override.attribute is not None:
        attribute = override.attribute
    kind = (override.kind if override else None) or guess["kind"]
    categories = tuple(override.categories) if override and override.categories else ()
    return ColumnChoice(
        name=guess["name"],
        role=(override.role if override else None) or guess["role"],
        kind=kind,
        nullable=guess["nullable"] if override is None or override.nullable is None else override.nullable,
        attribute=attribute,
        categories=categories,
    )


def definition_model(draft: CompetitionDraft, definition: Definition, report: Progress) -> None:
    description = definition.base_model.get("description", "")
    upload = draft_dir(draft) / "model.upload"
    if definition.model_file:
        if not upload.exists():
            raise DomainError("invalid_definition", "Send the model file as the form field 'model'.", "model")
        data = upload.read_bytes()
        model_format_check(data=data, field="model")
        info = {"source": "upload", "file": definition.model_file}
        store_model(draft, data, info, description or "A model uploaded by the organizers.")
        return
    draft.state = {
        **draft.state,
        "training": {"algorithm": definition.base_model["train"], "description": description},
    }
    draft_steps.train_model(draft, lambda s, stage: report(0.7 + 0.15 * s, stage))


def definition_rules(draft: CompetitionDraft, definition: Definition, schema: Schema) -> dict[str, Any]:
    loss = definition.loss or ("zero_one" if schema.task.is_classification else "squared")
    if loss not in LOSSES or Task(schema.task) not in LOSSES[loss].tasks:
        raise DomainError(
            "invalid_definition", f"loss {loss!r} does not fit a {schema.task.value} task.", "loss"
        )
    quotas = definition.quotas
    opens, closes = default_dates(definition, timezone.now())
    if closes <= opens:
        raise DomainError("invalid_definition", "dates.closes must come after dates.opens.", "dates")
    rules: dict[str, Any] = {
        "loss": loss,
        "loss_params": definition.loss_params,
        "daily_quota": int(quotas.get("daily", 5)),
        "total_quota": int(quotas.get("total", 100)),
        "expected_teams": int(quotas.get("expected_teams", 20)),
        "opens_at": opens.isoformat(),
        "closes_at": closes.isoformat(),
        "description": definition.description,
        "rules": definition.rules_text,
        "terms_text": definition.terms,
    }
    if loss not in (draft.state.get("spread") or {}):
        draft_steps.measure_spread(draft, lambda share, stage: None, loss=loss, params=definition.loss_params)
    advice = draft_rule_advice(draft=draft, schema=schema, rules={**rules, **definition.rules})
    chosen = {k: definition.rules.get(k) for k in ("alpha", "mu_min", "z")}
    suggested = {k: advice[k] for k in chosen if chosen[k] is None}
    final = {
        **rules,
        **{k: v for k, v in chosen.items() if v is not None},
        **suggested,
        "publish_k": int(definition.rules.get("publish_k", DEFAULT_PUBLISH_K)),
        "beta": float(definition.rules.get("beta", DEFAULT_BETA)),
        "suggested": sorted(suggested),
    }
    checked = draft_finding_advice(draft=draft, rules=final)
    findings = {
        "expected_false_findings": round(checked.expected_false_findings, 4),
        "detectable_gap": round(checked.detectable[0].gap, 4),  # at mu_min, found 8 times in 10
        "enough": checked.enough,
    }
    return {**final, "publication": draft_publication(draft=draft, rules=final), "findings": findings}


def _public_rules(rules: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "loss",
        "alpha",
        "mu_min",
        "z",
        "publish_k",
        "beta",
        "daily_quota",
        "total_quota",
        "suggested",
        "publication",
        "findings",
    )
    return {k: rules[k] for k in keys if k in rules}
