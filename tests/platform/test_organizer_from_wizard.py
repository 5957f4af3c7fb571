"""Issue 5 in one run: a competition created in the wizard from CSV uploads, then the whole organizer
scenario (worker decisions, rollback, disqualification, approval, confirmation, bundle export)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bounty.models import Competition
from tests.platform.conftest import LiveWorker, login
from tests.platform.organize_support import wait_for_job
from tests.platform.organizer_support import weak_base
from tests.platform.test_organizer_end_to_end import organizer_scenario
from tests.platform.test_wizard import post_schema, split_uploads, start

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def rules() -> dict[str, str]:
    now = timezone.now()
    return {
        "loss": "zero_one",
        "loss_params": "{}",
        "alpha": "0.001",
        "mu_min": "0.01",
        "z": "0",
        "daily_quota": "100",
        "total_quota": "100",
        "expected_teams": "3",
        "opens_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "description": "Find groups the census model fails.",
        "rules": "",
        "terms_text": "Be fair.",
    }


def test_a_wizard_made_competition_goes_through_the_whole_organizer_scenario(
    live_worker: LiveWorker, tmp_path: Path
) -> None:
    org = User.objects.create_user("org", "org@example.org", "org-pass-123456")
    org.groups.add(Group.objects.get_or_create(name="organizers")[0])
    web = login(org)
    draft = start(web, slug="census")
    assert web.post(reverse("wizard:data", args=[draft]), split_uploads()).status_code == 302
    assert wait_for_job(draft)["status"] == "done"
    assert post_schema(web, draft).status_code == 302
    assert wait_for_job(draft)["status"] == "done"
    model = {"source": "upload", "model_file": SimpleUploadedFile("base.skops", weak_base())}
    response = web.post(reverse("wizard:model", args=[draft]), model)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert wait_for_job(draft)["status"] == "done"  # the pre-flight's measurement, with the model
    assert web.post(reverse("wizard:rules", args=[draft]), rules()).status_code == 302
    assert web.post(reverse("wizard:review", args=[draft])).status_code == 302
    assert wait_for_job(draft)["status"] == "done"
    competition = Competition.objects.get(slug="census")
    web.post(reverse("console:open", args=["census"]))
    competition.refresh_from_db()
    assert competition.status == Competition.Status.OPEN and competition.accepts_submissions(timezone.now())

    organizer_scenario(competition, org, tmp_path)


def test_the_model_step_needs_an_algorithm_only_when_training_here() -> None:
    from bounty.wizard.forms import ModelForm

    training = ModelForm(data={"source": "train"})
    assert not training.is_valid() and "algorithm" in training.errors
    upload = SimpleUploadedFile("base.skops", b"PK\x03\x04")
    uploading = ModelForm(data={"source": "upload"}, files={"model_file": upload})
    assert uploading.is_valid(), uploading.errors
