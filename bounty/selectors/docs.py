"""The project's documentation (``docs/*.md``) as pages of the site, from a fixed list of files.

Only the names in ``DOCS`` are served (no path from the address reaches the file system). Links
between the docs (``groups.md``, ``docs/groups.md``) become links to their pages, and so do the
mentions of ``docs/<name>.md`` in messages (:func:`doc_links`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from bounty.errors import DomainError
from bounty.rendering import markdown_to_html

# name -> who it is for; the file is docs/<name>.md, the page /docs/<name>/.
DOCS: dict[str, str] = {
    "participants": "participants",
    "groups": "participants",
    "model-formats": "participants and organizers",
    "organizers": "organizers",
    "organizer-data": "organizers",
    "preflight": "organizers",
    "security": "operators",
    "performance": "operators",
}
_NAMES = "|".join(re.escape(name) for name in sorted(DOCS, key=len, reverse=True))
_MD_LINK = re.compile(rf"\]\((?:\./)?(?:docs/)?({_NAMES})\.md(#[\w-]*)?\)")
_MENTION = re.compile(rf"\bdocs/({_NAMES})\.md\b")


@dataclass(frozen=True)
class DocPage:
    name: str
    title: str
    audience: str
    html: SafeString


def _path(name: str) -> Path:
    return Path(settings.REPO_DIR) / "docs" / f"{name}.md"


def doc_url(name: str) -> str:
    return reverse("doc", args=[name])


def _title(text: str, name: str) -> str:
    first = next((line for line in text.splitlines() if line.startswith("# ")), "")
    return first[2:].strip() or name.replace("-", " ").capitalize()


@cache
def _read(name: str) -> str:
    return _path(name).read_text(encoding="utf-8")


def doc_page(*, name: str) -> DocPage:
    """One doc, rendered (``not_found`` for any name not in ``DOCS``)."""
    if name not in DOCS:
        raise DomainError("not_found", "There is no such page.")
    try:
        text = _read(name)
    except OSError as exc:
        raise DomainError("not_found", "This page is not available.") from exc
    linked = _MD_LINK.sub(lambda m: f"]({doc_url(m.group(1))}{m.group(2) or ''})", text)
    return DocPage(name, _title(text, name), DOCS[name], markdown_to_html(linked))


def doc_index() -> list[DocPage]:
    """Every served doc with its title (the pages are rendered only when opened)."""
    pages = []
    for name, audience in DOCS.items():
        try:
            title = _title(_read(name), name)
        except OSError:
            continue
        pages.append(DocPage(name, title, audience, mark_safe("")))
    return pages


def doc_links(text: str) -> SafeString:
    """``text`` escaped, with each ``docs/<name>.md`` it mentions made a link to that page."""
    escaped = str(escape(text))
    return mark_safe(  # noqa: S308 (escaped above; the links are built from DOCS names only)
        _MENTION.sub(lambda m: f'<a href="{doc_url(m.group(1))}">{m.group(0)}</a>', escaped)
    )
