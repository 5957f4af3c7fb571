"""Request bodies over the size cap are answered 413 before anything reads them: JSON under ``/api/``,
the error page elsewhere. Organizers' data uploads (the wizard's data step, ``/api/v1/organize/``) have
their own, larger cap (``BOUNTY_DATA_MAX_BYTES``); every other address keeps
``BOUNTY_MAX_REQUEST_BYTES``.

The refusal is checked in process (the test client) and on the real servers: ``manage.py runserver``
(wsgiref, which turns a hop-by-hop header sent by the application into a 500) and gunicorn, each
started with both caps set to 1 MB through the environment and sent a 2 MB multipart upload.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from wsgiref.util import is_hop_by_hop

import pytest
import requests
from django.test import Client
from django.urls import reverse

from bounty.security import CSP_HEADER, max_request_bytes, size_text
from tests.platform.conftest import LiveWorker, celery_process

REPO_DIR = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
ORDINARY = 64 * 1024  # the caps of the in-process tests
DATA = 256 * 1024
SERVER_LIMIT = 1024 * 1024  # both caps of the real servers
SERVER_ENV = {"BOUNTY_MAX_REQUEST_BYTES": str(SERVER_LIMIT), "BOUNTY_DATA_MAX_BYTES": str(SERVER_LIMIT)}
API_PATH = "/api/v1/competitions/adult-income/submissions"
API_DATA_PATH = "/api/v1/organize/datasets"
WIZARD_DATA_PATH = "/wizard/1/data/"


@pytest.fixture
def caps(settings: Any) -> None:
    settings.BOUNTY_MAX_REQUEST_BYTES = ORDINARY
    settings.BOUNTY_DATA_MAX_BYTES = DATA


def post_bytes(path: str, size: int, **extra: Any) -> Any:
    """A POST whose declared body is exactly ``size`` bytes."""
    return Client().post(path, data=b"x" * size, content_type="application/octet-stream", **extra)


def assert_no_hop_by_hop_header(response: Any) -> None:
    sent = [name for name in response.headers if is_hop_by_hop(name)]
    assert not sent, f"hop-by-hop headers a WSGI application may not send: {sent}"


# -- in process -----------------------------------------------------------------------------------
def test_the_paths_and_their_caps_match_the_urls(caps: None) -> None:
    assert reverse("api:submissions", kwargs={"slug": "adult-income"}) == API_PATH
    assert reverse("wizard:data", kwargs={"draft_id": 1}) == WIZARD_DATA_PATH
    data_paths = [
        API_DATA_PATH,
        "/api/v1/organize/competitions/x/data",
        WIZARD_DATA_PATH,
        reverse("legacy_wizard_data", kwargs={"draft_id": 7}),  # a 308 to the data step, body and all
    ]
    ordinary_paths = [
        API_PATH,
        "/api/v1/organizers",
        reverse("wizard:index"),
        reverse("wizard:schema", kwargs={"draft_id": 1}),
        reverse("wizard:model", kwargs={"draft_id": 1}),
        "/wizard/1/data/extra/",
        "/no/such/page/",
        "/",
    ]
    assert {path: max_request_bytes(path) for path in data_paths} == dict.fromkeys(data_paths, DATA)
    assert {path: max_request_bytes(path) for path in ordinary_paths} == dict.fromkeys(
        ordinary_paths, ORDINARY
    )
    assert max_request_bytes() == ORDINARY  # callers without a path get the ordinary cap


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (1024 * 1024, "1 MB"),
        (2 * 1024**3, "2 GB"),
        (41 * 1024 * 1024, "41 MB"),
        (1536 * 1024, "1.5 MB"),
        (64 * 1024, "64 KB"),
        (1024 * 1024 - 1, "1023.9 KB"),  # rounded down: what is refused is larger than what is said
        (int(1.99 * 1024**3), "1.9 GB"),
        (500, "500 bytes"),
    ],
)
def test_the_cap_is_said_in_the_largest_unit_that_fits(size: int, text: str) -> None:
    assert size_text(size) == text


def test_an_api_body_over_the_cap_is_refused_with_413_and_the_error_json(caps: None) -> None:
    for path, cap in [(API_PATH, ORDINARY), (API_DATA_PATH, DATA)]:
        response = post_bytes(path, cap + 1)
        assert response.status_code == 413, path
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "error": {
                "code": "request_too_large",
                "message": f"The request is larger than {size_text(cap)}.",
                "field": None,
            }
        }
        assert_no_hop_by_hop_header(response)
        assert CSP_HEADER in response


def test_a_wizard_data_upload_over_its_cap_is_refused_with_the_error_page(caps: None) -> None:
    response = post_bytes(WIZARD_DATA_PATH, DATA + 1)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "That was too much to send at once" in page
    assert "The request is larger than 256 KB." in page
    assert_no_hop_by_hop_header(response)
    assert CSP_HEADER in response
    # Other pages are refused above the ordinary cap, with the same page.
    other = post_bytes(reverse("login"), ORDINARY + 1)
    assert other.status_code == 413 and "The request is larger than 64 KB." in other.content.decode()


def test_a_body_at_the_cap_passes_through_to_the_view(db: None, caps: None) -> None:
    api = post_bytes(API_PATH, ORDINARY)
    assert api.status_code == 401  # the API's own answer to an anonymous caller, not the size cap
    assert api.json()["error"]["code"] != "request_too_large"
    # The data step takes more than the ordinary cap: the view answers (an anonymous visitor is sent
    # to log in).
    for size in (ORDINARY + 1, DATA):
        wizard = post_bytes(WIZARD_DATA_PATH, size)
        assert wizard.status_code == 302, size
        assert wizard["Location"].startswith(reverse("login"))


def test_the_data_cap_is_read_from_the_environment_with_a_2_gib_default(tmp_path: Path) -> None:
    report = "from django.conf import settings; print(settings.BOUNTY_DATA_MAX_BYTES)"

    def data_cap(**extra: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "BOUNTY_DATA_MAX_BYTES"}
        env.update(DJANGO_SETTINGS_MODULE="tests.settings", BOUNTY_TEST_DATA_DIR=str(tmp_path), **extra)
        return subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {report}"],
            cwd=REPO_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert data_cap().stdout.strip() == str(8 * 1024**3)  # ten million rows of forty columns fit
    assert data_cap(BOUNTY_DATA_MAX_BYTES="1048576").stdout.strip() == "1048576"
    broken = data_cap(BOUNTY_DATA_MAX_BYTES="2GB")
    assert broken.returncode != 0 and "BOUNTY_DATA_MAX_BYTES must be an integer" in broken.stderr


# -- the real servers -----------------------------------------------------------------------------
@dataclass
class Server:
    base: str
    process: LiveWorker

    def post(self, path: str, size: int) -> requests.Response:
        upload = {"file": ("data.csv", b"a,b\n" + b"1" * (size - 4), "text/csv")}
        return requests.post(self.base + path, files=upload, data={"note": "x"}, timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_command(kind: str, port: int) -> list[str]:
    if kind == "runserver":
        return [sys.executable, "manage.py", "runserver", f"{HOST}:{port}", "--noreload"]
    return [sys.executable, "-m", "gunicorn", "bounty.wsgi", "--bind", f"{HOST}:{port}", "--workers", "1"]


def wait_until_serving(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.process.poll() is not None:
            raise AssertionError(f"the server exited:\n{server.process.log()}")
        try:
            if requests.get(f"{server.base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the server did not answer within {timeout}s:\n{server.process.log()}")


@pytest.fixture(params=["runserver", "gunicorn"])
def server(request: pytest.FixtureRequest, transactional_db: None, tmp_path: Path) -> Iterator[Server]:
    """A real server (``manage.py runserver`` or gunicorn) on the test database, both caps 1 MB."""
    port = free_port()
    command = server_command(request.param, port)
    with celery_process(command, tmp_path, request.param, env=SERVER_ENV) as process:
        live = Server(f"http://{HOST}:{port}", process)
        wait_until_serving(live)
        yield live


@pytest.mark.integration
def test_a_real_server_answers_a_2_mb_upload_with_413(server: Server) -> None:
    for path in (API_PATH, API_DATA_PATH):
        api = server.post(path, 2 * SERVER_LIMIT)
        assert api.status_code == 413, (path, api.text[:500], server.process.log()[-3000:])
        assert api.headers["Content-Type"] == "application/json"
        assert api.json()["error"] == {
            "code": "request_too_large",
            "message": "The request is larger than 1 MB.",
            "field": None,
        }

    page = server.post(WIZARD_DATA_PATH, 2 * SERVER_LIMIT)
    assert page.status_code == 413, (page.text[:500], server.process.log()[-3000:])
    assert page.headers["Content-Type"].startswith("text/html")
    assert "That was too much to send at once" in page.text
    assert "The request is larger than 1 MB." in page.text

    # Under the cap the view answers (an anonymous caller is not let in), and the server still serves.
    small = server.post(API_PATH, SERVER_LIMIT // 2)
    assert small.status_code == 401, small.text[:500]
    assert requests.get(f"{server.base}/healthz", timeout=10).status_code == 200
    assert "Traceback" not in server.process.log()
