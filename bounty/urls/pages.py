"""The public pages and the participant's: competitions, accounts, teams, terms, data, submissions."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from bounty.ratelimit import rate_limited
from bounty.views import (
    accounts,
    data,
    docs,
    explore,
    fit,
    health,
    notices,
    pages,
    preview,
    rewards,
    submissions,
    teams,
    terms,
)

C = "competitions/<slug:slug>/"

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("accounts/signup/", rate_limited("signup")(accounts.signup), name="signup"),
    path("accounts/confirm-email/", accounts.email_confirmation, name="email_confirmation"),
    path(
        "accounts/confirm-email/resend",
        rate_limited("resend")(accounts.email_confirmation_resend),
        name="email_confirmation_resend",
    ),
    path("accounts/confirm-email/<str:token>/", accounts.email_confirm_link, name="email_confirm"),
    path("accounts/login/", rate_limited("login")(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notices/<int:notice_id>/dismiss", notices.dismiss, name="notice_dismiss"),
    path("docs/", docs.docs_index, name="docs"),
    path("docs/<slug:name>/", docs.docs_page, name="doc"),
    path("competitions/", pages.competition_index, name="competitions"),
    path(C, pages.competition_detail, name="competition"),
    path(f"{C}leaderboard/", pages.competition_leaderboard, name="leaderboard"),
    path("competitions/<slug:slug>/leaderboard.csv", pages.leaderboard_export, name="leaderboard_csv"),
    path(f"{C}team/", teams.team_page, name="team"),
    path(f"{C}terms/", terms.terms_page, name="terms"),
    path(f"{C}data/", data.data_page, name="data"),
    path(f"{C}explore/", explore.explore_page, name="explore"),
    path(f"{C}data/train.csv", terms.train_download, name="train_download"),
    path(f"{C}data/train-baseline.csv", terms.train_baseline_download, name="train_baseline_download"),
    path(f"{C}submit/", rate_limited("submit")(submissions.submit), name="submit"),
    path(f"{C}fit/", fit.fit_page, name="fit"),
    path(f"{C}find/", rate_limited("submit")(rewards.find_page), name="find"),
    path(f"{C}findings/", rewards.findings_page, name="findings"),
    path("findings/<int:submission_id>/", rewards.finding_detail, name="finding_detail"),
    path(f"{C}program/", rewards.program_page, name="program"),
    path(f"{C}earnings/", rewards.earnings_page, name="earnings"),
    path("fits/<int:job_id>/", fit.fit_detail, name="fit_detail"),
    path(f"{C}submissions/", submissions.my_submissions, name="my_submissions"),
    path("competitions/<slug:slug>/preview", preview.group_preview, name="group_preview"),
    path("submissions/<int:submission_id>/", submissions.submission_detail, name="submission_detail"),
    path("submissions/<int:submission_id>/status", submissions.submission_status, name="status"),
    path("submissions/<int:submission_id>/cancel", submissions.submission_withdraw, name="submission_cancel"),
]
