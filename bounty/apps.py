from __future__ import annotations

from django.apps import AppConfig


class BountyConfig(AppConfig):
    name = "bounty"
    verbose_name = "Bias bounty"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bounty.storage import checks  # noqa: F401  (registers the deploy checks)
