from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django import forms
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bounty.errors import DomainError

P = ParamSpec("P")
R = TypeVar("R")


def json_view(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view as a JSON endpoint: its errors are answered as JSON."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        request = args[0]
        request.bounty_json = True  # type: ignore[attr-defined]
        return view(*args, **kwargs)

    return wrapper


def current_user(request: HttpRequest) -> User:
    """The logged-in user (call behind ``login_required``)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise DomainError("login_required", "Please log in.", status=401)
    return user


@dataclass
class FormPage:
    """A page with a form that a ``DomainError`` re-renders, the message next to its field."""

    request: HttpRequest
    template: str
    context: dict[str, Any]
    form: forms.Form

    def add_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.form.fields else None
        self.form.add_error(field, error.message)

    def render(self, status: int = 200) -> HttpResponse:
        return render(self.request, self.template, self.context, status=status)


def form_page(request: HttpRequest, template: str, context: dict[str, Any], *, form: forms.Form) -> FormPage:
    page = FormPage(request, template, context, form)
    request.bounty_form_page = page  # type: ignore[attr-defined]
    return page
