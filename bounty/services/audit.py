from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from bounty.models import AuditEvent, Competition


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    competition: Competition | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action, actor=actor, competition=competition, payload=payload or {}
    )
