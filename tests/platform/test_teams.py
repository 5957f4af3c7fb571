from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse

from bounty.errors import DomainError
from bounty.models import AuditEvent, Competition, Membership, Team
from bounty.services.teams import team_create, team_join
from tests.platform.conftest import login, make_competition


def test_creating_a_team_makes_the_creator_a_member(competition: Competition, participant: User) -> None:
    response = login(participant).post(
        reverse("team", args=[competition.slug]), {"action": "create", "name": "  The   Lovelaces "}
    )
    assert response.status_code == 302
    team = Team.objects.get(competition=competition)
    assert team.name == "The Lovelaces"
    assert Membership.objects.filter(team=team, user=participant, competition=competition).exists()
    assert AuditEvent.objects.filter(action="team.create", actor=participant).exists()


def test_joining_by_invite_code(competition: Competition, make_user: Callable[..., User]) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    team = team_create(competition=competition, name="Lovelace", user=ada)
    response = login(bob).post(
        reverse("team", args=[competition.slug]), {"action": "join", "invite_code": team.invite_code}
    )
    assert response.status_code == 302
    assert set(team.memberships.values_list("user__username", flat=True)) == {"ada", "bob"}
    page = login(bob).get(reverse("team", args=[competition.slug]))
    assert team.invite_code in page.content.decode()


def test_a_wrong_invite_code_is_reported_next_to_the_field(
    competition: Competition, participant: User
) -> None:
    response = login(participant).post(
        reverse("team", args=[competition.slug]), {"action": "join", "invite_code": "nope"}
    )
    assert response.status_code == 400
    assert response.context["join_form"].errors["invite_code"] == ["No team has this invite code."]
    assert not Membership.objects.exists()


def test_a_user_is_in_at_most_one_team_per_competition(
    competition: Competition, make_user: Callable[..., User]
) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    first = team_create(competition=competition, name="One", user=ada)
    with pytest.raises(DomainError) as error:
        team_create(competition=competition, name="Two", user=ada)
    assert error.value.code == "already_in_team"
    other = team_create(competition=competition, name="Three", user=bob)
    with pytest.raises(DomainError):
        team_join(competition=competition, invite_code=other.invite_code, user=ada)
    # The database says it too, whatever the service does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(team=other, competition=competition, user=ada)
    assert list(Membership.objects.filter(user=ada).values_list("team", flat=True)) == [first.pk]


def test_the_same_user_can_be_in_teams_of_different_competitions(
    competition: Competition, participant: User
) -> None:
    other = make_competition(slug="credit", title="Credit")
    team_create(competition=competition, name="Lovelace", user=participant)
    team_create(competition=other, name="Lovelace", user=participant)
    assert Membership.objects.filter(user=participant).count() == 2


def test_team_names_are_unique_per_competition_ignoring_case(
    competition: Competition, make_user: Callable[..., User]
) -> None:
    team_create(competition=competition, name="Lovelace", user=make_user("ada"))
    with pytest.raises(DomainError) as error:
        team_create(competition=competition, name="LOVELACE", user=make_user("bob"))
    assert error.value.code == "team_name_taken"
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(competition=competition, name="lovelace")


def test_no_new_teams_once_a_competition_is_closed(participant: User, db: None) -> None:
    closed = make_competition(status=Competition.Status.CLOSED)
    with pytest.raises(DomainError) as error:
        team_create(competition=closed, name="Late", user=participant)
    assert error.value.code == "competition_not_open"
