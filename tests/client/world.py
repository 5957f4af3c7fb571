"""A small competition for client tests: a train frame and CSV, a schema, a base model and its
train predictions, and a model h that fixes a weak group."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

from scoring.check import Rules
from scoring.schema import Column, Kind, Schema, Task

# "NA" and "None" are real category values here: the CSV reader must not turn them into missing.
REGIONS = ("NA", "None", "north", "south")
CLASSES = ("no", "yes")
RULES = Rules(alpha=0.001, mu_min=0.01, z=1.0)
WEAK_GROUP = 'region == "NA"'


@dataclass(frozen=True)
class World:
    schema: Schema
    train: pd.DataFrame  # as the server writes it: raw values and the target
    csv: bytes
    labels: np.ndarray  # class codes
    base: Any
    base_labels: np.ndarray  # base predictions as class codes
    base_proba: np.ndarray  # base predictions as probabilities (schema order)
    h: Any
    h_bytes: bytes


SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("region", Kind.CATEGORICAL, categories=REGIONS),
        Column("member", Kind.BOOLEAN),
    ),
    target="y",
    task=Task.BINARY,
    classes=CLASSES,
    attributes=("region",),
)


def raw_frame(n: int = 800, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, size=n).astype(float)
    age[rng.random(n) < 0.05] = np.nan
    region = rng.choice(REGIONS, size=n, p=[0.2, 0.1, 0.4, 0.3])
    member = rng.choice(["true", "false"], size=n)
    score = (np.nan_to_num(age, nan=40) > 45).astype(int)
    flipped = np.where(region == "NA", 1 - score, score)  # the base model gets "NA" wrong
    noise = rng.random(n) < 0.05
    y = np.where(noise, 1 - flipped, flipped)
    return pd.DataFrame({"age": age, "region": region, "member": member, "y": np.asarray(CLASSES)[y]})


def pipeline(depth: int) -> Pipeline:
    prepare = ColumnTransformer(
        [
            ("categorical", OneHotEncoder(handle_unknown="ignore"), ["region"]),
            ("numeric", SimpleImputer(strategy="median"), ["age", "member"]),
        ]
    )
    return Pipeline([("prepare", prepare), ("tree", DecisionTreeClassifier(max_depth=depth, random_state=0))])


def codes(predicted: Any) -> np.ndarray:
    return np.asarray([CLASSES.index(str(p)) for p in predicted], dtype=np.int64)


@functools.cache
def world() -> World:
    train = raw_frame()
    frame = SCHEMA.coerce(train)
    labels = SCHEMA.encode_target(train["y"])
    base = pipeline(1).fit(frame, train["y"])
    weak = (train["region"] == "NA").to_numpy()
    h = pipeline(3).fit(frame[weak], train["y"][weak])
    return World(
        schema=SCHEMA,
        train=train,
        csv=train.to_csv(index=False).encode(),
        labels=labels,
        base=base,
        base_labels=codes(base.predict(frame)),
        base_proba=np.asarray(base.predict_proba(frame), dtype=np.float64),
        h=h,
        h_bytes=sio.dumps(h),
    )
