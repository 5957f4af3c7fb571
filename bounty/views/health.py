"""Probes and metrics for operators.

- ``/healthz``: liveness; answers ``ok`` without touching the database (load balancers, benchmarks).
- ``/readyz``: readiness; 200 when the database, the broker and the file store answer, else 503 naming
  which one does not (no more: causes go to the log).
- ``/metrics``: Prometheus metrics (``bounty.monitoring``), for operators only: a staff account's
  session, or the scraper's ``Authorization: Bearer <BOUNTY_METRICS_TOKEN>``.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from bounty.monitoring.collector import platform_exposition
from bounty.monitoring.probes import readiness
from bounty.monitoring.requests import exposition


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    answers = readiness()
    body = {name: "ok" if ok else "unavailable" for name, ok in answers.items()}
    return JsonResponse(body, status=200 if all(answers.values()) else 503)


def _operator(request: HttpRequest) -> bool:
    token = str(settings.BOUNTY_METRICS_TOKEN)
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip(), token):
        return True
    return bool(request.user.is_authenticated and request.user.is_staff)


@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _operator(request):
        response = HttpResponse("Operators only.", status=403, content_type="text/plain")
        if not request.user.is_authenticated:
            response.status_code = 401
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition() + platform_exposition(), content_type=CONTENT_TYPE_LATEST)
