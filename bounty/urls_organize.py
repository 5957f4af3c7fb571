"""Routes of the create-competition wizard, the report pages, the model card and last-mile audits
(included from ``bounty.urls``)."""

from __future__ import annotations

from django.urls import path

from bounty.views import last_mile, reports, wizard

urlpatterns = [
    path("organize/", wizard.index, name="wizard_index"),
    path("organize/new/<int:draft_id>/data/", wizard.data, name="wizard_data"),
    path("organize/new/<int:draft_id>/schema/", wizard.schema, name="wizard_schema"),
    path("organize/new/<int:draft_id>/model/", wizard.model, name="wizard_model"),
    path("organize/new/<int:draft_id>/rules/", wizard.rules, name="wizard_rules"),
    path("organize/new/<int:draft_id>/review/", wizard.review, name="wizard_review"),
    path("organize/competitions/<slug:slug>/open/", wizard.open_competition, name="competition_open"),
    path("competitions/<slug:slug>/reports/", reports.report_page, name="reports"),
    path("competitions/<slug:slug>/model-card/", reports.model_card, name="model_card"),
    path("competitions/<slug:slug>/audits/", last_mile.audit_index, name="audits"),
    path("audits/<int:audit_id>/", last_mile.audit_detail, name="audit_detail"),
    path("audits/<int:audit_id>/publish", last_mile.audit_publish, name="audit_publish"),
    path("audits/<int:audit_id>/delete", last_mile.audit_remove, name="audit_delete"),
]
