"""Reward programs, earnings and the ledger over the API. Amounts are decimal strings ("250.00"), never
floats; a program's currency applies to every amount of its competition."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from bounty.models import LedgerEntry
from scoring.groups import MAX_TEXT


class TierSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    min_gap = serializers.FloatField(help_text="The smallest published gap of the tier.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class ProgramSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField(help_text="ISO 4217 code.")
    pool = serializers.DecimalField(max_digits=12, decimal_places=2)
    update_rate = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Paid per percentage point of an update's public gain."
    )
    update_floor = serializers.DecimalField(max_digits=12, decimal_places=2)
    update_cap = serializers.DecimalField(max_digits=12, decimal_places=2)
    tiers = TierSerializer(many=True, help_text="Severity tiers of findings, smallest gap first.")
    known_rewarded = serializers.BooleanField(help_text="Findings an Explore slice already lists earn too.")
    payout_date = serializers.DateField()
    scope = serializers.CharField(help_text="Markdown.")
    disclosure = serializers.CharField(help_text="Markdown: what a participant may publish, and when.")


class ProgramViewSerializer(serializers.Serializer[Any]):
    program = ProgramSerializer()
    committed = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Committed so far.")
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="What the pool holds.")


class ProgramInputSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField(max_length=3)
    pool = serializers.CharField(max_length=20, help_text='A decimal amount, e.g. "5000.00".')
    update_rate = serializers.CharField(max_length=20)
    update_floor = serializers.CharField(max_length=20)
    update_cap = serializers.CharField(max_length=20)
    tiers = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=10)
    known_rewarded = serializers.BooleanField(required=False, default=False)
    payout_date = serializers.DateField()
    scope = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    disclosure = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class FindingInputSerializer(serializers.Serializer[Any]):
    group_text = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_TEXT, help_text="The group in the group language."
    )
    group = serializers.JSONField(required=False, help_text="Or the group as a JSON tree.")
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class EntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    team = serializers.CharField(source="team.name")
    submission = serializers.IntegerField(source="submission_id", allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "team", "submission", "kind", "amount", "status", "note", "created_at", "paid_at"]
        read_only_fields = fields


class PartSerializer(serializers.Serializer[Any]):
    member = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    weight = serializers.IntegerField()


class EarningsSerializer(serializers.Serializer[Any]):
    team = serializers.CharField()
    currency = serializers.CharField(allow_null=True)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Every committed entry.")
    paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    unpaid = serializers.DecimalField(max_digits=12, decimal_places=2)
    queued = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Awards waiting for an organizer (not in the balance)."
    )
    custom_split = serializers.BooleanField()
    parts = PartSerializer(many=True, help_text="Each member's part of the balance under the split.")
    entries = EntrySerializer(many=True)


class SplitInputSerializer(serializers.Serializer[Any]):
    weights = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=1000),
        help_text="A weight for every member, by username; {} for equal shares.",
    )


class CorrectionInputSerializer(serializers.Serializer[Any]):
    team_id = serializers.IntegerField()
    amount = serializers.CharField(max_length=20, help_text='Signed, e.g. "-50.00".')
    reason = serializers.CharField(max_length=2000)


class DeclineInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)
