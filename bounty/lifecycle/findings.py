"""Deciding a finding at its turn, and linking accepted pairs to the findings they fix.

A finding waits in the same arrival order as pairs and is checked against the head when its turn comes
(``bounty.lifecycle.decide`` calls ``finding_decide`` under the competition's lock). Accepted, it is
published: a ``Finding`` row with its gap at the published step, "known" when a slice the public Explore
tab lists for the checked version shares 90% of its train rows, and its masks kept in the store. An
accepted pair whose group holds half of a finding's holdout rows fixes it (``findings_fix``): the link,
the version and the gap after, at the published step. Both write the ledger in the same transaction.
"""

from __future__ import annotations

from typing import Any

from bounty.engine_adapter import competition_store
from bounty.lifecycle.messages import FINDING_ACCEPTED, PUBLIC_MESSAGES
from bounty.lifecycle.states import Status, transition
from bounty.models import Competition, Finding, Landscape, Submission
from bounty.selectors.published import competition_step
from bounty.services.audit import audit_record
from bounty.services.ledger import ledger_sync
from scoring.engine import Evaluation, Store, train_landscape
from scoring.engine import findings as engine
from scoring.finding import FindingDecision


def finding_decide(
    competition: Competition, store: Store, submission: Submission, evaluation: Evaluation
) -> None:
    """Check the finding against the head and record the decision (under the lock)."""
    head = competition.head_version
    decision = engine.check(store, evaluation, head=head)
    decided = transition(
        submission.pk,
        to=Status.ACCEPTED if decision.accepted else Status.REJECTED,
        source=[Status.EVALUATED],
        reason=decision.reason.value,
        message=FINDING_ACCEPTED if decision.accepted else PUBLIC_MESSAGES[decision.reason],
        figures=decision.figures.as_dict(),
        checked_version=head,
    )
    if not decided:
        raise RuntimeError(f"finding {submission.pk} could not be decided")
    if decision.accepted:
        _publish(competition, store, submission, evaluation, decision)
    audit_record(
        action="finding.decided",
        competition=competition,
        payload={"submission_id": submission.pk, "seq": submission.seq, "reason": decision.reason.value},
    )


def _publish(
    competition: Competition,
    store: Store,
    submission: Submission,
    evaluation: Evaluation,
    decision: FindingDecision,
) -> None:
    head = competition.head_version
    slices = _public_slices(competition, store, head)
    match = engine.known(store, evaluation.masks["train"], [s["tree"] for s in slices])
    engine.keep(store, str(submission.pk), evaluation)
    Finding.objects.create(
        submission=submission,
        competition=competition,
        version=head,
        public_gap=_published(competition, decision.figures.gap),
        known=match is not None,
        known_slice=slices[match]["text"][:500] if match is not None else "",
    )
    ledger_sync(competition=competition, note=f"finding #{submission.pk} accepted")


def _published(competition: Competition, gap: float) -> float:
    return competition_step(competition).value(max(gap, 0.0)) or 0.0


def _public_slices(competition: Competition, store: Store, version: int) -> list[dict[str, Any]]:
    """The slices the Explore tab lists for ``version`` (the stored landscape, or computed now)."""
    landscape = Landscape.objects.filter(
        competition=competition, version=version, kind=Landscape.Kind.TRAIN, status=Landscape.Status.DONE
    ).first()
    data = landscape.data if landscape is not None and landscape.data else None
    if data is None:
        data = train_landscape(store, head=competition.head_version, version=version)
    return list(data.get("slices", []))


def findings_fix(competition: Competition, submission: Submission, evaluation: Evaluation) -> list[int]:
    """Link the accepted pair ``submission`` to every open finding it fixes (under the lock, after its
    versions are recorded). Returns the findings' submission ids."""
    open_findings = Finding.objects.filter(competition=competition, fixed_by__isnull=True)
    labels = [str(pk) for pk in open_findings.values_list("submission_id", flat=True)]
    if not labels:
        return []
    store = competition_store(competition)
    fixed = [int(label) for label in engine.fixed(store, evaluation.masks["holdout"], labels)]
    head = competition.head_version
    for finding in open_findings.filter(submission_id__in=fixed):
        after = engine.gap_now(store, str(finding.submission_id), head=head)
        finding.fixed_by, finding.fixed_version = submission, head
        finding.gap_after = _published(competition, after.gap)
        finding.save(update_fields=["fixed_by", "fixed_version", "gap_after"])
    if fixed:
        audit_record(
            action="finding.fixed",
            competition=competition,
            payload={"submission_id": submission.pk, "findings": fixed, "version": head},
        )
    return fixed
