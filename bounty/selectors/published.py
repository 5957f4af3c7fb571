"""The holdout figures anyone may see, at the competition's one published step (``scoring.publish``).

The step is the smallest nice value ``s`` with ``n x s >= 2 k``, where ``n`` is the number of holdout
rows (the data card's, written at creation from the splits the store keeps) and ``k`` the competition's
``publish_k`` (its store's rules). Every public surface (the competition page, the leaderboard in HTML,
API, CSV and CLI, the metrics and versions API, reports, the model card, recent decisions, emails and
exports) shows the base loss, the public loss, gains, credit and shares from here: losses and gains
rounded down to a multiple of the step, and shares computed only from those published values, in
percent of the published base loss. Organizers' private views may stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bounty.engine_adapter import competition_settings
from bounty.models import Competition
from bounty.selectors.outcomes import counting_updates
from scoring.publish import percent_of, publish, published_step, step_decimals


@dataclass(frozen=True)
class Step:
    """A competition's publication step: ``None`` when its holdout size is unknown (nothing is shown)."""

    k: int
    n_holdout: int | None
    step: float | None

    @property
    def decimals(self) -> int:
        return step_decimals(self.step) if self.step is not None else 0

    @property
    def shown(self) -> str:
        return "—" if self.step is None else f"{self.step:.{self.decimals}f}"

    def value(self, raw: float | None) -> float | None:
        """A loss or a gain as published: rounded down to a multiple of the step."""
        if raw is None or self.step is None:
            return None
        return publish(raw, self.step)

    def text(self, raw: float | None) -> str:
        """The published figure written with exactly the step's decimals ("—" when unpublished)."""
        shown = self.value(raw)
        return "—" if shown is None else f"{shown:.{self.decimals}f}"


@dataclass(frozen=True)
class PublishedFigures:
    """A competition's public holdout figures, all derived from published values only."""

    step: Step
    base_loss: float | None  # the base model's holdout loss, published
    public_loss: float | None  # the published base loss less the published gains of counting updates

    def gain(self, raw: float | None) -> float | None:
        return self.step.value(raw)

    def percent(self, published: float | None) -> float | None:
        """A published figure in percent of the published base loss (``PERCENT_DIGITS`` decimals)."""
        return None if published is None else percent_of(published, self.base_loss)

    @property
    def public_loss_percent(self) -> float | None:
        return self.percent(self.public_loss)

    @property
    def improvement_percent(self) -> float | None:
        gained = (
            None if self.base_loss is None or self.public_loss is None else self.base_loss - self.public_loss
        )
        return self.percent(gained)


def holdout_rows(competition: Competition) -> int | None:
    card: Any = competition.data_card if isinstance(competition.data_card, dict) else {}
    rows = card.get("rows") if isinstance(card.get("rows"), dict) else {}
    try:
        n = int(rows.get("holdout") or 0)
    except (TypeError, ValueError):
        return None
    return n if n >= 1 else None


def competition_step(competition: Competition) -> Step:
    """The competition's published step (its store's ``publish_k`` and the holdout's row count)."""
    k = competition_settings(competition).rules.publish_k
    n = holdout_rows(competition)
    return Step(k=k, n_holdout=n, step=published_step(n, k) if n is not None else None)


def published_figures(*, competition: Competition, step: Step | None = None) -> PublishedFigures:
    """The base loss and the public loss at the step; ``gain``/``percent`` publish more figures."""
    step = step or competition_step(competition)
    base = step.value(competition.base_holdout_loss)
    if base is None:
        return PublishedFigures(step, None, None)
    gains = [
        step.value(g) or 0.0 for g in counting_updates(competition).values_list("public_gain", flat=True)
    ]
    public = step.value(max(0.0, base - sum(gains)))  # a multiple of the step already, up to float noise
    return PublishedFigures(step, base, public)
