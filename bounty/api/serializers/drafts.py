"""Competition drafts in the organizer API: a definition's progress, problems and outcome."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from bounty.models import CompetitionDraft


class DefinitionInputSerializer(serializers.Serializer[Any]):
    definition = serializers.FileField(
        help_text="The competition definition (YAML). The data files go in the fields its `data:` names: "
        "`data` for one file, or `train`, `holdout` and `confirmation`; a model file in `model`."
    )
    # the form field is called "data", like the definition's data: section
    data = serializers.FileField(  # type: ignore[assignment]
        required=False, help_text="The one table (CSV or Parquet), split at random."
    )
    train = serializers.FileField(required=False)
    holdout = serializers.FileField(required=False)
    confirmation = serializers.FileField(required=False)
    model = serializers.FileField(required=False, help_text="The base model, when `base_model: {file: ...}`.")


class ProblemSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="What the definition's `problems:` section keys its choice by.")
    kind = serializers.CharField()
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    count = serializers.IntegerField()
    places = serializers.ListField(child=serializers.DictField(), help_text="file, count, first rows")
    values = serializers.DictField(child=serializers.IntegerField())
    choices = serializers.DictField(child=serializers.CharField(), help_text="choice -> what it does")


class JobSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    status = serializers.ChoiceField(["queued", "running", "done", "failed", "needs_choices"])
    progress = serializers.FloatField()
    stage = serializers.CharField()
    started = serializers.CharField(required=False)
    finished = serializers.CharField(required=False)
    error = serializers.DictField(required=False)
    problems = serializers.ListField(
        required=False, help_text="Problems (objects) or schema refusals (text)."
    )
    competition = serializers.CharField(required=False, help_text="The competition created, when done.")
    competition_status = serializers.CharField(required=False)
    rules = serializers.DictField(required=False)


class DraftSerializer(serializers.ModelSerializer[CompetitionDraft]):
    job = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    schema_problems = serializers.SerializerMethodField()
    competition = serializers.SerializerMethodField()

    class Meta:
        model = CompetitionDraft
        fields = [
            "id",
            "slug",
            "title",
            "step",
            "job",
            "problems",
            "schema_problems",
            "competition",
            "created_at",
            "updated_at",
        ]

    def get_job(self, draft: CompetitionDraft) -> dict[str, Any] | None:
        job = {k: v for k, v in (draft.job or {}).items() if k != "beat"}
        return JobSerializer(job).data if job else None

    def get_problems(self, draft: CompetitionDraft) -> list[dict[str, Any]]:
        return list(draft.state.get("problems") or [])

    def get_schema_problems(self, draft: CompetitionDraft) -> list[str]:
        return list(draft.state.get("schema_problems") or [])

    def get_competition(self, draft: CompetitionDraft) -> str | None:
        return draft.competition.slug if draft.competition_id and draft.competition else None
