from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bounty.attachments import attachment
from bounty.selectors.competitions import (
    competition_data_card,
    competition_get,
    competition_list,
    membership_get,
    terms_accepted,
    user_is_organizer,
)
from bounty.selectors.downloads import Download
from bounty.selectors.leaderboard import leaderboard
from bounty.selectors.published import published_figures
from bounty.selectors.quotas import team_quota
from bounty.selectors.rules import competition_rules
from bounty.selectors.submissions import submission_public_decisions
from bounty.services.exports import leaderboard_csv
from bounty.views.visitor_cache import cached_for_visitors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    competitions = competition_list(user=request.user)[:6]
    return render(request, "home.html", {"competitions": competitions})


@require_GET
def competition_index(request: HttpRequest) -> HttpResponse:
    return render(request, "competitions/list.html", {"competitions": competition_list(user=request.user)})


@require_GET
def competition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    competition = competition_get(slug=slug, user=request.user)
    context = {
        "competition": competition,
        "rules": competition_rules(competition=competition),
        "published": published_figures(competition=competition),
        "card": competition_data_card(competition=competition),
        "decisions": submission_public_decisions(competition=competition),
        "membership": membership_get(competition=competition, user=request.user),
        "quota": team_quota(competition=competition, user=request.user),
        "terms_ok": terms_accepted(competition=competition, user=request.user),
        "is_organizer": user_is_organizer(competition=competition, user=request.user),
    }
    return render(request, "competitions/detail.html", context)


@require_GET
@cached_for_visitors
def competition_leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    competition = competition_get(slug=slug, user=request.user)
    figures = published_figures(competition=competition)
    rows = leaderboard(competition=competition, figures=figures)
    context = {"competition": competition, "rows": rows, "published": figures}
    return render(request, "competitions/leaderboard.html", context)


@require_GET
def leaderboard_export(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The public leaderboard as CSV: what the leaderboard page shows."""
    competition = competition_get(slug=slug, user=request.user)
    text = leaderboard_csv(competition=competition)
    name = f"{competition.slug}-leaderboard.csv"
    return attachment(Download(name, "text/csv; charset=utf-8", content=text.encode()))
