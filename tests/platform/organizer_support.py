"""Helpers for the organizer tests: a real engine competition on a deliberately weak base model (so that
several pairs are accepted), participants in teams, and submissions scored by the real scoring service.

Against this base, in this order, every pair of ``SCRIPT`` is accepted, each with a positive gain on the
confirmation split, and without team A both of the others are accepted again when replayed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import skops.io as sio
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from bounty.lifecycle import submission_create, submission_score
from bounty.models import Competition, Submission
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from tests.platform.engine_world import engine_competition, pair_model, world

SCRIPT = (
    ("C", "age >= 50"),
    ("A", 'education in ["Bachelors", "Masters", "Doctorate"]'),
    ("B", 'marital_status in ["Married-civ-spouse"]'),
    ("A", "hours_per_week > 45"),
)


@cache
def weak_base() -> bytes:
    """A one-split tree on the numeric columns: it predicts nearly everyone below 50K."""
    w = world()
    train = w.splits["train"]
    numeric = [c.name for c in w.schema.columns if c.kind.value == "numeric"]
    model = Pipeline(
        [
            ("num", ColumnTransformer([("n", SimpleImputer(), numeric)])),
            ("tree", DecisionTreeClassifier(max_depth=1, random_state=0)),
        ]
    )
    model.fit(w.schema.coerce(train), train[w.schema.target])
    return sio.dumps(model)


def weak_competition(organizer: User, **overrides: Any) -> Competition:
    return engine_competition(organizer=organizer, base_model=weak_base(), **overrides)


def team_member(competition: Competition, team: str) -> User:
    """A user with an email address who accepted the terms and created team ``team``."""
    user = User.objects.create_user(
        f"user-{team.lower()}", f"{team.lower()}@example.org", "pass-4-tests-only"
    )
    terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
    team_create(competition=competition, name=f"Team {team}", user=user)
    return user


def submit(competition: Competition, user: User, text: str) -> Submission:
    upload = SimpleUploadedFile("model.skops", pair_model(text))
    return submission_create(competition=competition, user=user, group_text=text, model_file=upload)


def score(submission: Submission) -> Submission:
    """Evaluate and decide with the real scoring service (what the worker runs)."""
    submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


def run_script(competition: Competition) -> tuple[dict[str, User], list[Submission]]:
    """Submit and score ``SCRIPT`` in order; returns the users by team and the submissions."""
    users = {team: team_member(competition, team) for team in sorted({t for t, _ in SCRIPT})}
    decided = [score(submit(competition, users[team], text)) for team, text in SCRIPT]
    return users, decided
