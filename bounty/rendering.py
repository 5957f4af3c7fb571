"""Markdown written by organizers, rendered to sanitized HTML (``markdown`` then ``nh3``)."""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

_EXTENSIONS = ["extra", "sane_lists"]


def markdown_to_html(text: str) -> SafeString:
    html = md.markdown(text or "", extensions=_EXTENSIONS, output_format="html")
    return mark_safe(nh3.clean(html, link_rel="noopener noreferrer nofollow"))  # noqa: S308
