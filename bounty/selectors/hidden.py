"""What the public reports hold back while a competition runs, and until when: the figures computed
on the holdout exist but are published at the close (``bounty.views.reports``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bounty.models import Competition, ModelVersion


@dataclass(frozen=True)
class HiddenUntilClose:
    versions: int  # versions of the model so far, the base included
    updates: int  # accepted updates among them
    closes_at: datetime


def hidden_until_close(*, competition: Competition) -> HiddenUntilClose:
    versions = competition.versions.filter(number__lte=competition.head_version)
    return HiddenUntilClose(
        versions=versions.count(),
        updates=versions.filter(kind=ModelVersion.Kind.UPDATE).count(),
        closes_at=competition.closes_at,
    )
