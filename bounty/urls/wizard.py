"""The create-competition wizard, under ``/wizard/``: a draft's steps, one page each."""

from __future__ import annotations

from django.urls import path

from bounty.views import wizard

app_name = "wizard"

urlpatterns = [
    path("", wizard.index, name="index"),
    path("<int:draft_id>/data/", wizard.data, name="data"),
    path("<int:draft_id>/schema/", wizard.schema, name="schema"),
    path("<int:draft_id>/model/", wizard.model, name="model"),
    path("<int:draft_id>/rules/", wizard.rules, name="rules"),
    path("<int:draft_id>/review/", wizard.review, name="review"),
]
