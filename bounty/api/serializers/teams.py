from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bounty.models import Membership, Team
from bounty.selectors.quotas import quota_usage


class TeamCreateInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)


class TeamJoinInputSerializer(serializers.Serializer[Any]):
    invite_code = serializers.CharField(max_length=32)


class MemberSerializer(serializers.ModelSerializer[Membership]):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["username", "joined_at"]
        read_only_fields = fields


class QuotaSerializer(serializers.Serializer[Any]):
    used_today = serializers.IntegerField(help_text="Submissions charged to today (UTC).")
    daily_limit = serializers.IntegerField()
    used_total = serializers.IntegerField()
    total_limit = serializers.IntegerField()


class TeamSerializer(serializers.ModelSerializer[Team]):
    """The requesting user's own team (so it includes the invite code)."""

    competition = serializers.CharField(source="competition.slug", read_only=True)
    members = MemberSerializer(source="memberships", many=True, read_only=True)
    quota = serializers.SerializerMethodField()
    awaiting_approval = serializers.SerializerMethodField(
        help_text="The competition asks an organizer to approve each team, and this one is not yet: "
        "its submissions are refused (403 `team_not_approved`) until it is."
    )

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "competition",
            "invite_code",
            "created_at",
            "approved_at",
            "awaiting_approval",
            "members",
            "quota",
        ]
        read_only_fields = fields

    def get_awaiting_approval(self, team: Team) -> bool:
        return bool(team.competition.team_approval) and team.approved_at is None

    @extend_schema_field(QuotaSerializer)
    def get_quota(self, team: Team) -> dict[str, Any]:
        usage = quota_usage(team=team, competition=team.competition, now=timezone.now())
        return QuotaSerializer(usage).data
