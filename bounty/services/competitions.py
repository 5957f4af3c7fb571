"""Creating a competition: the database row, the engine directory with its hidden splits, the base version."""

from __future__ import annotations

import shutil
from datetime import datetime
from typing import Any

import pandas as pd
from django.contrib.auth.models import User
from django.db import transaction

from bounty.engine_adapter import competition_saved
from bounty.errors import DomainError
from bounty.models import Competition, ModelVersion
from bounty.services.audit import audit_record
from bounty.storage import competition_dir
from scoring.check import DEFAULT_BETA
from scoring.engine import SPLITS, Rules, create_store, forget_store
from scoring.errors import EngineError
from scoring.losses import LOSSES
from scoring.publish import DEFAULT_PUBLISH_K
from scoring.schema import Schema


def competition_create(
    *,
    slug: str,
    title: str,
    schema: Schema,
    loss: str,
    alpha: float,
    mu_min: float,
    opens_at: datetime,
    closes_at: datetime,
    splits: dict[str, pd.DataFrame],
    base_model: bytes,
    organizers: list[User],
    z: float = 0.0,
    loss_params: dict[str, Any] | None = None,
    description: str = "",
    rules: str = "",
    terms_text: str = "",
    daily_quota: int = 5,
    total_quota: int = 100,
    status: str = Competition.Status.DRAFT,
    base_model_description: str = "",
    actor: User | None = None,
    shard_rows: int | None = None,
    publish_k: int = DEFAULT_PUBLISH_K,
    beta: float = DEFAULT_BETA,
) -> Competition:
    """Create the competition and its engine directory (splits stored, base model run in the sandbox).

    ``shard_rows``: hidden splits longer than this are scored in parallel shards (None: the
    ``BOUNTY_SHARD_ROWS`` setting). ``publish_k``: no published holdout figure pins the holdout's error
    count closer than +/- k (``scoring.publish``)."""
    try:
        engine_rules = Rules(alpha=alpha, mu_min=mu_min, z=z, publish_k=publish_k, beta=beta)
    except EngineError as exc:
        field = "publish_k" if "publish_k" in exc.message else "beta" if "beta" in exc.message else "alpha"
        raise DomainError("invalid_rules", exc.message, field=field) from exc
    if loss not in LOSSES:
        raise DomainError("invalid_loss", f"Unknown loss {loss!r}.", field="loss")
    with transaction.atomic():
        competition = Competition.objects.create(
            slug=slug,
            title=title,
            description=description,
            rules=rules,
            schema=schema.to_json(),
            task=schema.task.value,
            loss=loss,
            loss_params=loss_params or {},
            alpha=alpha,
            mu_min=mu_min,
            z=z,
            daily_quota=daily_quota,
            total_quota=total_quota,
            opens_at=opens_at,
            closes_at=closes_at,
            status=status,
            terms_text=terms_text,
            shard_rows=shard_rows,
        )
        competition.organizers.set(organizers)
        directory = competition_dir(competition.pk)
        try:
            store = create_store(
                directory=directory,
                schema=schema,
                loss=loss,
                loss_params=loss_params,
                rules=engine_rules,
                splits=splits,
                base_model=base_model,
            )
            base = store.decision_list(0).base_losses()
            competition_saved(competition, head=0)
        except BaseException as exc:
            shutil.rmtree(directory, ignore_errors=True)
            forget_store(directory)
            if isinstance(exc, EngineError):
                raise DomainError(exc.reason.value, exc.message, field=exc.field) from exc
            raise
        ModelVersion.objects.create(
            competition=competition,
            number=0,
            kind=ModelVersion.Kind.BASE,
            label="base model",
            holdout_loss=base["holdout"],
            confirmation_loss=base["confirmation"],
        )
        competition.base_holdout_loss = competition.current_holdout_loss = base["holdout"]
        competition.data_card = {
            "rows": {s: len(splits[s]) for s in SPLITS},
            "attributes": list(schema.attributes),
            "features": len(schema.columns),
            "target": schema.target,
            "base_model": base_model_description,
        }
        competition.save(update_fields=["base_holdout_loss", "current_holdout_loss", "data_card"])
        audit_record(
            action="competition.create",
            actor=actor,
            competition=competition,
            payload={
                "slug": slug,
                "loss": loss,
                "alpha": alpha,
                "mu_min": mu_min,
                "z": z,
                "publish_k": publish_k,
                "beta": beta,
            },
        )
    return competition
