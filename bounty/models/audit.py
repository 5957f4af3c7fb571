"""An append-only log of what happened: created once, never changed or deleted."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from bounty.errors import DomainError


def _refuse(what: str) -> NoReturn:
    raise DomainError("audit_append_only", f"Audit events cannot be {what}.")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        _refuse("updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse("deleted")


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    competition = models.ForeignKey(
        "bounty.Competition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    action = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["competition", "created_at"], name="audit_by_competition")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _refuse("deleted")
