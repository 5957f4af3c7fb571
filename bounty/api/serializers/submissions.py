from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bounty.engine_adapter import group_json_load
from bounty.models import Submission, UpdateStanding
from bounty.selectors.outcomes import submission_outcome
from bounty.services.artifacts import artifact_check
from scoring.groups import MAX_TEXT

MAX_GROUP_JSON = 64 * 1024
DESCRIPTION_MAX = Submission._meta.get_field("description").max_length or 500
GROUP_FORMS = ("group", "group_text", "group_model")
TREE_SCHEMA = {
    "type": "object",
    "additionalProperties": True,
    "description": 'A JSON group tree, e.g. {"col": "age", "op": ">=", "value": 60}.',
}


class SubmissionCreateInputSerializer(serializers.Serializer[Any]):
    """A (group, model) pair. Give the group as exactly one of ``group``, ``group_text`` or
    ``group_model``. Model files are checked at once: only skops files are taken."""

    group = serializers.CharField(
        required=False, max_length=MAX_GROUP_JSON, help_text="The group as a JSON tree, in a string."
    )
    group_text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_TEXT,
        help_text='The group in the text form, e.g. age >= 60 and sex == "Female".',
    )
    model = serializers.FileField(help_text="The model h, saved with skops.io.dump.")
    group_model = serializers.FileField(
        required=False, help_text="A model whose predictions (0/1) define the group."
    )
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=DESCRIPTION_MAX,
        help_text="An optional note on the pair (what you tried), shown to your team only.",
    )

    def validate_group(self, value: str) -> dict[str, Any]:
        tree = group_json_load(text=value, field="group")
        if not isinstance(tree, dict):
            raise serializers.ValidationError("The group must be a JSON object (a group tree).")
        return tree

    def validate_model(self, value: UploadedFile) -> UploadedFile:
        return _checked_upload(value, field="model")

    def validate_group_model(self, value: UploadedFile) -> UploadedFile:
        return _checked_upload(value, field="group_model")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in GROUP_FORMS if attrs.get(name) not in (None, "")]
        if not given:
            raise serializers.ValidationError(
                {"group": "Give the group as group (a JSON tree), group_text or a group_model file."},
                code="required",
            )
        if len(given) > 1:
            raise serializers.ValidationError(
                {given[1]: f"Give the group in one form only (not both {given[0]} and {given[1]})."}
            )
        return attrs


def _checked_upload(upload: UploadedFile, *, field: str) -> UploadedFile:
    """Refuse what the engine would never load, from its bytes (the web form makes the same check)."""
    artifact_check(upload=upload, field=field)
    return upload


@extend_schema_field({**TREE_SCHEMA, "nullable": True})
class GroupTreeField(serializers.JSONField):
    pass


class SubmissionSerializer(serializers.ModelSerializer[Submission]):
    competition = serializers.CharField(source="competition.slug", read_only=True)
    team = serializers.CharField(source="team.name", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    group = GroupTreeField(source="group_tree", read_only=True)
    has_group_model = serializers.SerializerMethodField()
    pending = serializers.BooleanField(source="is_pending", read_only=True)
    status_label = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    undone = serializers.SerializerMethodField()
    undone_in_version = serializers.SerializerMethodField()
    credited_gain = serializers.SerializerMethodField()
    started_at = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "seq",
            "kind",
            "competition",
            "team",
            "author",
            "status",
            "status_label",
            "reason",
            "message",
            "pending",
            "counts",
            "undone",
            "undone_in_version",
            "credited_gain",
            "group",
            "group_text",
            "description",
            "has_group_model",
            "model_format",
            "public_gain",
            "checked_version",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The submission's number: the one in its address, emails and exports."},
            "seq": {"help_text": "Its arrival order within the competition (not its number; see id)."},
        }

    def get_has_group_model(self, submission: Submission) -> bool:
        return submission.group_model_sha256 is not None

    @extend_schema_field(serializers.CharField(help_text='E.g. "Accepted, rolled back in v5".'))
    def get_status_label(self, submission: Submission) -> str:
        return submission_outcome(submission).label

    @extend_schema_field(serializers.BooleanField(help_text="An accepted update in the current model."))
    def get_counts(self, submission: Submission) -> bool:
        return submission_outcome(submission).counts

    @extend_schema_field(
        serializers.ChoiceField(
            choices=[c for c in UpdateStanding.Dropped.values if c],
            allow_null=True,
            help_text="Why an accepted update left the model: a rollback, a disqualification, or a replay.",
        )
    )
    def get_undone(self, submission: Submission) -> str | None:
        return submission_outcome(submission).undone or None

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="The version that took the update out.")
    )
    def get_undone_in_version(self, submission: Submission) -> int | None:
        return submission_outcome(submission).undone_in

    @extend_schema_field(
        serializers.FloatField(
            allow_null=True, help_text="The public gain it earns now: 0 once undone; null unless accepted."
        )
    )
    def get_credited_gain(self, submission: Submission) -> float | None:
        return submission_outcome(submission).credited_gain

    @extend_schema_field(serializers.DateTimeField(allow_null=True, help_text="Organizers only."))
    def get_started_at(self, submission: Submission) -> str | None:
        """When scoring started: organizers only (with the finish time it would time the holdout run)."""
        if not self.context.get("show_figures") or submission.started_at is None:
            return None
        return serializers.DateTimeField().to_representation(submission.started_at)


class SubmissionDetailSerializer(SubmissionSerializer):
    """A submission; ``figures`` (losses, gain, margin) only for the competition's organizers."""

    figures = serializers.SerializerMethodField()

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "figures"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(allow_null=True, help_text="Organizers only."))
    def get_figures(self, submission: Submission) -> dict[str, Any] | None:
        if not self.context.get("show_figures"):
            return None
        return dict(submission.figures or {})
