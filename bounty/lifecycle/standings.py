"""The model's versions as the database records them, and where each accepted update stands in it.

``versions_record`` is the one place a version is recorded, whether a decision, a rollback or a replay
made it. ``standings_sync`` brings every accepted submission's ``UpdateStanding`` in line with the
engine's account of which updates count at the head, and says whose standing changed; ``confirm_locked``
checks every counting update on the confirmation split. Call them under the competition's lock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from bounty.engine_adapter import competition_saved, competition_store
from bounty.models import Competition, ModelVersion, Submission, UpdateStanding
from bounty.services.audit import audit_record
from scoring.engine import Store, VersionRecord
from scoring.engine import organize as engine


def _version_label(record: VersionRecord, submission: Submission | None, because: str) -> str:
    if record.kind == ModelVersion.Kind.ROLLBACK:
        return because[:200]
    if record.kind == ModelVersion.Kind.REPAIR:
        return f"repair of v{record.target_version}"
    seq = f"#{submission.pk}" if submission is not None else record.label
    return (f"submission {seq} (replayed: {because})" if because else f"submission {seq}")[:200]


def versions_record(competition: Competition, records: list[VersionRecord], *, because: str = "") -> None:
    """Create the ``ModelVersion`` rows of ``records`` and move the competition's head to the last.

    A record's label names the submission its update (or the update behind a repair) came from;
    ``because`` is the organizer action that made the records, empty for a decision. The engine
    directory is shared first (``competition_saved``): whoever reads the new head finds its files."""
    if records:
        competition_saved(competition, head=records[-1].number)
    ids = [int(r.label) for r in records if r.label.isdigit()]
    submissions = {s.pk: s for s in competition.submissions.filter(pk__in=ids)}
    for record in records:
        submission = submissions.get(int(record.label)) if record.label.isdigit() else None
        ModelVersion.objects.create(
            competition=competition,
            number=record.number,
            parent=record.parent,
            kind=record.kind,
            label=_version_label(record, submission, because),
            submission=submission,
            target_version=record.target_version,
            gain=record.gain,
            holdout_loss=record.holdout_loss,
            confirmation_loss=record.confirmation_loss,
        )
    if records:
        head, loss = records[-1].number, records[-1].holdout_loss
        Competition.objects.filter(pk=competition.pk).update(head_version=head, current_holdout_loss=loss)
        competition.head_version, competition.current_holdout_loss = head, loss


def accepted_submissions(competition: Competition) -> QuerySet[Submission]:
    """The accepted pairs (a finding merges nothing into the model, so it has no standing)."""
    accepted = competition.submissions.filter(status=Submission.Status.ACCEPTED, kind=Submission.Kind.PAIR)
    return accepted.order_by("seq")


@dataclass(frozen=True)
class StandingChange:
    """An accepted submission whose update started or stopped counting."""

    submission_id: int
    counts: bool
    dropped: str  # why it stopped counting (``UpdateStanding.Dropped``), empty when it counts again


@dataclass(frozen=True)
class Sync:
    counting: dict[str, int]  # label (submission id) -> its update's version, for the updates that count
    changes: list[StandingChange]

    def changed(self) -> list[int]:
        """The submissions whose credit changed."""
        return [change.submission_id for change in self.changes]


def standings_sync(
    *,
    competition: Competition,
    store: Store,
    head: int,
    dropped: str,
    team_labels: Collection[str] = (),
) -> Sync:
    """Give every accepted submission a standing matching the engine at ``head``.

    A submission that stops counting now is marked ``dropped`` (``disqualified`` when its label is in
    ``team_labels``) at version ``head``; one that stopped earlier keeps its reason. A standing whose
    update moved to another version loses its confirmation (it must be confirmed again)."""
    counting = engine.counting_labels(store, head=head)
    changes: list[StandingChange] = []
    for submission in accepted_submissions(competition):
        label = str(submission.pk)
        standing, _ = UpdateStanding.objects.get_or_create(
            submission=submission, defaults={"competition": competition}
        )
        version = counting.get(label)
        if version is not None:
            if not standing.counts:
                changes.append(StandingChange(submission.pk, True, ""))
            if standing.version != version:
                standing.confirmed_gain = standing.confirmed = standing.confirmed_at = None
            standing.counts, standing.version, standing.dropped, standing.dropped_in = True, version, "", None
        else:
            if standing.counts:
                standing.dropped = UpdateStanding.Dropped.DISQUALIFIED if label in team_labels else dropped
                standing.dropped_in = head
                changes.append(StandingChange(submission.pk, False, standing.dropped))
            standing.counts, standing.version = False, None
            standing.confirmed_gain = standing.confirmed = standing.confirmed_at = None
        standing.save()
    return Sync(counting, changes)


def confirm_locked(competition: Competition, *, actor: User | None, reason: str) -> tuple[int, int]:
    """Confirm every counting update at the locked competition's head on the confirmation split and
    record it (``competition.confirm``, by ``actor``, None for the platform); returns (confirmed, not
    confirmed)."""
    store = competition_store(competition)
    head = competition.head_version
    counting = standings_sync(
        competition=competition, store=store, head=head, dropped=UpdateStanding.Dropped.ROLLED_BACK
    ).counting
    gains = engine.confirmation_gains(store, head=head)
    now = timezone.now()
    confirmed = 0
    for standing in UpdateStanding.objects.filter(competition=competition, counts=True):
        label = str(standing.submission_id)
        if label not in counting:
            continue
        gain = gains[label]
        standing.confirmed_gain, standing.confirmed, standing.confirmed_at = gain, gain > 0, now
        standing.save(update_fields=["confirmed_gain", "confirmed", "confirmed_at", "updated_at"])
        confirmed += gain > 0
    unconfirmed = len(counting) - confirmed
    audit_record(
        action="competition.confirm",
        actor=actor,
        competition=competition,
        payload={"head": head, "confirmed": confirmed, "not_confirmed": unconfirmed, "reason": reason},
    )
    return confirmed, unconfirmed
