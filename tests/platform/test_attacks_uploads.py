"""Hostile uploads refused at the door (web form and API), before anything reaches a worker:
oversized files and requests, pickle-family files, groups that try code injection or break the
limits, and file names that try to escape the artifact store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bounty.models import Competition, Submission
from scoring.groups import MAX_DEPTH, MAX_NODES, MAX_STRING, MAX_TEXT, MAX_VALUES
from tests.engine import malicious
from tests.platform.api_support import api_client, error_of, skops_model, upload
from tests.platform.conftest import login
from tests.platform.security_support import snapshot

API_FORM = "multipart"
INJECTIONS = [
    '__import__("os").system("touch {marker}")',
    'age >= 60 and __import__("os").system("touch {marker}")',
    "age >= 60; import os; os.system('touch {marker}')",
    "exec(\"open('{marker}', 'w')\")",
    "age >= (lambda: open('{marker}', 'w'))()",
    "sex == \"Female\" or eval(\"open('{marker}', 'w')\")",
    "age >= 60 and sex.__class__.__mro__",
    "age >= 60 or `__import__('os')` == 1",
    "{{{{7*7}}}} and age >= 1",
    "age >= 60 -- ' OR 1=1",
]


@pytest.fixture(autouse=True)
def fresh_throttles() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def api_submit(user: User, competition: Competition, **data: Any) -> Any:
    path = f"/api/v1/competitions/{competition.slug}/submissions"
    return api_client(user).post(path, data, format=API_FORM)


def web_submit(user: User, competition: Competition, **data: Any) -> Any:
    return login(user).post(reverse("submit", args=[competition.slug]), data)


def nothing_stored(data_dir: Path) -> None:
    assert Submission.objects.count() == 0
    artifacts = data_dir / "artifacts"
    assert not artifacts.exists() or not any(p.is_file() for p in artifacts.rglob("*"))


@pytest.mark.parametrize("template", INJECTIONS)
def test_group_text_that_tries_code_injection_is_refused_as_invalid_group(
    template: str,
    competition: Competition,
    ready_participant: User,
    enqueued: list[int],
    tmp_path: Path,
    data_dir: Path,
) -> None:
    marker = tmp_path / "injected"
    text = template.format(marker=marker)
    response = api_submit(ready_participant, competition, group_text=text, model=upload())
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_group"
    page = web_submit(ready_participant, competition, group_text=text, model_file=upload())
    assert page.status_code == 400
    assert not marker.exists()
    nothing_stored(data_dir)


def _chain(n: int) -> dict[str, Any]:
    return {"op": "and", "args": [{"col": "age", "op": ">=", "value": i} for i in range(n)]}


def _deep(depth: int) -> dict[str, Any]:
    tree: dict[str, Any] = {"col": "age", "op": ">=", "value": 1}
    for _ in range(depth):
        tree = {"op": "not", "arg": tree}
    return tree


OVER_LIMITS = {
    "too many nodes": _chain(MAX_NODES + 1),
    "too deep": _deep(MAX_DEPTH + 2),
    "too many values": {"col": "sex", "op": "in", "values": ["Female"] * (MAX_VALUES + 1)},
    "string too long": {"col": "sex", "op": "==", "value": "F" * (MAX_STRING + 1)},
    "unknown column": {"col": "salary", "op": ">=", "value": 1},
    "the target as a column": {"col": "y", "op": "==", "value": "1"},
    "dunder column": {"col": "__class__", "op": "==", "value": 1},
    "unknown operator": {"col": "age", "op": "__eq__", "value": 1},
    "unknown key": {"col": "age", "op": ">=", "value": 1, "code": "import os"},
    "not a tree": ["age", ">=", 1],
}


@pytest.mark.parametrize("name", sorted(OVER_LIMITS))
def test_group_trees_over_the_limits_or_naming_unknown_columns_are_refused(
    name: str, competition: Competition, ready_participant: User, enqueued: list[int], data_dir: Path
) -> None:
    group = json.dumps(OVER_LIMITS[name])
    response = api_submit(ready_participant, competition, group=group, model=upload())
    assert response.status_code == 400, response.content
    assert error_of(response)["code"] in {"invalid_group", "validation_error", "invalid"}
    nothing_stored(data_dir)


def test_group_text_over_the_length_limit_is_refused(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    text = "age >= 1 and " * (MAX_TEXT // 13 + 1) + "age >= 1"
    assert len(text) > MAX_TEXT
    assert api_submit(ready_participant, competition, group_text=text, model=upload()).status_code == 400
    assert web_submit(ready_participant, competition, group_text=text, model_file=upload()).status_code == 400


@pytest.mark.parametrize(
    "name",
    ["pickle", "pickle0", "joblib", "joblib_gzip", "dill", "lz4_joblib", "random", "empty_zip"],
)
def test_pickle_family_and_junk_files_are_refused_at_api_upload_and_never_stored(
    name: str,
    competition: Competition,
    ready_participant: User,
    enqueued: list[int],
    tmp_path: Path,
    data_dir: Path,
) -> None:
    marker = tmp_path / "unpickled"
    files = {
        "pickle": lambda: malicious.pickle_payload(marker),
        "pickle0": lambda: malicious.pickle_payload(marker, protocol=0),
        "joblib": lambda: malicious.joblib_payload(marker),
        "joblib_gzip": lambda: malicious.joblib_payload(marker, compress=("gzip", 3)),
        "dill": malicious.dill_payload,
        "lz4_joblib": malicious.lz4_joblib_header,
        "random": malicious.random_bytes,
        "empty_zip": lambda: malicious.zip_without_schema(("model.pkl",)),
    }
    content = files[name]()
    response = api_submit(ready_participant, competition, group_text="age >= 60", model=upload(content))
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid_model", "model")
    response = api_submit(ready_participant, competition, group_model=upload(content), model=upload())
    assert error_of(response)["field"] == "group_model"
    assert not marker.exists()
    nothing_stored(data_dir)


def test_a_model_over_the_size_cap_is_refused_with_413_and_not_kept(
    settings: Any, competition: Competition, ready_participant: User, enqueued: list[int], data_dir: Path
) -> None:
    settings.BOUNTY_MAX_MODEL_BYTES = 16 * 1024
    big = skops_model() + bytes(32 * 1024)  # a zip with trailing bytes: still a valid archive
    response = api_submit(ready_participant, competition, group_text="age >= 60", model=upload(big))
    assert response.status_code == 413
    assert error_of(response)["code"] == "file_too_large"
    page = web_submit(ready_participant, competition, group_text="age >= 60", model_file=upload(big))
    assert page.status_code == 413
    nothing_stored(data_dir)


def test_a_request_body_over_the_cap_is_refused_before_it_is_read(
    settings: Any, competition: Competition, ready_participant: User, enqueued: list[int], data_dir: Path
) -> None:
    settings.BOUNTY_MAX_REQUEST_BYTES = 64 * 1024
    huge = bytes(128 * 1024)
    response = api_submit(ready_participant, competition, group_text="age >= 60", model=upload(huge))
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"
    page = web_submit(ready_participant, competition, group_text="age >= 60", model_file=upload(huge))
    assert page.status_code == 413
    anonymous = Client().post(reverse("login"), {"username": "x" * (100 * 1024), "password": "y"})
    assert anonymous.status_code == 413
    nothing_stored(data_dir)


TRAVERSAL_NAMES = [
    "../../../../escaped.skops",
    "..\\..\\..\\escaped.skops",
    "/tmp/escaped.skops",
    "%2e%2e%2fescaped.skops",
    "artifacts/../../escaped.skops",
    "escaped.skops\x00.png",
    "con.skops",
]


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_uploaded_file_names_never_choose_where_a_file_is_written(
    name: str,
    competition: Competition,
    ready_participant: User,
    enqueued: list[int],
    data_dir: Path,
    tmp_path: Path,
) -> None:
    before = snapshot(tmp_path)
    response = api_submit(ready_participant, competition, group_text="age >= 60", model=upload(name=name))
    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    page = web_submit(ready_participant, competition, group_text="age >= 61", model_file=upload(name=name))
    assert page.status_code == 302
    added = set(snapshot(tmp_path)) - set(before)
    stored = f"data/artifacts/{submission.model_sha256[:2]}/{submission.model_sha256}"
    assert added == {stored}, added
    assert submission.model_format.isalnum() and len(submission.model_format) <= 16
    assert not Path("/tmp/escaped.skops").exists()
    assert not (data_dir.parent.parent / "escaped.skops").exists()
    assert Submission.objects.count() == 2
