"""What the organizer endpoints take and answer: the console's review page and the result of each of
its actions, as JSON. Every answer carries the console's message and the competition as it now is."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bounty.api.serializers.competitions import CompetitionSerializer
from bounty.api.serializers.submissions import SubmissionDetailSerializer
from bounty.models import AuditEvent, Disqualification, ModelVersion, Submission
from bounty.selectors.outcomes import standing_of
from bounty.selectors.review import TeamRow

REASON_HELP = "Why: kept in the audit log with your name and the time (at most 2,000 characters)."


# -- what the actions take -------------------------------------------------------------------------
class NoteInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(allow_blank=True, help_text=REASON_HELP)


class ReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True, help_text=REASON_HELP)


class RollbackInputSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        help_text="The version to predict as again: an earlier one than the head (400 `invalid_version`)."
    )
    reason = serializers.CharField(allow_blank=True, help_text=REASON_HELP)


# -- what they answer ------------------------------------------------------------------------------
class OrganizerCompetitionSerializer(CompetitionSerializer):
    """The competition, with what only its organizers see (the console's header)."""

    class Meta(CompetitionSerializer.Meta):
        fields = [
            *CompetitionSerializer.Meta.fields,
            "manual_approval",
            "team_approval",
            "base_holdout_loss",
            "current_holdout_loss",
        ]
        read_only_fields = fields


class StandingSerializer(serializers.Serializer[Any]):
    """Where an accepted update stands (organizers only)."""

    counts = serializers.BooleanField(help_text="Its update is part of the current model.")
    version = serializers.IntegerField(allow_null=True, help_text="Its version in the current model.")
    dropped = serializers.CharField(allow_blank=True, help_text="Why it left the model (empty if it counts).")
    dropped_in = serializers.IntegerField(allow_null=True)
    confirmed_gain = serializers.FloatField(
        allow_null=True, help_text="Its gain on the hidden confirmation split, once confirmed."
    )
    confirmed = serializers.BooleanField(allow_null=True, help_text="Confirmed gain > 0.")


class ReviewSubmissionSerializer(SubmissionDetailSerializer):
    """A submission with the organizer-only figures and, once accepted, its standing."""

    standing = serializers.SerializerMethodField()

    class Meta(SubmissionDetailSerializer.Meta):
        fields = [*SubmissionDetailSerializer.Meta.fields, "standing"]
        read_only_fields = fields

    @extend_schema_field(StandingSerializer(allow_null=True))
    def get_standing(self, submission: Submission) -> dict[str, Any] | None:
        standing = standing_of(submission)
        return None if standing is None else dict(StandingSerializer(standing).data)


class OrganizerVersionSerializer(serializers.ModelSerializer[ModelVersion]):
    """A version of the global model, with its holdout loss (organizers only)."""

    submission = serializers.IntegerField(source="submission_id", allow_null=True, read_only=True)

    class Meta:
        model = ModelVersion
        fields = [
            "number",
            "kind",
            "label",
            "parent",
            "target_version",
            "submission",
            "gain",
            "holdout_loss",
            "created_at",
        ]
        read_only_fields = fields


class OrganizerTeamSerializer(serializers.Serializer[Any]):
    """A team of the competition as the console lists it."""

    id = serializers.IntegerField(source="team.pk", help_text="Use it to disqualify the team.")
    name = serializers.CharField(source="team.name")
    counting = serializers.IntegerField(help_text="Its accepted updates in the current model.")
    undone = serializers.IntegerField(help_text="Its accepted updates an organizer action took out.")
    disqualified = serializers.SerializerMethodField()
    disqualified_at = serializers.SerializerMethodField()
    disqualified_in_version = serializers.SerializerMethodField()

    def get_disqualified(self, row: TeamRow) -> bool:
        return row.disqualification is not None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_disqualified_at(self, row: TeamRow) -> str | None:
        dq = row.disqualification
        return None if dq is None else serializers.DateTimeField().to_representation(dq.created_at)

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="The version the model was rebuilt as.")
    )
    def get_disqualified_in_version(self, row: TeamRow) -> int | None:
        return None if row.disqualification is None else row.disqualification.version


class OrganizerActionSerializer(serializers.ModelSerializer[AuditEvent]):
    """An action an organizer took (from the audit log)."""

    actor = serializers.CharField(source="actor.username", read_only=True)
    reason = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["created_at", "actor", "action", "reason"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason(self, event: AuditEvent) -> str | None:
        payload = event.payload if isinstance(event.payload, dict) else {}
        reason = payload.get("reason")
        return None if reason is None else str(reason)


class ReviewSerializer(serializers.Serializer[Any]):
    """The console: the queue waiting for approval, the latest decisions, versions, teams, actions."""

    competition = OrganizerCompetitionSerializer()
    awaiting = ReviewSubmissionSerializer(many=True, help_text="Waiting for approval, in arrival order.")
    decided = ReviewSubmissionSerializer(many=True, help_text="The latest decisions, newest first.")
    versions = OrganizerVersionSerializer(many=True, help_text="Newest first.")
    teams = OrganizerTeamSerializer(many=True)
    actions = OrganizerActionSerializer(many=True, help_text="The latest organizer actions, newest first.")


class ActionResultSerializer(serializers.Serializer[Any]):
    """The result of an organizer action: what the console says, and the competition now."""

    message = serializers.CharField(help_text="What was done, in the console's words.")
    competition = OrganizerCompetitionSerializer()


class SubmissionActionSerializer(ActionResultSerializer):
    submission = ReviewSubmissionSerializer(help_text="The submission after the decision.")


class RollbackResultSerializer(ActionResultSerializer):
    version = OrganizerVersionSerializer(help_text="The new head: it predicts as `target_version` did.")


class DisqualificationSerializer(serializers.ModelSerializer[Disqualification]):
    team_id = serializers.IntegerField(read_only=True)
    team = serializers.CharField(source="team.name", read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True)

    class Meta:
        model = Disqualification
        fields = ["team_id", "team", "actor", "reason", "version", "created_at"]
        read_only_fields = fields


class DisqualifyResultSerializer(ActionResultSerializer):
    disqualification = DisqualificationSerializer()


class ConfirmResultSerializer(ActionResultSerializer):
    confirmed = serializers.IntegerField(help_text="Counting updates whose confirmation gain is positive.")
    unconfirmed = serializers.IntegerField(help_text="Counting updates it did not confirm.")
