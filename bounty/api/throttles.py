"""API throttles. Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (set from the
environment in ``bounty.settings``), read when a request is throttled, not when this module loads.

- ``anon`` / ``user``: every API request, per client IP when anonymous and per user otherwise;
- ``submit``: creating submissions, per user, on top of the database-enforced team quotas;
- ``login``: exchanging a password for a token, per client IP.

The client IP is ``bounty.client_ip.client_ip`` (``X-Forwarded-For`` only from trusted proxies), not
DRF's ``get_ident``, which believes any ``X-Forwarded-For`` when ``NUM_PROXIES`` is unset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from bounty.client_ip import client_ip

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings
    from rest_framework.request import Request
    from rest_framework.views import APIView


class _SettingsRate(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES
        rate = rates.get(self.scope) if self.scope else None
        return str(rate) if rate else None

    def get_ident(self, request: Request) -> str:
        return client_ip(request)


class AnonReadThrottle(_SettingsRate, AnonRateThrottle):
    scope = "anon"


class UserReadThrottle(_SettingsRate, UserRateThrottle):
    scope = "user"


class SubmitThrottle(_SettingsRate, UserRateThrottle):
    scope = "submit"


class LoginThrottle(_SettingsRate, AnonRateThrottle):
    """Per client IP, whoever is logged in: guesses at passwords are what it slows down."""

    scope = "login"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
