from __future__ import annotations

from typing import Any

from rest_framework import serializers

from bounty.models.version import VersionKind


class AcceptedUpdateSerializer(serializers.Serializer[Any]):
    submission = serializers.IntegerField(help_text="The submission's number, as in its address.")
    seq = serializers.IntegerField(help_text="Arrival order within the competition (not its number).")
    group = serializers.CharField(help_text="The group, in plain words.")
    public_gain = serializers.FloatField(
        help_text="The gain, rounded down to a multiple of the competition's published step."
    )


class PublishedFindingSerializer(serializers.Serializer[Any]):
    submission = serializers.IntegerField(help_text="The finding's submission number, as in its address.")
    seq = serializers.IntegerField()
    team = serializers.CharField()
    group = serializers.CharField(help_text="The group, in plain words.")
    group_text = serializers.CharField(help_text="The group in the group language.")
    version = serializers.IntegerField(help_text="The version it was checked against.")
    gap = serializers.FloatField(
        help_text="The model's loss on the group minus the rest's, rounded down to the published step."
    )
    tier = serializers.CharField(help_text="Its severity tier under the reward program (empty if none).")
    known = serializers.BooleanField(help_text="A public Explore slice already listed the group.")
    known_slice = serializers.CharField()
    fixed_by = serializers.IntegerField(allow_null=True, help_text="The accepted pair that fixed it.")
    fixed_by_team = serializers.CharField()
    fixed_version = serializers.IntegerField(allow_null=True)
    gap_after = serializers.FloatField(
        allow_null=True, help_text="The gap once fixed, at the published step."
    )
    fix_counts = serializers.BooleanField(
        allow_null=True, help_text="Whether the fix is still part of the model (null: not fixed)."
    )


class LeaderboardRowSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    team = serializers.CharField(source="team.name")
    credit_percent = serializers.FloatField(
        source="credit",
        help_text="The sum of the published gains in percent of the published base loss, 2 decimals.",
    )
    gain = serializers.FloatField(help_text="Sum of the published gains of accepted updates.")
    rejections = serializers.IntegerField()
    last_accepted_seq = serializers.IntegerField(allow_null=True)
    reached_seq = serializers.IntegerField(
        source="first_reached_seq",
        allow_null=True,
        help_text="The accepted submission that brought the credit to its level (ties go to the earlier).",
    )
    updates = AcceptedUpdateSerializer(many=True)
    findings = PublishedFindingSerializer(many=True)


class PublicVersionSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=VersionKind.choices)
    created_at = serializers.DateTimeField()
    public_gain = serializers.FloatField(
        allow_null=True,
        help_text="An update's gain rounded down to the published step; null for the base and repairs.",
    )


class MetricsSerializer(serializers.Serializer[Any]):
    step = serializers.FloatField(
        allow_null=True, help_text="The published step: every holdout loss and gain is a multiple of it."
    )
    publish_k = serializers.IntegerField(
        help_text="No published figure pins the holdout's error count (loss sum) closer than +/- k."
    )
    base_loss = serializers.FloatField(allow_null=True, help_text="The base model's loss, published.")
    public_loss = serializers.FloatField(
        allow_null=True, help_text="The published base loss less the published gains of counting updates."
    )
    current_loss_percent = serializers.FloatField(
        allow_null=True, help_text="public_loss in percent of base_loss, 2 decimals."
    )
    improvement_percent = serializers.FloatField(
        allow_null=True, help_text="(base_loss - public_loss) in percent of base_loss, 2 decimals."
    )
    accepted_updates = serializers.IntegerField(help_text="Accepted updates in the current model.")
    head_version = serializers.IntegerField()
