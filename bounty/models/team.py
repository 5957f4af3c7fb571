"""Teams, their members and users' acceptance of a competition's terms."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


class Team(models.Model):
    competition = models.ForeignKey("bounty.Competition", on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=80)
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(
        null=True, blank=True, help_text="When an organizer approved the team (competitions that ask for it)."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                models.F("competition"), Lower("name"), name="team_name_unique_in_competition"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a team. ``competition`` repeats ``team.competition`` so that the
    database can say "one team per user per competition"."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    competition = models.ForeignKey(
        "bounty.Competition", on_delete=models.PROTECT, related_name="memberships"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "user"], name="membership_one_team_per_competition"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class TermsAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terms_acceptances"
    )
    competition = models.ForeignKey(
        "bounty.Competition", on_delete=models.PROTECT, related_name="terms_acceptances"
    )
    terms_version = models.PositiveIntegerField()
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "competition", "terms_version"], name="terms_accepted_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted v{self.terms_version} of {self.competition}"
