"""Rules the database itself enforces."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from bounty.models import Competition, ModelVersion, Submission
from tests.platform.conftest import make_competition


def submission(competition: Competition, user: User, **extra: Any) -> Submission:
    team = user.memberships.get(competition=competition).team
    fields: dict[str, Any] = {
        "competition": competition,
        "team": team,
        "author": user,
        "seq": 1,
        "group_tree": {"op": "all"},
        "model_sha256": "b" * 64,
        "model_format": "skops",
    }
    fields.update(extra)
    return Submission.objects.create(**fields)


def refused(make: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_arrival_numbers_are_unique_per_competition(
    competition: Competition, ready_participant: User
) -> None:
    submission(competition, ready_participant, seq=1)
    refused(lambda: submission(competition, ready_participant, seq=1))


def test_a_submission_has_exactly_one_group_form(competition: Competition, ready_participant: User) -> None:
    refused(lambda: submission(competition, ready_participant, group_tree=None))
    refused(lambda: submission(competition, ready_participant, group_model_sha256="c" * 64))
    made = submission(competition, ready_participant, group_tree=None, group_model_sha256="c" * 64)
    assert made.group_tree is None


def test_public_gain_is_only_for_accepted_submissions(
    competition: Competition, ready_participant: User
) -> None:
    refused(lambda: submission(competition, ready_participant, public_gain=0.01))
    refused(lambda: submission(competition, ready_participant, status="bogus"))
    made = submission(competition, ready_participant, status="accepted", public_gain=0.01)
    assert made.public_gain == 0.01


@pytest.mark.parametrize(
    "override",
    [{"alpha": 0}, {"mu_min": 0}, {"mu_min": 1.5}, {"z": -1}, {"daily_quota": 0}, {"task": "x"}],
)
def test_competition_parameters_are_checked(override: dict[str, Any], db: None) -> None:
    refused(lambda: make_competition(**override))


def test_model_versions_chain_and_repairs_name_a_target(competition: Competition) -> None:
    def version(**extra: Any) -> ModelVersion:
        fields: dict[str, Any] = {"competition": competition, "holdout_loss": 0.2}
        fields.update(extra)
        return ModelVersion.objects.create(**fields)

    version(number=0, kind="base")
    refused(lambda: version(number=1, kind="update", parent=1))
    refused(lambda: version(number=1, kind="repair", parent=0))
    refused(lambda: version(number=0, kind="base"))
    version(number=1, kind="update", parent=0, gain=0.01)
    assert version(number=2, kind="repair", parent=1, target_version=0).target_version == 0
