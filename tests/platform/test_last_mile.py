"""Last-mile audits: a user's own labelled data, scored in the sandbox, reported, published or not;
the competition's hidden splits and list never change."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bounty.demo import synthetic_frame
from bounty.models import Competition, LastMileAudit, Submission
from bounty.services.last_mile import audit_dir
from tests.platform.conftest import login
from tests.platform.engine_world import engine_competition
from tests.platform.reports_world import csv_bytes, decide, hidden_state, join, svg_ids

MARRIED = 'marital_status in ["Married-civ-spouse"]'


@pytest.fixture
def census(make_user: Callable[..., User], enqueued: list[int]) -> Competition:
    competition = engine_competition(organizer=make_user("grace"))
    ada = make_user("ada")
    join(ada, competition, "Lovelace")
    assert decide(competition, ada, MARRIED).status == Submission.Status.ACCEPTED
    competition.refresh_from_db()
    return competition


def own_data(rows: int = 400, seed: int = 11) -> pd.DataFrame:
    """Labelled rows the auditor collected themselves (not the competition's data)."""
    return synthetic_frame(n=rows, seed=seed)


def upload(frame: pd.DataFrame, **fields: object) -> dict[str, object]:
    data = SimpleUploadedFile("mine.csv", csv_bytes(frame), content_type="text/csv")
    return {"title": "Clinic intake 2025", "data_file": data, "version": "1", **fields}


def test_audit_report_is_produced_published_and_leaves_the_holdout_untouched(
    census: Competition, make_user: Callable[..., User]
) -> None:
    before = hidden_state(census)
    auditor = make_user("joy")
    client = login(auditor)
    response = client.post(reverse("audits", args=[census.slug]), upload(own_data()))
    assert response.status_code == 302, response.content.decode()[-1500:]
    audit = LastMileAudit.objects.get()
    assert (audit.rows, audit.version, audit.public) == (400, 1, False)
    report = audit.report
    assert report["models"] == ["base model (version 0)", "version 1"] and report["rows"] == 400
    assert {g["attribute"] for g in report["groups"]} >= {"sex", "race", "marital_status"}
    assert (audit_dir(audit.pk) / "frame" / "frame.json").exists()

    page = client.get(reverse("audit_detail", args=[audit.pk])).content.decode()
    assert "Clinic intake 2025" in page and "audit-" + str(audit.pk) + "-sex" in svg_ids(page)
    assert Client().get(reverse("audit_detail", args=[audit.pk])).status_code == 404  # private
    reports_page = Client().get(reverse("reports", args=[census.slug])).content.decode()
    assert "Clinic intake 2025" not in reports_page

    client.post(reverse("audit_publish", args=[audit.pk]), {"public": "1"})
    assert Client().get(reverse("audit_detail", args=[audit.pk])).status_code == 200
    assert "Clinic intake 2025" in Client().get(reverse("reports", args=[census.slug])).content.decode()
    assert "Clinic intake 2025" in Client().get(reverse("audits", args=[census.slug])).content.decode()

    assert hidden_state(census) == before


def test_audit_of_the_base_model_reports_one_model(
    census: Competition, make_user: Callable[..., User]
) -> None:
    client = login(make_user("joy"))
    client.post(reverse("audits", args=[census.slug]), upload(own_data(), version="0", public="on"))
    audit = LastMileAudit.objects.get()
    assert audit.public and audit.report["models"] == ["base model (version 0)"]


def test_small_groups_of_the_audited_data_are_not_shown(
    census: Competition, make_user: Callable[..., User]
) -> None:
    frame = own_data(rows=200)
    frame.loc[:4, "race"] = "Amer-Indian-Eskimo"
    frame.loc[5:, "race"] = "White"
    client = login(make_user("joy"))
    client.post(reverse("audits", args=[census.slug]), upload(frame, public="on"))
    audit = LastMileAudit.objects.get()
    page = Client().get(reverse("audit_detail", args=[audit.pk])).content.decode()
    assert "Amer-Indian-Eskimo" not in page and "Amer-Indian-Eskimo" not in str(audit.report)
    assert "White" in page


def test_a_file_that_does_not_fit_the_schema_is_refused_naming_column_and_row(
    census: Competition, make_user: Callable[..., User]
) -> None:
    frame = own_data(rows=50).astype(str)
    frame.loc[7, "sex"] = "Robot"
    response = login(make_user("joy")).post(reverse("audits", args=[census.slug]), upload(frame))
    assert response.status_code == 400
    html = response.content.decode()
    assert "column &#x27;sex&#x27;, row 8: value &#x27;Robot&#x27; is not allowed" in html
    assert not LastMileAudit.objects.exists()


def test_only_signed_in_users_audit_and_only_authors_publish_or_delete(
    census: Competition, make_user: Callable[..., User]
) -> None:
    anonymous = Client().post(reverse("audits", args=[census.slug]), upload(own_data(rows=60)))
    assert anonymous.status_code == 401 and not LastMileAudit.objects.exists()
    author = login(make_user("joy"))
    author.post(reverse("audits", args=[census.slug]), upload(own_data(rows=60), public="on"))
    audit = LastMileAudit.objects.get()
    other = login(make_user("mallory"))
    assert other.post(reverse("audit_publish", args=[audit.pk]), {"public": "0"}).status_code == 403
    assert other.post(reverse("audit_delete", args=[audit.pk])).status_code == 403
    author.post(reverse("audit_delete", args=[audit.pk]))
    assert not LastMileAudit.objects.exists() and not audit_dir(audit.pk).exists()
