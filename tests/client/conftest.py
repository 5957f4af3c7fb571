"""Client tests: no Django, no database. Each test gets its own config directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.client.stub import Stub


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("BOUNTY_CONFIG_DIR", str(directory))
    monkeypatch.delenv("BOUNTY_URL", raising=False)
    monkeypatch.delenv("BOUNTY_TOKEN", raising=False)
    return directory


@pytest.fixture
def stub() -> Iterator[Stub]:
    with Stub() as server:
        yield server
