"""A competition's settings, as its store keeps them in ``competition.json``: the schema, the loss, the
acceptance rule and the sandbox's limits. They are fixed when the store is created; everything that
decides a submission, and everything the platform says about the rules, reads them from here."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from scoring.check import Rules
from scoring.sandbox import Limits
from scoring.schema import Schema


@dataclass(frozen=True)
class Settings:
    schema: Schema
    loss: str
    loss_params: dict[str, Any]
    rules: Rules
    limits: Limits

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema.to_json(),
            "loss": self.loss,
            "loss_params": self.loss_params,
            "rules": asdict(self.rules),
            "limits": asdict(self.limits),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        return cls(
            schema=Schema.from_json(data["schema"]),
            loss=data["loss"],
            loss_params=data["loss_params"],
            rules=Rules(**data["rules"]),
            limits=Limits(**data["limits"]),
        )
