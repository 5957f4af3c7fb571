"""Addresses of earlier versions of the site, which went out in emails and bookmarks: each redirects
permanently to where the page lives now (308, so a form posted to an old address still posts)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import path, reverse

from bounty.selectors.competitions import competition_get


class MovedPermanently(HttpResponsePermanentRedirect):
    status_code = 308


def _visible(request: HttpRequest, params: dict[str, Any]) -> None:
    """A competition the user may not see is not found here either (nor redirected to)."""
    if "slug" in params:
        competition_get(slug=params["slug"], user=request.user)


def moved(name: str, *keep: str) -> Any:
    """A view redirecting to the route ``name``, with the URL parameters named in ``keep``."""

    def view(request: HttpRequest, **params: Any) -> MovedPermanently:
        _visible(request, params)
        target = reverse(name, kwargs={key: params[key] for key in keep})
        query = request.META.get("QUERY_STRING", "")
        return MovedPermanently(f"{target}?{query}" if query else target)

    return view


def console_path(request: HttpRequest, slug: str, rest: str) -> MovedPermanently:
    """``/competitions/<slug>/organize/<rest>``: the console kept the organizer pages' sub-paths."""
    _visible(request, {"slug": slug})
    return MovedPermanently(reverse("console:home", kwargs={"slug": slug}) + rest)


WIZARD_STEPS = ("data", "schema", "model", "rules", "review")

urlpatterns = [
    path("organize/", moved("wizard:index"), name="legacy_wizard"),
    *(
        path(
            f"organize/new/<int:draft_id>/{step}/",
            moved(f"wizard:{step}", "draft_id"),
            name=f"legacy_wizard_{step}",
        )
        for step in WIZARD_STEPS
    ),
    path("organize/competitions/<slug:slug>/open/", moved("console:open", "slug"), name="legacy_open"),
    path("competitions/<slug:slug>/organize/", moved("console:home", "slug"), name="legacy_console"),
    path("competitions/<slug:slug>/organize/<path:rest>", console_path, name="legacy_console_path"),
    path(
        "competitions/<slug:slug>/organizer/submissions/",
        moved("console:submissions", "slug"),
        name="legacy_console_submissions",
    ),
]
