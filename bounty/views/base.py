from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec

from django import forms
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from bounty.errors import DomainError

P = ParamSpec("P")


def json_view(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """A JSON endpoint: a ``DomainError`` it raises is answered as ``{"error": ...}`` with its status."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except DomainError as error:
            return JsonResponse({"error": error.as_dict()}, status=error.status)

    return wrapper


def current_user(request: HttpRequest) -> User:
    """The logged-in user (call behind ``login_required``)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise DomainError("login_required", "Please log in.")
    return user


@dataclass
class FormPage:
    """A page with a form; ``refuse`` shows it again with a service's ``DomainError`` next to its field."""

    request: HttpRequest
    template: str
    context: dict[str, Any]
    form: forms.Form

    def add_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.form.fields else None
        self.form.add_error(field, error.message)

    def render(self, status: int = 200) -> HttpResponse:
        return render(self.request, self.template, self.context, status=status)

    def refuse(self, error: DomainError) -> HttpResponse:
        """The page again, the error's message next to its field (or above the form), with its status."""
        self.add_error(error)
        response = self.render(status=error.status)
        if error.retry_after is not None:
            response["Retry-After"] = str(error.retry_after)
        return response


def form_page(request: HttpRequest, template: str, context: dict[str, Any], *, form: forms.Form) -> FormPage:
    return FormPage(request, template, context, form)
