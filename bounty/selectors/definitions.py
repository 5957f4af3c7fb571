"""A draft's choices as a competition definition (YAML): what the wizard built, to run again from the
API or ``bounty organize create`` (``bounty.wizard.definition`` reads it back)."""

from __future__ import annotations

from typing import Any

import yaml

from bounty.models import CompetitionDraft


def definition_export(draft: CompetitionDraft) -> str:
    """The definition the wizard's choices amount to, as YAML (data files named as uploaded)."""
    state = draft.state
    source = state.get("source") or {}
    files = source.get("files") or {}
    data: dict[str, Any] = {"slug": draft.slug, "title": draft.title}
    if source.get("mode") == "one":
        shares = dict(zip(("train", "holdout", "confirmation"), source.get("shares", []), strict=False))
        data["data"] = {"file": files.get("data"), "split": {**shares, "seed": source.get("seed", 0)}}
    elif files:
        data["data"] = {"files": files}
    if source.get("delimiter"):
        data["data"]["delimiter"] = source["delimiter"]
    if state.get("choices"):
        data["problems"] = dict(state["choices"])
    data.update(_schema_part(state))
    data.update(_rules_part(state))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _schema_part(state: dict[str, Any]) -> dict[str, Any]:
    if not state.get("column_choices"):
        return {}
    schema = state.get("schema") or state.get("pending_schema") or {}
    columns = {
        c["name"]: {
            "kind": c["kind"],
            "role": c["role"],
            "attribute": c["attribute"],
            "nullable": c["nullable"],
        }
        for c in state["column_choices"]
        if c["name"] != state.get("target")
    }
    return {"target": state.get("target"), "task": schema.get("task", "auto"), "columns": columns}


def _rules_part(state: dict[str, Any]) -> dict[str, Any]:
    part: dict[str, Any] = {}
    model = state.get("model") or {}
    if model.get("source") == "trained":
        part["base_model"] = {"train": model["algorithm"], "description": model["description"]}
    elif model.get("source") == "upload":
        part["base_model"] = {"file": model.get("file") or "model.skops", "description": model["description"]}
    rules = state.get("rules")
    if rules:
        part["loss"] = rules["loss"]
        if rules.get("loss_params"):
            part["loss_params"] = rules["loss_params"]
        keys = ("alpha", "mu_min", "z", "publish_k")
        part["rules"] = {k: rules[k] for k in keys if rules.get(k) is not None}
        part["quotas"] = {
            "daily": rules["daily_quota"],
            "total": rules["total_quota"],
            "expected_teams": rules.get("expected_teams", 20),
        }
        part["dates"] = {"opens": rules["opens_at"], "closes": rules["closes_at"]}
        part.update(
            {
                "description": rules.get("description", ""),
                "rules_text": rules.get("rules", ""),
                "terms": rules.get("terms_text", ""),
            }
        )
    return part
