"""URLs of the organizer pages and the exports (included by ``bounty.urls``)."""

from __future__ import annotations

from django.urls import path

from bounty.views import organize

BASE = "competitions/<slug:slug>/organize/"

urlpatterns = [
    path(BASE, organize.organize_home, name="organize"),
    path(
        f"{BASE}submissions/<int:submission_id>/approve", organize.organize_approve, name="organize_approve"
    ),
    path(
        f"{BASE}submissions/<int:submission_id>/decline", organize.organize_decline, name="organize_decline"
    ),
    path(f"{BASE}rollback", organize.organize_rollback, name="organize_rollback"),
    path(f"{BASE}disqualify", organize.organize_disqualify, name="organize_disqualify"),
    path(f"{BASE}confirm", organize.organize_confirm, name="organize_confirm"),
    path(f"{BASE}close", organize.organize_close, name="organize_close"),
    path(f"{BASE}manual-approval", organize.organize_manual_approval, name="organize_manual_approval"),
    path(f"{BASE}export/bundle.zip", organize.organize_export_bundle, name="organize_export_bundle"),
    path(
        f"{BASE}export/submissions.csv",
        organize.organize_export_submissions,
        name="organize_export_submissions",
    ),
    path("competitions/<slug:slug>/leaderboard.csv", organize.leaderboard_export, name="leaderboard_csv"),
]
