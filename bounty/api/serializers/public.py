from __future__ import annotations

from typing import Any

from rest_framework import serializers

from bounty.models.version import VersionKind


class AcceptedUpdateSerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField(help_text="The submission's arrival number.")
    group = serializers.CharField(help_text="The group, in plain words.")
    public_gain = serializers.FloatField(help_text="The gain, rounded down to a multiple of alpha.")


class LeaderboardRowSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    team = serializers.CharField(source="team.name")
    credit = serializers.FloatField(help_text="Sum of public gains as a share of the base loss.")
    gain = serializers.FloatField(help_text="Sum of the public gains of accepted updates.")
    rejections = serializers.IntegerField()
    last_accepted_seq = serializers.IntegerField(allow_null=True)
    updates = AcceptedUpdateSerializer(many=True)


class PublicVersionSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=VersionKind.choices)
    created_at = serializers.DateTimeField()
    public_gain = serializers.FloatField(
        allow_null=True, help_text="An update's public gain (rounded); null for the base and repairs."
    )


class MetricsSerializer(serializers.Serializer[Any]):
    current_loss_share = serializers.FloatField(
        allow_null=True,
        help_text=(
            "(Base holdout loss - public gains of the updates in the current model) / base loss, rounded "
            "to 4 places."
        ),
    )
    improvement_share = serializers.FloatField(allow_null=True, help_text="1 - current_loss_share.")
    accepted_updates = serializers.IntegerField(help_text="Accepted updates in the current model.")
    head_version = serializers.IntegerField()
