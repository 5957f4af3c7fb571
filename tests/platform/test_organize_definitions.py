"""Competitions as code through the API: a messy 200,000-row table, its problems with their rows, the
definition's choices, and a competition that opens with every category value kept exactly."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from bounty_client.cli import main
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from benchmarks.messy import CATEGORIES, RAGGED_AFTER
from bounty.models import Competition
from bounty.selectors.published import competition_step
from bounty.wizard.definition import parse_definition
from tests.platform.api_support import api_client, token_for
from tests.platform.conftest import LiveWorker
from tests.platform.engine_world import engine_competition
from tests.platform.organize_support import (
    CHOICES,
    EXPECTED_PROBLEMS,
    ODD_ROWS,
    definition,
    messy_csv,
    organizer_user,
    run_jobs,
)

URL = "/api/v1/organize/competitions"


def send(client: APIClient, text: str, **files: bytes) -> Any:
    payload = {"definition": SimpleUploadedFile("competition.yaml", text.encode())}
    payload |= {k: SimpleUploadedFile(k, v) for k, v in files.items()}
    return client.post(URL, payload, format="multipart")


def by_key(problems: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["key"]: p for p in problems}


@pytest.mark.django_db
def test_a_messy_table_comes_back_with_its_problems_then_opens_with_the_choices() -> None:
    client = api_client(organizer_user())
    answer = send(client, definition("census"), data=messy_csv().read_bytes())
    assert answer.status_code == 202, answer.content
    draft = answer.json()
    assert draft["job"]["status"] == "queued" and draft["job"]["name"] == "definition"

    job = run_jobs(draft["id"])
    assert job["status"] == "needs_choices"
    problems = by_key(job["problems"])
    assert set(problems) == EXPECTED_PROBLEMS
    assert problems["rows/ragged"]["places"] == [
        {"file": "census.csv", "count": 1, "rows": [RAGGED_AFTER + 1]}
    ]
    assert problems["age/non_numeric"]["places"][0]["rows"] == ODD_ROWS
    assert problems["age/non_numeric"]["values"] == {"abc": 3}
    assert problems["hispanic_origin/na_values"]["values"].keys() == {"NA"}
    assert set(problems["age/non_numeric"]["choices"]) == {"missing", "drop", "categorical"}
    assert not Competition.objects.exists()
    seen = client.get(f"/api/v1/organize/drafts/{draft['id']}").json()
    assert seen["job"]["problems"] == job["problems"]

    again = client.post(
        f"/api/v1/organize/drafts/{draft['id']}/definition",
        {"definition": SimpleUploadedFile("c.yaml", definition("census", choices=CHOICES).encode())},
        format="multipart",
    )
    assert again.status_code == 202, again.content
    job = run_jobs(draft["id"])
    assert job["status"] == "done", job
    competition = Competition.objects.get(slug="census")
    assert competition.status == Competition.Status.OPEN
    schema = {c["name"]: c for c in competition.schema["columns"]}
    for name in ("occupation", "hispanic_origin", "fill_questionnaire", "citizenship", "race"):
        assert schema[name]["categories"] == sorted(CATEGORIES[name])  # spaces, "NA", "None" kept
    assert schema["industry_code"]["kind"] == "categorical" and "01" in schema["industry_code"]["categories"]
    assert schema["age"]["kind"] == "numeric" and schema["age"]["nullable"]
    assert "instance_weight" not in schema
    assert "wage_per_hour" not in competition.schema["attributes"]
    assert {"sex", "race", "age"} <= set(competition.schema["attributes"])
    assert job["rules"]["z"] > 0 and set(job["rules"]["suggested"]) == {"alpha", "mu_min", "z"}
    assert competition.z == job["rules"]["z"]
    publication = job["rules"]["publication"]  # what the pre-flight said of the published step
    assert publication["step"] == competition_step(competition).step
    assert publication["hides_gains"] == (publication["step"] > job["rules"]["alpha"])
    findings = job["rules"]["findings"]  # what the pre-flight said of false findings at the chosen z
    assert findings["detectable_gap"] > job["rules"]["beta"] and findings["expected_false_findings"] >= 0


@pytest.mark.django_db
def test_a_choice_for_a_problem_the_data_does_not_have_is_refused_by_name() -> None:
    client = api_client(organizer_user())
    choices = {**CHOICES, "sex/whitespace": "strip"}
    draft = send(client, definition("census", choices=choices), data=messy_csv().read_bytes()).json()
    job = run_jobs(draft["id"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == "invalid_choice" and "'sex/whitespace'" in job["error"]["message"]


@pytest.mark.django_db
def test_a_definition_is_checked_key_by_key_before_anything_is_stored() -> None:
    client = api_client(organizer_user())
    answer = send(client, definition("census", rules={"alpha": "small"}), data=b"a,b\n1,2\n")
    assert answer.status_code == 400
    assert (
        answer.json()["error"]["code"] == "invalid_definition"
        and "rules" in answer.json()["error"]["message"]
    )
    missing = send(client, definition("census"))
    assert missing.status_code == 400 and "'data'" in missing.json()["error"]["message"]


@pytest.mark.django_db
def test_only_organizers_may_send_definitions(make_user: Any) -> None:
    client = api_client(make_user("eve"))
    answer = send(client, definition("census"), data=b"a,b\n1,2\n")
    assert answer.status_code == 403


# -- the command line, against a live server and a real worker ----------------------------------------
def bounty(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_bounty_organize_create_shows_the_problems_then_creates_with_the_choices(
    live_server: Any, live_worker: LiveWorker, tmp_path: Path
) -> None:
    user = organizer_user("ada")
    server = ["--server", str(live_server), "--token", token_for(user)]
    (tmp_path / "census.csv").symlink_to(messy_csv())
    definition_path = tmp_path / "competition.yaml"
    definition_path.write_text(definition("census-cli"))

    code, out, err = bounty(*server, "organize", "create", str(definition_path))
    assert code == 1, (out, err)
    assert "Sending competition.yaml and census.csv (77.9 MB)" in err
    assert "- rows/ragged: Rows with a different number of fields" in out
    assert f"census.csv: 1 rows; first rows: {RAGGED_AFTER + 1}" in out
    assert f"census.csv: 3 rows; first rows: {', '.join(map(str, ODD_ROWS))}" in out
    assert "age/non_numeric: missing  # treat these values as missing" in out
    draft_id = int(out.split("--draft ")[-1].split()[0])
    assert not Competition.objects.filter(slug="census-cli").exists()

    definition_path.write_text(definition("census-cli", choices=CHOICES))
    code, out, err = bounty(
        *server, "--json", "organize", "create", str(definition_path), "--draft", str(draft_id)
    )
    assert code == 0, (out, err)
    answer = json.loads(out)
    assert answer["job"]["competition"] == "census-cli" and answer["job"]["competition_status"] == "open"
    competition = Competition.objects.get(slug="census-cli")
    schema = {c["name"]: c for c in competition.schema["columns"]}
    assert schema["occupation"]["categories"] == sorted(CATEGORIES["occupation"])
    assert schema["hispanic_origin"]["categories"] == sorted(CATEGORIES["hispanic_origin"])


def test_the_documented_definition_is_a_valid_one() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "organizer-data.md").read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    parsed = parse_definition(block)
    assert parsed.slug == "income-2027" and parsed.files == {"data": "census.csv"}
    assert parsed.plan.seed == 7 and parsed.problems["rows/ragged"] == "drop"
    assert parsed.columns["industry_code"].kind == "categorical" and parsed.open


@pytest.mark.django_db
def test_a_competition_created_as_a_draft_is_opened_by_its_organizers_only(make_user: Any) -> None:
    owner = organizer_user()
    competition = engine_competition(organizer=owner, slug="drafted", status=Competition.Status.DRAFT)
    url = f"/api/v1/organize/competitions/{competition.slug}/open"
    assert api_client(make_user("eve")).post(url).status_code == 404  # a draft is not visible to her
    answer = api_client(owner).post(url)
    assert answer.status_code == 200 and answer.json()["competition"]["status"] == "open"
    assert api_client(owner).post(url).json()["error"]["code"] == "not_draft"
