from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bounty.errors import DomainError
from bounty.models import Competition, TermsAcceptance
from bounty.services.terms import terms_accept
from tests.platform.conftest import TRAIN_CSV, login


def download(client: Client, competition: Competition) -> bytes | int:
    response = client.get(reverse("train_download", args=[competition.slug]))
    if response.status_code != 200:
        return response.status_code
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_download_needs_a_login(client: Client, competition: Competition) -> None:
    response = client.get(reverse("train_download", args=[competition.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_download_is_refused_until_the_terms_are_accepted(
    competition: Competition, participant: User
) -> None:
    client = login(participant)
    assert download(client, competition) == 403
    response = client.post(reverse("terms", args=[competition.slug]), {"terms_version": "1", "accept": "on"})
    assert response.status_code == 302
    assert download(client, competition) == TRAIN_CSV.encode()


def test_new_terms_must_be_accepted_again(competition: Competition, participant: User) -> None:
    terms_accept(competition=competition, user=participant, terms_version=1)
    client = login(participant)
    assert download(client, competition) == TRAIN_CSV.encode()
    competition.terms_version = 2
    competition.save()
    assert download(client, competition) == 403
    terms_accept(competition=competition, user=participant, terms_version=2)
    assert download(client, competition) == TRAIN_CSV.encode()


def test_accepting_an_outdated_version_is_refused(competition: Competition, participant: User) -> None:
    competition.terms_version = 3
    competition.save()
    with pytest.raises(DomainError) as error:
        terms_accept(competition=competition, user=participant, terms_version=2)
    assert error.value.code == "terms_outdated"
    response = login(participant).post(
        reverse("terms", args=[competition.slug]), {"terms_version": "2", "accept": "on"}
    )
    assert response.status_code == 409
    assert not TermsAcceptance.objects.exists()


def test_the_terms_form_needs_the_box_ticked(competition: Competition, participant: User) -> None:
    response = login(participant).post(reverse("terms", args=[competition.slug]), {"terms_version": "1"})
    assert response.status_code == 400
    assert not TermsAcceptance.objects.exists()


def test_accepting_twice_keeps_one_record(competition: Competition, participant: User) -> None:
    terms_accept(competition=competition, user=participant, terms_version=1)
    terms_accept(competition=competition, user=participant, terms_version=1)
    assert TermsAcceptance.objects.count() == 1
