from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from bounty.api import docs
from bounty.api.views import auth, competitions, public, submissions, teams

app_name = "api"
SLUG = "competitions/<slug:slug>"

urlpatterns = [
    path("auth/token", auth.TokenView.as_view(), name="token"),
    path("competitions", competitions.CompetitionListView.as_view(), name="competitions"),
    path(SLUG, competitions.CompetitionDetailView.as_view(), name="competition"),
    path(f"{SLUG}/schema", competitions.CompetitionSchemaView.as_view(), name="schema_of"),
    path(f"{SLUG}/data-card", competitions.CompetitionDataCardView.as_view(), name="data_card"),
    path(f"{SLUG}/terms", competitions.TermsAcceptView.as_view(), name="terms"),
    path(f"{SLUG}/train.csv", competitions.TrainDownloadView.as_view(), name="train"),
    path(f"{SLUG}/train-baseline.csv", competitions.TrainBaselineView.as_view(), name="train_baseline"),
    path(
        f"{SLUG}/train-baseline.npy", competitions.TrainBaselineArrayView.as_view(), name="train_baseline_npy"
    ),
    path(f"{SLUG}/teams", teams.TeamCreateView.as_view(), name="team_create"),
    path(f"{SLUG}/teams/join", teams.TeamJoinView.as_view(), name="team_join"),
    path(f"{SLUG}/team", teams.MyTeamView.as_view(), name="team"),
    path(f"{SLUG}/submissions", submissions.CompetitionSubmissionsView.as_view(), name="submissions"),
    path(f"{SLUG}/leaderboard", public.LeaderboardView.as_view(), name="leaderboard"),
    path(f"{SLUG}/versions", public.VersionsView.as_view(), name="versions"),
    path(f"{SLUG}/metrics", public.MetricsView.as_view(), name="metrics"),
    path("submissions/<int:submission_id>", submissions.SubmissionDetailView.as_view(), name="submission"),
    path(
        "submissions/<int:submission_id>/cancel",
        submissions.SubmissionCancelView.as_view(),
        name="submission_cancel",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="openapi"),
    path("docs/", docs.api_docs, name="docs"),
    path("redoc/", RedirectView.as_view(pattern_name="api:docs"), name="redoc"),
]
