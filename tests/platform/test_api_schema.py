"""The OpenAPI 3 schema: served, valid, exact about errors; and the server-rendered docs page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.platform.api_support import (
    API,
    api_reset,  # noqa: F401  (a fixture)
)

pytestmark = pytest.mark.usefixtures("api_reset")
ORGANIZE = (  # the console over the API, under /organize/competitions/{slug}
    ("GET", "/review"),
    ("POST", "/submissions/{submission_id}/approve"),
    ("POST", "/submissions/{submission_id}/decline"),
    ("POST", "/rollback"),
    ("POST", "/teams/{team_id}/disqualify"),
    ("POST", "/teams/{team_id}/approve"),
    ("POST", "/confirm"),
    ("POST", "/close"),
    ("GET", "/exports/bundle.zip"),
    ("GET", "/exports/submissions.csv"),
    ("GET", "/exports/leaderboard.csv"),
    ("GET", "/exports/payouts.csv"),
    ("PUT", "/program"),
    ("GET", "/ledger"),
    ("POST", "/ledger/corrections"),
    ("POST", "/ledger/{entry_id}/{action}"),
)


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    response = APIClient().get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    return dict(json.loads(response.content))


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]


def test_the_schema_is_served_as_yaml_and_json_to_anyone(db: None) -> None:
    served = APIClient().get(f"{API}/schema/")
    assert served.status_code == 200
    document = yaml.safe_load(served.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Bias Bounty API"


def test_the_schema_lists_every_endpoint_of_the_api(schema: dict[str, Any]) -> None:
    found = {(method.upper(), path.removeprefix(API)) for path, method, _ in operations(schema)}
    slug = "/competitions/{slug}"
    assert found == {
        ("POST", "/auth/token"),
        ("GET", "/competitions"),
        ("GET", slug),
        ("GET", f"{slug}/schema"),
        ("GET", f"{slug}/data-card"),
        ("POST", f"{slug}/terms"),
        ("GET", f"{slug}/train.csv"),
        ("GET", f"{slug}/train-baseline.csv"),
        ("GET", f"{slug}/train-baseline.npy"),
        ("GET", f"{slug}/explore"),
        ("POST", f"{slug}/fits"),
        ("GET", "/fits/{job_id}"),
        ("POST", "/fits/{job_id}/submit"),
        ("POST", f"{slug}/teams"),
        ("POST", f"{slug}/teams/join"),
        ("GET", f"{slug}/team"),
        ("GET", f"{slug}/submissions"),
        ("POST", f"{slug}/submissions"),
        ("GET", f"{slug}/leaderboard"),
        ("GET", f"{slug}/versions"),
        ("GET", f"{slug}/metrics"),
        ("GET", f"{slug}/findings"),
        ("POST", f"{slug}/findings"),
        ("GET", f"{slug}/program"),
        ("GET", f"{slug}/earnings"),
        ("PUT", f"{slug}/earnings/split"),
        ("GET", "/submissions/{submission_id}"),
        ("POST", "/submissions/{submission_id}/cancel"),
        *((method, f"/organize{slug}{tail}") for method, tail in ORGANIZE),
        ("POST", "/organize/competitions"),
        ("POST", "/organize/competitions/{slug}/open"),
        ("GET", "/organize/drafts"),
        ("GET", "/organize/drafts/{draft_id}"),
        ("GET", "/organize/drafts/{draft_id}/definition"),
        ("POST", "/organize/drafts/{draft_id}/definition"),
    }


def test_every_error_response_is_the_documented_error_component(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["error"]
    detail = components[components["Error"]["properties"]["error"]["$ref"].rsplit("/", 1)[-1]]
    assert set(detail["properties"]) == {"code", "message", "field"}
    assert detail["properties"]["field"]["nullable"] is True
    for path, method, op in operations(schema):
        errors = {code: r for code, r in op["responses"].items() if int(code) >= 400}
        assert {"401", "429", "500"} <= set(errors), (method, path)
        for response in errors.values():
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error", (method, path)


def test_only_the_public_reads_and_the_token_exchange_need_no_login(schema: dict[str, Any]) -> None:
    public = {
        path.rsplit("/", 1)[-1]
        for path, _, op in operations(schema)
        if "security" not in op or {} in op["security"]
    }
    assert public == {"token", "leaderboard", "versions", "metrics"}


def test_the_submission_form_is_multipart_with_binary_files(schema: dict[str, Any]) -> None:
    op = schema["paths"][f"{API}/competitions/{{slug}}/submissions"]["post"]
    assert list(op["requestBody"]["content"]) == ["multipart/form-data"]
    ref = op["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    form = schema["components"]["schemas"][ref]
    assert form["properties"]["model"] == {
        **form["properties"]["model"],
        "type": "string",
        "format": "binary",
    }
    assert form["required"] == ["model"]


def test_public_versions_have_no_loss_fields(schema: dict[str, Any]) -> None:
    published = {"base_loss", "public_loss"}  # rounded down to the published step (scoring.publish)
    for name in ("PublicVersion", "Metrics", "LeaderboardRow"):
        assert not any(
            "loss" in field and "percent" not in field and field not in published
            for field in schema["components"]["schemas"][name]["properties"]
        )


def test_spectacular_validates_the_schema_without_a_warning(tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert yaml.safe_load(target.read_text())["paths"]


def test_the_docs_page_lists_the_endpoints_without_any_cdn(db: None) -> None:
    response = APIClient().get(f"{API}/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "POST /api/v1/competitions/{slug}/submissions" in page
    assert "Submit a (group, model) pair" in page
    assert "<script" not in page and "cdn" not in page.lower()
    redoc = APIClient().get(f"{API}/redoc/")
    assert (redoc.status_code, redoc["Location"]) == (302, f"{API}/docs/")
