"""Nothing a participant could have been told at upload costs a slot: hostile or foreign files and
models fitted on the wrong columns are refused at the web form, the API and the CLI, with their exact
cause (the words ``bounty check`` gives), before a submission exists, and the team's quota is
unchanged (read through the quota selector)."""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bounty_client.cli import main as bounty
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from bounty.models import Competition, Membership, Submission, Team, TermsAcceptance
from tests.platform.api_support import api_client, error_of, small_engine_competition
from tests.platform.conftest import LiveWorker, login
from tests.platform.precheck_support import (
    GROUP,
    bad_files,
    bounty_check_error,
    good_model,
    same_words,
    usage,
    wrong_models,
)


@pytest.fixture(autouse=True)
def fresh_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def ready(competition: Competition, user: User) -> Team:
    TermsAcceptance.objects.create(
        user=user, competition=competition, terms_version=competition.terms_version
    )
    team = Team.objects.create(competition=competition, name=f"team-{user.username}")
    Membership.objects.create(team=team, competition=competition, user=user)
    return team


@pytest.fixture
def world(make_user: Any) -> tuple[Competition, User, Team]:
    competition = small_engine_competition(organizer=make_user("org"))
    user = make_user("ada")
    return competition, user, ready(competition, user)


def upload(content: bytes, name: str = "model.skops") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def web_post(user: User, competition: Competition, model: bytes) -> Any:
    data = {"group_text": GROUP, "model_file": upload(model), "description": "a try"}
    return login(user).post(reverse("submit", args=[competition.slug]), data)


def api_post(user: User, competition: Competition, model: bytes) -> Any:
    path = f"/api/v1/competitions/{competition.slug}/submissions"
    return api_client(user).post(path, {"group_text": GROUP, "model": upload(model)}, format="multipart")


def cases(tmp_path: Path, competition: Competition) -> list[tuple[str, bytes, str, str]]:
    """(name, file, code, words): the bad files, then the wrong models with bounty check's words."""
    found = [(b.name, b.content, b.code, b.words) for b in bad_files(tmp_path / "ran")]
    for name, (model, code, words) in wrong_models().items():
        error = bounty_check_error(competition, model)
        assert (error.reason.value, words in error.message) == (code, True), (name, error.message)
        found.append((name, model, code, error.message))
    return found


def test_every_bad_file_and_wrong_model_is_refused_at_the_web_form_with_its_cause_and_no_quota(
    world: tuple[Competition, User, Team], tmp_path: Path
) -> None:
    competition, user, team = world
    before = usage(team, competition)
    for name, content, _code, words in cases(tmp_path, competition):
        response = web_post(user, competition, content)
        assert response.status_code == 400, name
        form = response.context["form"]
        shown = " ".join(form.errors.get("model_file", []) + form.non_field_errors())
        assert words.split(" Save the model")[0] in shown or same_words(words, shown), (name, shown)
        assert html.escape(shown[:40], quote=True) in response.content.decode(), name  # on the page
    assert not Submission.objects.exists()
    assert usage(team, competition) == before
    assert not (tmp_path / "ran").exists()


def test_every_bad_file_and_wrong_model_is_refused_by_the_api_with_its_cause_and_no_quota(
    world: tuple[Competition, User, Team], tmp_path: Path
) -> None:
    competition, user, team = world
    before = usage(team, competition)
    for name, content, code, words in cases(tmp_path, competition):
        response = api_post(user, competition, content)
        assert response.status_code == 400, (name, response.content)
        error = error_of(response)
        assert (error["code"], error["field"]) == (code, "model"), name
        assert words in error["message"] or same_words(words, error["message"]), (name, error)
    assert not Submission.objects.exists()
    assert usage(team, competition) == before


@pytest.mark.django_db(transaction=True)
def test_every_bad_file_and_wrong_model_is_refused_by_the_cli_with_its_cause_and_no_quota(
    make_user: Any, live_server: Any, tmp_path: Path
) -> None:
    competition = small_engine_competition(organizer=make_user("org"))
    user = make_user("ada")
    team = ready(competition, user)
    token = Token.objects.create(user=user).key
    before = usage(team, competition)
    for index, (name, content, _code, words) in enumerate(cases(tmp_path, competition)):
        path = tmp_path / f"model{index}.skops"
        path.write_bytes(content)
        out, err = io.StringIO(), io.StringIO()
        args = ["--server", str(live_server), "--token", token, "submit", competition.slug]
        code = bounty([*args, "--group", GROUP, "--model", str(path)], out=out, err=err)
        said = err.getvalue().removeprefix("bounty: ").strip()
        assert code == 2, (name, said)
        assert words in said or same_words(words, said.split(" (field ")[0]), (name, said)
    assert not Submission.objects.exists()
    assert usage(team, competition) == before
    path = tmp_path / "good.skops"
    path.write_bytes(good_model())
    out, err = io.StringIO(), io.StringIO()
    args = ["--server", str(live_server), "--token", token, "submit", competition.slug, "--group", GROUP]
    code = bounty([*args, "--model", str(path), "--description", "from the CLI"], out=out, err=err)
    assert code == 0, err.getvalue()
    assert Submission.objects.get().description == "from the CLI"
    assert usage(team, competition).used_total == before.used_total + 1


def test_a_good_pair_passes_the_precheck_and_is_queued_with_its_description(
    world: tuple[Competition, User, Team], enqueued: list[int]
) -> None:
    competition, user, team = world
    response = web_post(user, competition, good_model())
    assert response.status_code == 302, response.context and response.context["form"].errors
    submission = Submission.objects.get()
    assert (submission.description, submission.status) == ("a try", Submission.Status.QUEUED)
    assert usage(team, competition).used_today == 1


def test_precheck_runs_are_limited_per_user_with_the_time_to_wait(
    world: tuple[Competition, User, Team], settings: Any
) -> None:
    competition, user, team = world
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "precheck": "2/hour", "submit": "100/hour"},
    }
    model, _, _ = wrong_models()["labels outside the set"]
    for _ in range(2):
        assert api_post(user, competition, model).status_code == 400
    response = api_post(user, competition, model)
    assert response.status_code == 429
    error = error_of(response)
    assert error["code"] == "rate_limited" and "per hour" in error["message"]
    assert 3000 < int(response["Retry-After"]) <= 3600
    page = web_post(user, competition, model)
    assert page.status_code == 429 and int(page["Retry-After"]) > 3000
    assert usage(team, competition).used_today == 0


@pytest.mark.skipif(not django_settings.CELERY_RESULT_BACKEND, reason="waiting on a task needs Redis")
def test_the_precheck_runs_on_its_own_queue_in_a_worker_and_the_request_waits_for_it(
    live_worker: LiveWorker, make_user: Any, settings: Any, tmp_path: Path
) -> None:
    settings.BOUNTY_PRECHECK_ON_WORKER = True
    competition = small_engine_competition(organizer=make_user("org"))
    user = make_user("ada")
    team = ready(competition, user)
    model, code, words = wrong_models()["labels outside the set"]
    response = api_post(user, competition, model)
    assert response.status_code == 400, response.content
    assert error_of(response)["code"] == code and words in error_of(response)["message"]
    live_worker.wait_for(r"Task bounty\.precheck_pair\[[^\]]+\] succeeded")
    assert not Submission.objects.exists() and usage(team, competition).used_total == 0
