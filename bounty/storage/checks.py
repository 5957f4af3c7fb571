"""``manage.py check --deploy``: the shared store must not be readable without credentials."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from bounty.storage import remote


@register(Tags.security, deploy=True)
def bucket_is_private(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    store = remote.remote()
    if store is None or not remote.readable_by_anyone(store):
        return []
    return [
        Error(
            "The file store's bucket can be read without credentials, and it holds the hidden splits.",
            hint="Remove any public policy or ACL from the bucket (MinIO: mc anonymous set none <bucket>).",
            id="bounty.E010",
        )
    ]
