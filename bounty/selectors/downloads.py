"""What a participant may download: the public train split and the base model's predictions on it.

Only users who accepted the competition's current terms get them. The pages and the API answer with
the same ``Download`` (``bounty.attachments.attachment`` turns it into the response).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bounty.engine_adapter import competition_local, train_baseline, train_baseline_array
from bounty.errors import DomainError
from bounty.models import Competition
from bounty.selectors.competitions import AnyUser, terms_accepted


@dataclass(frozen=True)
class Download:
    """A file to send as an attachment: either ``content`` or a ``path`` to stream."""

    filename: str
    content_type: str
    content: bytes = b""
    path: Path | None = None


def require_terms(competition: Competition, user: AnyUser) -> None:
    if not terms_accepted(competition=competition, user=user):
        raise DomainError("terms_not_accepted", "Accept the current terms to download the data.")


def train_split(*, competition: Competition, user: AnyUser) -> Download:
    """The public train split as the organizer's CSV."""
    require_terms(competition, user)
    path = competition_local(competition) / "public" / "train.csv"
    if not path.is_file():
        raise DomainError("not_found", "The training data is not available yet.")
    return Download(f"{competition.slug}-train.csv", "text/csv", path=path)


def train_baseline_table(*, competition: Competition, user: AnyUser) -> Download:
    """The base model's predictions on the public train rows, one CSV row per train row."""
    require_terms(competition, user)
    text = train_baseline(competition=competition).to_csv(index=False)
    return Download(f"{competition.slug}-train-baseline.csv", "text/csv", content=text.encode())


def train_baseline_npy(*, competition: Competition, user: AnyUser) -> Download:
    """The same predictions as the engine holds them (class codes, probabilities or values), as .npy."""
    require_terms(competition, user)
    buffer = io.BytesIO()
    np.save(buffer, train_baseline_array(competition=competition), allow_pickle=False)
    name = f"{competition.slug}-train-baseline.npy"
    return Download(name, "application/octet-stream", content=buffer.getvalue())
