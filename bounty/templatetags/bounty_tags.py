"""Template filters: ``markdown`` (sanitized) and ``percent``."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from bounty.rendering import markdown_to_html

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return markdown_to_html(text)


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


@register.filter(name="percent")
def percent(value: object, digits: int = 2) -> str:
    number = _float(value)
    return "—" if number is None else f"{number * 100:.{int(digits)}f}%"


@register.filter(name="number")
def number(value: object, digits: int = 4) -> str:
    figure = _float(value)
    return "—" if figure is None else f"{figure:.{int(digits)}f}"
