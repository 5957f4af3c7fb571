"""The participant's client used to live here; it is now the package ``bounty_client`` (the
distribution ``bias-bounty-client``, which has no Django in it). Notebooks that say
``import bounty.client as bc`` or ``from bounty.client.local import check_locally`` keep working
where the platform and the client are both installed; the one-line migration is
``import bounty_client as bc``."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bounty_client
from bounty_client import *  # noqa: F403

__all__ = bounty_client.__all__

for _module in pkgutil.iter_modules(bounty_client.__path__):
    sys.modules[f"{__name__}.{_module.name}"] = importlib.import_module(f"bounty_client.{_module.name}")
