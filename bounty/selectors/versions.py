"""Public reads about a competition's model versions: nothing here reveals a holdout loss."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bounty.models import Competition, ModelVersion
from bounty.selectors.outcomes import counting_updates

# Shares of the base loss are published rounded, never as exact holdout figures.
SHARE_DIGITS = 4


@dataclass(frozen=True)
class PublicVersion:
    number: int
    kind: str
    created_at: datetime
    public_gain: float | None


@dataclass(frozen=True)
class CompetitionMetrics:
    current_loss_share: float | None
    improvement_share: float | None
    accepted_updates: int  # in the current model (not those an organizer action undid)
    head_version: int


def version_list_public(*, competition: Competition) -> list[PublicVersion]:
    """Every version, oldest first. An update carries its submission's public (rounded) gain;
    the base model and repairs carry none."""
    versions = competition.versions.select_related("submission").order_by("number")
    return [
        PublicVersion(
            number=v.number,
            kind=v.kind,
            created_at=v.created_at,
            public_gain=_public_gain(v),
        )
        for v in versions
    ]


def _public_gain(version: ModelVersion) -> float | None:
    if version.kind != ModelVersion.Kind.UPDATE or version.submission is None:
        return None
    return version.submission.public_gain


def public_holdout_loss(*, competition: Competition) -> float | None:
    """The holdout loss anyone may see: the base model's, less the public (rounded-down) gains of the
    updates in the current model (``counting_updates``: not those a rollback or a disqualification took
    out). It moves only by numbers already published, so it reveals nothing more of the holdout; the
    exact current loss (repairs included) is for organizers."""
    base = competition.base_holdout_loss
    if base is None:
        return None
    gains = counting_updates(competition).values_list("public_gain", flat=True)
    return max(0.0, base - sum(g or 0.0 for g in gains))


def competition_metrics(*, competition: Competition) -> CompetitionMetrics:
    """The public holdout loss (``public_holdout_loss``) as a share of the base model's (and the
    improvement, one minus it), rounded, and how many accepted updates are in the current model."""
    base, current = competition.base_holdout_loss, public_holdout_loss(competition=competition)
    share = round(current / base, SHARE_DIGITS) if base and base > 0 and current is not None else None
    return CompetitionMetrics(
        current_loss_share=share,
        improvement_share=round(1.0 - share, SHARE_DIGITS) if share is not None else None,
        accepted_updates=counting_updates(competition).count(),
        head_version=competition.head_version,
    )
