"""Fitting a model on the site without code: refused at the door with the exact cause (nothing queued),
limited per team, fitted by a worker with an estimate on held-out train rows, and submitted in one
click as an ordinary submission (the same checks and quota; the fit itself costs none)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from bounty.errors import DomainError
from bounty.lifecycle.fit import fit_request, fit_run, fit_submit
from bounty.models import Competition, FitJob, Membership, Submission, Team, TermsAcceptance
from bounty.selectors.quotas import team_quota
from tests.platform.conftest import login
from tests.platform.engine_world import GROUP_TEXTS, engine_competition

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
GROUP = GROUP_TEXTS[0]


@pytest.fixture
def fitter(make_user: Callable[..., User]) -> tuple[User, Competition]:
    competition = engine_competition(organizer=make_user("org"))
    user = make_user("ada")
    TermsAcceptance.objects.create(
        user=user, competition=competition, terms_version=competition.terms_version
    )
    team = Team.objects.create(competition=competition, name="Lovelace")
    Membership.objects.create(team=team, competition=competition, user=user)
    return user, competition


def test_a_fitted_model_is_submitted_as_an_ordinary_submission(
    fitter: tuple[User, Competition], monkeypatch: pytest.MonkeyPatch
) -> None:
    user, competition = fitter
    sent: list[int] = []
    monkeypatch.setattr("bounty.lifecycle.enqueue.send_score", sent.append)
    job = fit_request(competition=competition, user=user, group_text=GROUP, family="decision_tree", choice="")
    before = team_quota(competition=competition, user=user)
    fit_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == FitJob.Status.DONE and job.choice == "medium", job.error
    assert job.estimate is not None and job.estimate["fit_rows"] > 0 and "gain" in job.estimate
    assert team_quota(competition=competition, user=user) == before  # fitting costs no quota
    submission = fit_submit(job=job, user=user)
    assert submission.group_text == GROUP and submission.status == Submission.Status.QUEUED
    assert sent == [submission.pk]
    after = team_quota(competition=competition, user=user)
    assert before is not None and after is not None and after.used_total == before.used_total + 1
    with pytest.raises(DomainError) as again:
        fit_submit(job=FitJob.objects.get(pk=job.pk), user=user)
    assert again.value.code == "already_submitted"


@pytest.mark.parametrize(
    ("group", "model", "code"),
    [
        ("agee >= 60", "decision_tree", "invalid_group"),
        (GROUP, "support_vector_machine", "invalid_choice"),
    ],
)
def test_a_bad_request_is_refused_at_the_door_and_nothing_is_queued(
    fitter: tuple[User, Competition], group: str, model: str, code: str
) -> None:
    user, competition = fitter
    with pytest.raises(DomainError) as refused:
        fit_request(competition=competition, user=user, group_text=group, family=model, choice="")
    assert refused.value.code == code
    assert not FitJob.objects.exists()


def test_only_a_team_that_may_submit_can_fit(
    fitter: tuple[User, Competition], make_user: Callable[..., User]
) -> None:
    _, competition = fitter
    loner = make_user("bob")
    TermsAcceptance.objects.create(
        user=loner, competition=competition, terms_version=competition.terms_version
    )
    with pytest.raises(DomainError) as refused:
        fit_request(competition=competition, user=loner, group_text=GROUP, family="decision_tree", choice="")
    assert refused.value.code == "no_team" and not FitJob.objects.exists()


def test_a_team_fits_at_most_the_hourly_limit_and_is_told_when_to_come_back(
    fitter: tuple[User, Competition], settings: object, make_user: Callable[..., User]
) -> None:
    user, competition = fitter
    settings.BOUNTY_FITS_PER_HOUR = 2  # type: ignore[attr-defined]
    for _ in range(2):
        fit_request(competition=competition, user=user, group_text=GROUP, family="decision_tree", choice="")
    teammate = make_user("carol")  # another member, or a new account in the team, shares the limit
    TermsAcceptance.objects.create(
        user=teammate, competition=competition, terms_version=competition.terms_version
    )
    Membership.objects.create(team=Team.objects.get(), competition=competition, user=teammate)
    with pytest.raises(DomainError) as refused:
        fit_request(
            competition=competition, user=teammate, group_text=GROUP, family="decision_tree", choice=""
        )
    assert refused.value.code == "rate_limited" and 3500 < (refused.value.retry_after or 0) <= 3601
    assert FitJob.objects.count() == 2


def test_the_pages_fit_show_the_estimate_and_submit(
    fitter: tuple[User, Competition], monkeypatch: pytest.MonkeyPatch, make_user: Callable[..., User]
) -> None:
    user, competition = fitter
    monkeypatch.setattr("bounty.lifecycle.enqueue.send_score", lambda _pk: None)
    web = login(user)
    form = web.get(reverse("fit", args=[competition.slug]), {"group": GROUP}).content.decode()
    assert "Fit the model" in form and "Gradient boosting: size medium" in form
    response = web.post(
        reverse("fit", args=[competition.slug]), {"group_text": GROUP, "model": "gradient_boosting:small"}
    )
    job = FitJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("fit_detail", args=[job.pk])
    assert b'http-equiv="refresh"' in web.get(response["Location"]).content
    fit_run(job_id=job.pk)
    page = web.get(response["Location"]).content.decode()
    assert "Submit this pair" in page and "data-estimate-verdict" in page
    assert login(make_user("eve")).get(response["Location"]).status_code == 404  # not their team's
    submitted = web.post(response["Location"])
    assert submitted.status_code == 302 and Submission.objects.get().group_text == GROUP


def test_bounty_fit_fits_submits_and_waits_for_the_decision(
    fitter: tuple[User, Competition], live_server: object, live_worker: object
) -> None:
    import io

    from bounty_client.cli import main as bounty
    from rest_framework.authtoken.models import Token

    user, competition = fitter
    token = Token.objects.get_or_create(user=user)[0].key
    out, err = io.StringIO(), io.StringIO()
    argv = ["--server", str(live_server), "--token", token, "fit", competition.slug, "--group", GROUP,
            "--family", "decision_tree", "--setting", "shallow", "--submit", "--wait"]  # fmt: skip
    code = bounty(argv, out=out, err=err)
    assert code in (0, 1), err.getvalue()  # accepted or rejected: decided either way
    assert "held-out train rows" in err.getvalue() and "loss of the model on g" in err.getvalue()
    job = FitJob.objects.get()
    assert job.status == FitJob.Status.DONE and job.submission is not None
    assert job.submission.status in (Submission.Status.ACCEPTED, Submission.Status.REJECTED)
    assert f"#{job.submission.pk}" in out.getvalue() or str(job.submission.pk) in out.getvalue()
