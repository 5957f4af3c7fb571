"""The load benchmark's world: a competition on synthetic census data, participants with teams and
API tokens, and a few (group, model) pairs to submit. Needs Django configured (``benchmarks.load``
does it before importing this module)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pandas as pd
import skops.io as sio
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.authtoken.models import Token
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from bounty.demo import adult_schema, split_frame, synthetic_frame, train_base_model
from bounty.models import Competition
from bounty.services.competitions import competition_create
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from scoring import groups
from scoring.schema import Schema

SLUG = "load"
GROUP_TEXTS = (
    'marital_status in ["Married-civ-spouse"]',
    'sex == "Female" and age >= 40',
    "hours_per_week > 45",
    'relationship == "Own-child"',
    'education in ["Bachelors", "Masters", "Doctorate"]',
    "age < 30",
)


@dataclass(frozen=True)
class Participant:
    username: str
    token: str


@dataclass(frozen=True)
class World:
    competition_id: int
    participants: list[Participant]
    pairs: list[tuple[str, bytes]]


def _pair_model(text: str, schema: Schema, train: pd.DataFrame, depth: int) -> bytes:
    mask = groups.evaluate(groups.parse_text(text, schema), schema.coerce(train), schema)
    numeric = [c.name for c in schema.columns if c.kind.value == "numeric"]
    model = Pipeline(
        [
            ("num", ColumnTransformer([("n", SimpleImputer(), numeric)])),
            ("tree", DecisionTreeClassifier(max_depth=depth, random_state=0)),
        ]
    )
    model.fit(schema.coerce(train)[mask], train[schema.target][mask])
    return bytes(sio.dumps(model))


def build_world(*, participants: int, rows: int) -> World:
    """Create the competition, ``participants`` users (each with a team, the terms and a token) and
    the pairs they will submit in turn."""
    frame = synthetic_frame(n=rows, seed=0)
    schema = adult_schema(frame)
    train, holdout, confirmation = split_frame(frame, seed=0)
    _, base = train_base_model(train, schema)
    organizer = User.objects.create_user("load-organizer", password=None)
    now = timezone.now()
    fields: dict[str, Any] = {
        "slug": SLUG,
        "title": "Load test",
        "schema": schema,
        "loss": "zero_one",
        "alpha": 0.001,
        "mu_min": 0.01,
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "splits": {"train": train, "holdout": holdout, "confirmation": confirmation},
        "base_model": base,
        "organizers": [organizer],
        "status": Competition.Status.OPEN,
        "terms_text": "Load testing only.",
        "daily_quota": 100_000,
        "total_quota": 100_000,
    }
    competition = competition_create(**fields)
    people = []
    for index in range(participants):
        user = User.objects.create_user(f"load-{index}", password=None)
        terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
        team_create(competition=competition, name=f"Team {index}", user=user)
        people.append(Participant(user.username, Token.objects.create(user=user).key))
    pairs = [(text, _pair_model(text, schema, train, depth)) for depth in (2, 5) for text in GROUP_TEXTS]
    return World(competition.pk, people, pairs)
