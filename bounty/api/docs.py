"""The API's documentation page, rendered on the server from the OpenAPI schema (no CDN, no
JavaScript), and the JSON 404 for every unknown ``/api/`` URL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    public: bool
    fields: list[str]
    success: list[str]
    errors: list[str]


@cache
def api_schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                found.append(_operation(schema, method, path, item[method]))
    return found


def _operation(schema: dict[str, Any], method: str, path: str, op: dict[str, Any]) -> Operation:
    codes = sorted(op.get("responses", {}))
    return Operation(
        method=method.upper(),
        path=path,
        summary=op.get("summary", ""),
        description=op.get("description", ""),
        public="security" not in op or {} in op["security"],
        fields=_request_fields(schema, op),
        success=[c for c in codes if c.startswith("2")],
        errors=[c for c in codes if not c.startswith("2")],
    )


def _request_fields(schema: dict[str, Any], op: dict[str, Any]) -> list[str]:
    content = op.get("requestBody", {}).get("content", {})
    for media in content.values():
        ref = media.get("schema", {}).get("$ref", "")
        component = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
        required = set(component.get("required", []))
        return [f"{n}{'' if n in required else '?'}" for n in component.get("properties", {})]
    return []


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    schema = api_schema()
    context = {"info": schema.get("info", {}), "operations": operations(schema)}
    return render(request, "api/docs.html", context)


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any URL under /api/ that names no endpoint: 404 in the API's error shape."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound("There is no such API endpoint.")
