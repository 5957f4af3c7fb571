"""The site's addresses: one module per area, each mounted here with ``include``.

- ``pages``: the public pages and the participant's (competitions, teams, terms, submissions);
- ``accounts``: the user's account page, API token revoke, password change and reset;
- ``reports``: each competition's reports, model card and last-mile audits;
- ``wizard`` (``/wizard/``, names ``wizard:*``): creating a competition from the organizer's data;
- ``console`` (``/competitions/<slug>/console/``, names ``console:*``): running one competition;
- ``legacy``: the addresses of earlier versions (sent out in emails), redirected to the new ones;
- ``bounty.api.urls`` (``/api/v1/``, names ``api:*``): the REST API.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from bounty.api.docs import NotFoundView

urlpatterns = [
    path("", include("bounty.urls.pages")),
    path("", include("bounty.urls.accounts")),
    path("", include("bounty.urls.reports")),
    path("wizard/", include("bounty.urls.wizard")),
    path("", include("bounty.urls.console")),
    path("", include("bounty.urls.legacy")),
    path("api/v1/", include("bounty.api.urls")),
    re_path(r"^api/(?P<rest>.*)$", NotFoundView.as_view(), name="api_not_found"),
    path("admin/", admin.site.urls),
]
