"""A competition definition: the YAML file that describes a competition as code (the API's
``POST /api/v1/organize/competitions`` and ``bounty organize create`` take it; the wizard can write the
one it built). Parsing checks every key and names the one at fault; nothing here touches the database.

See ``docs/organizers.md`` ("Competitions as code") for the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from bounty.errors import DomainError
from bounty.wizard.prepare import SPLITS, SplitPlan
from scoring.schema import Kind, Task

TOP_KEYS = {
    "slug",
    "title",
    "description",
    "rules_text",
    "terms",
    "data",
    "problems",
    "target",
    "task",
    "classes",
    "columns",
    "attributes",
    "loss",
    "loss_params",
    "rules",
    "quotas",
    "dates",
    "base_model",
    "open",
}
COLUMN_KEYS = {"kind", "role", "attribute", "nullable", "categories"}
DEFAULT_TERMS = "Submissions are scored on hidden data. Do not try to identify individuals in the data."


@dataclass(frozen=True)
class ColumnOverride:
    kind: str | None = None
    role: str | None = None
    attribute: bool | None = None
    nullable: bool | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Definition:
    slug: str
    title: str
    files: dict[str, str]  # upload key ("data" or a split) -> file name
    plan: SplitPlan
    delimiter: str = ""
    description: str = ""
    rules_text: str = ""
    terms: str = DEFAULT_TERMS
    problems: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    task: str = "auto"
    classes: tuple[str, ...] = ()
    columns: dict[str, ColumnOverride] = field(default_factory=dict)
    attributes: tuple[str, ...] | None = None
    loss: str | None = None
    loss_params: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, float] = field(default_factory=dict)  # alpha, mu_min, z (missing: suggested), publish_k
    quotas: dict[str, int] = field(default_factory=dict)  # daily, total, expected_teams
    opens: datetime | None = None
    closes: datetime | None = None
    base_model: dict[str, str] = field(default_factory=lambda: {"train": "logistic"})
    open: bool = False

    @property
    def model_file(self) -> str | None:
        return self.base_model.get("file")


def parse_definition(text: str) -> Definition:
    """The definition in ``text`` (YAML), checked key by key."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _bad("definition", f"is not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:  # PyYAML builds nested values recursively
        raise _bad("definition", "is nested too deeply to read (a definition needs a few levels)") from None
    if not isinstance(data, dict):
        raise _bad("definition", "must be a YAML mapping (key: value lines)")
    unknown = sorted(set(map(str, data)) - TOP_KEYS)
    if unknown:
        raise _bad(unknown[0], f"is not a definition key (known: {', '.join(sorted(TOP_KEYS))})")
    files, plan, delimiter = _data(_mapping(data, "data", required=True))
    dates = _mapping(data, "dates")
    return Definition(
        slug=_text(data, "slug", required=True),
        title=_text(data, "title", required=True),
        files=files,
        plan=plan,
        delimiter=delimiter,
        description=_text(data, "description"),
        rules_text=_text(data, "rules_text"),
        terms=_text(data, "terms") or DEFAULT_TERMS,
        problems={str(k): str(v) for k, v in _mapping(data, "problems").items()},
        target=_text(data, "target") or None,
        task=_choice(data.get("task", "auto"), "task", ("auto", *(t.value for t in Task))),
        classes=tuple(str(c) for c in _list(data, "classes")),
        columns={str(k): _column(str(k), v) for k, v in _mapping(data, "columns").items()},
        attributes=tuple(str(a) for a in _list(data, "attributes")) if "attributes" in data else None,
        loss=_text(data, "loss") or None,
        loss_params=_mapping(data, "loss_params"),
        rules=_rules(_mapping(data, "rules")),
        quotas={
            k: int(v)
            for k, v in _numbers(
                _mapping(data, "quotas"), "quotas", ("daily", "total", "expected_teams")
            ).items()
        },
        opens=_when(dates.get("opens"), "dates.opens"),
        closes=_when(dates.get("closes"), "dates.closes"),
        base_model=_base_model(_mapping(data, "base_model") or {"train": "logistic"}),
        open=bool(data.get("open", False)),
    )


