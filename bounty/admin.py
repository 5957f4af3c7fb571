from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from bounty.models import (
    Account,
    AuditEvent,
    Competition,
    Membership,
    ModelVersion,
    Submission,
    Team,
    TermsAcceptance,
)


@admin.register(Competition)
class CompetitionAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "status", "task", "opens_at", "closes_at", "head_version"]
    list_filter = ["status", "task"]
    search_fields = ["slug", "title"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organizers"]
    # The rules are the engine store's (bounty.selectors.rules): the database keeps a copy written at
    # creation, which editing could only make disagree with what decides submissions.
    RULES = ["task", "loss", "loss_params", "alpha", "mu_min", "z", "schema"]
    readonly_fields = [
        *RULES,
        "head_version",
        "next_seq",
        "base_holdout_loss",
        "current_holdout_loss",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a competition needs its engine store: the wizard or competition_create makes both


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "competition", "created_at", "approved_at"]
    list_filter = ["competition"]
    search_fields = ["name"]
    readonly_fields = ["invite_code", "created_at"]
    inlines = [MembershipInline]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    """Signed-up users and whether they confirmed their email address (set ``email_confirmed_at`` to
    confirm one by hand; users without a row were made by an operator and count as confirmed)."""

    list_display = ["user", "email_confirmed_at", "created_at"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "competition", "joined_at"]
    list_filter = ["competition"]
    raw_id_fields = ["user", "team"]


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["user", "competition", "terms_version", "accepted_at"]
    list_filter = ["competition", "terms_version"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["seq", "competition", "team", "author", "status", "reason", "created_at"]
    list_filter = ["competition", "status", "reason"]
    search_fields = ["team__name", "author__username", "model_sha256"]
    readonly_fields = [
        "seq",
        "group_tree",
        "group_model_sha256",
        "model_sha256",
        "model_format",
        "created_at",
        "started_at",
        "finished_at",
        "attempts",
        "checked_version",
        "figures",
        "public_gain",
    ]


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["competition", "number", "kind", "parent", "target_version", "holdout_loss"]
    list_filter = ["competition", "kind"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "competition"]
    list_filter = ["action", "competition"]
    search_fields = ["action"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
