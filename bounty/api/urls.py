from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from bounty.api import docs
from bounty.api.views import (
    auth,
    competitions,
    drafts,
    explore,
    fits,
    organizer,
    organizer_rewards,
    organizer_teams,
    public,
    rewards,
    submissions,
    teams,
)

app_name = "api"
SLUG = "competitions/<slug:slug>"
ORG = "organize/competitions/<slug:slug>"  # the console's actions (bounty.api.views.organizer)

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
    path(f"{SLUG}/explore", explore.ExploreView.as_view(), name="explore"),
    path(f"{SLUG}/fits", fits.CompetitionFitsView.as_view(), name="fits"),
    path("fits/<int:job_id>", fits.FitDetailView.as_view(), name="fit"),
    path("fits/<int:job_id>/submit", fits.FitSubmitView.as_view(), name="fit_submit"),
    path(f"{SLUG}/teams", teams.TeamCreateView.as_view(), name="team_create"),
    path(f"{SLUG}/teams/join", teams.TeamJoinView.as_view(), name="team_join"),
    path(f"{SLUG}/team", teams.MyTeamView.as_view(), name="team"),
    path(f"{SLUG}/submissions", submissions.CompetitionSubmissionsView.as_view(), name="submissions"),
    path(f"{SLUG}/leaderboard", public.LeaderboardView.as_view(), name="leaderboard"),
    path(f"{SLUG}/findings", rewards.FindingsView.as_view(), name="findings"),
    path(f"{SLUG}/program", rewards.ProgramView.as_view(), name="program"),
    path(f"{SLUG}/earnings", rewards.EarningsView.as_view(), name="earnings"),
    path(f"{SLUG}/earnings/split", rewards.SplitView.as_view(), name="earnings_split"),
    path(f"{SLUG}/versions", public.VersionsView.as_view(), name="versions"),
    path(f"{SLUG}/metrics", public.MetricsView.as_view(), name="metrics"),
    path("submissions/<int:submission_id>", submissions.SubmissionDetailView.as_view(), name="submission"),
    path(
        "submissions/<int:submission_id>/cancel",
        submissions.SubmissionCancelView.as_view(),
        name="submission_cancel",
    ),
    path(f"{ORG}/review", organizer.ReviewView.as_view(), name="organize_review"),
    path(
        f"{ORG}/submissions/<int:submission_id>/approve",
        organizer.ApproveView.as_view(),
        name="organize_approve",
    ),
    path(
        f"{ORG}/submissions/<int:submission_id>/decline",
        organizer.DeclineView.as_view(),
        name="organize_decline",
    ),
    path(f"{ORG}/rollback", organizer.RollbackView.as_view(), name="organize_rollback"),
    path(
        f"{ORG}/teams/<int:team_id>/disqualify",
        organizer.DisqualifyView.as_view(),
        name="organize_disqualify",
    ),
    path(
        f"{ORG}/teams/<int:team_id>/approve",
        organizer_teams.TeamApproveView.as_view(),
        name="organize_approve_team",
    ),
    path(f"{ORG}/confirm", organizer.ConfirmView.as_view(), name="organize_confirm"),
    path(f"{ORG}/close", organizer.CloseView.as_view(), name="organize_close"),
    path(f"{ORG}/exports/bundle.zip", organizer.BundleExportView.as_view(), name="organize_export_bundle"),
    path(
        f"{ORG}/exports/submissions.csv",
        organizer.SubmissionsExportView.as_view(),
        name="organize_export_submissions",
    ),
    path(
        f"{ORG}/exports/leaderboard.csv",
        organizer.LeaderboardExportView.as_view(),
        name="organize_export_leaderboard",
    ),
    path(f"{ORG}/program", organizer_rewards.ProgramSetView.as_view(), name="organize_program"),
    path(f"{ORG}/ledger", organizer_rewards.LedgerView.as_view(), name="organize_ledger"),
    path(
        f"{ORG}/ledger/corrections",
        organizer_rewards.CorrectionView.as_view(),
        name="organize_ledger_correct",
    ),
    path(
        f"{ORG}/ledger/<int:entry_id>/<str:action>",
        organizer_rewards.EntryActionView.as_view(),
        name="organize_ledger_entry",
    ),
    path(
        f"{ORG}/exports/payouts.csv",
        organizer_rewards.PayoutExportView.as_view(),
        name="organize_export_payouts",
    ),
    path("organize/competitions", drafts.DraftCreateView.as_view(), name="organize_create"),
    path(f"{ORG}/open", drafts.CompetitionOpenView.as_view(), name="organize_open"),
    path("organize/drafts", drafts.DraftListView.as_view(), name="organize_drafts"),
    path("organize/drafts/<int:draft_id>", drafts.DraftDetailView.as_view(), name="organize_draft"),
    path(
        "organize/drafts/<int:draft_id>/definition",
        drafts.DraftDefinitionView.as_view(),
        name="organize_draft_definition",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="openapi"),
    path("docs/", docs.api_docs, name="docs"),
    path("redoc/", RedirectView.as_view(pattern_name="api:docs"), name="redoc"),
]
