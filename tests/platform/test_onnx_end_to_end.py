"""ONNX uploads via the API: a faithful export is decided by a real worker and accepted; a wrong one is
refused at upload by the parity check on the public train split (the pre-check), costing nothing."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from bounty.models import Submission
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from scoring import groups
from scoring.export import export_onnx
from scoring.formats.onnx.container import read_container, write_container
from tests.platform.conftest import LiveWorker
from tests.platform.engine_world import GROUP_TEXTS, engine_competition, world

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
MARRIED = GROUP_TEXTS[0]


def pipeline_for_married() -> Pipeline:
    w = world()
    train = w.splits["train"]
    # Columns with missing values are left out: skl2onnx one-hot encodes a missing category differently
    # from scikit-learn, a mis-conversion the parity check refuses (as it should).
    categorical = [
        c.name for c in w.schema.columns if c.kind.value == "categorical" and not train[c.name].isna().any()
    ]
    numeric = [c.name for c in w.schema.columns if c.kind.value == "numeric"]
    prepare = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("num", SimpleImputer(strategy="median"), numeric),
        ]
    )
    boost = GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0)
    model = Pipeline([("prepare", prepare), ("clf", boost)])
    features = w.schema.coerce(train)
    mask = groups.evaluate(groups.parse_text(MARRIED, w.schema), features, w.schema)
    return model.fit(features[mask], train[w.schema.target][mask])


def post(api: Client, token: str, slug: str, upload: bytes) -> Any:
    return api.post(
        f"/api/v1/competitions/{slug}/submissions",
        {"group_text": MARRIED, "model": SimpleUploadedFile("m.onnx.zip", upload)},
        HTTP_AUTHORIZATION=f"Token {token}",
    )


def submit(api: Client, token: str, slug: str, upload: bytes) -> int:
    response = post(api, token, slug, upload)
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def wait(submission_id: int, timeout: float = 180.0) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=submission_id)
        if not submission.is_pending:
            return submission
        time.sleep(0.3)
    raise AssertionError("not decided in time")


def test_an_onnx_pipeline_is_accepted_and_a_misconverted_one_is_refused_by_parity(
    live_worker: LiveWorker,
) -> None:
    organizer = User.objects.create_user("org", password="org-pass-123456")
    competition = engine_competition(organizer=organizer)
    user = User.objects.create_user("ada", password="ada-pass-123456")
    terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
    team_create(competition=competition, name="Onnx", user=user)
    api = Client()
    token = api.post("/api/v1/auth/token", {"username": "ada", "password": "ada-pass-123456"}).json()["token"]
    w = world()
    upload = export_onnx(pipeline_for_married(), w.splits["train"], w.schema)

    good = wait(submit(api, token, competition.slug, upload))
    assert (good.status, good.reason) == ("accepted", "accepted")

    container = read_container(upload)
    wrong = {kind: np.roll(values, 1, axis=0) for kind, values in container.parity.items()}  # shifted rows
    refused = post(api, token, competition.slug, write_container(container.model, wrong))
    assert refused.status_code == 400, refused.content
    error = refused.json()["error"]
    assert error["code"] == "invalid_model"
    assert "disagrees with its own predictions on the public train split" in error["message"]
    assert Submission.objects.count() == 1
