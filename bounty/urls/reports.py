"""Each competition's reports, model card and last-mile audits."""

from __future__ import annotations

from django.urls import path

from bounty.views import last_mile, reports

urlpatterns = [
    path("competitions/<slug:slug>/reports/", reports.report_page, name="reports"),
    path("competitions/<slug:slug>/model-card/", reports.model_card, name="model_card"),
    path("competitions/<slug:slug>/audits/", last_mile.audit_index, name="audits"),
    path("audits/<int:audit_id>/", last_mile.audit_detail, name="audit_detail"),
    path("audits/<int:audit_id>/publish", last_mile.audit_publish, name="audit_publish"),
    path("audits/<int:audit_id>/delete", last_mile.audit_remove, name="audit_delete"),
]
