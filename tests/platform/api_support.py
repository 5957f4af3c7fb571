"""Helpers for the API tests: token clients, the error shape, real skops files, a small engine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
import skops.io as sio
from django.contrib.auth.models import User
from django.core.cache import cache as django_cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from sklearn.dummy import DummyClassifier

from bounty.demo import adult_schema, split_frame, synthetic_frame, train_base_model
from bounty.models import Competition
from bounty.services.competitions import competition_create

API = "/api/v1"
ERROR_KEYS = {"code", "message", "field"}


@pytest.fixture
def api_reset() -> Iterator[None]:
    """Throttle counters live in the cache: every API test starts with none."""
    django_cache.clear()
    yield
    django_cache.clear()


def set_rates(settings: Any, **rates: str) -> None:
    """Override throttle rates (``scope="N/period"``) through pytest-django's ``settings``."""
    current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**current, **rates},
    }


def token_for(user: User) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def api_client(user: User | None = None) -> APIClient:
    """A client that authenticates with the user's token (anonymous without a user)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def error_of(response: Any) -> dict[str, Any]:
    """The ``error`` object of an error response, after checking the one error shape."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == ERROR_KEYS, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["error"]["field"] is None or isinstance(body["error"]["field"], str)
    return dict(body["error"])


@cache
def skops_model() -> bytes:
    """A real (tiny) skops file: it passes the upload check; only scoring can judge it."""
    return sio.dumps(DummyClassifier(strategy="most_frequent").fit([[0], [1]], [0, 1]))


def upload(content: bytes | None = None, name: str = "model.skops") -> SimpleUploadedFile:
    data = skops_model() if content is None else content
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@cache
def _small_world() -> tuple[Any, dict[str, Any], bytes]:
    frame = synthetic_frame(n=2000, seed=1)
    schema = adult_schema(frame)
    train, holdout, confirmation = split_frame(frame, seed=1)
    _, base = train_base_model(train, schema)
    return schema, {"train": train, "holdout": holdout, "confirmation": confirmation}, base


def small_engine_competition(*, organizer: User, slug: str = "census-small", **extra: Any) -> Competition:
    """A real competition (engine directory, splits, base model run in the sandbox), 2,000 rows."""
    schema, splits, base = _small_world()
    now = timezone.now()
    fields: dict[str, Any] = {
        "slug": slug,
        "title": "Census (small)",
        "schema": schema,
        "loss": "zero_one",
        "alpha": 0.001,
        "mu_min": 0.01,
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "splits": {k: v.copy() for k, v in splits.items()},
        "base_model": base,
        "organizers": [organizer],
        "status": Competition.Status.OPEN,
        "terms_text": "Be fair.",
        "daily_quota": 5,
        "total_quota": 20,
    }
    fields.update(extra)
    return competition_create(**fields)
