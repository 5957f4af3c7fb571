"""What operators watch: /metrics (operators only) after real decisions by a real worker, across several
gunicorn processes, and /readyz naming the dependency that does not answer."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from bounty.lifecycle import submission_create
from bounty.models import Competition, Submission
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from tests.platform.conftest import LiveWorker, celery_process, model_upload
from tests.platform.engine_world import engine_competition, pair_model
from tests.platform.test_sharded_scoring import broken_model
from tests.platform.test_upload_limits import HOST, free_port

TOKEN = "metrics-scraper-token-0123456789"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.mark.django_db
@override_settings(BOUNTY_METRICS_TOKEN=TOKEN)
def test_metrics_are_refused_to_anyone_but_an_operator(make_user: object) -> None:
    anonymous = Client().get("/metrics")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Bearer")
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 401
    assert Client().get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 401
    participant = Client()
    participant.force_login(User.objects.create_user("someone", password="participant-pass-1"))
    assert participant.get("/metrics").status_code == 403
    assert b"bounty_" not in participant.get("/metrics").content
    staff = Client()
    staff.force_login(User.objects.create_user("ops", password="operator-pass-12", is_staff=True))
    assert staff.get("/metrics").status_code == 200
    scraper = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert scraper.status_code == 200 and scraper["Content-Type"].startswith("text/plain")
    assert Client().post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


@pytest.mark.django_db
@override_settings(BOUNTY_METRICS_TOKEN="")
def test_without_a_token_only_staff_sessions_see_the_metrics() -> None:
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return samples(Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode())


def wait_decided(competition: Competition, count: int, timeout: float = 180.0) -> list[Submission]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = list(competition.submissions.exclude(status__in=Submission.PENDING).order_by("seq"))
        if len(done) == count:
            return done
        time.sleep(0.3)
    raise AssertionError("the submissions were not decided in time")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@override_settings(BOUNTY_METRICS_TOKEN=TOKEN)
def test_metrics_count_what_the_worker_decided_and_what_the_web_answered(live_worker: LiveWorker) -> None:
    organizer = User.objects.create_user("org", password="org-pass-123456")
    competition = engine_competition(organizer=organizer)
    user = User.objects.create_user("p", password="participant-pass-1")
    terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
    team_create(competition=competition, name="team", user=user)
    client = Client()
    client.force_login(user)
    posted = (("method", "POST"), ("status", "302"), ("view", "submit"))
    before = scrape().get(("bounty_http_requests_total", posted), 0)  # this process served other tests
    text = 'marital_status in ["Married-civ-spouse"]'
    form = {"group_text": text, "model_file": model_upload(pair_model(text, "boosting"))}
    assert client.post(reverse("submit", args=[competition.slug]), form).status_code == 302
    # A model that fails on the hidden rows (the page's pre-check would refuse it on train rows first).
    broken = ContentFile(broken_model(), name="broken.skops")
    submission_create(competition=competition, user=user, group_text=text, model_file=broken)
    decided = wait_decided(competition, 2)
    assert [s.reason for s in decided] == ["accepted", "prediction_error"]

    found = scrape()
    assert found[("bounty_decisions_total", (("reason", "accepted"),))] == 1
    assert found[("bounty_sandbox_refusals_total", (("reason", "prediction_error"),))] == 1
    assert found[("bounty_evaluations_total", (("outcome", "evaluated"),))] == 1
    assert found[("bounty_evaluations_total", (("outcome", "refused"),))] == 1
    assert found[("bounty_queue_depth", ())] == 0
    assert found[("bounty_submissions_reaped_total", ())] == 0
    assert found[("bounty_evaluation_seconds_count", ())] == 2
    assert found[("bounty_decision_seconds_count", ())] == 1
    assert found[("bounty_decision_seconds_bucket", (("le", "+Inf"),))] == 1
    assert found[("bounty_http_requests_total", posted)] == before + 1


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_requests_to_every_gunicorn_process_add_up_in_one_scrape(tmp_path: Path) -> None:
    port = free_port()
    folder = tmp_path / "prometheus"
    folder.mkdir()
    command = [sys.executable, "-m", "gunicorn", "bounty.wsgi", "--bind", f"{HOST}:{port}", "--workers", "2"]
    env = {"PROMETHEUS_MULTIPROC_DIR": str(folder), "BOUNTY_METRICS_TOKEN": TOKEN}
    with celery_process(command, tmp_path, "web", env=env) as web:
        base = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and web.process.poll() is None, web.log()
                time.sleep(0.3)
        with ThreadPoolExecutor(max_workers=8) as pool:  # at once: while one process is busy, another serves
            codes = list(
                pool.map(lambda _: requests.get(f"{base}/healthz", timeout=10).status_code, range(40))
            )
        assert codes == [200] * 40
        text = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30).text
    writers = {p.name.split("_")[-1] for p in folder.glob("counter_*.db")}
    assert len(writers) >= 2, "the requests reached one process only"
    healthz = (("method", "GET"), ("status", "200"), ("view", "healthz"))
    assert samples(text)[("bounty_http_requests_total", healthz)] == 41


@pytest.mark.django_db
def test_readiness_names_the_dependency_that_does_not_answer(tmp_path: Path, settings: object) -> None:
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"database": "ok", "broker": "ok", "store": "ok"}
    gone = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "x")},
    }
    with override_settings(STORAGES={**settings.STORAGES, "bounty": gone}):  # type: ignore[attr-defined]
        down = Client().get("/readyz")
    assert down.status_code == 503
    assert down.json() == {"database": "ok", "broker": "ok", "store": "unavailable"}
    assert "Cache-Control" in down and "no-cache" in down["Cache-Control"]
