"""One source of the rules: the engine store's settings decide, and every surface states, the same
alpha, mu_min, z, loss and schema; the database's copy (written at creation) changes nothing, and the
admin shows it read-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client

from bounty import lifecycle
from bounty.models import Competition, Submission
from bounty.selectors.published import competition_step
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from scoring.engine import public_gain
from tests.platform.conftest import login
from tests.platform.engine_world import GROUP_TEXTS, engine_competition, pair_model

pytestmark = pytest.mark.django_db
ALPHA, MU_MIN, PUBLISH_K = 0.002, 0.01, 1  # 1,500 holdout rows and k = 1: gains published in steps of 0.002
FORGED = {
    "alpha": 0.37,
    "mu_min": 0.9,
    "z": 9.0,
    "loss": "brier",
    "schema": {"columns": [], "target": "nothing", "task": "regression"},
}


def decide(competition: Competition, user: User, text: str) -> Submission:
    submission = lifecycle.submission_create(
        competition=competition,
        user=user,
        group_text=text,
        model_file=ContentFile(pair_model(text), name="m.skops"),
    )
    lifecycle.submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


def participant(competition: Competition, make_user: Callable[..., User], name: str) -> User:
    user = make_user(name)
    terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
    team_create(competition=competition, name=f"team {name}", user=user)
    return user


@pytest.fixture
def twins(make_user: Callable[..., User], enqueued: list[int]) -> tuple[Competition, Competition]:
    """Two competitions with the same data and rules; the second's database copy is then forged."""
    organizer = make_user("grace")
    rules = {"alpha": ALPHA, "mu_min": MU_MIN, "publish_k": PUBLISH_K}
    kept = engine_competition(organizer=organizer, slug="kept", **rules)
    forged = engine_competition(organizer=organizer, slug="forged", **rules)
    Competition.objects.filter(pk=forged.pk).update(**FORGED)
    forged.refresh_from_db()
    return kept, forged


def test_a_forged_database_copy_changes_neither_the_decision_nor_the_public_gain(
    twins: tuple[Competition, Competition], make_user: Callable[..., User]
) -> None:
    kept, forged = twins
    results = [decide(c, participant(c, make_user, f"p{c.pk}"), GROUP_TEXTS[0]) for c in twins]
    first, second = results
    assert first.status == second.status == Submission.Status.ACCEPTED
    assert first.figures == second.figures and first.public_gain == second.public_gain
    step = competition_step(forged).step  # from the store's publish_k
    assert step == 0.002 and second.public_gain == public_gain(second.figures["gain"], step)
    assert second.public_gain > 0  # mu_min 0.9 would refuse the group, alpha 0.37 reject the pair
    kept.refresh_from_db()
    forged.refresh_from_db()
    assert (kept.head_version, kept.current_holdout_loss) == (
        forged.head_version,
        forged.current_holdout_loss,
    )


def test_every_surface_states_the_stores_rules(
    twins: tuple[Competition, Competition], make_user: Callable[..., User]
) -> None:
    _, forged = twins
    user = participant(forged, make_user, "ada")
    web = login(user)
    page = web.get(f"/competitions/{forged.slug}/").content.decode()
    assert f"by at least {ALPHA}" in page and "0.37" not in page and "brier" not in page
    assert "Binary classification" in page and "zero_one" in page
    submit = web.get(f"/competitions/{forged.slug}/submit/").content.decode()
    assert f"at least {ALPHA}" in submit and "90.0%" not in submit
    card = Client().get(f"/competitions/{forged.slug}/model-card/").content.decode()
    assert f"gains ≥ {ALPHA}" in card and "0.37" not in card
    api: dict[str, Any] = web.get(f"/api/v1/competitions/{forged.slug}").json()
    assert (api["alpha"], api["mu_min"], api["z"], api["loss"], api["task"]) == (
        ALPHA,
        MU_MIN,
        0.0,
        "zero_one",
        "binary",
    )
    schema = web.get(f"/api/v1/competitions/{forged.slug}/schema").json()
    assert schema["target"] == "income" and len(schema["columns"]) > 5
    lifecycle.submission_create(  # the group is parsed against the store's schema, not the forged one
        competition=forged,
        user=user,
        group_text=GROUP_TEXTS[1],
        model_file=ContentFile(pair_model(GROUP_TEXTS[1]), name="m.skops"),
    )


def test_the_admin_shows_the_rules_read_only(
    twins: tuple[Competition, Competition], make_user: Callable[..., User]
) -> None:
    kept, _ = twins
    staff = make_user("root", is_staff=True, is_superuser=True)
    page = login(staff).get(f"/admin/bounty/competition/{kept.pk}/change/").content.decode()
    for field in ("alpha", "mu_min", "z", "loss", "loss_params", "schema", "task"):
        assert f'name="{field}"' not in page, f"{field} is editable"
        assert f"field-{field}" in page, f"{field} is not shown"
    assert 'name="title"' in page  # what is not a rule stays editable
