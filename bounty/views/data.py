"""A competition's Data tab: the columns, their types and allowed values, the protected attributes,
the rows per split, and the files a participant may download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bounty.selectors.competitions import competition_get, terms_accepted
from bounty.selectors.data_dictionary import data_dictionary


@require_GET
def data_page(request: HttpRequest, slug: str) -> HttpResponse:
    competition = competition_get(slug=slug, user=request.user)
    context = {
        "competition": competition,
        "data": data_dictionary(competition=competition),
        "terms_ok": terms_accepted(competition=competition, user=request.user),
    }
    return render(request, "competitions/data.html", context)
