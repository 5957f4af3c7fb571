"""Organizer actions around the wizard: the competition arguments a draft's rules give, and opening a
created competition. (The pre-flight's advice on the rules: ``bounty.services.rules_advice``.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from bounty.errors import DomainError
from bounty.models import Competition
from bounty.selectors.competitions import user_is_organizer
from bounty.services.audit import audit_record

RULE_KEYS = (
    "loss", "loss_params", "alpha", "mu_min", "z", "publish_k", "beta", "daily_quota", "total_quota",
    "description", "rules", "terms_text",
)  # fmt: skip


def rules_arguments(stored: dict[str, Any]) -> dict[str, Any]:
    """``competition_create`` keyword arguments from a draft's stored rules."""
    out = {k: stored[k] for k in RULE_KEYS if k in stored}
    out["loss_params"] = out.get("loss_params") or {}
    if out.get("publish_k") is None:  # left blank, or a draft from before it existed: the default
        out.pop("publish_k", None)
    if out.get("beta") is None:
        out.pop("beta", None)
    out["opens_at"] = datetime.fromisoformat(stored["opens_at"])
    out["closes_at"] = datetime.fromisoformat(stored["closes_at"])
    return out


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
