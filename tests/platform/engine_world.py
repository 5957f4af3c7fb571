"""Real engine competitions for platform tests: small synthetic census data, a real base model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import pandas as pd
import skops.io as sio
from django.contrib.auth.models import User
from django.utils import timezone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.tree import DecisionTreeClassifier

from bounty.demo import adult_schema, split_frame, synthetic_frame, train_base_model
from bounty.demo.models import boosting_pipeline
from bounty.models import Competition
from bounty.services.competitions import competition_create
from scoring import groups
from scoring.schema import Schema

GROUP_TEXTS = (
    'marital_status in ["Married-civ-spouse"]',
    'sex == "Female" and age >= 40',
    'workclass in ["Self-emp-inc", "Self-emp-not-inc"]',
    "hours_per_week > 45",
    'relationship == "Own-child"',
    'education in ["Bachelors", "Masters", "Doctorate"]',
)


@dataclass(frozen=True)
class World:
    schema: Schema
    splits: dict[str, pd.DataFrame]
    base_model: bytes


@cache
def world(rows: int = 6000) -> World:
    frame = synthetic_frame(n=rows, seed=0)
    schema = adult_schema(frame)
    train, holdout, confirmation = split_frame(frame, seed=0)
    _, base = train_base_model(train, schema)
    return World(schema, {"train": train, "holdout": holdout, "confirmation": confirmation}, base)


def engine_competition(*, organizer: User, slug: str = "census", **overrides: Any) -> Competition:
    w = world()
    now = timezone.now()
    fields: dict[str, Any] = {
        "slug": slug,
        "title": "Census income",
        "schema": w.schema,
        "loss": "zero_one",
        "alpha": 0.001,
        "mu_min": 0.01,
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "splits": {k: v.copy() for k, v in w.splits.items()},
        "base_model": w.base_model,
        "organizers": [organizer],
        "status": Competition.Status.OPEN,
        "terms_text": "Be fair.",
        "daily_quota": 100,
        "total_quota": 100,
    }
    fields.update(overrides)
    return competition_create(**fields)


@cache
def pair_model(text: str, kind: str = "boosting") -> bytes:
    """A model file trained on the public train rows of the group ``text``."""
    w = world()
    train = w.splits["train"]
    mask = groups.evaluate(groups.parse_text(text, w.schema), w.schema.coerce(train), w.schema)
    if kind == "boosting":
        model: Any = boosting_pipeline(w.schema)
    else:
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import Pipeline

        numeric = [c.name for c in w.schema.columns if c.kind.value == "numeric"]
        model = Pipeline(
            [
                ("num", ColumnTransformer([("n", SimpleImputer(), numeric)])),
                ("tree", DecisionTreeClassifier(max_depth=int(kind[-1]), random_state=0)),
            ]
        )
    model.fit(w.schema.coerce(train)[mask], train[w.schema.target][mask])
    assert not isinstance(model, HistGradientBoostingClassifier) or model.n_iter_ > 0
    return sio.dumps(model)
