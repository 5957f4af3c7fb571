"""The base model's predictions on the public train split: behind the terms, exact, in file order."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bounty.engine_adapter import competition_store
from tests.platform.engine_world import engine_competition

pytestmark = pytest.mark.django_db


def test_baseline_is_locked_until_terms_then_matches_the_engine_row_for_row() -> None:
    organizer = User.objects.create_user("org", password="org-pass-123456")
    competition = engine_competition(organizer=organizer)
    user = User.objects.create_user("ada", password="ada-pass-123456")
    web = Client()
    web.force_login(user)
    url = reverse("train_baseline_download", args=[competition.slug])
    assert web.get(url).status_code == 403
    competition.terms_acceptances.create(user=user, terms_version=competition.terms_version)
    response = web.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    baseline = pd.read_csv(io.BytesIO(response.content))
    train = pd.read_csv(io.BytesIO(b"".join(web.get(reverse("train_download", args=[competition.slug])))))
    assert len(baseline) == len(train)
    store = competition_store(competition)
    codes = store.train_base_predictions()
    assert np.array_equal(baseline["base_prediction"].to_numpy(), np.asarray(store.schema.classes)[codes])


def test_api_serves_the_same_baseline_with_a_token() -> None:
    organizer = User.objects.create_user("org", password="org-pass-123456")
    competition = engine_competition(organizer=organizer)
    user = User.objects.create_user("ada", password="ada-pass-123456")
    competition.terms_acceptances.create(user=user, terms_version=competition.terms_version)
    api = Client()
    token = api.post("/api/v1/auth/token", {"username": "ada", "password": "ada-pass-123456"}).json()["token"]
    response = api.get(
        f"/api/v1/competitions/{competition.slug}/train-baseline.csv", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 200
    web = Client()
    web.force_login(user)
    assert response.content == web.get(reverse("train_baseline_download", args=[competition.slug])).content
    array = api.get(
        f"/api/v1/competitions/{competition.slug}/train-baseline.npy", HTTP_AUTHORIZATION=f"Token {token}"
    )
    loaded = np.load(io.BytesIO(array.content), allow_pickle=False)
    assert np.array_equal(loaded, competition_store(competition).train_base_predictions())
