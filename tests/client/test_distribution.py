"""The participant's client is a distribution of its own: light enough for any notebook.

Its declared requirements (and the engine's, which it installs without extras) name nothing of the
platform, the sandbox or onnxruntime, and importing every one of its modules loads none of them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("django", "celery", "psycopg", "gunicorn", "pyseccomp", "onnxruntime")
HEAVY_MODULES = (*HEAVY, "rest_framework", "kombu", "redis", "bounty")


def project(path: Path) -> dict:
    return tomllib.loads(path.read_text())["project"]


def name_of(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_client_and_the_bare_engine_require_nothing_heavy() -> None:
    client = project(REPO / "client" / "pyproject.toml")
    engine = project(REPO / "scoring" / "pyproject.toml")
    required = {name_of(r) for r in client["dependencies"]}
    assert "bias-bounty-engine" in required
    assert not any("[" in r for r in client["dependencies"] if name_of(r) == "bias-bounty-engine")
    required |= {name_of(r) for r in engine["dependencies"]}
    assert not required & {name.replace("_", "-") for name in HEAVY}, required
    assert {"pyseccomp", "onnxruntime"} <= {name_of(r) for r in engine["optional-dependencies"]["sandbox"]}


def test_the_platform_requires_the_engine_with_its_sandbox() -> None:
    platform = project(REPO / "pyproject.toml")
    engine = [r for r in platform["dependencies"] if name_of(r) == "bias-bounty-engine"]
    assert engine and "[sandbox]" in engine[0]
    assert "bounty" in project(REPO / "client" / "pyproject.toml")["scripts"]
    assert "scripts" not in platform


IMPORT_ALL = """
import importlib, json, pkgutil, sys
import bounty_client
names = [m.name for m in pkgutil.walk_packages(bounty_client.__path__, "bounty_client.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted(m.split(".")[0] for m in sys.modules)}))
"""


def test_importing_every_client_module_loads_nothing_of_the_platform_or_the_sandbox() -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True, cwd="/", env=env, check=True
    )
    found = json.loads(result.stdout)
    assert {"bounty_client.cli", "bounty_client.local", "bounty_client.export"} <= set(found["modules"])
    assert not set(HEAVY_MODULES) & set(found["loaded"]), found["loaded"]
    assert "scoring" in found["loaded"]  # the local check is the engine's own code


def test_notebooks_written_for_the_old_import_path_keep_working() -> None:
    import bounty_client
    import bounty_client.local
    from bounty.client.local import check_locally

    import bounty.client as bc

    assert bc.connect is bounty_client.connect and check_locally is bounty_client.local.check_locally
    assert set(bc.__all__) == set(bounty_client.__all__)
