"""Rate limits for the web pages, sharing the API's throttles and counters.

``rate_limited("login")`` on the login page counts POSTs per client IP in the same cache entry as
``POST /api/v1/auth/token``; ``rate_limited("submit")`` on the submit page counts POSTs per user in the
same entry as the API's submission endpoint; ``rate_limited("signup")`` counts new accounts per IP and
``rate_limited("resend")`` the confirmation emails sent again, per user; ``rate_limited("password_reset")``
counts password-reset requests per IP (``BOUNTY_RATE_PASSWORD_RESET``). The IP is
``bounty.client_ip.client_ip``: ``X-Forwarded-For`` counts only from a trusted proxy.
Rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``BOUNTY_API_RATE_LOGIN``, ``..._SUBMIT``,
``BOUNTY_RATE_SIGNUP``, ``BOUNTY_RATE_CONFIRMATION_RESEND``). Over the rate, the answer is 429 with
``Retry-After``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from bounty.api.throttles import LoginThrottle, SubmitThrottle, _SettingsRate
from bounty.errors import DomainError
from bounty.middleware import domain_error_response

View = Callable[..., HttpResponseBase]


class SignupThrottle(_SettingsRate, AnonRateThrottle):
    """New accounts per client IP (each account can found a team with its own quota)."""

    scope = "signup"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ResendThrottle(_SettingsRate, UserRateThrottle):
    """Confirmation emails asked for again, per user (per client IP when logged out)."""

    scope = "resend"


class PasswordResetThrottle(SignupThrottle):
    """Password-reset emails asked for, per client IP (each one sends mail to an address)."""

    scope = "password_reset"


THROTTLES: dict[str, type[SimpleRateThrottle]] = {
    "login": LoginThrottle,
    "submit": SubmitThrottle,
    "signup": SignupThrottle,
    "password_reset": PasswordResetThrottle,
    "resend": ResendThrottle,
}


def throttle_check(request: HttpRequest, scope: str) -> float | None:
    """``None`` when the request may go on; otherwise the seconds to wait (and it is not counted)."""
    throttle = THROTTLES[scope]()
    if throttle.allow_request(request, None):  # type: ignore[arg-type]
        return None
    return float(throttle.wait() or 1.0)


def rate_limited(scope: str) -> Callable[[View], View]:
    """Limit the POSTs of a web view with the throttle ``scope`` (``login``, ``submit``, ``signup``,
    ``resend``)."""
    if scope not in THROTTLES:
        raise ValueError(f"unknown rate limit scope {scope!r}")

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                wait = throttle_check(request, scope)
                if wait is not None:
                    return too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def too_many(request: HttpRequest, wait: float) -> HttpResponse:
    seconds = max(1, math.ceil(wait))
    error = DomainError("rate_limited", f"Too many attempts. Try again in {seconds} seconds.")
    response = domain_error_response(request, error)
    response["Retry-After"] = str(seconds)
    return response
