"""Downloads as HTTP attachments, the same for the pages and the API."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse, HttpResponseBase

from bounty.selectors.downloads import Download


def attachment(download: Download) -> HttpResponseBase:
    """The download as an attachment (``Cache-Control: no-store``: these files are behind a login)."""
    response: HttpResponseBase
    if download.path is not None:
        response = FileResponse(
            download.path.open("rb"),
            as_attachment=True,
            filename=download.filename,
            content_type=download.content_type,
        )
    else:
        response = HttpResponse(download.content, content_type=download.content_type)
        response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response["Cache-Control"] = "no-store"
    return response
