"""A competition's landscapes (``scoring.explore``): where one version of the global model does badly.

- ``train_landscape``: on the public train rows, what participants see. Its every figure comes from
  public data (the train rows, their labels, the version's predictions on them); no holdout row or
  label is read, so it does not change when the holdout does.
- ``holdout_landscape``: on the hidden holdout, for organizers only (which slices a bounty is likely
  to surface). Numeric columns are cut where the train split's landscape cuts them.

Version 0 is the base model: its train predictions are stored; a later version's are predicted
with every model of the list in the sandbox.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scoring import groups
from scoring.engine.store import Store
from scoring.explore import Scoring, explore
from scoring.explore.landscape import DEFAULT_TOP, default_cuts
from scoring.explore.slices import DEFAULT_ALPHA


def train_landscape(
    store: Store, *, head: int, version: int = 0, top_k: int = DEFAULT_TOP, alpha: float = DEFAULT_ALPHA
) -> dict[str, Any]:
    """The landscape of ``version`` (of the list as of ``head``) on the public train rows."""
    frame = store.frame("train")
    if version == 0:
        predictions = store.train_base_predictions()
    else:
        predictions = store.predict(store.frame_dir("train"), head=head, version=version)
    loss = store.loss.per_row(store.train_labels(), predictions)
    scoring = Scoring.for_rows(len(frame), mu_min=store.settings.rules.mu_min, alpha=alpha)
    return explore(frame, store.schema, loss, scoring=scoring, top_k=top_k)


def holdout_landscape(
    store: Store, *, head: int, top_k: int = DEFAULT_TOP, alpha: float = DEFAULT_ALPHA
) -> dict[str, Any]:
    """Organizers only: the landscape of version ``head`` on the hidden holdout, each top slice with
    ``covered``, the share of its rows inside a group accepted so far (and not rolled back), and the
    landscape with the share of all rows they cover."""
    frame = store.frame("holdout")
    dl = store.decision_list(head)
    names = store.schema.feature_names
    cuts = default_cuts(store.frame("train"), store.schema, names)
    scoring = Scoring.for_rows(len(frame), mu_min=store.settings.rules.mu_min, alpha=alpha)
    landscape = explore(
        frame, store.schema, dl.splits["holdout"].row_loss, scoring=scoring, top_k=top_k, cuts=cuts
    )
    covered = np.zeros(len(frame), dtype=bool)
    for entry in dl.ledger.entries:
        if entry.active:
            covered[entry.rows["holdout"]] = True
    for item in landscape["slices"]:
        mask = groups.evaluate(groups.validate_tree(item["tree"], store.schema), frame, store.schema)
        item["covered"] = round(float(covered[mask].mean()), 4)
    landscape["covered"] = round(float(covered.mean()), 4) if len(frame) else 0.0
    return landscape
