"""The create-competition wizard, end to end through the test client, with a real engine directory.

The wizard's long steps run as background jobs; here ``run_jobs`` runs each queued job in the test's
process (the tests' transactions never commit, so no task is sent), then the pages move on."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bounty.models import Competition, CompetitionDraft, ModelVersion
from bounty.services.rules_advice import publication_advice
from bounty.services.wizard import draft_dir
from bounty.storage import competition_dir
from bounty.wizard.definition import parse_definition
from scoring.publish import published_step
from tests.platform.conftest import login
from tests.platform.engine_world import world
from tests.platform.organize_support import run_jobs


@pytest.fixture
def organizer(make_user: Callable[..., User]) -> User:
    user = make_user("grace")
    user.groups.add(Group.objects.get_or_create(name="organizers")[0])
    return user


def csv_file(frame: pd.DataFrame, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, frame.to_csv(index=False).encode(), content_type="text/csv")


def split_uploads(**changes: pd.DataFrame) -> dict[str, Any]:
    splits = {**{k: v.drop(columns=["fnlwgt"]) for k, v in world().splits.items()}, **changes}
    return {"mode": "three", **{k: csv_file(v, f"{k}.csv") for k, v in splits.items()}, **SHARES}


SHARES = {"train_share": 50, "holdout_share": 25, "confirmation_share": 25, "seed": 0}


def form_values(form: Any) -> dict[str, Any]:
    """What a browser would post for the form as rendered (unchecked boxes are left out)."""
    out: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is False or value is None:
            continue
        out[name] = "on" if value is True else value
    return out


def start(client: Client, slug: str = "loans") -> int:
    response = client.post(reverse("wizard:index"), {"title": "Loans", "slug": slug})
    assert response.status_code == 302, response.content.decode()
    return CompetitionDraft.objects.get(slug=slug).pk


def post_schema(client: Client, draft_id: int, **changes: Any) -> Any:
    url = reverse("wizard:schema", args=[draft_id])
    values = form_values(client.get(url).context["form"]) | changes
    return client.post(url, values)


def finish_job(client: Client, draft_id: int, response: Any) -> Any:
    """After a POST that started a job: run it, then follow the progress page to the next step."""
    assert response.status_code == 302 and response["Location"].endswith("/progress/"), response
    job = run_jobs(draft_id)
    return job, client.get(reverse("wizard:progress", args=[draft_id]))


def upload(client: Client, draft_id: int, data: dict[str, Any]) -> dict[str, Any]:
    job, _ = finish_job(client, draft_id, client.post(reverse("wizard:data", args=[draft_id]), data))
    return job


def column_index(draft_id: int, name: str) -> int:
    columns = CompetitionDraft.objects.get(pk=draft_id).state["columns"]
    return [c["name"] for c in columns].index(name)


RULES = {
    "loss": "zero_one",
    "loss_params": "{}",
    "alpha": "0.01",
    "mu_min": "0.02",
    "z": "0",
    "daily_quota": "5",
    "total_quota": "50",
    "expected_teams": "10",
    "opens_at": "2030-01-01T00:00",
    "closes_at": "2030-03-01T00:00",
    "description": "Find groups the **loan model** fails.",
    "rules": "",
    "terms_text": "Be fair.",
}


def test_wizard_creates_a_competition_from_csv_uploads_end_to_end(organizer: User) -> None:
    client = login(organizer)
    draft_id = start(client)
    assert upload(client, draft_id, split_uploads())["status"] == "done"
    assert client.get(reverse("wizard:progress", args=[draft_id]))["Location"].endswith("/schema/")

    schema_page = client.get(reverse("wizard:schema", args=[draft_id])).content.decode()
    assert "native_country" in schema_page and "Married-civ-spouse" in schema_page
    job, page = finish_job(client, draft_id, post_schema(client, draft_id))
    assert job["status"] == "done", job and page["Location"].endswith("/model/")

    response = client.post(
        reverse("wizard:model", args=[draft_id]), {"source": "train", "algorithm": "tree4"}
    )
    job, page = finish_job(client, draft_id, response)
    assert job["status"] == "done", job and page["Location"].endswith("/rules/")
    rules_page = client.get(reverse("wizard:rules", args=[draft_id])).content.decode()
    assert "Pre-flight" in rules_page and "lucky accepts" in rules_page
    assert "Findings (a group alone, no model): beta = 0.05" in rules_page
    response = client.post(reverse("wizard:rules", args=[draft_id]), RULES)
    assert response.status_code == 302, response.content.decode()[-2000:]

    review = client.get(reverse("wizard:review", args=[draft_id])).content.decode()
    assert "Pre-flight" in review and "z = 0: no margin for noise" in review
    assert "Raise beta or z" in review  # with no margin, noise passes for findings as well
    # 1,500 holdout rows and k = 10 publish at 0.02, coarser than alpha 0.01: the organizer is told.
    assert "an accepted gain under 0.02" in review and "Set k to 7 or less" in review

    job, page = finish_job(client, draft_id, client.post(reverse("wizard:review", args=[draft_id])))
    assert job["status"] == "done" and page["Location"].endswith("/competitions/loans/")
    competition = Competition.objects.get(slug="loans")
    assert competition.status == Competition.Status.DRAFT
    assert competition.data_card["rows"] == {"train": 3000, "holdout": 1500, "confirmation": 1500}
    assert competition.schema["target"] == "income"
    assert competition.schema["classes"] == ["<=50K", ">50K"]
    assert set(competition.schema["attributes"]) == {"age", "sex", "race", "marital_status", "native_country"}
    assert (competition_dir(competition.pk) / "competition.json").exists()
    base = ModelVersion.objects.get(competition=competition, number=0)
    assert 0 < base.holdout_loss < 0.5
    assert list(competition.organizers.all()) == [organizer]
    assert not draft_dir(CompetitionDraft.objects.get(pk=draft_id)).exists()

    assert Client().get(reverse("competition", args=["loans"])).status_code == 404  # a draft
    client.post(reverse("console:open", args=["loans"]))
    competition.refresh_from_db()
    assert competition.status == Competition.Status.OPEN
    assert Client().get(reverse("competition", args=["loans"])).status_code == 200


def test_text_in_a_numeric_column_is_shown_with_its_file_and_rows_and_changed_only_by_choice(
    organizer: User,
) -> None:
    client = login(organizer)
    draft_id = start(client)
    holdout = world().splits["holdout"].drop(columns=["fnlwgt"]).astype(str)
    holdout.loc[5, "age"] = "forty"
    upload(client, draft_id, split_uploads(holdout=holdout))
    assert CompetitionDraft.objects.get(pk=draft_id).step == CompetitionDraft.Step.PROBLEMS
    page = client.get(reverse("wizard:values", args=[draft_id]))
    text = page.content.decode()
    assert (
        "age/non_numeric" in text
        and "holdout.csv: 1 row, first: row 6" in text
        and '<code>"forty"</code>' in text
    )
    keys = [row["problem"]["key"] for row in page.context["problems"]]
    choices = {f"p{i}": "missing" if key == "age/non_numeric" else "category" for i, key in enumerate(keys)}
    response = client.post(reverse("wizard:values", args=[draft_id]), choices)
    assert response.status_code == 302 and response["Location"].endswith("/schema/")
    i = column_index(draft_id, "age")
    values = form_values(client.get(reverse("wizard:schema", args=[draft_id])).context["form"])
    values.pop(f"c{i}_nullable", None)  # "forty" became missing, but the column allows none
    job, page = finish_job(client, draft_id, client.post(reverse("wizard:schema", args=[draft_id]), values))
    assert job["status"] == "needs_choices" and page["Location"].endswith("/schema/")
    assert job["problems"] == [
        "The file holdout.csv, column 'age': a missing value (the column allows none) in 1 row (first: row 6)"
    ]
    assert "row 6" in client.get(reverse("wizard:schema", args=[draft_id])).content.decode()


def test_one_file_is_split_by_the_shares_and_the_seed(organizer: User) -> None:
    client = login(organizer)
    frame = world().splits["train"].drop(columns=["fnlwgt"])
    splits = []
    for slug in ("one", "two"):
        draft_id = start(client, slug)
        shares = {"train_share": 60, "holdout_share": 30, "confirmation_share": 10, "seed": 7}
        upload(client, draft_id, {"mode": "one", "single": csv_file(frame, "all.csv"), **shares})
        finish_job(client, draft_id, post_schema(client, draft_id))
        draft = CompetitionDraft.objects.get(pk=draft_id)
        assert draft.state["split_rows"] == {"train": 1800, "holdout": 900, "confirmation": 300}
        splits.append((draft_dir(draft) / "splits" / "holdout.parquet").read_bytes())
    assert splits[0] == splits[1]


def parquet_file(frame: pd.DataFrame, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/vnd.apache.parquet")


def test_a_parquet_table_is_split_exactly_like_the_same_csv(organizer: User) -> None:
    client = login(organizer)
    frame = world().splits["train"].drop(columns=["fnlwgt"])
    holdouts = []
    for slug, file in (("csv", csv_file(frame, "all.csv")), ("pq", parquet_file(frame, "all.parquet"))):
        draft_id = start(client, slug)
        assert "or Parquet" in client.get(reverse("wizard:data", args=[draft_id])).content.decode()
        shares = {"train_share": 60, "holdout_share": 30, "confirmation_share": 10, "seed": 7}
        upload(client, draft_id, {"mode": "one", "single": file, **shares})
        job, _ = finish_job(client, draft_id, post_schema(client, draft_id))
        assert job["status"] == "done", job
        draft = CompetitionDraft.objects.get(pk=draft_id)
        assert draft.state["split_rows"] == {"train": 1800, "holdout": 900, "confirmation": 300}
        holdouts.append(pd.read_parquet(draft_dir(draft) / "splits" / "holdout.parquet"))
    pd.testing.assert_frame_equal(holdouts[0], holdouts[1])


def test_an_unreadable_parquet_file_is_refused_with_its_name(organizer: User) -> None:
    client = login(organizer)
    draft_id = start(client)
    parquet = SimpleUploadedFile("all.parquet", b"PAR1" + b"\x00" * 64 + b"PAR1")
    job = upload(client, draft_id, {"mode": "one", "single": parquet, **SHARES})
    assert (
        job["status"] == "failed" and "all.parquet is not a readable Parquet file" in job["error"]["message"]
    )
    page = client.get(reverse("wizard:progress", args=[draft_id])).content.decode()
    assert "is not a readable Parquet file" in page


def test_a_file_over_the_row_limit_is_refused(organizer: User, settings: Any) -> None:
    client = login(organizer)
    draft_id = start(client)
    settings.BOUNTY_WIZARD_MAX_ROWS = 100
    frame = world().splits["train"].drop(columns=["fnlwgt"])
    job = upload(client, draft_id, {"mode": "one", "single": parquet_file(frame, "all.parquet"), **SHARES})
    assert job["status"] == "failed" and "rows; the limit is 100" in job["error"]["message"]


def test_the_wizard_writes_the_definition_it_built(organizer: User) -> None:
    client = login(organizer)
    draft_id = start(client)
    upload(client, draft_id, split_uploads())
    finish_job(client, draft_id, post_schema(client, draft_id))
    text = client.get(reverse("wizard:definition", args=[draft_id])).content.decode()
    definition = parse_definition(text)
    assert definition.slug == "loans" and definition.files["holdout"] == "holdout.csv"
    assert definition.target == "income" and definition.columns["age"].kind == "numeric"


def test_an_uploaded_pickle_is_refused_as_the_base_model(organizer: User) -> None:
    client = login(organizer)
    draft_id = start(client)
    upload(client, draft_id, split_uploads())
    finish_job(client, draft_id, post_schema(client, draft_id))
    pickle_bytes = b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01."
    data = {
        "source": "upload",
        "algorithm": "tree4",
        "model_file": SimpleUploadedFile("m.pkl", pickle_bytes),
    }
    response = client.post(reverse("wizard:model", args=[draft_id]), data)
    assert response.status_code == 400 and "pickle" in response.content.decode().lower()
    assert CompetitionDraft.objects.get(pk=draft_id).step == CompetitionDraft.Step.MODEL


def test_only_organizers_can_use_the_wizard(make_user: Callable[..., User], organizer: User) -> None:
    participant = make_user("ada")
    assert login(participant).get(reverse("wizard:index")).status_code == 403
    assert Client().get(reverse("wizard:index")).status_code == 302  # to the login page
    draft_id = start(login(organizer))
    assert login(participant).get(reverse("wizard:data", args=[draft_id])).status_code == 403
    staff = make_user("root", is_staff=True)
    assert login(staff).get(reverse("wizard:data", args=[draft_id])).status_code == 200
    assert "New competition" in login(organizer).get("/").content.decode()
    assert "New competition" not in login(participant).get("/").content.decode()


def test_later_steps_wait_for_earlier_ones(organizer: User) -> None:
    client = login(organizer)
    draft_id = start(client)
    response = client.get(reverse("wizard:review", args=[draft_id]))
    assert response.status_code == 302 and response["Location"].endswith("/data/")


def test_a_taken_slug_is_refused(organizer: User, competition: Competition) -> None:
    response = login(organizer).post(reverse("wizard:index"), {"title": "Again", "slug": competition.slug})
    assert response.status_code == 400 and "exists already" in response.content.decode()


def test_only_its_organizers_can_open_a_draft_competition(
    make_user: Callable[..., User], competition: Competition
) -> None:
    competition.status = Competition.Status.DRAFT
    competition.save()
    stranger = make_user("mallory")
    assert login(stranger).post(reverse("console:open", args=[competition.slug])).status_code == 404
    owner = make_user("grace")
    competition.organizers.add(owner)
    login(owner).post(reverse("console:open", args=[competition.slug]))
    competition.refresh_from_db()
    assert competition.status == Competition.Status.OPEN
    again = login(owner).post(reverse("console:open", args=[competition.slug]))
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("rows", "k", "alpha", "step", "hides", "k_for_alpha"),
    [
        (12_210, 10, 0.001, 0.002, True, 6),  # the demo's holdout at the default k
        (12_210, 5, 0.001, 0.001, False, 6),
        (1_500, 10, 0.01, 0.02, True, 7),
        (200_000, 10, 0.001, 0.0001, False, 100),
    ],
)
def test_the_pre_flight_says_when_the_published_step_hides_accepted_gains(
    rows: int, k: int, alpha: float, step: float, hides: bool, k_for_alpha: int
) -> None:
    advice = publication_advice(holdout_rows=rows, k=k, alpha=alpha)
    assert advice == {"k": k, "step": step, "hides_gains": hides, "k_for_alpha": k_for_alpha}
    assert published_step(rows, k_for_alpha) <= alpha < published_step(rows, k_for_alpha + 1)
