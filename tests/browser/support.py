"""The browser tests' helpers: a ``Visitor`` that visits pages, saves screenshots at desktop and
375 px widths, checks the narrow layout for sideways scrolling and runs axe-core in the page."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core import mail
from playwright.sync_api import Page, ViewportSize, expect

REPO_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("BOUNTY_CHROMIUM", "/usr/bin/chromium"))
AXE_PATH = REPO_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__browser-tests__/axe.min.js"  # answered by the test browser itself (conftest.visitor)
SCREENSHOT_DIR = Path(os.environ.get("BOUNTY_SCREENSHOT_DIR") or REPO_DIR / "artifacts" / "screenshots")
DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=375, height=812)
BLOCKING = {"serious", "critical"}

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""

# Whether a page scrolls sideways, and which elements stick out to the right (outside any box that
# scrolls sideways itself) when it does.
OVERFLOW = """() => {
  const root = document.documentElement, width = root.clientWidth;
  if (root.scrollWidth <= width) return [];
  const scrolls = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll") return true;
    }
    return false;
  };
  const out = Array.from(document.body.querySelectorAll("*"))
    .filter(el => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
    .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
  return [`the page is ${root.scrollWidth} px wide`, ...out];
}"""


@dataclass
class Visitor:
    page: Page
    shots: Path
    seen: list[str] = field(default_factory=list)

    def go(self, path: str, *, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == status, (path, response and response.status)

    def check(self, name: str, *, phone: bool = True) -> None:
        """Screenshot the page (desktop, then 375 px wide), fail on sideways scrolling at 375 px and on
        any serious or critical axe-core violation."""
        self.seen.append(name)
        number = len(self.seen)
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=self.shots / f"{number:02d}-{name}.png", full_page=True)
        violations = self.axe()
        (self.shots / f"{number:02d}-{name}.axe.json").write_text(json.dumps(violations, indent=1))
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert not blocking, f"{name}: accessibility violations\n" + json.dumps(blocking, indent=1)
        if phone:
            self.page.set_viewport_size(PHONE)
            try:
                self.page.screenshot(path=self.shots / f"{number:02d}-{name}-375px.png", full_page=True)
                sticking_out = self.page.evaluate(OVERFLOW)
                assert not sticking_out, f"{name}: wider than 375 px: {sticking_out}"
            finally:
                self.page.set_viewport_size(DESKTOP)

    def axe(self) -> list[dict[str, Any]]:
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            origin = self.page.evaluate("() => location.origin")
            self.page.add_script_tag(url=origin + AXE_URL)
        violations: list[dict[str, Any]] = self.page.evaluate(AXE_RUN)
        return violations

    def fill(self, label: str, value: str) -> None:
        """Fill the input labelled ``label`` (so the test fails if a field has no label)."""
        self.page.get_by_label(label, exact=True).fill(value)

    def tab(self, name: str) -> None:
        """Follow one of a competition's tabs."""
        tabs = self.page.locator("nav.tabs")
        tabs.get_by_role("link", name=name, exact=True).click()

    def click(self, role: str, name: str) -> None:
        self.page.get_by_role(role, name=name, exact=True).click()  # type: ignore[arg-type]

    def sign_up(self, username: str, password: str) -> None:
        """Sign up as ``username`` (``<username>@example.org``) and follow the emailed confirmation link
        from the test outbox."""
        self.go("/accounts/signup/")
        self.fill("Username", username)
        self.fill("Email", f"{username}@example.org")
        self.fill("Password", password)
        self.fill("Password again", password)
        self.click("button", "Sign up")
        expect(self.page.get_by_role("heading", name="Check your email")).to_be_visible()
        link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
        assert link is not None, mail.outbox[-1].body
        self.go(link.group(1))
        expect(self.page.get_by_role("heading", name="Your email address is confirmed")).to_be_visible()


@contextmanager
def frozen_status(page: Page) -> Iterator[None]:
    """Hold back the status polls (so a pending submission's page does not reload) for a while."""
    pattern = "**/submissions/*/status"
    page.route(pattern, lambda route: route.abort())
    try:
        yield
    finally:
        page.unroute(pattern)


def wait_until(condition: Callable[[], bool], *, timeout: float = 120.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
