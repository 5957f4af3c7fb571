"""Small SVG building blocks: escaping, the document wrapper, axes ticks and a colour palette.

Every chart is a self-contained ``<svg>`` with ``role="img"``, a ``<title>`` and a ``<desc>`` (named by
``aria-labelledby``) and a ``viewBox``, so it scales with the page and screen readers announce it;
pages put the same figures in a table next to it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from html import escape

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'
_ID = re.compile(r"[^A-Za-z0-9_-]")


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def safe_id(text: str) -> str:
    return _ID.sub("-", text) or "chart"


def num(value: float) -> str:
    """A coordinate, short and exact enough."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def label(value: float) -> str:
    """An axis or value label (at most 6 decimals, so a published figure shows exactly as published)."""
    return f"{value:.6f}".rstrip("0").rstrip(".") if value != 0 else "0"


def document(*, chart_id: str, width: int, height: int, title: str, desc: str, body: Iterable[str]) -> str:
    ident = safe_id(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" class="chart" aria-labelledby="{ident}-title {ident}-desc" {FONT}>'
        f'<title id="{ident}-title">{esc(title)}</title><desc id="{ident}-desc">{esc(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def text(x: float, y: float, content: object, *, anchor: str = "middle", extra: str = "") -> str:
    return f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" {extra}>{esc(content)}</text>'


def nice_ticks(low: float, high: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Round tick values covering [low, high] (at least two); whole numbers when ``integer``."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1.0, float(math.ceil(step)))
    start = math.floor(low / step + 1e-9) * step
    ticks = [round(start, 12)]
    while ticks[-1] < high - step * 1e-9 or len(ticks) < 2:
        ticks.append(round(start + len(ticks) * step, 12))
    return ticks


def legend(names: Iterable[str], *, x: float, y: float, dashed: Iterable[bool] = ()) -> str:
    parts = []
    dashes = list(dashed)
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        top = y + i * 18
        dash = ' stroke-dasharray="6 4"' if i < len(dashes) and dashes[i] else ""
        parts.append(
            f'<line x1="{num(x)}" y1="{num(top)}" x2="{num(x + 22)}" y2="{num(top)}" '
            f'stroke="{colour}" stroke-width="3"{dash}/>'
        )
        parts.append(text(x + 28, top + 4, name, anchor="start"))
    return '<g class="legend">' + "".join(parts) + "</g>"
