"""Production settings: ``check --deploy`` is clean, HTTPS and cookies are locked down, every answer
carries a strict Content-Security-Policy the templates can live with, and logging in (web and API),
signing up and submitting are rate limited."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bounty.models import Competition
from tests.platform.api_support import set_rates, upload
from tests.platform.conftest import PASSWORD, login

REPO_DIR = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [REPO_DIR / "templates", REPO_DIR / "bounty" / "templates"]
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "on*= handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO_DIR),
        "DJANGO_SETTINGS_MODULE": "bounty.settings",
        "BOUNTY_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "bounty.example.org",
        "DATABASE_URL": "postgresql://bounty:secret@db.invalid:5432/bounty",
        "REDIS_URL": "redis://redis.invalid:6379/0",
    }
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_the_production_environment(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


SETTINGS_REPORT = """
import json
from django.conf import settings as s
print(json.dumps({
    "ssl_redirect": s.SECURE_SSL_REDIRECT, "hsts": s.SECURE_HSTS_SECONDS,
    "subdomains": s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "preload": s.SECURE_HSTS_PRELOAD,
    "session_secure": s.SESSION_COOKIE_SECURE, "csrf_secure": s.CSRF_COOKIE_SECURE,
    "httponly": s.SESSION_COOKIE_HTTPONLY, "nosniff": s.SECURE_CONTENT_TYPE_NOSNIFF,
    "frames": s.X_FRAME_OPTIONS, "referrer": s.SECURE_REFERRER_POLICY,
    "middleware": s.MIDDLEWARE, "max_request": s.BOUNTY_MAX_REQUEST_BYTES,
    "max_model": s.BOUNTY_MAX_MODEL_BYTES, "upload_memory": s.FILE_UPLOAD_MAX_MEMORY_SIZE,
    "data_memory": s.DATA_UPLOAD_MAX_MEMORY_SIZE, "rates": s.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "broker_retries": s.CELERY_BROKER_CONNECTION_MAX_RETRIES,
    "retry_on_startup": s.CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP,
    "health_checks": s.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
    "beat": s.CELERY_BEAT_SCHEDULE, "debug": s.DEBUG,
}))
"""


def settings_report(tmp_path: Path, **env: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SETTINGS_REPORT],
        cwd=tmp_path,
        env=production_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_production_settings_lock_down_https_cookies_uploads_and_recovery(tmp_path: Path) -> None:
    found = settings_report(tmp_path)
    assert found["debug"] is False
    assert found["ssl_redirect"] is True and found["hsts"] >= 31_536_000
    assert found["subdomains"] is True and found["preload"] is True
    assert found["session_secure"] and found["csrf_secure"] and found["httponly"]
    assert found["nosniff"] is True and found["frames"] == "DENY" and found["referrer"] == "same-origin"
    middleware = found["middleware"]
    assert middleware.index("bounty.security.RequestSizeLimitMiddleware") < middleware.index(
        "django.middleware.csrf.CsrfViewMiddleware"
    )  # the size check runs before anything reads the body
    assert "bounty.security.ContentSecurityPolicyMiddleware" in middleware
    assert found["max_request"] <= 2 * found["max_model"] + 2**20
    assert found["upload_memory"] <= 2 * 2**20 and found["data_memory"] <= 2 * 2**20
    assert {"login", "submit", "signup", "anon", "user"} <= set(found["rates"])
    assert found["broker_retries"] is None and found["retry_on_startup"] is True
    assert found["health_checks"] is True
    assert found["beat"]["reap-stuck-submissions"]["task"] == "bounty.reap_stuck"


def test_plain_http_deployments_can_turn_https_off_explicitly(tmp_path: Path) -> None:
    found = settings_report(tmp_path, DJANGO_SECURE_COOKIES="0")
    assert found["ssl_redirect"] is False and found["hsts"] == 0


# -- Content-Security-Policy -------------------------------------------------------------------------
def test_every_answer_carries_a_strict_content_security_policy(competition: Competition) -> None:
    client = Client()
    for path in ("/", reverse("competition", args=[competition.slug]), "/api/v1/competitions", "/nope/"):
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in policy and "*" not in policy


def test_templates_have_no_inline_scripts_styles_or_handlers() -> None:
    templates = [p for folder in TEMPLATE_DIRS if folder.exists() for p in folder.rglob("*.html")]
    assert len(templates) > 10
    found = [
        f"{path.relative_to(REPO_DIR)}: {name}"
        for path in templates
        for name, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == [], "\n".join(found)


# -- rate limits ----------------------------------------------------------------------------------------
@pytest.fixture
def throttles(settings: Any) -> Iterator[Any]:
    cache.clear()
    set_rates(settings, login="3/minute", submit="2/minute", signup="2/hour")
    yield settings
    cache.clear()


def test_web_and_api_logins_share_one_limit_per_client_address(throttles: Any, participant: User) -> None:
    web = Client()
    codes = [
        web.post(reverse("login"), {"username": "ada", "password": "wrong"}).status_code for _ in range(2)
    ]
    api = Client().post("/api/v1/auth/token", {"username": "ada", "password": "wrong"})
    assert codes == [200, 200] and api.status_code == 400
    blocked = web.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) >= 1
    assert "_auth_user_id" not in web.session  # even the right password waits
    assert Client().post("/api/v1/auth/token", {"username": "ada", "password": PASSWORD}).status_code == 429
    other = Client(REMOTE_ADDR="10.9.8.7").post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert other.status_code == 302


def test_signing_up_is_rate_limited_per_client_address(throttles: Any, db: None) -> None:
    def signup(name: str) -> int:
        data = {"username": name, "email": f"{name}@example.org", "password1": "a-long-pass-4-x"}
        data["password2"] = data["password1"]
        return Client().post(reverse("signup"), data).status_code

    assert [signup("sybil1"), signup("sybil2"), signup("sybil3")] == [302, 302, 429]
    assert User.objects.filter(username__startswith="sybil").count() == 2


def test_web_submissions_share_the_api_submit_limit(
    throttles: Any, competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    web = login(ready_participant)
    path = reverse("submit", args=[competition.slug])
    first = web.post(path, {"group_text": "age >= 60", "model_file": upload()})
    api = Client(HTTP_AUTHORIZATION=f"Token {token(ready_participant)}")
    second = api.post(
        f"/api/v1/competitions/{competition.slug}/submissions", {"group_text": "age >= 61", "model": upload()}
    )
    third = web.post(path, {"group_text": "age >= 62", "model_file": upload()})
    assert (first.status_code, second.status_code, third.status_code) == (302, 201, 429)
    assert competition.submissions.count() == 2
    assert web.get(path).status_code == 200  # reading the page is not limited


def token(user: User) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key
