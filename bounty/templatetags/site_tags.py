"""Template filters for the site's own pages: ``doc_links`` (mentions of ``docs/<name>.md`` become
links to the docs' pages) and ``in_future``."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from bounty.selectors.docs import doc_links

register = template.Library()


@register.filter(name="doc_links")
def doc_links_filter(text: object) -> SafeString:
    return doc_links("" if text is None else str(text))


@register.filter(name="in_future")
def in_future(when: object) -> bool:
    return isinstance(when, datetime) and when > timezone.now()
