"""Recording versions an organizer action made, and bringing update standings in line with the engine.

Call inside the transaction that holds the competition lock (``organizer_guards.competition_lock``).
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import QuerySet

from bounty.models import Competition, ModelVersion, Submission, UpdateStanding
from scoring.engine import Store, VersionRecord
from scoring.engine import organize as engine


def _submission_of(competition: Competition, label: str) -> Submission | None:
    if not label.isdigit():
        return None
    return competition.submissions.filter(pk=int(label)).first()


def _label(record: VersionRecord, submission: Submission | None, action: str) -> str:
    if record.kind == ModelVersion.Kind.ROLLBACK:
        return action[:200]
    if record.kind == ModelVersion.Kind.REPAIR:
        return f"repair of v{record.target_version}"
    seq = f"#{submission.seq}" if submission is not None else record.label
    return f"submission {seq} (replayed: {action})"[:200]


def versions_record(competition: Competition, records: list[VersionRecord], *, action: str) -> None:
    """Create the ``ModelVersion`` rows for ``records`` and move the competition's head to the last."""
    for record in records:
        submission = _submission_of(competition, record.label)
        ModelVersion.objects.create(
            competition=competition,
            number=record.number,
            parent=record.parent,
            kind=record.kind,
            label=_label(record, submission, action),
            submission=submission,
            target_version=record.target_version,
            gain=record.gain,
            holdout_loss=record.holdout_loss,
            confirmation_loss=record.confirmation_loss,
        )
    if records:
        Competition.objects.filter(pk=competition.pk).update(
            head_version=records[-1].number, current_holdout_loss=records[-1].holdout_loss
        )
        competition.head_version = records[-1].number
        competition.current_holdout_loss = records[-1].holdout_loss


def accepted_submissions(competition: Competition) -> QuerySet[Submission]:
    return competition.submissions.filter(status=Submission.Status.ACCEPTED).order_by("seq")


def standings_sync(
    *,
    competition: Competition,
    store: Store,
    head: int,
    dropped: str,
    team_labels: Collection[str] = (),
) -> dict[str, int]:
    """Give every accepted submission a standing matching the engine at ``head``; returns the counting
    labels with their update versions.

    A submission that stops counting now is marked ``dropped`` (``disqualified`` when its label is in
    ``team_labels``); one that stopped earlier keeps its reason. A standing whose update moved to another
    version loses its confirmation (it must be confirmed again).
    """
    counting = engine.counting_labels(store, head=head)
    for submission in accepted_submissions(competition):
        label = str(submission.pk)
        standing, _ = UpdateStanding.objects.get_or_create(
            submission=submission, defaults={"competition": competition}
        )
        version = counting.get(label)
        if version is not None:
            if standing.version != version:
                standing.confirmed_gain = standing.confirmed = standing.confirmed_at = None
            standing.counts, standing.version, standing.dropped = True, version, ""
        else:
            if standing.counts:
                standing.dropped = UpdateStanding.Dropped.DISQUALIFIED if label in team_labels else dropped
            standing.counts, standing.version = False, None
            standing.confirmed_gain = standing.confirmed = standing.confirmed_at = None
        standing.save()
    return counting
