"""Explore, locally: where the base model does badly on the public train split, by the engine's own
slice discovery (``scoring.explore``), the same search the platform's Explore tab runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from bounty_client.local import CsvInput, as_rules, as_schema, base_row_loss, read_train_csv
from scoring.explore import Scoring, explore
from scoring.explore.slices import DEFAULT_ALPHA
from scoring.frames import canonical_frame
from scoring.losses import get_loss
from scoring.schema import Schema


def explore_locally(
    train_csv: CsvInput,
    schema_json: Schema | Mapping[str, Any] | str,
    rules: Mapping[str, Any],
    loss: str,
    base_predictions: np.ndarray,
    *,
    loss_params: Mapping[str, Any] | None = None,
    top_k: int = 10,
    alpha: float = DEFAULT_ALPHA,
) -> dict[str, Any]:
    """The landscape of the base model's loss on the train rows: the loss by each level of each column
    and by each pair, and the ``top_k`` slices (none smaller than the competition's smallest group)."""
    schema = as_schema(schema_json)
    bound = get_loss(loss, schema, loss_params)
    train = read_train_csv(train_csv)
    labels = schema.encode_target(train[schema.target])
    row_loss = base_row_loss(bound, labels, base_predictions)
    scoring = Scoring.for_rows(len(train), mu_min=as_rules(rules).mu_min, alpha=alpha)
    return explore(canonical_frame(train, schema), schema, row_loss, scoring=scoring, top_k=top_k)
