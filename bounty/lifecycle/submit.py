"""A submission's start and its withdrawal: checked, stored, numbered in arrival order, charged to the
team's quotas and queued; or taken back out of the queue before a worker claims it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bounty.engine_adapter import group_parse, group_text_of, group_validate
from bounty.errors import DomainError
from bounty.lifecycle import enqueue
from bounty.lifecycle.precheck import pair_precheck_wait
from bounty.lifecycle.states import Status, transition
from bounty.models import Competition, Membership, Submission, Team
from bounty.selectors.competitions import terms_accepted
from bounty.selectors.quotas import quota_usage
from bounty.services.accounts import email_confirmed_required
from bounty.services.artifacts import artifact_check, artifact_format, artifact_store
from bounty.services.audit import audit_record
from bounty.services.quotas import quota_take


def submitting_team(*, competition: Competition, user: User) -> Team:
    if not competition.accepts_submissions(timezone.now()):
        raise DomainError("competition_not_open", "This competition is not taking submissions.")
    email_confirmed_required(user=user)
    if not terms_accepted(competition=competition, user=user):
        raise DomainError("terms_not_accepted", "Accept the current terms before submitting.")
    membership = Membership.objects.select_related("team").filter(competition=competition, user=user).first()
    if membership is None:
        raise DomainError("no_team", "Create or join a team before submitting.")
    if hasattr(membership.team, "disqualification"):
        raise DomainError("team_disqualified", "Your team was disqualified.")
    if competition.team_approval and membership.team.approved_at is None:
        raise DomainError(
            "team_not_approved",
            "Your team is waiting for an organizer's approval; you can submit once it is approved.",
        )
    return membership.team


def _group_input(
    *, competition: Competition, group_text: str, group_tree: object, group_model_file: File | None
) -> tuple[dict[str, Any] | None, str | None, str]:
    """(tree, group model sha256, group text to keep) from exactly one of the three forms."""
    if group_model_file is not None and group_text.strip():
        raise DomainError(
            "invalid_group",
            "Give the group either as text or as a model file, not both.",
            field="group_text",
        )
    if group_tree is not None and (group_text.strip() or group_model_file is not None):
        raise DomainError(
            "invalid_group",
            "Give the group in one form only: a JSON tree, text or a model file.",
            field="group",
        )
    if group_model_file is not None:
        return None, artifact_store(upload=group_model_file, field="group_model_file"), ""
    if group_tree is not None:
        tree = group_validate(competition=competition, tree=group_tree, field="group")
        return tree, None, group_text_of(tree)
    return group_parse(competition=competition, text=group_text), None, group_text.strip()


DESCRIPTION_MAX = Submission._meta.get_field("description").max_length or 500


def _quota_left(*, team: Team, competition: Competition) -> None:
    """Refuse before any sandbox run when the team's quota is used up (``quota_take`` decides, in the
    transaction that creates the submission; this only spares a pre-check that could not be used)."""
    usage = quota_usage(team=team, competition=competition, now=timezone.now())
    if usage.used_total >= usage.total_limit:
        raise DomainError("quota_exceeded", f"Your team has used all {usage.total_limit} submissions.")
    if usage.used_today >= usage.daily_limit:
        raise DomainError(
            "quota_exceeded", f"Your team has used its {usage.daily_limit} submissions for today (UTC)."
        )


def _description(text: str) -> str:
    text = (text or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise DomainError(
            "invalid_data",
            f"The description has {len(text):,} characters; the limit is {DESCRIPTION_MAX}.",
            field="description",
        )
    return text


def _next_seq(*, competition: Competition) -> int:
    """Take the next arrival number (an atomic increment; call inside a transaction)."""
    Competition.objects.filter(pk=competition.pk).update(next_seq=F("next_seq") + 1)
    after = Competition.objects.values_list("next_seq", flat=True).get(pk=competition.pk)
    return int(after) - 1


def submission_create(
    *,
    competition: Competition,
    user: User,
    model_file: File,
    group_text: str = "",
    group_tree: object = None,
    group_model_file: File | None = None,
    description: str = "",
    precheck: bool = False,
) -> Submission:
    """Check the user may submit, store the files by hash, number the submission in arrival
    order, charge it to the team's quotas and queue it for scoring once the transaction commits.

    The group is one of: ``group_text`` (the text form), ``group_tree`` (a JSON tree, checked
    against the schema) or ``group_model_file``. With ``precheck`` (every entry point a participant
    uses: the web form and the API), the model files are checked from their bytes and the pair runs
    on a few hundred public train rows first (``bounty.lifecycle.precheck``); a failure there is
    refused with its exact cause before anything is created or charged."""
    team = submitting_team(competition=competition, user=user)
    note = _description(description)
    if precheck:
        _quota_left(team=team, competition=competition)
        for upload, field in ((model_file, "model_file"), (group_model_file, "group_model_file")):
            if upload is not None:
                artifact_check(upload=upload, field=field)
    tree, group_sha, kept_text = _group_input(
        competition=competition,
        group_text=group_text,
        group_tree=group_tree,
        group_model_file=group_model_file,
    )
    model_sha = artifact_store(upload=model_file, field="model_file")
    if precheck:
        pair_precheck_wait(
            competition=competition, user=user, tree=tree, model_sha=model_sha, group_sha=group_sha
        )
    return _queue(
        competition=competition,
        team=team,
        user=user,
        group_tree=tree,
        group_text=kept_text,
        group_model_sha256=group_sha,
        model_sha256=model_sha,
        model_format=artifact_format(upload=model_file),
        description=note,
    )


def finding_create(
    *,
    competition: Competition,
    user: User,
    group_text: str = "",
    group_tree: object = None,
    description: str = "",
) -> Submission:
    """A finding: a group alone, claiming the current model does worse on it than on the rest by the
    competition's beta. Checked at the door like a pair's group (the group language only: a finding runs
    no code), then numbered, charged to the same quotas and queued in the same arrival order."""
    team = submitting_team(competition=competition, user=user)
    note = _description(description)
    _quota_left(team=team, competition=competition)
    if group_tree is not None and group_text.strip():
        raise DomainError("invalid_group", "Give the group either as text or as a JSON tree.", field="group")
    tree, _, kept_text = _group_input(
        competition=competition, group_text=group_text, group_tree=group_tree, group_model_file=None
    )
    assert tree is not None
    return _queue(
        competition=competition,
        team=team,
        user=user,
        kind=Submission.Kind.FINDING,
        group_tree=tree,
        group_text=kept_text,
        description=note,
    )


def _queue(*, competition: Competition, team: Team, user: User, **fields: Any) -> Submission:
    """Number the submission, charge it to the team's quotas and queue it once the transaction commits."""
    with transaction.atomic():
        submission = Submission.objects.create(
            competition=competition, team=team, author=user, seq=_next_seq(competition=competition), **fields
        )
        # The database decides: over quota, this raises and rolls back the row and its number.
        quota_take(submission=submission)
        audit_record(
            action="submission.create",
            actor=user,
            competition=competition,
            payload={
                "submission_id": submission.pk,
                "seq": submission.seq,
                "team_id": team.pk,
                "kind": submission.kind,
            },
        )
        enqueue.score_after_commit(submission.pk)
    return submission


def submission_cancel(*, submission: Submission, user: User) -> Submission:
    """Withdraw a queued submission (its author's team only; not once a worker claimed it). Its quota
    slot is given back."""
    member = Membership.objects.filter(
        competition_id=submission.competition_id, team_id=submission.team_id, user=user
    ).exists()
    if not member:
        raise DomainError("not_found", "There is no such submission.")
    with transaction.atomic():
        if not transition(submission.pk, to=Status.CANCELLED, source=[Status.QUEUED]):
            raise DomainError("not_cancellable", "Only a queued submission can be cancelled.")
        audit_record(
            action="submission.cancel",
            actor=user,
            competition=submission.competition,
            payload={"submission_id": submission.pk, "seq": submission.seq},
        )
    return Submission.objects.select_related("competition", "team").get(pk=submission.pk)
