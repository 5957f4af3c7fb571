"""Public reads about a competition's model versions: nothing here reveals a holdout loss beyond the
published figures (``bounty.selectors.published``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bounty.models import Competition, ModelVersion
from bounty.selectors.outcomes import counting_updates
from bounty.selectors.published import PublishedFigures, published_figures


@dataclass(frozen=True)
class PublicVersion:
    number: int
    kind: str
    created_at: datetime
    public_gain: float | None


@dataclass(frozen=True)
class CompetitionMetrics:
    step: float | None
    publish_k: int
    base_loss: float | None
    public_loss: float | None
    current_loss_percent: float | None
    improvement_percent: float | None
    accepted_updates: int  # in the current model (not those an organizer action undid)
    head_version: int


def version_list_public(*, competition: Competition) -> list[PublicVersion]:
    """Every version, oldest first. An update carries its submission's published gain (rounded down
    to the step); the base model and repairs carry none."""
    figures = published_figures(competition=competition)
    versions = competition.versions.select_related("submission").order_by("number")
    return [
        PublicVersion(
            number=v.number,
            kind=v.kind,
            created_at=v.created_at,
            public_gain=_public_gain(v, figures),
        )
        for v in versions
    ]


def _public_gain(version: ModelVersion, figures: PublishedFigures) -> float | None:
    if version.kind != ModelVersion.Kind.UPDATE or version.submission is None:
        return None
    return figures.gain(version.submission.public_gain)


def public_holdout_loss(*, competition: Competition) -> float | None:
    """The holdout loss anyone may see: the published base loss less the published gains of the
    updates in the current model (``counting_updates``: not those a rollback or a disqualification took
    out). It moves only by numbers already published, so it reveals nothing more of the holdout; the
    exact current loss (repairs included) is for organizers."""
    return published_figures(competition=competition).public_loss


def competition_metrics(*, competition: Competition) -> CompetitionMetrics:
    """The published base and public losses, the public loss and the improvement in percent of the
    published base loss, the step they are published at, and the accepted updates in the current model."""
    figures = published_figures(competition=competition)
    return CompetitionMetrics(
        step=figures.step.step,
        publish_k=figures.step.k,
        base_loss=figures.base_loss,
        public_loss=figures.public_loss,
        current_loss_percent=figures.public_loss_percent,
        improvement_percent=figures.improvement_percent,
        accepted_updates=counting_updates(competition).count(),
        head_version=competition.head_version,
    )