def _data(data: dict[str, Any]) -> tuple[dict[str, str], SplitPlan, str]:
    delimiter = str(data.get("delimiter") or "")
    if len(delimiter) > 1 or delimiter in ('"', "\n"):
        raise _bad("data.delimiter", "must be one character such as , ; | or a tab")
    if "file" in data:
        split = data.get("split") or {}
        if not isinstance(split, dict):
            raise _bad("data.split", "must map train, holdout and confirmation to shares (and a seed)")
        shares = tuple(float(split.get(s, d)) for s, d in zip(SPLITS, (0.6, 0.2, 0.2), strict=True))
        if any(s <= 0 for s in shares):
            raise _bad("data.split", "needs three positive shares")
        plan = SplitPlan("one", shares, int(split.get("seed", 0)))  # type: ignore[arg-type]
        return {"data": str(data["file"])}, plan, delimiter
    files = data.get("files")
    if not isinstance(files, dict) or set(files) != set(SPLITS):
        raise _bad(
            "data",
            "needs either file: (one table, split at random) or files: with train, holdout and confirmation",
        )
    return {s: str(files[s]) for s in SPLITS}, SplitPlan("three"), delimiter


def _column(name: str, value: Any) -> ColumnOverride:
    if not isinstance(value, dict) or set(map(str, value)) - COLUMN_KEYS:
        raise _bad(f"columns.{name}", f"takes the keys {', '.join(sorted(COLUMN_KEYS))}")
    kind = value.get("kind")
    if kind is not None:
        _choice(kind, f"columns.{name}.kind", tuple(k.value for k in Kind))
    role = value.get("role")
    if role is not None:
        _choice(role, f"columns.{name}.role", ("feature", "ignore"))
    return ColumnOverride(
        kind=kind,
        role=role,
        attribute=None if value.get("attribute") is None else bool(value["attribute"]),
        nullable=None if value.get("nullable") is None else bool(value["nullable"]),
        categories=tuple(str(c) for c in value.get("categories") or ()),
    )


def _base_model(value: dict[str, Any]) -> dict[str, str]:
    if ("train" in value) == ("file" in value):
        raise _bad("base_model", "needs either train: <algorithm> or file: <model file>")
    return {str(k): str(v) for k, v in value.items() if k in ("train", "file", "description")}


def _when(value: Any, key: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise _bad(key, "must be a date and time such as 2027-01-31T12:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def default_dates(definition: Definition, now: datetime) -> tuple[datetime, datetime]:
    opens = definition.opens or now
    return opens, definition.closes or opens + timedelta(days=60)


def _mapping(data: dict[str, Any], key: str, *, required: bool = False) -> dict[str, Any]:
    value = data.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise _bad(key, "must be a mapping")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise _bad(key, "must be a list")
    return value


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or str(value).strip() == "":
        if required:
            raise _bad(key, "is required")
        return ""
    return str(value)


def _choice(value: Any, key: str, options: tuple[str, ...]) -> str:
    if str(value) not in options:
        raise _bad(key, f"must be one of {', '.join(options)}")
    return str(value)


def _numbers(data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> dict[str, float]:
    unknown = sorted(set(map(str, data)) - set(allowed))
    if unknown:
        raise _bad(f"{key}.{unknown[0]}", f"is not known here (known: {', '.join(allowed)})")
    try:
        return {str(k): float(v) for k, v in data.items()}
    except (TypeError, ValueError):
        raise _bad(key, "values must be numbers") from None


def _rules(data: dict[str, Any]) -> dict[str, float]:
    """alpha, mu_min, z and beta (numbers) and publish_k (a whole number >= 1, default DEFAULT_PUBLISH_K)."""
    rules = _numbers(data, "rules", ("alpha", "mu_min", "z", "publish_k", "beta"))
    if "beta" in rules and not 0 < rules["beta"] <= 1:
        raise _bad("rules.beta", "must be in (0, 1]: how far a finding's group loss is above the rest's")
    if "publish_k" in rules:
        k = rules["publish_k"]
        if not float(k).is_integer() or k < 1 or isinstance(data["publish_k"], bool):
            raise _bad("rules.publish_k", "must be a whole number of at least 1")
        rules["publish_k"] = int(k)
    return rules


def _bad(key: str, message: str) -> DomainError:
    return DomainError("invalid_definition", f"{key} {message}.", field=key)
