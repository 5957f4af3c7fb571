"""The documentation (``docs/*.md``) as pages of the site: a fixed list, rendered from Markdown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bounty.selectors.docs import doc_index, doc_page


@require_GET
def docs_index(request: HttpRequest) -> HttpResponse:
    return render(request, "docs/index.html", {"pages": doc_index()})


@require_GET
def docs_page(request: HttpRequest, name: str) -> HttpResponse:
    return render(request, "docs/page.html", {"page": doc_page(name=name)})
