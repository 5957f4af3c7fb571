from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bounty.engine_adapter import competition_schema
from bounty.errors import DomainError
from bounty.models import Competition, TermsAcceptance
from bounty.models.competition import TaskKind
from bounty.selectors.competitions import (
    AnyUser,
    DataCard,
    membership_get,
    terms_accepted,
    user_is_organizer,
)
from bounty.selectors.published import competition_step
from bounty.selectors.rules import CompetitionRules, competition_rules
from scoring.schema import Kind, Task


class CompetitionSerializer(serializers.ModelSerializer[Competition]):
    """A competition; its rules (task, loss, alpha, mu_min, z) as its store decides with them."""

    task = serializers.SerializerMethodField()
    loss = serializers.SerializerMethodField()
    alpha = serializers.SerializerMethodField()
    mu_min = serializers.SerializerMethodField()
    z = serializers.SerializerMethodField()
    publish_k = serializers.SerializerMethodField()
    published_step = serializers.SerializerMethodField()
    accepting_submissions = serializers.SerializerMethodField()

    class Meta:
        model = Competition
        fields = [
            "slug",
            "title",
            "status",
            "task",
            "loss",
            "alpha",
            "mu_min",
            "z",
            "publish_k",
            "published_step",
            "daily_quota",
            "total_quota",
            "opens_at",
            "closes_at",
            "terms_version",
            "head_version",
            "accepting_submissions",
        ]
        read_only_fields = fields

    def rules(self, competition: Competition) -> CompetitionRules | None:
        """The competition's rules, read once per competition; None if its store cannot be read (the
        other competitions of a list are still listed)."""
        cache: dict[int, CompetitionRules | None] = self.__dict__.setdefault("_rules", {})
        if competition.pk not in cache:
            try:
                cache[competition.pk] = competition_rules(competition=competition)
            except DomainError:
                cache[competition.pk] = None
        return cache[competition.pk]

    @extend_schema_field(serializers.ChoiceField(choices=TaskKind.choices, allow_null=True))
    def get_task(self, competition: Competition) -> str | None:
        rules = self.rules(competition)
        return rules.task.value if rules else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_loss(self, competition: Competition) -> str | None:
        rules = self.rules(competition)
        return rules.loss if rules else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_alpha(self, competition: Competition) -> float | None:
        rules = self.rules(competition)
        return rules.alpha if rules else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_mu_min(self, competition: Competition) -> float | None:
        rules = self.rules(competition)
        return rules.mu_min if rules else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_z(self, competition: Competition) -> float | None:
        rules = self.rules(competition)
        return rules.z if rules else None

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True, help_text="No published figure pins the holdout's error count closer than +/- k."
        )
    )
    def get_publish_k(self, competition: Competition) -> int | None:
        rules = self.rules(competition)
        return rules.publish_k if rules else None

    @extend_schema_field(
        serializers.FloatField(
            allow_null=True,
            help_text="Holdout losses and gains are published rounded down to a multiple of this step.",
        )
    )
    def get_published_step(self, competition: Competition) -> float | None:
        if self.rules(competition) is None:
            return None
        return competition_step(competition).step

    def get_accepting_submissions(self, competition: Competition) -> bool:
        return competition.accepts_submissions(timezone.now())


class ViewerSerializer(serializers.Serializer[Any]):
    """What the requesting user has done in this competition."""

    terms_accepted = serializers.BooleanField(help_text="Accepted the current terms version.")
    team = serializers.CharField(allow_null=True, help_text="The user's team name, if any.")
    is_organizer = serializers.BooleanField()


def viewer_data(*, competition: Competition, user: AnyUser) -> dict[str, Any]:
    membership = membership_get(competition=competition, user=user)
    return {
        "terms_accepted": terms_accepted(competition=competition, user=user),
        "team": membership.team.name if membership else None,
        "is_organizer": user_is_organizer(competition=competition, user=user),
    }


class CompetitionDetailSerializer(CompetitionSerializer):
    loss_params = serializers.SerializerMethodField()
    viewer = serializers.SerializerMethodField()

    class Meta(CompetitionSerializer.Meta):
        fields = [
            *CompetitionSerializer.Meta.fields,
            "loss_params",
            "description",
            "rules",
            "terms_text",
            "viewer",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_loss_params(self, competition: Competition) -> dict[str, Any] | None:
        rules = self.rules(competition)
        return rules.loss_params if rules else None

    @extend_schema_field(ViewerSerializer)
    def get_viewer(self, competition: Competition) -> dict[str, Any]:
        return viewer_data(competition=competition, user=self.context["user"])


class ColumnSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=[k.value for k in Kind])
    nullable = serializers.BooleanField()
    categories = serializers.ListField(
        child=serializers.CharField(), help_text="The allowed values (categorical columns only)."
    )
    description = serializers.CharField(allow_blank=True)


class DataSchemaSerializer(serializers.Serializer[Any]):
    """The columns a model receives (in this order), the target and the task."""

    columns = ColumnSerializer(many=True)
    target = serializers.CharField()
    task = serializers.ChoiceField(choices=[t.value for t in Task])
    classes = serializers.ListField(
        child=serializers.CharField(), help_text="Class labels (classification only)."
    )
    target_range = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        min_length=2,
        max_length=2,
        help_text="[low, high] of the target (regression only).",
    )
    attributes = serializers.ListField(
        child=serializers.CharField(), help_text="Protected attributes groups may use."
    )


def data_schema(competition: Competition) -> dict[str, Any]:
    """The competition's data schema with every key present."""
    raw = competition_schema(competition).to_json()
    columns = [{"categories": [], "description": "", **column} for column in raw.get("columns", [])]
    return {
        "classes": [],
        **raw,
        "columns": columns,
        "target_range": raw.get("target_range") or None,
    }


class DataCardSerializer(serializers.Serializer[Any]):
    rows = serializers.DictField(child=serializers.IntegerField(), help_text="Rows per split.")
    attributes = serializers.ListField(child=serializers.CharField())
    base_model = serializers.CharField(allow_blank=True, help_text="How the base model was made.")
    other = serializers.DictField(child=serializers.CharField(), help_text="Other facts, as text.")


def data_card_data(card: DataCard) -> dict[str, Any]:
    return {
        "rows": dict(card.rows),
        "attributes": card.attributes,
        "base_model": card.base_model,
        "other": dict(card.other),
    }


class TermsAcceptInputSerializer(serializers.Serializer[Any]):
    terms_version = serializers.IntegerField(
        min_value=1, help_text="The version of the terms you read (the competition's current one)."
    )


class TermsAcceptanceSerializer(serializers.ModelSerializer[TermsAcceptance]):
    class Meta:
        model = TermsAcceptance
        fields = ["terms_version", "accepted_at"]
        read_only_fields = fields
