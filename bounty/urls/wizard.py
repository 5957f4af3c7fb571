"""The create-competition wizard, under ``/wizard/``: a draft's steps, one page each."""

from __future__ import annotations

from django.urls import path

from bounty.views import wizard, wizard_finish

app_name = "wizard"

urlpatterns = [
    path("", wizard.index, name="index"),
    path("<int:draft_id>/data/", wizard.data, name="data"),
    path("<int:draft_id>/values/", wizard.values, name="values"),
    path("<int:draft_id>/schema/", wizard.schema, name="schema"),
    path("<int:draft_id>/progress/", wizard.progress, name="progress"),
    path("<int:draft_id>/definition.yaml", wizard.definition, name="definition"),
    path("<int:draft_id>/model/", wizard_finish.model, name="model"),
    path("<int:draft_id>/rules/", wizard_finish.rules, name="rules"),
    path("<int:draft_id>/review/", wizard_finish.review, name="review"),
]
