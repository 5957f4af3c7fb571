"""Organizer actions around the wizard: the competition arguments a draft's rules give, the
pre-flight holdout-size check, and opening a created competition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from bounty.errors import DomainError
from bounty.models import Competition, CompetitionDraft
from bounty.selectors.competitions import user_is_organizer
from bounty.services.audit import audit_record
from bounty.wizard.preflight import Preflight, preflight

RULE_KEYS = (
    "loss", "loss_params", "alpha", "mu_min", "z", "daily_quota", "total_quota", "description",
    "rules", "terms_text",
)  # fmt: skip


def rules_arguments(stored: dict[str, Any]) -> dict[str, Any]:
    """``competition_create`` keyword arguments from a draft's stored rules."""
    out = {k: stored[k] for k in RULE_KEYS if k in stored}
    out["loss_params"] = out.get("loss_params") or {}
    out["opens_at"] = datetime.fromisoformat(stored["opens_at"])
    out["closes_at"] = datetime.fromisoformat(stored["closes_at"])
    return out


def draft_preflight(draft: CompetitionDraft) -> Preflight | None:
    """The pre-flight figures once the data and rules are known."""
    rules, rows = draft.state.get("rules"), draft.state.get("rows")
    if not rules or not rows:
        return None
    budget = int(rules.get("expected_teams", 1)) * int(rules["total_quota"])
    return preflight(
        holdout_rows=int(rows["holdout"]),
        alpha=float(rules["alpha"]),
        mu_min=float(rules["mu_min"]),
        budget=budget,
    )


def competition_open(*, competition: Competition, user: User) -> Competition:
    """Open a draft competition for submissions (its organizers or staff)."""
    if not user_is_organizer(competition=competition, user=user):
        raise DomainError("forbidden", "Only this competition's organizers can open it.")
    with transaction.atomic():
        locked = Competition.objects.select_for_update().get(pk=competition.pk)
        if locked.status != Competition.Status.DRAFT:
            raise DomainError("not_draft", "Only a draft competition can be opened.")
        locked.status = Competition.Status.OPEN
        locked.save(update_fields=["status"])
        audit_record(action="competition.open", actor=user, competition=locked, payload={})
    return locked
