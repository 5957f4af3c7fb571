from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from bounty.api.docs import NotFoundView
from bounty.organize_urls import urlpatterns as organize_urlpatterns
from bounty.ratelimit import rate_limited
from bounty.views import accounts, health, pages, preview, submissions, teams, terms

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/signup/", rate_limited("signup")(accounts.signup), name="signup"),
    path("accounts/login/", rate_limited("login")(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("competitions/", pages.competition_index, name="competitions"),
    path("competitions/<slug:slug>/", pages.competition_detail, name="competition"),
    path(
        "competitions/<slug:slug>/leaderboard/",
        pages.competition_leaderboard,
        name="leaderboard",
    ),
    path("competitions/<slug:slug>/team/", teams.team_page, name="team"),
    path("competitions/<slug:slug>/terms/", terms.terms_page, name="terms"),
    path("competitions/<slug:slug>/data/train.csv", terms.train_download, name="train_download"),
    path(
        "competitions/<slug:slug>/data/train-baseline.csv",
        terms.train_baseline_download,
        name="train_baseline_download",
    ),
    path("competitions/<slug:slug>/submit/", rate_limited("submit")(submissions.submit), name="submit"),
    path("competitions/<slug:slug>/submissions/", submissions.my_submissions, name="my_submissions"),
    path(
        "competitions/<slug:slug>/organizer/submissions/",
        submissions.organizer_submissions,
        name="organizer_submissions",
    ),
    path("competitions/<slug:slug>/preview", preview.group_preview, name="group_preview"),
    path("submissions/<int:submission_id>/", submissions.submission_detail, name="submission_detail"),
    path("submissions/<int:submission_id>/status", submissions.submission_status, name="status"),
    path(
        "submissions/<int:submission_id>/cancel",
        submissions.submission_withdraw,
        name="submission_cancel",
    ),
    path("", include("bounty.urls_organize")),  # wizard, reports, model card, audits
    path("api/v1/", include("bounty.api.urls")),
    re_path(r"^api/(?P<rest>.*)$", NotFoundView.as_view(), name="api_not_found"),
    path("admin/", admin.site.urls),
]
urlpatterns += organize_urlpatterns  # organizer actions and exports
