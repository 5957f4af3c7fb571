"""A new user's whole journey on the web, decided by a real worker process on the real engine."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bounty.models import Submission
from tests.platform.conftest import LiveWorker
from tests.platform.engine_world import GROUP_TEXTS, engine_competition, pair_model

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_decided(client: Client, submission_id: int, timeout: float = 180.0) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(reverse("status", args=[submission_id])).json()
        if not data["pending"]:
            return data  # type: ignore[no-any-return]
        time.sleep(0.3)
    raise AssertionError(f"submission {submission_id} was not decided within {timeout}s")


def test_new_user_submits_from_the_web_and_sees_the_decision_on_the_leaderboard(
    live_worker: LiveWorker, make_user: object
) -> None:
    organizer = User.objects.create_user("org", password="org-pass-123456")
    competition = engine_competition(organizer=organizer)
    slug = competition.slug
    web = Client()
    signup = {"username": "ada", "email": "ada@example.org", "password1": "a-long-pass-4-ada"}
    response = web.post(reverse("signup"), {**signup, "password2": signup["password1"]})
    assert response.status_code == 302 and response["Location"] == reverse("email_confirmation")
    # a team needs a confirmed email address: follow the link the sign-up mailed
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    assert link is not None
    assert web.get(link.group(1)).status_code == 302
    assert web.post(reverse("team", args=[slug]), {"action": "create", "name": "Ada's"}).status_code == 302
    # the data is locked until the terms are accepted
    assert web.get(reverse("train_download", args=[slug])).status_code in (302, 403)
    terms = {"accept": "on", "terms_version": competition.terms_version}
    assert web.post(reverse("terms", args=[slug]), terms).status_code == 302
    download = web.get(reverse("train_download", args=[slug]))
    assert download.status_code == 200
    header = b"".join(download.streaming_content).split(b"\n", 1)[0].decode()
    assert "marital_status" in header and "income" in header

    text = GROUP_TEXTS[0]
    preview = web.get(reverse("group_preview", args=[slug]), {"group": text}).json()
    assert 0 < preview["mass"] < 1
    upload = SimpleUploadedFile("married.skops", pair_model(text))
    response = web.post(reverse("submit", args=[slug]), {"group_text": text, "model_file": upload})
    assert response.status_code == 302
    submission = Submission.objects.get(author__username="ada")
    decided = wait_decided(web, submission.pk)
    assert decided["status"] == "accepted" and decided["reason"] == "accepted"
    assert "figures" not in decided  # participants never see the organizer-only figures
    board = web.get(reverse("leaderboard", args=[slug])).content.decode()
    assert "Ada&#x27;s" in board or "Ada's" in board
    assert "Married-civ-spouse" in board
    competition.refresh_from_db()
    assert competition.head_version == 1
    assert competition.current_holdout_loss < competition.base_holdout_loss
