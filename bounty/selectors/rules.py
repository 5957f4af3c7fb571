"""A competition's rules, from the one place that holds them: its engine store's settings.

The store decides every submission with these values (``scoring.engine.Store.settings``); every page,
API answer and figure that states a rule reads them here, so none can say something else. The database
keeps a copy written once, at creation, for the admin's lists; it is read-only there and read by nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bounty.engine_adapter import competition_settings
from bounty.models import Competition
from bounty.models.competition import TaskKind
from scoring.schema import Schema, Task


@dataclass(frozen=True)
class CompetitionRules:
    """What decides a submission: the loss, the acceptance rule (alpha, mu_min, z) and the schema; and
    ``publish_k``, the rule that rounds every published holdout figure (``bounty.selectors.published``)."""

    alpha: float
    mu_min: float
    z: float
    publish_k: int  # no published holdout figure pins the error count closer than +/- k
    beta: float  # a finding's smallest gap between the group's loss and the rest's (scoring.finding)
    loss: str
    loss_params: dict[str, Any]
    schema: Schema

    @property
    def task(self) -> Task:
        return self.schema.task

    @property
    def task_label(self) -> str:
        return str(TaskKind(self.schema.task.value).label)


def competition_rules(*, competition: Competition) -> CompetitionRules:
    """The rules the competition's store decides with (``competition_misconfigured`` if unreadable)."""
    settings = competition_settings(competition)
    rules = settings.rules
    return CompetitionRules(
        alpha=rules.alpha,
        mu_min=rules.mu_min,
        z=rules.z,
        publish_k=rules.publish_k,
        beta=rules.beta,
        loss=settings.loss,
        loss_params=dict(settings.loss_params),
        schema=settings.schema,
    )
