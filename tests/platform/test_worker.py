"""A real worker process takes scoring tasks from the broker and reads the test database."""

from __future__ import annotations

import importlib.util

import pytest
from django.contrib.auth.models import User

from bounty.models import Competition
from bounty.services.submissions import submission_create
from tests.platform.conftest import LiveWorker, model_upload

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_committed_submission_reaches_the_scoring_worker(
    live_worker: LiveWorker, competition: Competition, ready_participant: User
) -> None:
    submission_create(
        competition=competition,
        user=ready_participant,
        group_text="age >= 60",
        model_file=model_upload(),
    )
    live_worker.wait_for(r"Task bounty\.score_submission\[[0-9a-f-]+\] received", timeout=60)
    if importlib.util.find_spec("bounty.services.scoring") is None:
        pytest.skip("bounty.services.scoring is not written yet")
    live_worker.wait_for(r"Task bounty\.score_submission\[[0-9a-f-]+\] (succeeded|raised)", 120)
    assert "DoesNotExist" not in live_worker.log()
