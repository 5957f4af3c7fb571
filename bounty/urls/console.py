"""A competition's console, under ``/competitions/<slug>/console/`` (its organizers and staff): the
review queue, every submission with its figures, the actions on the model and the exports."""

from __future__ import annotations

from django.urls import path

from bounty.views import console, console_confirm, console_landscape, console_rewards, console_teams

app_name = "console"
C = "competitions/<slug:slug>/console/"

urlpatterns = [
    path(C, console.home, name="home"),
    path(f"{C}submissions/", console.submissions, name="submissions"),
    path(f"{C}landscape/", console_landscape.landscape, name="landscape"),
    path(f"{C}submissions/<int:submission_id>/approve", console.approve, name="approve"),
    path(f"{C}submissions/<int:submission_id>/decline", console.decline, name="decline"),
    path(f"{C}open", console.open_competition, name="open"),
    path(f"{C}rollback", console_confirm.rollback, name="rollback"),
    path(f"{C}disqualify", console_confirm.disqualify, name="disqualify"),
    path(f"{C}confirm", console.confirm, name="confirm"),
    path(f"{C}close", console_confirm.close, name="close"),
    path(f"{C}manual-approval", console.manual_approval, name="manual_approval"),
    path(f"{C}teams/<int:team_id>/approve", console_teams.approve_team, name="approve_team"),
    path(f"{C}team-approval", console_teams.team_approval, name="team_approval"),
    path(f"{C}export/bundle.zip", console.export_bundle, name="export_bundle"),
    path(f"{C}export/submissions.csv", console.export_submissions, name="export_submissions"),
    path(f"{C}program/", console_rewards.program, name="program"),
    path(f"{C}ledger/", console_rewards.ledger, name="ledger"),
    path(f"{C}ledger/correct", console_rewards.correct, name="ledger_correct"),
    path(f"{C}ledger/<int:entry_id>/<str:action>", console_rewards.entry_action, name="ledger_entry"),
    path(f"{C}export/payouts.csv", console_rewards.export_payouts, name="export_payouts"),
]
