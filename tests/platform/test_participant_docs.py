"""docs/participants.md, run as written: client -> API -> worker -> decision, against a live server.

Every ``sh`` and ``python`` block of the worked example runs in order in one working directory, with the
real ``bounty`` command and the real demo competition (UCI Adult when the package index is reachable,
synthetic census data otherwise), decided by a real worker process. With ``BOUNTY_CLIENT_VENV`` (``make
test`` sets it, CI requires it) the blocks run in that environment, where the client was installed alone
as a participant installs it (``make client-venv``); otherwise in the project's own environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from bounty.models import Competition, Submission
from bounty.selectors.published import competition_step
from bounty.selectors.rules import competition_rules
from bounty.storage import data_dir
from tests.platform.conftest import REPO_DIR, LiveWorker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
DOC = REPO_DIR / "docs" / "participants.md"
FENCE = re.compile(r"^```(sh|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)
DOC_SERVER = "http://127.0.0.1:8000"
SKIPPED = ("pip install",)  # the test runs in the project's own environment
ALLOWED_EXIT = {"bounty check": {0, 1}, "bounty submit": {0, 1}, "bounty find": {0, 1}}


def blocks() -> list[tuple[str, str]]:
    found = [(kind, code) for kind, code in FENCE.findall(DOC.read_text())]
    return [(kind, code) for kind, code in found if not any(s in code for s in SKIPPED)]


def client_python() -> Path:
    """The Python the participant runs: the client installed alone when there is one."""
    venv = os.environ.get("BOUNTY_CLIENT_VENV")
    if venv:
        return Path(venv) / "bin" / "python"
    assert os.environ.get("CI") != "true", "CI runs the example with the client alone (make client-venv)"
    return Path(sys.executable)


def participant_env(tmp_path: Path, python: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH"}}
    env.update(
        BOUNTY_CONFIG_DIR=str(tmp_path / "config"),
        BOUNTY_USERNAME="reader",
        BOUNTY_PASSWORD="a-long-reader-password",
        PATH=os.pathsep.join([str(python.parent), env.get("PATH", "")]),
    )
    if python == Path(sys.executable):  # the project's environment: the checkout is the installation
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_DIR), os.environ.get("PYTHONPATH")]))
    return env


def run_block(kind: str, code: str, *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    python = str(Path(env["PATH"].split(os.pathsep)[0]) / "python")
    command = ["bash", "-euo", "pipefail", "-c", code] if kind == "sh" else [python, "-c", code]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_worked_example_runs_end_to_end(
    live_server: object, live_worker: LiveWorker, adult_cache: Path, tmp_path: Path
) -> None:
    shutil.copytree(adult_cache, data_dir() / "cache" / "adult")
    call_command("seed_demo")
    demo = Competition.objects.get()
    # The demo publishes at alpha itself, so every accepted gain shows on its leaderboard.
    assert competition_step(demo).step == competition_rules(competition=demo).alpha == 0.001
    User.objects.create_user("reader", password="a-long-reader-password")
    work = tmp_path / "work"
    work.mkdir()
    python = client_python()
    env = participant_env(tmp_path, python)
    server = str(live_server).rstrip("/")
    found = blocks()
    assert len(found) >= 8 and any(kind == "python" for kind, _ in found)
    for kind, code in found:
        code = code.replace(DOC_SERVER, server)
        result = run_block(kind, code, cwd=work, env=env)
        allowed = next((codes for cmd, codes in ALLOWED_EXIT.items() if cmd in code), {0})
        assert result.returncode in allowed, f"{kind} block failed:\n{code}\n{result.stdout}\n{result.stderr}"

    submission = Submission.objects.get(author__username="reader", kind="pair")
    assert submission.status in {"accepted", "rejected"} and submission.reason
    finding = Submission.objects.get(author__username="reader", kind="finding")  # the Findings section
    assert finding.status in {"accepted", "rejected"} and finding.reason
    assert (work / "age-40.skops").is_file() and (work / "adult-train.csv").is_file()
    source = (data_dir() / "cache" / "adult" / "source.json").is_file()
    if source:  # the real Adult data: the example's pair is accepted (random_state is fixed)
        assert submission.status == "accepted", submission.reason
