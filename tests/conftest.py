"""Shared test setup. Kept free of Django: the engine tests run with ``-p no:django``.

Django fixtures (users, competitions, the ``live_worker`` subprocess) are in
``tests/platform/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO_DIR
