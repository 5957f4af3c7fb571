"""Participants learn from the holdout only the reason category and, for an accepted pair, the gain
rounded down to the published step: no losses, masses, standard errors, margins, timings or engine
output, on any page, in the API or in the status JSON the submissions page polls.

Submissions are decided in-process by the real engine (sandbox included), then every surface a
participant can reach is read and searched for the organizer-only figures in every usual format.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable

import pytest
import skops.io as sio
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from sklearn.dummy import DummyClassifier

from bounty import lifecycle
from bounty.lifecycle import messages
from bounty.models import Competition, Submission
from bounty.selectors.published import competition_step
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from bounty.storage import data_dir
from scoring.engine import public_gain
from scoring.errors import Reason
from scoring.publish import publish
from tests.engine import malicious
from tests.platform.conftest import login
from tests.platform.engine_world import GROUP_TEXTS, engine_competition, pair_model, world
from tests.platform.security_support import body

STATUS_KEYS = {
    "id",
    "seq",
    "status",
    "status_label",
    "reason",
    "message",
    "pending",
    "public_gain",
    "finished_at",
}
SECRET_KEYS = ("mass", "loss_current", "loss_h", "se", "margin", "figures", "detail", "stderr", "duration")


def worse_model() -> bytes:
    """Predicts the rarer class for everyone: worse than the base model on any group."""
    w = world()
    frame = w.schema.coerce(w.splits["train"])
    labels = w.splits["train"][w.schema.target]
    rare = labels.value_counts().idxmin()
    return sio.dumps(DummyClassifier(strategy="constant", constant=rare).fit(frame, labels))


def renderings(value: float) -> set[str]:
    """The ways a figure could be printed: repr, fixed decimals, percent."""
    out = {repr(value), f"{value:.6f}", f"{value:.5f}", f"{value * 100:.2f}%", f"{value * 100:.1f}%"}
    if abs(value) >= 1e-3:
        out.add(f"{value:.4f}")
    return {text for text in out if text.strip("0.-%") != ""}


@pytest.fixture
def decided(
    make_user: Callable[..., User], enqueued: list[int]
) -> tuple[Competition, User, list[Submission]]:
    organizer = make_user("grace")
    competition = engine_competition(organizer=organizer)
    participant = make_user("ada")
    terms_accept(competition=competition, user=participant, terms_version=competition.terms_version)
    team_create(competition=competition, name="Lovelace", user=participant)
    web = login(participant)
    good = GROUP_TEXTS[0]
    pairs = [
        (good, pair_model(good)),  # accepted
        ("age >= 89 and hours_per_week >= 99", pair_model(good)),  # group too small
        (GROUP_TEXTS[1], worse_model()),  # insufficient improvement
    ]
    for text, model in pairs:
        upload = SimpleUploadedFile("m.skops", model)
        response = web.post(
            reverse("submit", args=[competition.slug]), {"group_text": text, "model_file": upload}
        )
        assert response.status_code == 302
    # the web form refuses random bytes at the door; one that reached the worker is an invalid model
    junk = SimpleUploadedFile("m.skops", malicious.random_bytes())
    lifecycle.submission_create(
        competition=competition, user=participant, group_text=GROUP_TEXTS[3], model_file=junk
    )
    submissions = list(competition.submissions.order_by("seq"))
    for submission in submissions:
        lifecycle.submission_score(submission_id=submission.pk)
    competition.refresh_from_db()
    return competition, participant, [Submission.objects.get(pk=s.pk) for s in submissions]


def participant_views(
    competition: Competition, participant: User, submissions: Iterable[Submission]
) -> dict[str, bytes]:
    """Every page and API answer the participant can read about the competition and its submissions."""
    web = login(participant)
    api = Client(HTTP_AUTHORIZATION=f"Token {token_of(participant)}")
    slug = competition.slug
    views = {
        name: body(web.get(reverse(name, args=[slug])))
        for name in ("competition", "leaderboard", "my_submissions", "submit", "team", "terms")
    }
    views["home"] = body(web.get(reverse("home")))
    for suffix in ("", "/submissions", "/leaderboard", "/versions", "/metrics", "/data-card", "/team"):
        views[f"api{suffix}"] = body(api.get(f"/api/v1/competitions/{slug}{suffix}"))
    for submission in submissions:
        views[f"status {submission.seq}"] = body(web.get(reverse("status", args=[submission.pk])))
        views[f"api submission {submission.seq}"] = body(api.get(f"/api/v1/submissions/{submission.pk}"))
    return views


def token_of(user: User) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def test_the_decisions_are_the_ones_expected(decided: tuple[Competition, User, list[Submission]]) -> None:
    _, _, submissions = decided
    assert [(s.status, s.reason) for s in submissions] == [
        ("accepted", "accepted"),
        ("rejected", "group_too_small"),
        ("rejected", "insufficient_improvement"),
        ("rejected", "invalid_model"),
    ]


def test_an_accepted_gain_is_shown_only_rounded_down_to_the_published_step(
    decided: tuple[Competition, User, list[Submission]],
) -> None:
    competition, participant, submissions = decided
    accepted = submissions[0]
    exact = accepted.figures["gain"]
    step = competition_step(competition).step
    assert step is not None
    assert accepted.public_gain == public_gain(exact, step) <= exact
    steps = accepted.public_gain / step
    assert math.isclose(steps, round(steps), abs_tol=1e-6)
    data = json.loads(login(participant).get(reverse("status", args=[accepted.pk])).content)
    assert data["public_gain"] == accepted.public_gain


def test_the_status_json_carries_only_the_category_and_the_public_gain(
    decided: tuple[Competition, User, list[Submission]],
) -> None:
    _, participant, submissions = decided
    web = login(participant)
    for submission in submissions:
        data = json.loads(web.get(reverse("status", args=[submission.pk])).content)
        assert set(data) == STATUS_KEYS
        reason = Reason(data["reason"])
        if reason not in messages.FILE_REASONS:
            assert data["message"] == messages.PUBLIC_MESSAGES[reason]
        assert data["public_gain"] is None or data["status"] == "accepted"


def test_the_api_gives_participants_no_figures_and_no_timing_of_the_holdout_run(
    decided: tuple[Competition, User, list[Submission]],
) -> None:
    _, participant, submissions = decided
    api = Client(HTTP_AUTHORIZATION=f"Token {token_of(participant)}")
    for submission in submissions:
        data = json.loads(api.get(f"/api/v1/submissions/{submission.pk}").content)
        assert data["figures"] is None
        assert data["started_at"] is None  # with finished_at it would time the run on the holdout
        assert not any(key in data for key in SECRET_KEYS if key != "figures")


def holdout_secrets(competition: Competition, submissions: list[Submission]) -> dict[str, str]:
    """Printed forms of every organizer-only figure (and of the exact current holdout loss)."""
    secrets: dict[str, str] = {}
    for submission in submissions:
        for key, value in (submission.figures or {}).items():
            if isinstance(value, float) and (key != "gain" or submission.status != "accepted"):
                for text in renderings(value):
                    secrets[text] = f"{key} of #{submission.seq}"
    exact_gain = submissions[0].figures["gain"]
    if not math.isclose(exact_gain, submissions[0].public_gain or 0.0, abs_tol=1e-4):
        secrets.update({text: "exact gain of #1" for text in renderings(exact_gain)})
    current = competition.current_holdout_loss
    assert current is not None
    secrets.update({text: "exact current holdout loss" for text in renderings(current) if len(text) > 5})
    return secrets


def leaks(secrets: dict[str, str], views: dict[str, bytes]) -> list[str]:
    """Each secret printed in a view, wherever it is not the tail of a longer number: a mass of 0.48
    is not in the time stamp 01:57:10.481234 (any digits may follow it, as in 0.480)."""
    return [
        f"{secrets[text]} ({text}) in {name}"
        for name, content in views.items()
        for text in secrets
        if re.search(rb"(?<![0-9])" + re.escape(text.encode()), content)
    ]


def test_no_participant_view_contains_a_figure_derived_from_the_holdout(
    decided: tuple[Competition, User, list[Submission]],
) -> None:
    competition, participant, submissions = decided
    views = participant_views(competition, participant, submissions)
    assert len(views) > 15
    found = leaks(holdout_secrets(competition, submissions), views)
    assert found == [], "\n".join(found)
    for name, content in views.items():
        for word in (b"Traceback", b"stderr", b"Errno", str(data_dir()).encode()):
            assert word not in content, (name, word)


def test_the_report_pages_contain_no_figure_derived_from_the_holdout(
    decided: tuple[Competition, User, list[Submission]],
) -> None:
    competition, participant, _ = decided
    web = login(participant)
    views = {
        name: body(web.get(reverse(name, args=[competition.slug]))) for name in ("reports", "model_card")
    }
    assert leaks(holdout_secrets(competition, decided[2]), views) == []


def test_the_public_holdout_loss_moves_only_by_published_gains(
    decided: tuple[Competition, User, list[Submission]],
) -> None:
    competition, _, submissions = decided
    metrics = json.loads(Client().get(f"/api/v1/competitions/{competition.slug}/metrics").content)
    base = competition.base_holdout_loss
    assert base is not None
    step = competition_step(competition).step
    assert step is not None
    published_base = publish(base, step)
    published = sum(s.public_gain or 0.0 for s in submissions)
    assert metrics["base_loss"] == published_base
    assert metrics["public_loss"] == pytest.approx(published_base - published, abs=1e-12)
    assert metrics["current_loss_percent"] == round(100 * metrics["public_loss"] / published_base, 2)
    assert metrics["improvement_percent"] == round(100 * published / published_base, 2)
