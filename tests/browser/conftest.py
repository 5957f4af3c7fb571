"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server,
with one real Celery worker for the whole session deciding submissions.

Screenshots go to ``$BOUNTY_SCREENSHOT_DIR`` or ``artifacts/screenshots/`` (git-ignored); axe-core comes
from ``node_modules/`` (``npm ci`` at the repo root, run by ``make test-browser``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests are still
# plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser.support import AXE_PATH, AXE_URL, CHROMIUM, DESKTOP, SCREENSHOT_DIR, Visitor
from tests.platform.conftest import LiveWorker, start_worker

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = [what for what, path in (("chromium", CHROMIUM), ("axe-core", AXE_PATH)) if not path.exists()]
    # `make test-browser` installs both; fail loudly rather than skip silently
    if missing and any(item.nodeid.startswith("tests/browser/") for item in items):
        raise pytest.UsageError(f"browser tests need {' and '.join(missing)}: run `make test-browser`")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture(scope="session")
def browser_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One data dir (competition files, model artifacts) shared by the live server and the worker."""
    from django.conf import settings

    path = tmp_path_factory.mktemp("browser-data")
    previous = settings.BOUNTY_DATA_DIR
    settings.BOUNTY_DATA_DIR = path
    yield path
    settings.BOUNTY_DATA_DIR = previous


@pytest.fixture(scope="session")
def worker(
    django_db_setup: None,
    django_db_blocker: Any,
    browser_data_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveWorker]:
    """A real ``celery worker`` on the test database, started once for the session."""
    with django_db_blocker.unblock(), start_worker(tmp_path_factory.mktemp("worker")) as live:
        yield live


@pytest.fixture
def visitor(
    browser: Browser,
    live_server: Any,
    browser_data_dir: Path,
    screenshot_dir: Path,
    request: pytest.FixtureRequest,
) -> Iterator[Visitor]:
    """A fresh browser context (no cookies) on the live server, desktop-sized."""
    # The site's own Content-Security-Policy stays on: axe-core is served from the page's origin at a
    # path only this browser answers, so it loads as a same-origin script the policy allows.
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, accept_downloads=True)
    context.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE_PATH, content_type="text/javascript"))
    context.set_default_timeout(20_000)
    page: Page = context.new_page()
    folder = screenshot_dir / request.node.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    shutil.rmtree(folder, ignore_errors=True)
    yield Visitor(page=page, shots=folder)
    context.close()
